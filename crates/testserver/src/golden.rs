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
/// from the middle (all log pages of a data set share one digest).
fn bodies(name: &str, store: &Store, cfg: &ServerConfig, now: Ticks, out: &mut Vec<(String, String)>) {
    let mut add = |what: &str, parts: &[String]| out.push((format!("{name}/{what}"), digest(parts)));
    add("systeminfo", &[store.systeminfo(cfg, now)]);
    add("backups", &[store.backups(now)]);
    add("serverstate", &[store.serverstate(now)]);
    add("notifications", &[store.notifications()]);
    let mut logs = Vec::new();
    for job in &store.jobs {
        let middle = job.max_id() as i64 / 2 + 1;
        let pages = store.page_builder(job.clone());
        logs.extend([pages.build(None, u32::MAX), pages.build(None, 10), pages.build(Some(middle), 7)]);
    }
    add("logs", &logs);
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
    ];
    for (name, data, version) in sets {
        let cfg = config(data, version);
        let mut store = Store::new(&cfg, START);
        bodies(name, &store, &cfg, NOW, &mut out);
        // Rows appended after the existing ones, then a recreated job database.
        let first = store.jobs.first().map(|j| j.id.clone());
        let last = store.jobs.last().map(|j| j.id.clone());
        if let (Some(first), Some(last)) = (first, last) {
            store.add_rows(&first, 25, LATER);
            store.recreate(&last, 9, LATER + TICKS_PER_SEC);
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
    ("seedbeef+changed/systeminfo", "1c069f518a97c023"),
    ("seedbeef+changed/backups", "cb203fba09e65c18"),
    ("seedbeef+changed/serverstate", "11e177a8dac98c41"),
    ("seedbeef+changed/notifications", "ef3d7163ebe93528"),
    ("seedbeef+changed/logs", "2f09e127478c9f95"),
];
