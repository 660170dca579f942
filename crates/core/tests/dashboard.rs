//! The dashboard read model, job history and log housekeeping, on real SQLite files filled by
//! real collections from the project's Duplicati test server.
mod common;

use common::*;
use duplicati_testserver::{DataSet, TlsMode};
use duplidesk_core::dashboard::{self, Health, RECENT_RUNS};
use duplidesk_core::store::{now_ts, setting_keys::DEMO_SERVER_ID, LogQuery, Store};
use duplidesk_core::Status;

#[tokio::test(flavor = "multi_thread")]
async fn empty_store_has_an_empty_dashboard() {
    let env = Env::new();
    let d = dashboard::dashboard(&env.store(), now_ts()).unwrap();
    assert!(d.servers.is_empty());
    assert_eq!(d.summary, dashboard::Summary::default());
    assert_eq!(d.health(), Health::Ok);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["summary"]["failedLastRuns"], 0);
    assert_eq!(json["summary"]["notCollectedLately"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn fixture_server_shows_its_jobs_last_run_and_recent_statuses() {
    let server = server(DataSet::Fixture, TlsMode::Plain);
    let env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    let now = now_ts();
    let d = dashboard::dashboard(&env.store(), now).unwrap();
    assert_eq!(d.summary.servers, 1);
    assert_eq!(d.summary.jobs, 3);
    assert_eq!(d.summary.not_collected_lately, 0);
    let s = &d.servers[0];
    assert_eq!(s.name, "fileserver01");
    assert_eq!(s.display_name, "fileserver01");
    assert_eq!(s.port, server.port());
    assert_eq!(s.last_ok, Some(true));
    assert!(!s.is_demo && !s.has_password);
    assert_eq!(s.jobs.len(), 3);

    let docs = s.jobs.iter().find(|j| j.backup_id == "1").unwrap();
    // The fixture log, newest first: a backup, a compact, then four backups. Runs are backups.
    assert_eq!(docs.recent, [Status::Stopped, Status::Error, Status::Error, Status::Warning, Status::Completed]);
    let last = docs.last.as_ref().unwrap();
    assert_eq!(last.status, Status::Completed);
    let history = env.store().job_history(docs.id, 0).unwrap();
    assert_eq!(history.len(), 6, "the history has every entry, the compact too");
    assert_eq!(history[0], *last, "last = newest run of the job");
    assert!(history.windows(2).all(|w| w[0].date >= w[1].date), "newest first");
    assert_eq!(env.store().job_history(docs.id, 2).unwrap().len(), 2);
    assert_eq!(d.summary.failed_last_runs, 0);
    assert!(s.jobs.iter().any(|j| j.repeat.as_deref() == Some("1D")), "{:?}", s.jobs);
    assert!(s.jobs.iter().filter(|j| j.last.is_none()).all(|j| j.recent.is_empty()));

    let json = serde_json::to_value(&d).unwrap();
    let j = &json["servers"][0];
    for key in ["displayName", "lastCollectAt", "lastOk", "certSha256", "isDemo", "hasPassword"] {
        assert!(j.get(key).is_some(), "{key} missing in {j}");
    }
    assert!(j.get("secret_ref").is_none() && j.get("secretRef").is_none());
    assert!(j["jobs"][0].get("nextRun").is_some() && j["jobs"][0].get("backupId").is_some());

    // A day and a bit later the server is "not collected lately".
    let later = dashboard::dashboard(&env.store(), now + 25 * 3600).unwrap();
    assert_eq!(later.summary.not_collected_lately, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn recent_is_capped_and_oldest_first_for_many_jobs() {
    let server = server(generated(12, 40), TlsMode::Plain);
    let env = Env::new();
    assert_eq!(env.collect_one(&server).await.new, 480);
    let d = dashboard::dashboard(&env.store(), now_ts()).unwrap();
    assert_eq!(d.summary.jobs, 12);
    for job in &d.servers[0].jobs {
        assert_eq!(job.recent.len(), RECENT_RUNS as usize);
        // Runs are the job's backups: its other operations (compact, verify, …) are history.
        let history = env.store().job_history(job.id, 0).unwrap();
        let runs: Vec<_> = history.iter().filter(|e| e.op_type == "Backup").take(RECENT_RUNS as usize).collect();
        let expected: Vec<Status> = runs.iter().rev().map(|e| e.status).collect();
        assert_eq!(job.recent, expected);
        assert_eq!(job.last.as_ref().unwrap().id, runs[0].id);
        assert!(job.next_run.is_some(), "generated jobs have schedules: {job:?}");
    }
    let failed = d.servers[0].jobs.iter().filter(|j| j.last.as_ref().unwrap().status == Status::Error).count() as u64;
    assert_eq!(d.summary.failed_last_runs, failed);
}

#[tokio::test(flavor = "multi_thread")]
async fn health_follows_failed_collections() {
    let server = server(generated(1, 3), TlsMode::Plain);
    let env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    server.set_password("other");
    server.revoke_sessions();
    assert!(!env.collect_one(&server).await.ok);
    assert_eq!(dashboard::dashboard(&env.store(), now_ts()).unwrap().health(), Health::Error);
}

#[tokio::test(flavor = "multi_thread")]
async fn clear_logs_by_age_then_everything_and_a_servers_entries() {
    let a = server(generated(2, 30), TlsMode::Plain);
    let env = Env::new();
    let sa = env.collect_one(&a).await;
    assert!(sa.ok);
    assert_eq!(env.count(), 60);

    // Nothing older than the year 2000: nothing goes, and the note says so.
    let now = now_ts();
    assert_eq!(env.store().clear_logs(Some(946684800), now).unwrap().deleted, 0);
    assert_eq!(env.count(), 61);
    let cutoff = now - 5 * 86400;
    let old = env.store().count_logs(&LogQuery { to: Some(cutoff), ..LogQuery::default() }).unwrap();
    assert_eq!(env.store().clear_logs(Some(cutoff), now).unwrap().deleted, old);
    // Everything: the entries of a deleted server too (none of its jobs runs).
    env.store().delete_server(sa.server.as_ref().unwrap().id).unwrap();
    let cleared = env.store().clear_logs(None, now).unwrap();
    assert_eq!(cleared.deleted, 60 - old + 2, "the rest and both notes");
    let rows = env.store().query_logs(&LogQuery::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].status == Status::Info && rows[0].message.starts_with("Backup logs cleared"), "{rows:?}");

    // Entries of one server only.
    let b = server(generated(1, 5), TlsMode::Plain);
    let sb = env.collect_one(&b).await;
    let bid = sb.server.unwrap().id;
    assert_eq!(env.store().delete_server_entries(bid).unwrap(), 5);
    assert_eq!(env.store().query_logs(&LogQuery { server: Some(bid.to_string()), ..LogQuery::default() }).unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_flag_and_settings_survive_reopening_the_file() {
    let server = server(DataSet::Fixture, TlsMode::Plain);
    let env = Env::new();
    let id = env.collect_one(&server).await.server.unwrap().id;
    env.store().set_setting(DEMO_SERVER_ID, &id.to_string()).unwrap();
    let store = Store::open_in(env.dir.path()).unwrap();
    let d = dashboard::dashboard(&store, now_ts()).unwrap();
    assert!(d.servers[0].is_demo && !d.servers[0].needs_password, "the demo needs no typed password");
    store.delete_setting(DEMO_SERVER_ID).unwrap();
    let d = dashboard::dashboard(&store, now_ts()).unwrap();
    assert!(!d.servers[0].is_demo && d.servers[0].needs_password);
}
