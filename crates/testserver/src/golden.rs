//! Golden digests of every generated response body, so refactoring the generator or the date
//! formatting cannot change a byte unnoticed.
//!
//! The store is driven at fixed instants (no clock), for several seeds and data sets. Bodies are
//! reduced to the first 16 hex digits of a SHA-256. When a change to the output is
//! intended, run `cargo test -p duplicati-testserver golden`, check that only the expected
//! entries differ, and paste the table printed by the failure over [`GOLDEN`].

use sha2::{Digest, Sha256};

use crate::config::{DataSet, ServerConfig, Version};
use crate::data::Store;
use crate::timefmt::{Ticks, TICKS_PER_SEC};

/// 2025-05-04T00:03:27.5170938Z: the instant the store is built at.
const START: Ticks = 1_746_317_007 * TICKS_PER_SEC + 5_170_938;
/// When responses are asked for (schedules depend on it).
const NOW: Ticks = START + 17 * 60 * TICKS_PER_SEC + 1_234_567;
/// When rows are added and a job database is recreated.
const LATER: Ticks = START + 3 * 24 * 3600 * TICKS_PER_SEC + 42;

fn digest(parts: &[String]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.len().to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn config(data: DataSet, version: Version) -> ServerConfig {
    ServerConfig { data, version, machine_name: "nas-ü & <02>".into(), ..ServerConfig::default() }
}

/// The job-independent bodies, and every job's log as one page, its newest page and a page
/// from the middle (all log pages of a data set share one digest). Profiles other than
/// 2.1.0.5 also record `progressstate` and the ErrorLog.
fn bodies(name: &str, store: &Store, cfg: &ServerConfig, now: Ticks, out: &mut Vec<(String, String)>) {
    let mut add = |what: &str, parts: &[String]| out.push((format!("{name}/{what}"), digest(parts)));
    add("systeminfo", &[store.systeminfo(cfg, now)]);
    add("backups", &[store.backups(now)]);
    add("serverstate", &[store.serverstate(now)]);
    add("notifications", &[store.notifications()]);
    let v = store.version;
    let mut logs = Vec::new();
    for job in &store.jobs {
        let middle = job.max_id() as i64 / 2 + 1;
        let pages = store.page_builder(job.clone());
        if v.is_legacy() {
            logs.extend([pages.build_legacy(None, u32::MAX, v), pages.build_legacy(None, 10, v), pages.build_legacy(Some(middle), 7, v)]);
        } else {
            logs.extend([pages.build(None, u32::MAX), pages.build(None, 10), pages.build(Some(middle), 7)]);
        }
    }
    add("logs", &logs);
    if v != Version::V2_1_0_5 {
        add("progressstate", &[store.progressstate(now).unwrap_or_default()]);
        add("errorlog", &[store.error_log_page(None, 500)]);
    }
}

fn actual() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let sets = [
        ("fixture", DataSet::Fixture, Version::V2_1_0_5),
        ("empty", DataSet::Empty, Version::V2_1_0_5),
        ("seed42", DataSet::Generated { jobs: 3, rows_per_job: 400, seed: 42 }, Version::V2_1_0_5),
        ("seed7", DataSet::Generated { jobs: 2, rows_per_job: 700, seed: 7 }, Version::V2_1_0_5),
        ("seed1", DataSet::Generated { jobs: 14, rows_per_job: 30, seed: 1 }, Version::V2_1_0_5),
        ("seed0", DataSet::Generated { jobs: 4, rows_per_job: 1, seed: 0 }, Version::V2_1_0_5),
        ("seedbeef", DataSet::Generated { jobs: 5, rows_per_job: 250, seed: 0xDEAD_BEEF }, Version::V2_1_2),
        ("v2_0_8_1", DataSet::Generated { jobs: 3, rows_per_job: 120, seed: 20 }, Version::V2_0_8_1),
        ("v2_0_8_1-fixture", DataSet::Fixture, Version::V2_0_8_1),
        ("v2_2", DataSet::Generated { jobs: 4, rows_per_job: 150, seed: 22 }, Version::V2_2),
        ("v2_3_1", DataSet::Generated { jobs: 3, rows_per_job: 150, seed: 231 }, Version::V2_3_1),
        ("v2_3_1-fixture", DataSet::Fixture, Version::V2_3_1),
    ];
    for (name, data, version) in sets {
        let mut cfg = config(data, version);
        if version == Version::V2_3_1 {
            cfg.sync_jobs = 1;
            cfg.install_id = Some("0123456789abcdef0123456789abcdef".into());
        }
        let mut store = Store::new(&cfg, START);
        bodies(name, &store, &cfg, NOW, &mut out);
        // Rows appended after the existing ones, then a recreated job database.
        let first = store.jobs.first().map(|j| j.id.clone());
        let last = store.jobs.iter().rfind(|j| !j.sync).map(|j| j.id.clone());
        if let (Some(first), Some(last)) = (first, last) {
            let top = store.jobs[0].max_id();
            store.add_rows(&first, 25, LATER);
            store.recreate(&last, 9, LATER + TICKS_PER_SEC);
            if version != Version::V2_1_0_5 {
                // What the server does after those runs, a failure outside the log, a task.
                store.record_rows(&first, top + 1, top + 25);
                store.fail_outside_log(&last, "The database file is locked", LATER + 2 * TICKS_PER_SEC);
                store.start_task(&first, LATER + 3 * TICKS_PER_SEC);
            }
            bodies(&format!("{name}+changed"), &store, &cfg, LATER + 60 * TICKS_PER_SEC, &mut out);
        }
    }
    out
}

#[test]
fn generated_bodies_match_the_golden_digests() {
    let actual = actual();
    let expected: Vec<(String, String)> = GOLDEN.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if actual != expected {
        let changed: Vec<&str> = actual.iter().filter(|a| !expected.contains(a)).map(|(k, _)| k.as_str()).collect();
        let table: String = actual.iter().map(|(k, v)| format!("    (\"{k}\", \"{v}\"),\n")).collect();
        panic!("generated bodies changed: {changed:?}\nif intended, replace GOLDEN with:\n{table}");
    }
}

#[test]
fn prerendered_rows_are_the_generated_rows() {
    let data = DataSet::Generated { jobs: 3, rows_per_job: 120, seed: 9 };
    let lazy = config(data.clone(), Version::V2_1_0_5);
    let eager = ServerConfig { prerender: true, ..lazy.clone() };
    let (lazy, eager) = (Store::new(&lazy, START), Store::new(&eager, START));
    for (a, b) in lazy.jobs.iter().zip(&eager.jobs) {
        let (a, b) = (lazy.page_builder(a.clone()), eager.page_builder(b.clone()));
        assert!(a.build(None, u32::MAX) == b.build(None, u32::MAX));
    }
}

const GOLDEN: &[(&str, &str)] = &[
    ("fixture/systeminfo", "08da850e5ac4568e"),
    ("fixture/backups", "3dd05570e0d3abf6"),
    ("fixture/serverstate", "07dc60487238c6df"),
    ("fixture/notifications", "f3932b8586c3574f"),
    ("fixture/logs", "c38a4f13be68e8d4"),
    ("fixture+changed/systeminfo", "08da850e5ac4568e"),
    ("fixture+changed/backups", "3dd05570e0d3abf6"),
    ("fixture+changed/serverstate", "07dc60487238c6df"),
    ("fixture+changed/notifications", "f3932b8586c3574f"),
    ("fixture+changed/logs", "a7d1994931b33254"),
    ("empty/systeminfo", "160bedb27708416b"),
    ("empty/backups", "ef3d7163ebe93528"),
    ("empty/serverstate", "1f6581e9bf713144"),
    ("empty/notifications", "ef3d7163ebe93528"),
    ("empty/logs", "e3b0c44298fc1c14"),
    ("seed42/systeminfo", "160bedb27708416b"),
    ("seed42/backups", "ddea17bd2938d5d9"),
    ("seed42/serverstate", "395c7349fc0290a1"),
    ("seed42/notifications", "ef3d7163ebe93528"),
    ("seed42/logs", "b684f2c79c98f09d"),
    ("seed42+changed/systeminfo", "6596d42ee60cb4aa"),
    ("seed42+changed/backups", "fb2fab738bb9bd2d"),
    ("seed42+changed/serverstate", "b4032e84235abe19"),
    ("seed42+changed/notifications", "ef3d7163ebe93528"),
    ("seed42+changed/logs", "9f15ce5c2b57a702"),
    ("seed7/systeminfo", "160bedb27708416b"),
    ("seed7/backups", "521331177a112f8f"),
    ("seed7/serverstate", "e77de1b7cf17eab1"),
    ("seed7/notifications", "ef3d7163ebe93528"),
    ("seed7/logs", "b0fb2613ac2fd6bb"),
    ("seed7+changed/systeminfo", "6596d42ee60cb4aa"),
    ("seed7+changed/backups", "39dc405b1e4fd1c6"),
    ("seed7+changed/serverstate", "19f4ffb490e07cbb"),
    ("seed7+changed/notifications", "ef3d7163ebe93528"),
    ("seed7+changed/logs", "e50ac9f5aa12c610"),
    ("seed1/systeminfo", "160bedb27708416b"),
    ("seed1/backups", "cd945a337164347b"),
    ("seed1/serverstate", "fd1cdaab7c554dc4"),
    ("seed1/notifications", "ef3d7163ebe93528"),
    ("seed1/logs", "eaa4fcdba5d6d68f"),
    ("seed1+changed/systeminfo", "6596d42ee60cb4aa"),
    ("seed1+changed/backups", "a2c02fe9a0d96170"),
    ("seed1+changed/serverstate", "aa367da59478c7e9"),
    ("seed1+changed/notifications", "ef3d7163ebe93528"),
    ("seed1+changed/logs", "b884971e79c12597"),
    ("seed0/systeminfo", "160bedb27708416b"),
    ("seed0/backups", "b4866e551b78a585"),
    ("seed0/serverstate", "56ed8352482e57f7"),
    ("seed0/notifications", "ef3d7163ebe93528"),
    ("seed0/logs", "8d701accb702bdf9"),
    ("seed0+changed/systeminfo", "6596d42ee60cb4aa"),
    ("seed0+changed/backups", "a5274f1eeb824281"),
    ("seed0+changed/serverstate", "99e9ef2ad92aece2"),
    ("seed0+changed/notifications", "ef3d7163ebe93528"),
    ("seed0+changed/logs", "09ad8cf3bce2778f"),
    ("seedbeef/systeminfo", "534ec6e493bfed76"),
    ("seedbeef/backups", "f5674eb028a24de7"),
    ("seedbeef/serverstate", "9f72282146a26e86"),
    ("seedbeef/notifications", "ef3d7163ebe93528"),
    ("seedbeef/logs", "f64445e870ebdc3b"),
    ("seedbeef/progressstate", "af5570f5a1810b7a"),
    ("seedbeef/errorlog", "ef3d7163ebe93528"),
    ("seedbeef+changed/systeminfo", "1c069f518a97c023"),
    ("seedbeef+changed/backups", "8d4bbcf5d6eddda6"),
    ("seedbeef+changed/serverstate", "4bee1cc3cfacba8d"),
    ("seedbeef+changed/notifications", "be2a39d02d9d9838"),
    ("seedbeef+changed/logs", "2f09e127478c9f95"),
    ("seedbeef+changed/progressstate", "6dc04b245b5e97b3"),
    ("seedbeef+changed/errorlog", "df8b75c6cab37c67"),
    ("v2_0_8_1/systeminfo", "a35d1df267c94801"),
    ("v2_0_8_1/backups", "95fab5fb1705a89f"),
    ("v2_0_8_1/serverstate", "edb0135c5bdb6f90"),
    ("v2_0_8_1/notifications", "ef3d7163ebe93528"),
    ("v2_0_8_1/logs", "53dde406cb15ef23"),
    ("v2_0_8_1/progressstate", "af5570f5a1810b7a"),
    ("v2_0_8_1/errorlog", "ef3d7163ebe93528"),
    ("v2_0_8_1+changed/systeminfo", "80cb851f12c87a53"),
    ("v2_0_8_1+changed/backups", "fe6874e404ec82d5"),
    ("v2_0_8_1+changed/serverstate", "81256011450d6799"),
    ("v2_0_8_1+changed/notifications", "e3602fc6669a5f4d"),
    ("v2_0_8_1+changed/logs", "39a50dd268ca2c1c"),
    ("v2_0_8_1+changed/progressstate", "e0399892c474db65"),
    ("v2_0_8_1+changed/errorlog", "663fa6cf681ff850"),
    ("v2_0_8_1-fixture/systeminfo", "9cfc28c87db1c4a1"),
    ("v2_0_8_1-fixture/backups", "76b29b2f3b6ce490"),
    ("v2_0_8_1-fixture/serverstate", "4154f46783ecb634"),
    ("v2_0_8_1-fixture/notifications", "83852813608247f3"),
    ("v2_0_8_1-fixture/logs", "e0e930d2cebaee3e"),
    ("v2_0_8_1-fixture/progressstate", "af5570f5a1810b7a"),
    ("v2_0_8_1-fixture/errorlog", "ef3d7163ebe93528"),
    ("v2_0_8_1-fixture+changed/systeminfo", "9cfc28c87db1c4a1"),
    ("v2_0_8_1-fixture+changed/backups", "0430186f7001aeb8"),
    ("v2_0_8_1-fixture+changed/serverstate", "2390828f6fc69b6a"),
    ("v2_0_8_1-fixture+changed/notifications", "dbf7a091ca8f72a6"),
    ("v2_0_8_1-fixture+changed/logs", "fb45aa520a696dcb"),
    ("v2_0_8_1-fixture+changed/progressstate", "a798779e97028da8"),
    ("v2_0_8_1-fixture+changed/errorlog", "068f75ec6bf06a0d"),
    ("v2_2/systeminfo", "160686f8b1538e7c"),
    ("v2_2/backups", "0c7c49cb30e1d137"),
    ("v2_2/serverstate", "3da28ab00c3e68c7"),
    ("v2_2/notifications", "ef3d7163ebe93528"),
    ("v2_2/logs", "9ad9ac5e7354f1e6"),
    ("v2_2/progressstate", "af5570f5a1810b7a"),
    ("v2_2/errorlog", "ef3d7163ebe93528"),
    ("v2_2+changed/systeminfo", "254daa9a188fe23c"),
    ("v2_2+changed/backups", "6c533885a7f8eff0"),
    ("v2_2+changed/serverstate", "28c809697693a502"),
    ("v2_2+changed/notifications", "0dc880acef47e1cf"),
    ("v2_2+changed/logs", "3ee2afd9dad22af9"),
    ("v2_2+changed/progressstate", "361ee536d963731e"),
    ("v2_2+changed/errorlog", "73a3e99c352901ff"),
    ("v2_3_1/systeminfo", "6464eceb1ec6d583"),
    ("v2_3_1/backups", "5e47b5efe0b3d9c4"),
    ("v2_3_1/serverstate", "29100a4dd15c039c"),
    ("v2_3_1/notifications", "ef3d7163ebe93528"),
    ("v2_3_1/logs", "84dddc8c55a287f5"),
    ("v2_3_1/progressstate", "af5570f5a1810b7a"),
    ("v2_3_1/errorlog", "ef3d7163ebe93528"),
    ("v2_3_1+changed/systeminfo", "24199de8eef20fd6"),
    ("v2_3_1+changed/backups", "ac809e4364204e1c"),
    ("v2_3_1+changed/serverstate", "1ef12220ed96333b"),
    ("v2_3_1+changed/notifications", "40daf3b4adec5ea7"),
    ("v2_3_1+changed/logs", "243bee6041097784"),
    ("v2_3_1+changed/progressstate", "ce09fc84c104aba8"),
    ("v2_3_1+changed/errorlog", "d3c43353962b19f0"),
    ("v2_3_1-fixture/systeminfo", "befb4ab5d40fac53"),
    ("v2_3_1-fixture/backups", "f67145ed5be73f33"),
    ("v2_3_1-fixture/serverstate", "22a9cde559e90bc4"),
    ("v2_3_1-fixture/notifications", "14d4edde46ebff79"),
    ("v2_3_1-fixture/logs", "5c2b15c7565da96e"),
    ("v2_3_1-fixture/progressstate", "af5570f5a1810b7a"),
    ("v2_3_1-fixture/errorlog", "ef3d7163ebe93528"),
    ("v2_3_1-fixture+changed/systeminfo", "befb4ab5d40fac53"),
    ("v2_3_1-fixture+changed/backups", "0c6b509f2487e90b"),
    ("v2_3_1-fixture+changed/serverstate", "d1af2286341c8909"),
    ("v2_3_1-fixture+changed/notifications", "5a33c5b3466c03f6"),
    ("v2_3_1-fixture+changed/logs", "523aa701e442afc1"),
    ("v2_3_1-fixture+changed/progressstate", "146d4106f44f4555"),
    ("v2_3_1-fixture+changed/errorlog", "e62894a22362fc5f"),
];
