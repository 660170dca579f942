//! The background watch over real store files and the project's Duplicati test server on
//! loopback, with a controlled clock: each pass is run at a chosen `now`.
mod common;

use common::*;
use duplicati_testserver::{DataSet, Operation, ServerConfig, TestServer, TlsMode};
use duplidesk_core::collect::CollectOptions;
use duplidesk_core::ops::{CollectRequest, Keychain, Listener, PassReport};
use duplidesk_core::store::{now_ts, LogQuery};
use duplidesk_core::watch::{MonitorSettings, Notice};
use duplidesk_core::{Engine, ErrorCode, Status};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the engine hands a front end to notify, and how many progress events it sent.
#[derive(Default)]
struct Notices(Mutex<Vec<Notice>>, AtomicUsize);

impl Listener for Notices {
    fn notify(&self, notice: &Notice) {
        self.0.lock().unwrap().push(notice.clone());
    }

    fn progress(&self, _progress: &duplidesk_core::collect::Progress) {
        self.1.fetch_add(1, Ordering::SeqCst);
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    engine: Arc<Engine>,
    notices: Arc<Notices>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let notices = Arc::new(Notices::default());
    let keychain = Keychain { store: Some(Arc::new(MemoryKeychain::default())), problem: None };
    let engine = Engine::new(dir.path().to_owned(), keychain, CollectOptions { save_password: true, ..options() }, notices.clone());
    Setup { _dir: dir, engine: Arc::new(engine), notices }
}

impl Setup {
    /// Collects `server` once with its password, which the keychain then keeps: it is now a
    /// configured server the background watch collects.
    async fn add(&self, server: &TestServer) -> i64 {
        let request =
            CollectRequest { hosts: Some(format!("127.0.0.1:{}", server.port())), password: Some(PASSWORD.into()), ..Default::default() };
        let s = self.engine.collect(&request, None).await.unwrap().remove(0);
        assert!(s.ok, "{s:?}");
        s.server.unwrap().id
    }

    /// A pass at `now`, every server due.
    async fn pass(&self, now: i64) -> PassReport {
        self.engine.watch_pass(now, Some(0)).await.unwrap()
    }

    fn notices(&self) -> Vec<Notice> {
        std::mem::take(&mut *self.notices.0.lock().unwrap())
    }

    async fn entries(&self, status: Status) -> Vec<duplidesk_core::store::LogEntryRow> {
        let db = self.engine.db().unwrap().clone();
        db.read(move |s| s.query_logs(&LogQuery { statuses: vec![status], ..Default::default() })).await.unwrap()
    }

    async fn settings(&self, change: impl FnOnce(&mut MonitorSettings)) {
        let mut s = self.engine.monitor_settings().await.unwrap();
        change(&mut s);
        self.engine.set_monitor_settings(s).await.unwrap();
    }
}

const HOUR: i64 = 3600;

#[tokio::test(flavor = "multi_thread")]
async fn a_running_task_is_started_once_and_reported_at_each_threshold_crossed() {
    let server = server(DataSet::Generated { jobs: 2, rows_per_job: 5, seed: 4 }, TlsMode::Plain);
    let t = setup();
    t.add(&server).await;
    t.settings(|s| s.notify.started = true).await;
    let now = now_ts();

    server.start_task("1");
    let report = t.pass(now).await;
    let started: Vec<_> = report.entries.iter().filter(|e| e.status == Status::Started).collect();
    assert_eq!(started.len(), 1, "{:?}", report.entries);
    assert_eq!(started[0].job.as_deref(), report.entries[0].job.as_deref());
    assert_eq!(t.notices().iter().filter(|n| n.status == Status::Started).count(), 1);
    t.pass(now + 60).await;
    assert_eq!(t.entries(Status::Started).await.len(), 1, "seen running again is not a new start");

    // Past 24 h, 36 h, …: one entry per threshold crossed, none in between.
    let running = |r: &PassReport| r.entries.iter().filter(|e| e.status == Status::Running).map(|e| e.message.clone()).collect::<Vec<_>>();
    assert_eq!(running(&t.pass(now + 23 * HOUR).await), Vec::<String>::new());
    assert_eq!(running(&t.pass(now + 25 * HOUR).await), ["Backup still running after 24 h"]);
    assert_eq!(t.notices().iter().filter(|n| n.status == Status::Running).count(), 1);
    assert_eq!(running(&t.pass(now + 30 * HOUR).await), Vec::<String>::new());
    assert_eq!(running(&t.pass(now + 37 * HOUR).await), ["Backup still running after 36 h"]);
    // Days unwatched: the highest threshold crossed, once.
    assert_eq!(running(&t.pass(now + 100 * HOUR).await), ["Backup still running after 4 d"]);
    let dash = t.engine.dashboard().await.unwrap();
    assert!(dash.servers[0].jobs.iter().any(|j| j.running.as_ref().is_some_and(|r| r.long)));
    assert_eq!(dash.health(), duplidesk_core::dashboard::Health::Warning);

    // It finishes: the run arrives, the next task starts afresh.
    server.finish_task("1");
    let report = t.pass(now + 101 * HOUR).await;
    assert!(report.entries.iter().any(|e| e.status == Status::Completed), "{:?}", report.entries);
    server.start_task("1");
    t.pass(now + 102 * HOUR).await;
    assert_eq!(t.entries(Status::Started).await.len(), 2);
    assert_eq!(running(&t.pass(now + 103 * HOUR).await), Vec::<String>::new(), "thresholds count from the new start");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missed_scheduled_run_makes_a_job_overdue_until_a_run_arrives() {
    // The fixture's daily and weekly jobs last ran in May 2025; their manual job never runs.
    let server = server(DataSet::Fixture, TlsMode::Plain);
    let t = setup();
    t.add(&server).await;
    let now = now_ts();
    let report = t.pass(now).await;
    let overdue: Vec<_> = report.entries.iter().filter(|e| e.status == Status::Overdue).collect();
    let jobs: Vec<&str> = overdue.iter().filter_map(|e| e.job.as_deref()).collect();
    assert_eq!(jobs.len(), 2, "the daily and the weekly job, not the manual one: {overdue:?}");
    assert!(overdue.iter().all(|e| e.message.contains("overdue")), "{overdue:?}");
    assert_eq!(t.notices().iter().filter(|n| n.status == Status::Overdue).count(), 2);
    let dash = t.engine.dashboard().await.unwrap();
    assert_eq!(dash.summary.overdue, 2);
    assert_eq!(dash.health(), duplidesk_core::dashboard::Health::Warning, "overdue is a warning");

    // Still overdue a little later: the same episode, no new entry, no new notification.
    let report = t.pass(now + 5 * 60).await;
    assert!(report.entries.iter().all(|e| e.status != Status::Overdue), "{:?}", report.entries);
    assert!(t.notices().is_empty());

    // A job not watched is never overdue.
    let weekly = dash.servers[0].jobs.iter().find(|j| j.repeat.as_deref() == Some("1W")).unwrap().id;
    t.engine.set_job_monitored(weekly, false).await.unwrap();
    assert_eq!(t.engine.dashboard().await.unwrap().summary.overdue, 1);

    // A run of the daily job arrives: no longer overdue… (judged ten minutes after it: later,
    // a planned run of the fixture's schedule could fall after it and be missed in turn.)
    assert!(server.add_operation("1", Operation::Backup));
    let after_run = now + 10 * 60;
    let report = t.pass(after_run).await;
    assert!(report.entries.iter().any(|e| e.status == Status::Completed), "{:?}", report.entries);
    assert_eq!(t.engine.dashboard().await.unwrap().summary.overdue, 0);
    let monitoring = t.engine.monitoring(after_run).await.unwrap();
    let daily = monitoring.iter().find(|j| j.repeat.as_deref() == Some("1D")).unwrap();
    assert_eq!(daily.watch.overdue_since, None);
    assert!(daily.watch.next_due.is_some_and(|n| n > now), "{daily:?}");
    assert_eq!(daily.interval_s, Some(24 * HOUR));
    // …until its next planned run is missed: a new episode.
    let later = now + 50 * HOUR;
    let report = t.pass(later).await;
    assert_eq!(report.entries.iter().filter(|e| e.status == Status::Overdue).count(), 1, "{:?}", report.entries);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_goes_down_is_one_episode_retried_less_often_and_its_return_is_noted() {
    let server = server(DataSet::Generated { jobs: 1, rows_per_job: 5, seed: 5 }, TlsMode::Plain);
    let addr = server.addr();
    let t = setup();
    t.add(&server).await;
    t.settings(|s| s.interval_min = 15).await;
    drop(server);
    let now = now_ts();
    let attempts = |r: &PassReport| r.hosts.len();
    let pass = |offset_min: i64| t.engine.watch_pass(now + offset_min * 60, None);

    let first = pass(15).await.unwrap();
    assert_eq!(attempts(&first), 1);
    assert_eq!(first.hosts[0].error.as_ref().map(|e| e.code), Some(ErrorCode::ConnectionRefused));
    assert_eq!(first.entries.iter().filter(|e| e.status == Status::Connection).count(), 1);
    assert_eq!(t.notices().len(), 1, "one notification for the episode");
    // Failures in a row wait 15, 30, 60 minutes…
    assert_eq!(attempts(&pass(30).await.unwrap()), 1, "second attempt after the interval");
    assert_eq!(attempts(&pass(40).await.unwrap()), 0, "the third waits 30 minutes");
    assert_eq!(attempts(&pass(62).await.unwrap()), 1);
    assert_eq!(attempts(&pass(100).await.unwrap()), 0, "the fourth waits 60 minutes");
    assert_eq!(t.entries(Status::Connection).await.len(), 1, "one entry per episode, not per attempt");
    // (Its job may fall overdue meanwhile on this clock: that is another matter.)
    let notices: Vec<Notice> = t.notices().into_iter().filter(|n| n.status == Status::Connection).collect();
    assert!(notices.is_empty(), "no notification storm: {notices:?}");

    // It answers again.
    let back = TestServer::start(ServerConfig {
        bind: addr,
        data: DataSet::Generated { jobs: 1, rows_per_job: 5, seed: 5 },
        ..ServerConfig::default()
    })
    .unwrap();
    let report = pass(4 * 60).await.unwrap();
    assert!(report.hosts[0].ok, "{:?}", report.hosts);
    assert!(report.entries.iter().any(|e| e.status == Status::Info && e.message.starts_with("Connection to")), "{:?}", report.entries);
    let notices: Vec<Notice> = t.notices().into_iter().filter(|n| n.status == Status::Info).collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].body.contains("restored"), "{notices:?}");
    drop(back);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_failing_every_night_notifies_once_until_it_recovers() {
    let server = server(DataSet::Generated { jobs: 1, rows_per_job: 3, seed: 6 }, TlsMode::Plain);
    let t = setup();
    t.add(&server).await;
    let now = now_ts();
    let errors = |t: &Setup| t.notices().into_iter().filter(|n| n.status == Status::Error).count();
    t.pass(now).await;
    t.notices();
    for (i, op) in [Operation::BackupError, Operation::BackupError, Operation::BackupFatal].into_iter().enumerate() {
        assert!(server.add_operation("1", op));
        t.pass(now + (i as i64 + 1) * HOUR).await;
        assert_eq!(errors(&t), usize::from(i == 0), "run {i}: only the first failure notifies");
    }
    assert!(server.add_operation("1", Operation::Backup));
    t.pass(now + 5 * HOUR).await;
    assert!(t.notices().is_empty(), "completed runs do not notify by default");
    assert!(server.add_operation("1", Operation::BackupError));
    t.pass(now + 6 * HOUR).await;
    assert_eq!(errors(&t), 1, "a failure after a recovery notifies again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pass_with_many_events_notifies_once_with_a_summary() {
    let servers: Vec<TestServer> = (0..6)
        .map(|i| {
            TestServer::start(ServerConfig {
                data: DataSet::Generated { jobs: 1, rows_per_job: 3, seed: 10 + i },
                machine_name: format!("nas{i}"),
                machine_id: format!("{:032x}", 100 + i),
                ..ServerConfig::default()
            })
            .unwrap()
        })
        .collect();
    let t = setup();
    for s in &servers {
        t.add(s).await;
    }
    t.pass(now_ts()).await;
    t.notices();
    drop(servers);
    t.pass(now_ts() + HOUR).await;
    let notices = t.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].title, "6 events on 6 servers");
    assert_eq!(notices[0].entry_id, None, "a click opens the logs");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_users_collection_takes_over_from_a_background_pass() {
    let server = server(DataSet::Generated { jobs: 3, rows_per_job: 3000, seed: 7 }, TlsMode::Plain);
    let t = setup();
    // Configured (its password saved) with no log read yet, so a pass has plenty to read.
    server.faults().fail_with_status(500, u32::MAX, Some("/log?"));
    let request =
        CollectRequest { hosts: Some(format!("127.0.0.1:{}", server.port())), password: Some(PASSWORD.into()), ..Default::default() };
    let id = t.engine.collect(&request, None).await.unwrap().remove(0).server.unwrap().id;
    server.faults().clear();
    server.faults().set_latency(std::time::Duration::from_millis(150));
    let engine = t.engine.clone();
    let background = tokio::spawn(async move { engine.watch_pass(now_ts(), Some(0)).await });
    for _ in 0..100 {
        if t.engine.is_collecting_in_background() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(t.engine.is_collecting_in_background());
    assert!(!t.engine.is_collecting(), "front ends offer Collect, not Cancel, during a background pass");
    let mine = t.engine.collect(&CollectRequest { server_ids: Some(vec![id]), ..Default::default() }, None).await;
    assert!(mine.is_ok(), "the user's collection is not refused: {mine:?}");
    let report = background.await.unwrap().unwrap();
    assert_eq!(report.hosts[0].error.as_ref().map(|e| e.code), Some(ErrorCode::Cancelled), "{:?}", report.hosts);
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_are_kept_and_bounded() {
    let t = setup();
    assert_eq!(t.engine.monitor_settings().await.unwrap(), MonitorSettings::default());
    assert_eq!(MonitorSettings::default().interval_min, 15);
    assert_eq!(MonitorSettings::default().overdue_tolerance_min, 60);
    assert!(!MonitorSettings::default().notify.completed);
    let saved =
        t.engine.set_monitor_settings(MonitorSettings { interval_min: 5, running_first_h: 0, ..MonitorSettings::default() }).await.unwrap();
    assert_eq!((saved.interval_min, saved.running_first_h), (5, 1), "a threshold of at least an hour");
    assert_eq!(t.engine.monitor_settings().await.unwrap(), saved);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_with_a_task_running_is_looked_at_every_minute_whatever_the_interval() {
    let server = server(DataSet::Generated { jobs: 1, rows_per_job: 3, seed: 8 }, TlsMode::Plain);
    let t = setup();
    t.add(&server).await;
    let now = now_ts();
    let collected = |r: &PassReport| r.hosts.len();
    let pass = |at: i64| t.engine.watch_pass(at, None);
    // Interval 15 min: collected at +15, not in between.
    assert_eq!(collected(&pass(now + 15 * 60).await.unwrap()), 1);
    assert_eq!(collected(&pass(now + 17 * 60).await.unwrap()), 0);

    // A backup starts: seen at the next interval, then followed every minute for its progress.
    server.start_task("1");
    assert_eq!(collected(&pass(now + 30 * 60).await.unwrap()), 1);
    assert_eq!(collected(&pass(now + 31 * 60).await.unwrap()), 1, "running: a minute later");
    assert_eq!(collected(&pass(now + 32 * 60).await.unwrap()), 1);
    server.finish_task("1");
    assert_eq!(collected(&pass(now + 33 * 60).await.unwrap()), 1, "the run that ends is read");
    assert_eq!(collected(&pass(now + 34 * 60).await.unwrap()), 0, "nothing running: back to the interval");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_background_pass_sends_no_progress_the_users_collection_does() {
    let server = server(DataSet::Generated { jobs: 2, rows_per_job: 5, seed: 6 }, TlsMode::Plain);
    let t = setup();
    t.add(&server).await;
    let shown = t.notices.1.load(Ordering::SeqCst);
    assert!(shown > 0, "the user's collection shows its progress");
    server.add_rows("1", 1);
    let report = t.pass(now_ts()).await;
    assert!(report.hosts.iter().all(|h| h.ok) && report.hosts.iter().map(|h| h.new).sum::<u64>() > 0, "{report:?}");
    assert_eq!(t.notices.1.load(Ordering::SeqCst), shown, "nobody watches a background pass's progress: the window is not woken for it");
}
