//! Servers that misbehave on purpose (the test server's hostile modes), over real loopback
//! HTTP/HTTPS into real store files: nothing they send may hang a collection, exhaust memory,
//! get a password sent in clear or make the store lie.
mod common;

use common::*;
use duplicati_testserver::{hostile_text, DataSet, Framing, ServerConfig, TestServer, TlsMode};
use duplidesk_core::collect::{CancelFlag, Progress, Target};
use duplidesk_core::hosts::HostSpec;
use duplidesk_core::monitor::EARLIEST_DATE;
use duplidesk_core::store::{now_ts, LogQuery};
use duplidesk_core::text::is_unsafe_char;
use duplidesk_core::{ErrorCode, Protocol};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn remote_ids(env: &Env, backup_id: &str) -> Vec<i64> {
    let db = rusqlite::Connection::open(env.store().path()).unwrap();
    let mut st = db
        .prepare("SELECT e.remote_id FROM log_entries e JOIN jobs j ON j.id = e.job_id WHERE j.backup_id = ?1 AND e.remote_id IS NOT NULL ORDER BY e.remote_id")
        .unwrap();
    st.query_map([backup_id], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_never_ends_is_cut_at_the_size_cap() {
    let server = server(DataSet::Fixture, TlsMode::Plain);
    let env = Env::new();
    server.faults().endless_body(Framing::Chunked, u32::MAX, Some("/api/v1/backups"));
    let s = env.collect_one(&server).await;
    let e = s.error.expect("an endless body fails");
    assert_eq!(e.code, ErrorCode::InvalidResponse, "{e:?}");
    assert!(e.message.contains("64 MiB"), "{}", e.message);

    // A length announced beyond the cap is refused before the body is read.
    server.faults().clear();
    server.faults().endless_body(Framing::ContentLength(10 << 30), u32::MAX, Some("/api/v1/backups"));
    let e = env.collect_one(&server).await.error.expect("a 10 GiB body fails");
    assert_eq!(e.code, ErrorCode::InvalidResponse, "{e:?}");
    assert!(e.message.contains("64 MiB"), "{}", e.message);

    server.faults().clear();
    let s = env.collect_one(&server).await;
    assert!(s.ok && s.new == 6, "the server is collected once it behaves: {s:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_collection_stuck_on_a_silent_server_is_cancelled_at_once() {
    let server = server(DataSet::Fixture, TlsMode::Plain);
    let mut opts = options();
    opts.connect.request_timeout = Duration::from_secs(300);
    let env = Env::with(opts);
    server.faults().stall_body(u32::MAX, Some("/api/v1/backups"));
    let cancel = CancelFlag::default();
    let later = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        later.cancel();
    });
    let started = Instant::now();
    let target = Target { spec: HostSpec { host: "127.0.0.1".into(), port: server.port() }, password: Some(PASSWORD.into()) };
    let s = env.collector.collect(vec![target], Arc::new(|_: Progress| {}), &cancel).await.remove(0);
    assert_eq!(s.error.as_ref().map(|e| e.code), Some(ErrorCode::Cancelled), "{s:?}");
    assert!(started.elapsed() < Duration::from_secs(60), "the cancel, not the 300 s timeout, ended it: {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_that_takes_too_long_is_stopped_at_its_deadline_keeping_what_was_read() {
    // Every request answers, slowly: no single timeout fires, the whole would take 14 s or more.
    let server =
        TestServer::start(ServerConfig { data: generated(1, 6000), latency: Duration::from_millis(800), ..ServerConfig::default() })
            .unwrap();
    let mut opts = options();
    opts.host_deadline = Duration::from_secs(7);
    let env = Env::with(opts);
    let s = env.collect_one(&server).await;
    let e = s.error.clone().expect("the deadline ends it");
    assert_eq!(e.code, ErrorCode::Timeout, "{e:?}");
    assert!(e.message.contains("still being collected after 7 s"), "{}", e.message);
    let kept = env.count();
    assert!(kept > 0 && kept < 6000, "what was read is kept: {kept}");

    server.faults().set_latency(Duration::ZERO);
    let mut env = env;
    env.reopen(options());
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    assert_eq!(remote_ids(&env, "1"), (1..=6000).collect::<Vec<i64>>(), "the next collection goes on from there, without a hole");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_log_page_that_does_not_move_down_ends_the_job_and_keeps_what_was_stored() {
    let server = server(generated(2, 1200), TlsMode::Plain);
    let env = Env::new();
    server.faults().loop_log_pages(u32::MAX, Some("/backup/1/log"));
    let s = env.collect_one(&server).await;
    let e = s.error.clone().expect("a looping log fails");
    assert_eq!(e.code, ErrorCode::InvalidResponse, "{e:?}");
    assert!(e.message.contains("did not page down"), "{}", e.message);
    assert_eq!(s.new, 500 + 1200, "the first page of job 1 and all of job 2 are kept: {s:?}");
    assert_eq!(server.stats().log_requests["1"], 2, "the second, identical page ends the job");

    server.faults().clear();
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    assert_eq!(remote_ids(&env, "1"), (1..=1200).collect::<Vec<i64>>(), "the next collection reads the rest, without a hole");
}

#[tokio::test(flavor = "multi_thread")]
async fn row_ids_below_one_end_the_job() {
    let server = server(generated(1, 50), TlsMode::Plain);
    let env = Env::new();
    // Pages of 500 rows from ID 600 down: 600..=101, then 100..=-399.
    server.faults().grow_log_pages(600, false, u32::MAX, Some("/backup/1/log"));
    let s = env.collect_one(&server).await;
    let e = s.error.clone().expect("negative row IDs fail");
    assert_eq!(e.code, ErrorCode::InvalidResponse, "{e:?}");
    assert_eq!(s.new, 500, "{s:?}");
    assert_eq!(remote_ids(&env, "1"), (101..=600).collect::<Vec<i64>>());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_log_that_grows_below_every_page_is_read_for_a_bounded_number_of_pages() {
    let server = server(generated(1, 50), TlsMode::Plain);
    let env = Env::new();
    server.faults().grow_log_pages(1 << 40, true, u32::MAX, Some("/backup/1/log"));
    let s = env.collect_one(&server).await;
    let e = s.error.clone().expect("an endless log fails");
    assert_eq!(e.code, ErrorCode::InvalidResponse, "{e:?}");
    assert!(e.message.contains("did not end after 40 pages"), "{}", e.message);
    assert_eq!(server.stats().log_requests["1"], 41, "40 pages stored, the 41st refused");
    assert_eq!(env.count(), 40 * 500);
}

#[tokio::test(flavor = "multi_thread")]
async fn impossible_dates_are_stored_with_the_collection_time_and_a_note() {
    let server = server(generated(1, 8), TlsMode::Plain);
    server.faults().bad_dates("1");
    let env = Env::new();
    let before = now_ts();
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    assert_eq!(s.new, 8);
    let after = now_ts();
    let rows = env.store().query_logs(&LogQuery::default()).unwrap();
    // IDs 1..=8: ID mod 4 == 3 keeps its date (with an end a day before it); the others are
    // out of range and dated when collected.
    for row in &rows {
        assert!((EARLIEST_DATE..=after + 86_400).contains(&row.date), "{row:?}");
        assert!(row.duration_s.is_none_or(|d| d >= 0.0), "no negative duration: {row:?}");
    }
    let redated: Vec<_> = rows.iter().filter(|r| (before..=after).contains(&r.date)).collect();
    assert_eq!(redated.len(), 6, "{rows:?}");
    assert!(redated.iter().all(|r| r.message.contains("date")), "each says what the server sent: {redated:?}");

    let dash = duplidesk_core::dashboard::dashboard(&env.store(), now_ts()).unwrap();
    let job = &dash.servers[0].jobs[0];
    assert!(job.last.as_ref().is_some_and(|l| l.date <= after), "{job:?}");
    assert_eq!(job.next_run, None, "a schedule in year 9999 is not shown");

    // Stored once: the next collection adds nothing.
    server.faults().clear();
    server.faults().bad_dates("1");
    assert_eq!(env.collect_one(&server).await.new, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_handshake_never_downgrades_a_server_that_spoke_https() {
    let server = server(DataSet::Fixture, TlsMode::SelfSigned);
    let mut env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    for reset in [true, false] {
        env.reopen(options()); // no kept session: detection runs again
        server.reset_stats();
        if reset {
            server.faults().reset_client_hello(u32::MAX);
        } else {
            server.faults().close_client_hello(u32::MAX);
        }
        let s = env.collect_one(&server).await;
        assert!(!s.ok, "{s:?}");
        let code = s.error.as_ref().unwrap().code;
        assert!(matches!(code, ErrorCode::TlsError | ErrorCode::ConnectionRefused | ErrorCode::InvalidResponse), "{s:?}");
        assert_eq!(server.stats().logins, 0, "no password over plain HTTP: {:?}", server.stats());
        assert_eq!(env.store().servers().unwrap()[0].protocol, Some(Protocol::HttpsSelfSigned));
        server.faults().clear();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_handshake_on_first_contact_needs_consent_before_plain_http() {
    let ip = network_address().to_string();
    let server = TestServer::start(ServerConfig { bind: SocketAddr::from(([0, 0, 0, 0], 0)), ..ServerConfig::default() }).unwrap();
    server.faults().reset_client_hello(u32::MAX);
    let s = Env::new().collect(&[(ip.as_str(), server.port())], PASSWORD).await.remove(0);
    assert!(!s.ok, "{s:?}");
    assert_eq!(server.stats().logins, 0, "no password over plain HTTP without consent: {s:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_error_texts_are_cut_and_cleaned() {
    let server = server(DataSet::Fixture, TlsMode::Plain);
    let env = Env::new();
    for json in [false, true] {
        server.faults().clear();
        if json {
            server.faults().oversized_error_json(403, 1 << 20, 1, Some("/api/v1/backups"));
        } else {
            server.faults().oversized_error_text(403, 1 << 20, 1, Some("/api/v1/backups"));
        }
        let e = env.collect_one(&server).await.error.expect("a 403 fails");
        assert!(e.message.chars().count() < 400, "{} chars", e.message.chars().count());
        assert!(!e.message.chars().any(is_unsafe_char), "{:?}", e.message);
        assert!(!e.message.contains(&hostile_text(60)), "the text is cleaned, not copied");
    }
    let db = rusqlite::Connection::open(env.store().path()).unwrap();
    let longest: i64 = db.query_row("SELECT max(length(error_message)) FROM collection_runs", [], |r| r.get(0)).unwrap();
    assert!(longest < 600, "what the store keeps is short too: {longest}");
}
