//! Collection over real loopback HTTP/HTTPS against the project's Duplicati test server, into
//! real SQLite files.
mod common;

use common::*;
use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode};
use duplidesk_core::store::LogQuery;
use duplidesk_core::{ErrorCode, Protocol, Status};

#[tokio::test(flavor = "multi_thread")]
async fn fixture_server_collects_every_row_with_mapped_statuses() {
    let server = server(DataSet::Fixture, TlsMode::Plain);
    let env = Env::new();
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    assert_eq!(s.new, 6);
    let info = s.server.unwrap();
    assert_eq!(info.name, "fileserver01");
    assert_eq!(info.machine_id.as_deref(), Some(duplicati_testserver::FIXTURE_MACHINE_ID));
    assert_eq!(info.version, "2.1.0.5");
    assert_eq!(info.protocol, Protocol::Http);
    assert_eq!(info.url, format!("http://127.0.0.1:{}", server.port()));

    let rows = env.store().query_logs(&LogQuery::default()).unwrap();
    let statuses: Vec<Status> = rows.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Status::Completed, Status::Completed, Status::Warning, Status::Error, Status::Error, Status::Stopped]);
    assert_eq!(rows[1].op_type, "Compact");
    assert!(rows.iter().all(|r| r.server == "fileserver01" && r.job.as_deref() == Some("Documents")));
    let jobs = env.store().jobs(info.id).unwrap();
    assert_eq!(jobs.len(), 3, "the job list with schedules is kept");
    assert!(jobs.iter().any(|j| j.schedule_json.as_deref().is_some_and(|s| s.contains("1D"))));
    let stored = std::fs::read(env.store().path()).unwrap();
    let text = String::from_utf8_lossy(&stored);
    assert!(!text.contains("exampleSecretKey") && !text.contains("example-pass") && !text.contains(PASSWORD));
}

#[tokio::test(flavor = "multi_thread")]
async fn all_pages_are_collected_and_an_unchanged_job_costs_no_log_request() {
    let server = server(generated(3, 1500), TlsMode::Plain);
    let env = Env::new();
    let first = env.collect_one(&server).await;
    assert!(first.ok, "{first:?}");
    assert_eq!(first.new, 4500);
    assert_eq!(env.count(), 4500);
    for job in ["1", "2", "3"] {
        assert_eq!(server.stats().log_requests[job], 4, "1,500 rows = 3 full pages of 500 + one empty page");
    }

    server.reset_stats();
    let again = env.collect_one(&server).await;
    assert!(again.ok);
    assert_eq!(again.new, 0);
    assert_eq!(env.count(), 4500);
    assert_eq!(total_log_requests(&server), 0, "the job list and the data counter prove nothing is new");
    assert_eq!(server.stats().logins, 0, "the session is reused: {:?}", server.stats());

    server.add_rows("2", 7);
    server.reset_stats();
    let third = env.collect_one(&server).await;
    assert_eq!(third.new, 7);
    assert_eq!(server.stats().log_requests.get("2"), Some(&1), "one small page for the job that ran");
    assert_eq!(total_log_requests(&server), 3, "the data counter moved: every job's log is read once");
    assert_eq!(env.count(), 4507);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_collection_leaves_no_hole() {
    let server = server(generated(1, 1800), TlsMode::Plain);
    let env = Env::new();
    // Page 2 and its retries fail: the first run stores only the newest 500 rows.
    server.faults().fail_with_status(500, 3, Some("offset="));
    let first = env.collect_one(&server).await;
    assert!(!first.ok);
    assert_eq!(first.error.as_ref().unwrap().code, ErrorCode::ServerError);
    assert_eq!(first.new, 500);

    // Newer rows arrive meanwhile; the next run must fetch them AND the older 1,300.
    server.add_rows("1", 25);
    let second = env.collect_one(&server).await;
    assert!(second.ok, "{second:?}");
    assert_eq!(env.count(), 1825);
    // Every row the server has, each once: Duplicati's row IDs 1..=1825 without a hole.
    let db = rusqlite::Connection::open(env.store().path()).unwrap();
    let mut st = db.prepare("SELECT remote_id FROM log_entries WHERE remote_id IS NOT NULL ORDER BY remote_id").unwrap();
    let remote_ids: Vec<i64> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(remote_ids, (1..=1825).collect::<Vec<i64>>());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recreated_job_database_keeps_old_rows_and_adds_the_new_ones() {
    let server = server(generated(1, 40), TlsMode::Plain);
    let env = Env::new();
    assert_eq!(env.collect_one(&server).await.new, 40);
    server.recreate_job_db("1", 12); // IDs start again at 1
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    assert_eq!(s.new, 12);
    assert_eq!(env.count(), 52);
    assert_eq!(env.collect_one(&server).await.new, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_server_reached_by_two_names_is_one_server() {
    // The pinned certificate proves both names reach the same machine.
    let server = server(generated(2, 30), TlsMode::SelfSigned);
    let env = Env::new();
    let results = env.collect(&[("127.0.0.1", server.port()), ("localhost", server.port())], PASSWORD).await;
    assert!(results.iter().all(|r| r.ok), "{results:?}");
    assert_eq!(results[0].server.as_ref().unwrap().id, results[1].server.as_ref().unwrap().id);
    assert_eq!(results[0].new + results[1].new, 60);
    assert_eq!(env.store().servers().unwrap().len(), 1);
    assert_eq!(env.count(), 60);
}

#[tokio::test(flavor = "multi_thread")]
async fn over_plain_http_two_names_stay_two_servers() {
    // Nothing proves that what answers at the second name is the same machine.
    let server = server(generated(1, 10), TlsMode::Plain);
    let env = Env::new();
    let first = env.collect(&[("127.0.0.1", server.port())], PASSWORD).await.remove(0);
    let second = env.collect(&[("localhost", server.port())], PASSWORD).await.remove(0);
    assert!(first.ok && second.ok, "{first:?} {second:?}");
    assert_ne!(first.server.unwrap().id, second.server.unwrap().id);
    assert_eq!(env.store().servers().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn many_hosts_in_parallel_and_a_failing_host_does_not_stop_the_others() {
    let servers: Vec<TestServer> = (0..5)
        .map(|i| {
            TestServer::start(ServerConfig {
                data: generated(2, 20),
                machine_name: format!("host{i}"),
                machine_id: format!("{i:032x}"),
                ..ServerConfig::default()
            })
            .unwrap()
        })
        .collect();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = Env::new();
    let mut hosts: Vec<(&str, u16)> = servers.iter().map(|s| ("127.0.0.1", s.port())).collect();
    hosts.insert(2, ("127.0.0.1", closed));
    let results = env.collect(&hosts, PASSWORD).await;
    assert_eq!(results.len(), 6);
    assert_eq!(results[2].error.as_ref().unwrap().code, ErrorCode::ConnectionRefused);
    assert_eq!(results.iter().filter(|r| r.ok).count(), 5);
    assert_eq!(env.count(), 200);
    assert_eq!(env.store().servers().unwrap().len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expiring_token_mid_paging_is_refreshed_and_the_collection_continues() {
    let server = server(generated(1, 2000), TlsMode::Plain);
    server.faults().expire_tokens_after(2);
    let env = Env::new();
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    assert_eq!(s.new, 2000);
    let st = server.stats();
    assert!(st.refreshes >= 2, "refreshed, not logged in again: {st:?}");
    assert_eq!((st.logins, st.token_families), (1, 1), "one password login, one token family: {st:?}");

    // When the server ends every session, the password logs in again.
    server.revoke_sessions();
    server.add_rows("1", 3);
    server.reset_stats();
    let s = env.collect_one(&server).await;
    assert!(s.ok && s.new == 3, "{s:?}");
    assert_eq!(server.stats().logins, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn transient_faults_are_retried() {
    let server = server(generated(1, 700), TlsMode::Plain);
    server.faults().fail_with_status(503, 1, Some("/backup/1/log"));
    server.faults().truncate_body(1, Some("offset="));
    server.faults().reset_connection(1, Some("/backups"));
    let env = Env::new();
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    assert_eq!(s.new, 700);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_that_keeps_failing_does_not_stop_the_other_jobs() {
    let server = server(generated(3, 30), TlsMode::Plain);
    server.faults().malformed_json(10, Some("/backup/2/log"));
    let env = Env::new();
    let s = env.collect_one(&server).await;
    assert!(!s.ok);
    assert_eq!(s.errors, 1);
    assert_eq!(s.error.as_ref().unwrap().code, ErrorCode::InvalidResponse);
    assert_eq!(s.new, 60);
    server.faults().clear();
    let again = env.collect_one(&server).await;
    assert!(again.ok);
    assert_eq!(again.new, 30);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_body_times_out_and_keeps_what_was_stored() {
    let server = server(generated(2, 20), TlsMode::Plain);
    let env = Env::new();
    assert_eq!(env.collect_one(&server).await.new, 40);
    server.add_rows("1", 5);
    server.faults().stall_body(5, Some("/backup/1/log"));
    let mut opts = options();
    opts.connect.request_timeout = std::time::Duration::from_millis(800);
    let mut env = env;
    env.reopen(opts);
    let s = env.collect_one(&server).await;
    assert_eq!(s.error.as_ref().unwrap().code, ErrorCode::Timeout, "{s:?}");
    assert_eq!(env.count(), 40);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_episode_makes_one_connection_entry_and_recovery_an_info_entry() {
    let server = server(generated(1, 3), TlsMode::Plain);
    let env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    server.set_password("changed");
    server.revoke_sessions(); // a changed password alone does not end a session in Duplicati
    for _ in 0..3 {
        let s = env.collect_one(&server).await;
        assert_eq!(s.error.unwrap().code, ErrorCode::AuthFailed);
    }
    let q = |st| LogQuery { statuses: vec![st], ..LogQuery::default() };
    assert_eq!(env.store().count_logs(&q(Status::Connection)).unwrap(), 1);
    server.set_password(PASSWORD);
    assert!(env.collect_one(&server).await.ok);
    let info = env.store().query_logs(&q(Status::Info)).unwrap();
    assert_eq!(info.len(), 1);
    assert!(info[0].message.contains("restored"));
    let servers = env.store().servers().unwrap();
    assert_eq!(servers[0].last_ok, Some(true));
}
