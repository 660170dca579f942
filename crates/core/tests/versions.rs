//! Every Duplicati line from 2.0.8.1 to 2.3.1, over real HTTP and HTTPS against the project's
//! test server and its profile of each release: what Duplidesk must tell truly about each
//! (see docs/duplicati-compatibility.md).
mod common;

use common::*;
use duplicati_testserver::{DataSet, Operation, ServerConfig, TestServer, TlsMode, Version};
use duplidesk_core::dashboard::{self, Health};
use duplidesk_core::store::{now_ts, LogQuery};
use duplidesk_core::{ErrorCode, Protocol, Status};

fn start(version: Version, data: DataSet) -> TestServer {
    TestServer::start(ServerConfig { version, data, ..ServerConfig::default() }).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_release_is_collected_end_to_end() {
    for version in Version::ALL {
        let server = start(version, generated(2, 40));
        let env = Env::new();
        let s = env.collect_one(&server).await;
        assert!(s.ok, "{version}: {s:?}");
        assert!(s.new >= 80, "{version}: {s:?}");
        let info = s.server.unwrap();
        assert_eq!(info.version, version.number(), "{version}");
        assert_eq!(env.store().servers().unwrap().len(), 1);
        // Unchanged, collected again: nothing new, no password login.
        server.reset_stats();
        let again = env.collect_one(&server).await;
        assert!(again.ok && again.new == 0, "{version}: {again:?}");
        assert_eq!(server.stats().logins, 0, "{version}: the session was reused: {:?}", server.stats());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicati_2_0_logs_in_through_login_cgi() {
    let server = start(Version::V2_0_8_1, generated(2, 30));
    let env = Env::new();
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    assert_eq!(s.new, 60);
    assert_eq!(s.server.as_ref().unwrap().name, "fileserver01");
    let rows = env.store().query_logs(&LogQuery::default()).unwrap();
    assert!(rows.iter().all(|r| r.date > 1_700_000_000), "dates read from 2.0's rows: {rows:?}");

    let wrong = Env::new().collect(&[("127.0.0.1", server.port())], "wrong").await.remove(0);
    assert_eq!(wrong.error.unwrap().code, ErrorCode::AuthFailed);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_collections_of_an_unchanged_server_make_one_token_family() {
    let server = start(Version::V2_1_2, generated(3, 20));
    server.faults().expire_tokens_after(3); // access tokens run out again and again
    let env = Env::new();
    for _ in 0..100 {
        assert!(env.collect_one(&server).await.ok);
    }
    let st = server.stats();
    assert_eq!(st.token_families, 1, "{st:?}");
    assert!(st.refreshes > 10, "refreshed instead of logging in: {st:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_outside_the_job_log_appears_once_and_a_later_run_clears_it() {
    let server = start(Version::V2_2, generated(1, 5));
    let env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    server.fail_outside_log("1", "The database file /data/ABC.sqlite does not exist");
    let s = env.collect_one(&server).await;
    assert!(s.ok && s.new == 1, "{s:?}");
    let errors = env.store().query_logs(&LogQuery { statuses: vec![Status::Error], ..LogQuery::default() }).unwrap();
    let failure = errors.iter().find(|e| e.message.contains("does not exist")).expect("the metadata failure is an entry");
    assert_eq!(failure.op_type, "Backup");
    let d = dashboard::dashboard(&env.store(), now_ts()).unwrap();
    assert_eq!(d.summary.failed_last_runs, 1, "the job failed");
    assert_eq!(d.health(), Health::Error);

    assert_eq!(env.collect_one(&server).await.new, 0, "once, not on every collection");
    // The next run, after the failure.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(server.start_task("1") && server.finish_task("1"));
    assert!(env.collect_one(&server).await.ok);
    let d = dashboard::dashboard(&env.store(), now_ts()).unwrap();
    let last = d.servers[0].jobs[0].last.as_ref().unwrap();
    assert_ne!(last.status, Status::Error, "a later run clears it: {last:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_the_log_already_holds_is_not_counted_twice() {
    let server = start(Version::V2_2, generated(1, 5));
    let env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    server.add_operation("1", Operation::BackupFatal);
    let s = env.collect_one(&server).await;
    assert_eq!(s.new, 1, "the failed run's row, and no second entry from the metadata: {s:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_job_is_not_a_failure_and_is_collected_when_it_ends() {
    let server = start(Version::V2_3_1, generated(2, 10));
    let env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    assert!(server.start_task("1"));
    let s = env.collect_one(&server).await;
    assert!(s.ok, "a locked job database is not an error: {s:?}");
    let d = dashboard::dashboard(&env.store(), now_ts()).unwrap();
    let job = d.servers[0].jobs.iter().find(|j| j.backup_id == "1").unwrap();
    assert!(job.running.is_some(), "{job:?}");
    assert!(server.finish_task("1"));
    let s = env.collect_one(&server).await;
    assert!(s.ok && s.new == 1, "the run is collected next time: {s:?}");
    let d = dashboard::dashboard(&env.store(), now_ts()).unwrap();
    assert!(d.servers[0].jobs.iter().all(|j| j.running.is_none()));
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_jobs_are_shown_from_their_metadata_and_never_fail_the_host() {
    let server =
        TestServer::start(ServerConfig { version: Version::V2_3_1, data: generated(1, 5), sync_jobs: 1, ..ServerConfig::default() })
            .unwrap();
    let env = Env::new();
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    let d = dashboard::dashboard(&env.store(), now_ts()).unwrap();
    let sync = d.servers[0].jobs.iter().find(|j| j.operation_type == "Sync").expect("the sync job");
    if let Some(last) = &sync.last {
        assert_eq!(last.op_type, "Sync");
    }
    assert!(!server.stats().log_requests.contains_key(&sync.backup_id), "a sync job's log is never asked for");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_rows_are_kept_but_their_details_are_capped_and_runs_follow_backups() {
    let server = start(Version::V2_2, generated(1, 3));
    let env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    assert!(server.add_operation("1", Operation::List { files: 20_000 }));
    let s = env.collect_one(&server).await;
    assert_eq!(s.new, 1, "{s:?}");
    let rows = env.store().query_logs(&LogQuery { op_type: Some("List".into()), ..LogQuery::default() }).unwrap();
    let details = env.store().log_details(rows[0].id).unwrap().unwrap();
    assert!(details.text.len() <= duplidesk_core::monitor::DETAILS_CAP, "{}", details.text.len());
    assert!(details.cut_from.unwrap() > duplidesk_core::monitor::DETAILS_CAP as u64);
    let d = dashboard::dashboard(&env.store(), now_ts()).unwrap();
    assert_eq!(d.servers[0].jobs[0].last.as_ref().unwrap().op_type, "Backup", "the last run is a backup, not the listing");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_wins_over_a_stop_on_the_wire() {
    let server = start(Version::V2_2, generated(1, 1));
    let env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    server.add_operation("1", Operation::ScriptErrorAbort);
    server.add_operation("1", Operation::ScriptWarningAbort);
    server.add_operation("1", Operation::BackupStopped);
    assert!(env.collect_one(&server).await.ok);
    // Duplicati's rows newest first: the user's stop, the script's warning abort, its error abort.
    let db = rusqlite::Connection::open(env.store().path()).unwrap();
    let mut st = db.prepare("SELECT status FROM log_entries ORDER BY remote_id DESC LIMIT 3").unwrap();
    let got: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(got, ["stopped", "stopped", "error"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_renewed_by_duplicatis_local_ca_is_accepted_and_another_ca_is_not() {
    let server = TestServer::start(ServerConfig { version: Version::V2_3_1, tls: TlsMode::CaSigned, ..ServerConfig::default() }).unwrap();
    let env = Env::new();
    let s = env.collect_one(&server).await;
    let info = s.server.unwrap();
    assert_eq!(info.protocol, Protocol::HttpsSelfSigned);
    assert!(info.certificate_is_issuer, "the Duplicati Local CA is pinned");
    let ca = duplidesk_core::tls::fingerprint(&server.ca_der().unwrap());
    assert_eq!(info.certificate_sha256.as_deref(), Some(ca.as_str()));

    server.renew_certificate();
    server.add_rows("1", 1);
    let s = env.collect_one(&server).await;
    assert!(s.ok && s.new == 1, "a renewal under the same authority is accepted: {s:?}");
    let mut env = env;
    env.reopen(options()); // no kept session: a new login against the pinned authority
    server.renew_certificate();
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");

    server.replace_ca();
    let s = env.collect_one(&server).await;
    assert_eq!(s.error.map(|e| e.code), Some(ErrorCode::CertificateChanged), "another authority is a changed certificate");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upgrade_that_changes_the_machine_id_keeps_the_server() {
    let server = TestServer::start(ServerConfig {
        version: Version::V2_2,
        data: generated(1, 4),
        machine_id: "11111111111111111111111111111111".into(),
        install_id: Some("22222222222222222222222222222222".into()),
        ..ServerConfig::default()
    })
    .unwrap();
    let env = Env::new();
    let first = env.collect_one(&server).await.server.unwrap();
    assert_eq!(first.machine_id.as_deref(), Some("22222222222222222222222222222222"), "2.2 reports the install id");
    server.upgrade(Version::V2_3_1);
    server.revoke_sessions(); // the upgraded server is asked who it is again
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    let second = s.server.unwrap();
    assert_eq!(second.id, first.id, "the same server record");
    assert_eq!(second.machine_id.as_deref(), Some("11111111111111111111111111111111"));
    assert_eq!(env.store().servers().unwrap().len(), 1);
    let info = env.store().query_logs(&LogQuery { statuses: vec![Status::Info], ..LogQuery::default() }).unwrap();
    assert!(info.iter().any(|e| e.message.contains("machine-id")), "{info:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_remaining_cases_get_words_that_say_what_to_do() {
    let agent = TestServer::start(ServerConfig { version: Version::V2_2, agent_psk: Some("k".into()), ..ServerConfig::default() }).unwrap();
    let e = Env::new().collect_one(&agent).await.error.unwrap();
    assert_eq!(e.code, ErrorCode::AuthFailed, "{e:?}");
    assert!(e.message.contains("agent") && !e.hint.contains("allowed hostnames"), "{e:?}");

    let server = start(Version::V2_2, DataSet::Fixture);
    let e = Env::new().collect(&[("127.0.0.1", server.port())], "").await.remove(0).error.unwrap();
    assert!(e.message.contains("needs a password") && e.hint.contains("set one"), "{e:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unchanged_server_with_ten_jobs_costs_at_most_three_requests() {
    for version in Version::ALL {
        let server = start(version, generated(10, 30));
        let env = Env::new();
        assert!(env.collect_one(&server).await.ok);
        server.reset_stats();
        let again = env.collect_one(&server).await;
        assert!(again.ok && again.new == 0, "{version}: {again:?}");
        let st = server.stats();
        assert!(st.total_requests <= 3, "{version}: {} requests: {:?}", st.total_requests, st.paths);
        assert_eq!(st.log_requests.values().sum::<u64>(), 0, "{version}");
    }
}
