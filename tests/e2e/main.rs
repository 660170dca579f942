//! End-to-end tests: the real app window under Xvfb, driven through tauri-driver and
//! WebKitWebDriver, against the project's Duplicati test server; the real keychain (Secret
//! Service in the test session). Screenshots land in docs/screenshots/.
//!
//! Run through `bash scripts/test.sh` (it provides the D-Bus session, the unlocked keyring and
//! the virtual display).
mod app;
mod desktop;
mod monitoring;
mod notifications;
mod wait;
mod webdriver;

use app::{
    close_dialog, close_dialog_with_escape, collect_all_from_toolbar_menu, collect_manually, collect_ok, collect_with_save_dialog, count,
    env_for, open_collect_dialog, pick_server, results, results_within, setup, APP,
};
use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode};
use duplidesk_core::secrets::{OsKeychain, SecretStore};
use duplidesk_core::store::{LogQuery, Store};
use serde_json::json;
use std::time::Duration;
use wait::{secs, wait_until};
use webdriver::{Driver, Session};

#[test]
fn first_run_demo_dashboard_logs_and_settings() {
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    s.screenshot("first-run");

    s.click_on("[data-testid=demo-start]");
    s.wait("[data-testid=server-card]", 60);
    s.wait_text("[data-testid=server-card]", "Demo", 10);
    let jobs = s.find_all("[data-testid=job-row]");
    assert_eq!(jobs.len(), 4, "the demo server's four jobs");
    assert_eq!(s.text_of("[data-testid=summary-jobs]").split_whitespace().find_map(|w| w.parse::<u32>().ok()), Some(4));
    // Each job's last runs, oldest first, as the engine has them (one element a job, named for
    // screen readers and in its tooltip).
    let store = Store::open_in(data.path()).unwrap();
    let dash = duplidesk_core::dashboard::dashboard(&store, duplidesk_core::store::now_ts()).unwrap();
    for job in &dash.servers[0].jobs {
        let recent: Vec<&str> = job.recent.iter().map(|st| st.as_str()).collect();
        assert!(!recent.is_empty());
        let strip = s.exec(
            &format!("const s = document.querySelector('[data-testid=job-row][data-job-id=\"{}\"] .strip'); return [s.dataset.statuses, s.getAttribute('aria-label'), s.title];", job.id),
            vec![],
        );
        assert_eq!(strip[0], json!(recent.join(" ")), "{}: {strip}", job.name);
        let labels: Vec<String> = recent.iter().map(|st| st[..1].to_uppercase() + &st[1..]).collect();
        assert_eq!(strip[1], json!(format!("Last runs, oldest first: {}", labels.join(", "))));
        assert_eq!(strip[1], strip[2], "the tooltip says the same");
    }
    s.screenshot("dashboard");

    // Search and the status filter choose which jobs are shown.
    s.type_into("[data-testid=dashboard-search]", "photo");
    s.wait_until("search narrows to one job", 10, || s.find_all("[data-testid=job-row]").len() == 1);
    assert!(s.content("[data-testid=job-row]").contains("Photos"));
    s.press("[data-testid=dashboard-search]", webdriver::ESCAPE);
    s.wait_until("Escape clears the search", 10, || s.find_all("[data-testid=job-row]").len() == 4);
    s.click_on("[data-testid=dashboard-filter] [data-filter=errors]");
    s.wait("[data-testid=no-match]", 10);
    assert!(s.find_all("[data-testid=job-row]").is_empty(), "no demo job's last run failed");
    s.click_on("[data-testid=dashboard-filter] [data-filter=ok]");
    s.wait_until("every last run completed", 10, || s.find_all("[data-testid=job-row]").len() == 4);
    s.click_on("[data-testid=dashboard-filter] [data-filter=all]");

    // WebKitWebDriver cannot hit-test table rows ("not interactable"): click it from the page.
    s.exec("document.querySelector('[data-testid=job-row]').click();", vec![]);
    s.wait("[data-testid=job-history]", 10);
    s.screenshot("job-history");
    s.keys(&[&[webdriver::ESCAPE]]);
    s.wait_gone("[data-testid=job-history]", 10);

    s.click_on("[data-testid=nav-logs]");
    s.wait("[data-testid=logs-table]", 10);
    s.screenshot("backup-logs");
    s.click_on("[data-testid=nav-settings]");
    s.wait("[data-testid=server-row]", 10);
    s.screenshot("settings");

    s.click_on("[data-testid=nav-dashboard]");
    s.click_on("[data-testid=demo-remove]");
    if !s.find_all("[data-testid=confirm-ok]").is_empty() {
        s.click_on("[data-testid=confirm-ok]");
    }
    s.wait("[data-testid=empty-state]", 30);
    assert_eq!(count(data.path()), 0, "removing the demo removes its entries");
    s.quit();
}

/// The Backup Logs page in a time zone far from UTC (+14:00): the counter, a date and a
/// status filter, the text search, filters kept when leaving the page, the CSV export through
/// the native save dialog, "Clear backup logs" while a job runs, and a job's charts.
#[test]
fn backup_logs_filters_search_counter_export_clear_and_charts() {
    use chrono::{FixedOffset, TimeZone};
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let server = TestServer::start(ServerConfig {
        version: duplicati_testserver::Version::V2_3_1,
        data: DataSet::Generated { jobs: 2, rows_per_job: 40, seed: 11 },
        ..ServerConfig::default()
    })
    .unwrap();
    // Kiritimati keeps +14:00 all year: a day there is not the UTC day.
    let zone = FixedOffset::east_opt(14 * 3600).unwrap();
    let driver = Driver::start(&env_for(data.path(), &[("TZ", "Pacific/Kiritimati")]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    collect_ok(&s, server.port());
    // A task of job 1 runs now; the next collection sees it.
    assert!(server.start_task("1"));
    collect_all_from_toolbar_menu(&s);
    assert!(results(&s, 1)[0].ok);
    close_dialog(&s);
    let all = Store::open_in(data.path()).unwrap().query_logs(&LogQuery::default()).unwrap();
    let total = all.len();

    // The counter: every entry; the page says how the To day is read.
    s.click_on("[data-testid=nav-logs]");
    s.wait("[data-testid=logs-row]", 15);
    let counter = |what: &str| {
        s.wait_until(what, 15, || s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-matching").and_then(|m| m.parse::<usize>().ok()))
    };
    assert_eq!(counter("the counter"), total);
    assert_eq!(s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-total").as_deref(), Some(total.to_string().as_str()));
    // A page of 100 rows holds in the table only those near the view; scrolling brings in
    // the rest, down to the page's last entry, and the arrow keys walk past the edge.
    let page = total.min(100);
    assert_eq!(s.attr(&s.wait("[data-testid=logs-table]", 5), "aria-rowcount"), Some((page + 1).to_string()));
    let held = s.find_all("[data-testid=logs-row]").len();
    assert!(held >= 10 && held + 10 < page, "{held} of the page's {page} rows in the table");
    s.exec("document.getElementById('content').scrollTop = 1e9;", vec![]);
    let last_row = format!("[data-testid=logs-row][aria-rowindex=\"{}\"]", page + 1);
    s.wait(&last_row, 10);
    assert_eq!(s.attr(&s.wait(&last_row, 5), "data-log-id"), Some(all[page - 1].id.to_string()), "the page's last entry");
    s.exec("document.getElementById('content').scrollTop = 0;", vec![]);
    s.wait("[data-testid=logs-row][aria-rowindex=\"2\"]", 10);
    s.exec("document.querySelector('[data-testid=logs-row]').focus();", vec![]);
    for _ in 0..held + 5 {
        s.keys(&[&[webdriver::ARROW_DOWN]]);
    }
    let focused = s.exec("return document.activeElement.getAttribute('aria-rowindex');", vec![]);
    assert_eq!(focused, json!((held + 7).to_string()), "the arrow keys go on past the rows first held");
    s.exec("document.getElementById('content').scrollTop = 0;", vec![]);
    assert!(s.text_of("[data-testid=logs-tz]").contains("Pacific/Kiritimati"), "{}", s.text_of("[data-testid=logs-tz]"));

    // A status filter, then one day (local time in Kiritimati) on top of it.
    s.click_on("[data-testid=logs-status-chip][data-status=completed]");
    let completed: Vec<_> = all.iter().filter(|e| e.status == duplidesk_core::Status::Completed).collect();
    s.wait_until("only completed runs are counted", 15, || {
        s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-matching") == Some(completed.len().to_string())
    });
    let day = zone.timestamp_opt(completed[completed.len() / 2].date, 0).unwrap().date_naive();
    let on_day = completed.iter().filter(|e| zone.timestamp_opt(e.date, 0).unwrap().date_naive() == day).count();
    let set_date = |testid: &str, value: &str| {
        s.exec(
            "const i = document.querySelector(`[data-testid=${arguments[0]}]`); i.value = arguments[1]; i.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![json!(testid), json!(value)],
        );
    };
    set_date("logs-from", &day.to_string());
    set_date("logs-to", &day.to_string());
    s.wait_until("the day's completed runs (To includes the whole day)", 15, || {
        s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-matching") == Some(on_day.to_string())
    });
    assert!(on_day >= 1);
    s.wait_until("the rows are that day's", 15, || s.find_all("[data-testid=logs-row]").len() == on_day);
    s.screenshot("backup-logs-filtered");

    // Text search in messages (with the filters cleared).
    s.click_on("[data-testid=logs-reset]");
    counter("all entries again");
    let needle = "uploaded";
    let with_needle = all.iter().filter(|e| e.message.to_lowercase().contains(needle)).count();
    assert!(with_needle > 0 && with_needle < total, "{with_needle} of {total}");
    s.type_into("[data-testid=logs-search]", needle);
    s.wait_until("the search narrows the list", 15, || {
        s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-matching") == Some(with_needle.to_string())
    });
    s.click_on("[data-testid=logs-status-chip][data-status=error]");
    let errors_with = all.iter().filter(|e| e.status == duplidesk_core::Status::Error && e.message.to_lowercase().contains(needle)).count();
    s.wait_until("search and status combine", 15, || {
        s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-matching") == Some(errors_with.to_string())
    });

    // Leaving the page and coming back keeps the filters.
    s.click_on("[data-testid=nav-dashboard]");
    s.wait("[data-testid=server-card]", 10);
    s.click_on("[data-testid=nav-logs]");
    s.wait("[data-testid=logs-table]", 10);
    assert_eq!(s.exec("return document.querySelector('[data-testid=logs-search]').value;", vec![]), json!(needle));
    assert_eq!(s.attr(&s.wait("[data-testid=logs-status-chip][data-status=error]", 5), "aria-pressed").as_deref(), Some("true"));
    s.wait_until("the same count", 15, || {
        s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-matching") == Some(errors_with.to_string())
    });

    // Export the filtered entries as CSV through the native save dialog.
    s.click_on("[data-testid=logs-status-chip][data-status=error]");
    s.wait_until("search only", 15, || s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-matching") == Some(with_needle.to_string()));
    s.click_on("[data-testid=logs-export]");
    s.click_on("[data-testid=logs-export-csv]");
    let file = desktop::answer_save_dialog_titled("Export backup logs", saves.path());
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("backup-logs_") && name.ends_with(".csv"), "{name}");
    let csv = std::fs::read_to_string(&file).unwrap();
    assert_eq!(csv.lines().next(), Some(duplidesk_core::logs_file::CSV_HEADER));
    assert_eq!(csv.lines().count(), with_needle + 1, "every matching entry, not one page: {csv}");
    assert!(csv.lines().skip(1).all(|l| l.to_lowercase().contains(needle)));
    s.click_on("[data-testid=logs-reset]");
    counter("all entries");

    // The dashboard's status timeline: a lane per job, a mark per run of the last 30 days.
    s.click_on("[data-testid=nav-dashboard]");
    let lanes = show_timeline(&s);
    s.exec("arguments[0].scrollIntoView({block: 'center'});", vec![lanes.arg()]);
    s.screenshot("status-timeline");
    s.click_on("[data-testid=nav-logs]");
    counter("back on the page");

    // Clear backup logs while job 1 runs: the confirmation says how many go; job 1 keeps its.
    let store = Store::open_in(data.path()).unwrap();
    let dash = duplidesk_core::dashboard::dashboard(&store, duplidesk_core::store::now_ts()).unwrap();
    let job1 = dash.servers[0].jobs.iter().find(|j| j.running.is_some()).expect("job 1 runs");
    let kept = all.iter().filter(|e| e.job_id == Some(job1.id)).count();
    s.click_on("[data-testid=logs-clear]");
    s.wait("[data-testid=clear-dialog]", 10);
    s.wait_until("the count to delete", 15, || {
        s.attr(&s.wait("[data-testid=clear-count]", 5), "data-entries") == Some((total - kept).to_string())
    });
    assert!(s.text_of("[data-testid=clear-kept]").contains(&job1.name), "{}", s.text_of("[data-testid=clear-kept]"));
    s.screenshot("clear-logs");
    s.click_on("[data-testid=confirm-ok]");
    s.wait_gone("[data-testid=clear-dialog]", 15);
    let left = Store::open_in(data.path()).unwrap().query_logs(&LogQuery::default()).unwrap();
    assert_eq!(left.len(), kept + 1, "the running job's entries and the note");
    assert!(left[0].message.starts_with(&format!("Backup logs cleared: {} entries deleted", total - kept)), "{}", left[0].message);
    s.wait_until("the page shows what is left", 15, || {
        s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-total") == Some((kept + 1).to_string())
    });

    // A job's charts: its history drawer draws duration, size, uploaded and files over time.
    // (The cleared job has none left; job 1 kept its runs.)
    s.click_on("[data-testid=nav-dashboard]");
    show_timeline(&s);
    s.exec(&format!("document.querySelector('[data-testid=job-row][data-job-id=\"{}\"]').click();", job1.id), vec![]);
    s.wait("[data-testid=job-history]", 10);
    s.wait_until("four charts drawn", 15, || s.find_all("[data-testid=job-chart] canvas").len() == 4);
    let runs = Store::open_in(data.path()).unwrap().job_trend(job1.id, 0).unwrap().dates.len();
    assert!(runs > 0);
    let points = s.exec("return document.querySelector('[data-testid=job-charts]').dataset.points;", vec![]);
    assert_eq!(points, json!(runs.to_string()), "a point per finished run");
    s.screenshot("job-charts");
    s.quit();
}

#[test]
fn backup_logs_get_ready_while_ctrl_is_held() {
    use webdriver::CONTROL;
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    // Ctrl+2 starts with Ctrl: the page is built while it is held, so it is in the window as
    // the address changes (without it, the page is built only then).
    s.exec(
        "window.onReturn = null; window.addEventListener('hashchange', () => { \
           window.onReturn = !!document.querySelector('#content [data-testid=logs-table]'); }, {once: true});",
        vec![],
    );
    s.hold_then(CONTROL, 1000, &["2"]);
    let at_once = s.wait_until("the address changed", 10, || Some(s.exec("return window.onReturn;", vec![])).filter(|v| !v.is_null()));
    assert_eq!(at_once, json!(true), "Backup Logs in the window as the address changed");
    // The empty page says what to do next: its button opens the collect dialog, and the focus
    // comes back to it when the dialog closes.
    s.wait("[data-testid=logs-empty]", 10);
    s.click_on("[data-testid=logs-empty] button");
    s.wait("[data-testid=collect-dialog]", 10);
    close_dialog_with_escape(&s);
    let focused = s.exec("return document.activeElement === document.querySelector('[data-testid=logs-empty] button');", vec![]);
    assert_eq!(focused, json!(true), "the focus is back on the empty page's button");
}

/// Backup Logs is made ready when the pointer reaches its link, and kept while another page is
/// shown. Opening it then finds it with its rows already in the page when the address changes;
/// it asks for them again behind them, so what another program wrote to the store (a
/// collection from the command line) comes in. After a change the app was told of, it waits
/// for its new rows instead.
#[test]
fn backup_logs_come_back_at_once_and_catch_up_with_the_store() {
    use duplidesk_core::{monitor::NewEntry, Status};
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let server =
        TestServer::start(ServerConfig { data: DataSet::Generated { jobs: 2, rows_per_job: 110, seed: 3 }, ..ServerConfig::default() })
            .unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    collect_ok(&s, server.port());
    // The pointer on the link makes the page ready: the click then finds its rows in the page
    // as the address changes. (The page is built out of sight, so there is nothing to wait
    // for but a moment.)
    s.wait("[data-testid=server-card]", 10);
    s.exec("document.querySelector('[data-testid=nav-logs]').dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));", vec![]);
    std::thread::sleep(Duration::from_millis(1500));
    s.exec(
        "window.onReturn = null; window.addEventListener('hashchange', () => { \
           window.onReturn = document.querySelectorAll('[data-testid=logs-row]').length; }, {once: true});",
        vec![],
    );
    s.click_on("[data-testid=nav-logs]");
    let at_once = s.wait_until("the address changed", 10, || Some(s.exec("return window.onReturn;", vec![])).filter(|v| !v.is_null()));
    assert!(at_once.as_u64().unwrap() >= 10, "the rows in the page at once: {at_once}");
    s.wait("[data-testid=logs-row]", 15);
    let shows_total = |total: u64| {
        s.wait_until(&format!("the counter at {total}"), 15, || {
            s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-total") == Some(total.to_string())
        });
    };
    shows_total(count(data.path()));
    s.exec("document.querySelector('[data-testid=logs-table]').dataset.seen = 'yes';", vec![]);
    let first_id = || s.attr(&s.wait("[data-testid=logs-row]", 5), "data-log-id").unwrap();
    // Leaves for the dashboard, runs `meanwhile`, comes back: what the page held when the
    // address changed, [the page kept, rows in it].
    let away_and_back = |meanwhile: &dyn Fn()| {
        s.click_on("[data-testid=nav-dashboard]");
        s.wait("[data-testid=server-card]", 10);
        meanwhile();
        s.exec(
            "window.onReturn = null; window.addEventListener('hashchange', () => { window.onReturn = [ \
               document.querySelector('[data-testid=logs-table]')?.dataset.seen === 'yes', \
               document.querySelectorAll('[data-testid=logs-row]').length]; }, {once: true});",
            vec![],
        );
        s.click_on("[data-testid=nav-logs]");
        s.wait_until("the address changed", 10, || Some(s.exec("return window.onReturn;", vec![])).filter(|v| !v.is_null()))
    };

    // Nothing changed: the same page, its rows there at once.
    let before = first_id();
    let at_once = away_and_back(&|| {});
    assert_eq!(at_once[0], json!(true), "the page kept: {at_once}");
    assert!(at_once[1].as_u64().unwrap() >= 10, "its rows in the page at once: {at_once}");
    assert_eq!(first_id(), before);

    // Another program wrote to the store: nobody told the app, yet the entry comes in.
    let written = Store::open_in(data.path())
        .unwrap()
        .insert_system_entry(None, "cron", &NewEntry::system(Status::Info, chrono::Utc::now().timestamp(), "Written by another program"))
        .unwrap();
    let at_once = away_and_back(&|| {});
    assert_eq!(at_once[0], json!(true), "{at_once}");
    s.wait_until("the other program's entry comes in", 15, || first_id() == written.to_string());
    shows_total(count(data.path()));

    // A collection through the app found a new run: the page waits for its new rows.
    let total = count(data.path());
    let at_once = away_and_back(&|| {
        assert!(server.start_task("1") && server.finish_task("1"));
        collect_all_from_toolbar_menu(&s);
        assert!(results(&s, 1)[0].ok);
        close_dialog(&s);
        assert_eq!(count(data.path()), total + 1);
    });
    assert_eq!(at_once, json!([false, 0]), "the dashboard stays until the new rows are in");
    shows_total(total + 1);
    assert_eq!(s.attr(&s.wait("[data-testid=logs-table]", 5), "data-seen").as_deref(), Some("yes"), "still the kept page");

    // "Show all" under a job's cut history: the kept page again, with that job's entries only.
    s.click_on("[data-testid=nav-dashboard]");
    let job_id: i64 = s.attr(&s.wait("[data-testid=job-row]", 10), "data-job-id").unwrap().parse().unwrap();
    s.exec("document.querySelector('[data-testid=job-row]').click();", vec![]);
    s.click_on("[data-testid=history-show-all]");
    let of_job =
        Store::open_in(data.path()).unwrap().query_logs(&LogQuery::default()).unwrap().iter().filter(|e| e.job_id == Some(job_id)).count();
    assert!(of_job > 100, "{of_job}");
    s.wait_until("the job's entries counted", 15, || {
        s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-matching") == Some(of_job.to_string())
    });
    assert_eq!(s.attr(&s.wait("[data-testid=logs-table]", 5), "data-seen").as_deref(), Some("yes"), "still the kept page");
    s.quit();
}

#[test]
fn collect_popup_keychain_export_edit_delete_and_tray() {
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let fixture =
        TestServer::start(ServerConfig { tls: TlsMode::SelfSigned, password: "pw-one".into(), ..ServerConfig::default() }).unwrap();
    let second = TestServer::start(ServerConfig {
        data: DataSet::Generated { jobs: 2, rows_per_job: 25, seed: 5 },
        machine_name: "nas02".into(),
        machine_id: "00000000000000000000000000000002".into(),
        password: "pw-one".into(),
        ..ServerConfig::default()
    })
    .unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);

    // One host, self-signed HTTPS: the badge and the pinned fingerprint are shown.
    collect_manually(&s, "127.0.0.1", fixture.port(), "pw-one", false);
    let r = results(&s, 1);
    assert!(r[0].ok, "{r:?}");
    assert!(r[0].text.contains(&fixture.cert_sha256().unwrap()), "fingerprint shown: {}", r[0].text);
    s.screenshot("collect-result");
    close_dialog(&s);
    let dash = s.content("main");
    assert!(dash.contains("fileserver01") && dash.contains("Documents"), "{dash}");

    // The typed password is in the real keychain, not in the store.
    let server = Store::open_in(data.path()).unwrap().servers().unwrap().remove(0);
    assert_eq!(OsKeychain::new().get(&server.secret_ref).unwrap().as_deref(), Some("pw-one"));

    // Several hosts at once; a wrong password and an unknown host say what went wrong.
    collect_manually(&s, &format!("127.0.0.1:{},no-such-host.invalid", second.port()), second.port(), "wrong", false);
    let r = results(&s, 2);
    assert!(!r[0].ok && !r[1].ok, "{r:?}");
    assert!(r[0].text.to_lowercase().contains("password"), "auth message: {}", r[0].text);
    assert!(r[1].text.contains("no-such-host.invalid"), "dns message: {}", r[1].text);
    s.screenshot("collect-errors");
    close_dialog(&s);
    collect_manually(&s, &format!("127.0.0.1:{},127.0.0.1:{}", second.port(), fixture.port()), second.port(), "pw-one", false);
    let r = results(&s, 2);
    assert!(r.iter().all(|x| x.ok), "{r:?}");
    close_dialog(&s);
    // The dashboard reloads by itself once the collection is done (not awaited by the dialog).
    s.wait_until("both servers on the dashboard", 10, || s.find_all("[data-testid=server-card]").len() == 2);

    // Right-click the toolbar button: collect from all configured servers.
    second.add_rows("1", 4);
    let before = count(data.path());
    mark_dashboard(&s);
    std::thread::sleep(Duration::from_millis(1100)); // a new second: the time of collection moves
    collect_all_from_toolbar_menu(&s);
    let r = results(&s, 2);
    assert!(r.iter().all(|x| x.ok), "{r:?}");
    assert_eq!(count(data.path()), before + 4, "collect all stored the new rows");
    close_dialog(&s);
    // Only what changed is rebuilt: the server with new runs gets a new card and its timeline
    // is drawn again; the other server keeps both, only its time of collection moves on.
    let shown = dashboard_shown_after_refresh(&s, data.path());
    assert_eq!(shown["kept"], json!({"fileserver01": true, "nas02": false}), "{shown}");
    assert_eq!(shown["timelineKept"], json!({"fileserver01": true, "nas02": false}), "{shown}");

    // Nothing new anywhere (as after most background passes): no card and no chart is rebuilt.
    mark_dashboard(&s);
    std::thread::sleep(Duration::from_millis(1100));
    collect_all_from_toolbar_menu(&s);
    assert!(results(&s, 2).iter().all(|x| x.ok));
    close_dialog(&s);
    let shown = dashboard_shown_after_refresh(&s, data.path());
    assert_eq!(shown["kept"], json!({"fileserver01": true, "nas02": true}), "{shown}");
    assert_eq!(shown["timelineKept"], json!({"fileserver01": true, "nas02": true}), "{shown}");

    // The JSON export goes through the native save dialog (GTK, driven with xdotool).
    let target = collect_with_save_dialog(&s, &server.name, saves.path());
    let name = target.file_name().unwrap().to_string_lossy().into_owned();
    let stamp =
        name.strip_prefix("fileserver01_collected_").and_then(|n| n.strip_suffix(".json")).unwrap_or_else(|| panic!("file name {name}"));
    // YYYY-MM-DDTHH:MM:SS exactly: a valid time, and every field zero-padded to its width.
    const STAMP: &str = "%Y-%m-%dT%H:%M:%S";
    assert!(chrono::NaiveDateTime::parse_from_str(stamp, STAMP).is_ok_and(|t| t.format(STAMP).to_string() == stamp), "{name}");
    let text = std::fs::read_to_string(&target).expect("the save dialog wrote the file");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["system_info"]["MachineName"], "fileserver01");
    assert!(doc.get("backups").is_some() && doc.get("backup_logs").is_some());
    assert!(!text.contains("exampleSecretKey") && !text.contains("pw-one"));

    // Edit the server's alias, then delete the other server.
    s.click_on("[data-testid=nav-settings]");
    s.wait("[data-testid=server-row]", 10);
    assert_eq!(s.find_all("[data-testid=server-row]").len(), 2);
    let other = Store::open_in(data.path()).unwrap().servers().unwrap().into_iter().find(|x| x.name == "nas02").unwrap();
    s.click_on(&format!("[data-testid=server-row][data-server-id='{}'] [data-testid=server-edit]", server.id));
    s.type_into("[data-testid=server-alias]", "Office NAS");
    s.click_on("[data-testid=server-save]");
    s.wait_until("alias saved", 10, || {
        Store::open_in(data.path()).unwrap().server(server.id).unwrap().unwrap().alias.as_deref() == Some("Office NAS")
    });
    s.wait_gone("[data-testid=server-edit-dialog]", 10);
    let row = format!("[data-testid=server-row][data-server-id='{}']", server.id);
    s.wait_until("the list shows the alias", 10, || s.content(&row).contains("Office NAS"));
    s.screenshot("settings-servers");
    s.click_on(&format!("[data-testid=server-row][data-server-id='{}'] [data-testid=server-delete]", other.id));
    s.click_on("[data-testid=confirm-ok]");
    s.wait_until("server deleted", 10, || Store::open_in(data.path()).unwrap().server(other.id).unwrap().is_none());
    // (A read racing the deletion may see the item vanish mid-lookup: that is an error, retry.)
    s.wait_until("its keychain entry is gone", 10, || matches!(OsKeychain::new().get(&other.secret_ref), Ok(None)));
    s.click_on("[data-testid=nav-dashboard]");
    s.wait_until("the alias is shown on the dashboard", 10, || s.content("main").contains("Office NAS"));
    assert_eq!(s.find_all("[data-testid=server-card]").len(), 1);

    // The tray's Quick collect (clicked over D-Bus, as a desktop shell would) updates the dashboard.
    fixture.add_rows("1", 3);
    let before = count(data.path());
    let card = format!("[data-testid=server-card][data-server-id='{}']", server.id);
    let shown = s.content(&card);
    desktop::click_menu_item("Quick collect");
    s.wait_until("quick collect stored new rows", 60, || count(data.path()) >= before + 3);
    // The dashboard updates by itself: the job's last run is a newer one now.
    s.wait_until("the dashboard shows the new run", 20, || s.content(&card) != shown);
    s.quit();
    drop(driver);

    // After a restart the keychain still has the password: collect all needs none.
    fixture.add_rows("1", 2);
    let before = count(data.path());
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=server-card]", 30);
    collect_all_from_toolbar_menu(&s);
    let r = results(&s, 1);
    assert!(r[0].ok, "collect all after a restart, password from the keychain: {r:?}");
    assert_eq!(count(data.path()), before + 2);
    s.quit();
}

#[test]
fn progress_shows_and_a_cancelled_collection_is_completed_by_the_next_one() {
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let (jobs, rows) = (4u32, 5000u32);
    // Slow enough to watch: 500-row pages at 300 ms each.
    let server = TestServer::start(ServerConfig {
        data: DataSet::Generated { jobs, rows_per_job: rows, seed: 9 },
        password: "pw-slow".into(),
        latency: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);

    collect_manually(&s, "127.0.0.1", server.port(), "pw-slow", false);
    // Per-host progress: the job being read and the entries read so far.
    s.wait_until("progress with an entry count", 30, || s.content("[data-testid=collect-progress]").contains("entries read"));
    s.screenshot("collect-progress");
    assert!(s.content("[data-testid=collect-progress]").contains("HTTP"), "the protocol found is shown while collecting");
    s.click_on("[data-testid=collect-cancel]");
    let r = results(&s, 1);
    assert!(!r[0].ok && r[0].text.contains("cancelled"), "{r:?}");
    let partial = count(data.path());
    assert!(partial < u64::from(jobs * rows), "cancelled before the end: {partial}");
    close_dialog(&s);

    // The host became a configured server with its password saved: collect all finishes the
    // job, every row once.
    collect_all_from_toolbar_menu(&s);
    let r = results_within(&s, 1, 120);
    assert!(r[0].ok, "{r:?}");
    assert_eq!(count(data.path()), u64::from(jobs * rows), "the rest was collected, nothing twice");
    s.quit();
}

/// A server that sends headers and then nothing holds a collection until the request timeout;
/// wherever it was started, the window's toolbar and the tray can stop it at once.
#[test]
fn a_stuck_collection_is_cancelled_from_the_window_and_from_the_tray() {
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(ServerConfig::default()).unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    collect_ok(&s, server.port());
    assert_eq!(desktop::menu_labels(), ["Quick collect", "Cancel collection", "Open Duplidesk", "Quit"]);

    // Stuck: the job list's body never comes. The tray's Quick collect starts; the window
    // offers Cancel in place of Collect.
    server.faults().stall_body(u32::MAX, Some("/api/v1/backups"));
    desktop::click_menu_item("Quick collect");
    s.wait("[data-testid=toolbar-cancel]", 15);
    s.screenshot("collect-cancel-toolbar");
    s.click_on("[data-testid=toolbar-cancel]");
    // The body would stall for the whole 60 s request timeout: only the cancel ends it this soon.
    s.wait("[data-testid=toolbar-collect]", 10);
    let server_row = Store::open_in(data.path()).unwrap().servers().unwrap().remove(0);
    assert_eq!(server_row.last_error_code, None, "a cancel is not the server's failure");

    // Again, stopped from the tray this time; a new collection is not refused afterwards.
    desktop::click_menu_item("Quick collect");
    s.wait("[data-testid=toolbar-cancel]", 15);
    desktop::click_menu_item("Cancel collection");
    s.wait("[data-testid=toolbar-collect]", 10);
    server.faults().clear();
    collect_all_from_toolbar_menu(&s);
    assert!(results(&s, 1)[0].ok, "a new collection runs once the stuck one was cancelled");
    s.quit();
}

/// Dates out of any sane range (year 9999, year 1, before 1970) are stored with the collection
/// time and a note: the dashboard and the audit trail render, and nothing is "last run" forever.
#[test]
fn impossible_dates_leave_the_dashboard_and_the_logs_readable() {
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let server =
        TestServer::start(ServerConfig { data: DataSet::Generated { jobs: 2, rows_per_job: 12, seed: 3 }, ..ServerConfig::default() })
            .unwrap();
    server.faults().bad_dates("1");
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    collect_ok(&s, server.port());
    s.wait("[data-testid=server-card]", 15);
    let jobs = s.find_all("[data-testid=job-row]");
    assert_eq!(jobs.len(), 2, "both jobs render");
    // The job table, not the whole card: the server's address has a random port.
    let card = s.content("[data-testid=server-card] .jobs-table");
    assert!(!card.contains("9999") && !card.contains("Invalid"), "{card}");
    s.screenshot("dashboard-bad-dates");
    s.click_on("[data-testid=nav-logs]");
    s.wait_until("every entry is listed", 15, || {
        s.attr(&s.wait("[data-testid=logs-table]", 5), "aria-rowcount").and_then(|n| n.parse::<usize>().ok()).is_some_and(|n| n > 24)
    });
    let logs = s.content("[data-testid=logs-table]");
    assert!(logs.contains("cannot be right") || logs.contains("reported the date"), "the note is shown: {logs}");
    s.quit();
}

#[test]
fn a_dashboard_of_many_servers_builds_the_cards_near_the_view() {
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    seed_servers(data.path(), 40, 6);
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=server-card]", 30);
    const CARDS: &str = "const cards = [...document.querySelectorAll('[data-testid=server-card]')];";
    // Per card: its job rows and whether its head is built (its Collect button).
    let cards = || -> Vec<(u64, bool)> {
        let v = s.exec(
            &format!("{CARDS} return cards.map((c) => [c.querySelectorAll('[data-testid=job-row]').length, !!c.querySelector('[data-testid=server-collect]')]);"),
            vec![],
        );
        v.as_array().unwrap().iter().map(|c| (c[0].as_u64().unwrap(), c[1].as_bool().unwrap())).collect()
    };
    let rows = || -> Vec<u64> { cards().into_iter().map(|(n, _)| n).collect() };
    let first = cards();
    assert_eq!(first.len(), 40, "every server has its card");
    let built = first.iter().take_while(|&&c| c == (6, true)).count();
    assert!((2..20).contains(&built), "the cards near the top are built, the others wait: {first:?}");
    assert!(first[built..].iter().all(|&c| c == (0, false)), "{first:?}");
    let titles = s.exec(&format!("{CARDS} return cards.map((c) => c.querySelector('h2.card-title')?.textContent);"), vec![]);
    let names: Vec<String> = (0..40).map(|i| format!("server-{i:02}")).collect();
    assert_eq!(titles, json!(names), "a waiting card keeps its title and its name as a region");

    // A waiting card is as tall as it is once built: no jump when it is built.
    let height = |i: usize| s.exec(&format!("{CARDS} return cards[{i}].getBoundingClientRect().height;"), vec![]).as_f64().unwrap();
    let before = height(built + 10);
    s.exec(&format!("{CARDS} cards[{}].scrollIntoView();", built + 10), vec![]);
    s.wait_until("a card scrolled into view is built", 10, || rows()[built + 10] == 6);
    let after = height(built + 10);
    assert!((before - after).abs() < 1.0, "{before} px waiting, {after} px built");

    // The arrow keys walk from the last row built into the next card, which was waiting.
    s.exec("document.querySelector('.content').scrollTop = 0;", vec![]);
    let shown = rows();
    let waiting = shown.iter().position(|&n| n == 0).unwrap();
    let focus_last_row = |card: usize| {
        s.exec(
            &format!("{CARDS} const r = cards[{card}].querySelectorAll('[data-testid=job-row]'); r[r.length - 1].focus({{ preventScroll: true }});"),
            vec![],
        );
    };
    // Where the focus is: its card, what it is, and which row of that card.
    let focused = || {
        s.exec(
            &format!("{CARDS} const f = document.activeElement; const c = f.closest('[data-testid=server-card]'); return [cards.indexOf(c), f.dataset.testid, [...c.querySelectorAll('[data-testid=job-row]')].indexOf(f)];"),
            vec![],
        )
    };
    focus_last_row(waiting - 1);
    s.keys(&[&[webdriver::ARROW_DOWN]]);
    assert_eq!(focused(), json!([waiting, "job-row", 0]), "ArrowDown reaches the first row of the next card");

    // Tab from a card's last row reaches the next card, waiting two screens below the view: it
    // is built on the way and the focus lands on its first control.
    s.exec("document.querySelector('.content').scrollTop = 0;", vec![]);
    std::thread::sleep(Duration::from_millis(300));
    let next = rows().iter().position(|&n| n == 0).unwrap();
    focus_last_row(next - 1);
    s.keys(&[&[webdriver::TAB]]);
    assert_eq!(focused(), json!([next, "server-collect", -1]), "Tab builds the waiting card and lands on its Collect button");
    // Focus given to a waiting card goes to its first control too, and Shift+Tab from there
    // lands on the last row of the card before it.
    let shown = rows();
    let w = (next + 1..39).find(|&i| shown[i] == 0 && shown[i + 1] == 0).unwrap();
    s.exec(&format!("{CARDS} cards[{}].focus();", w + 1), vec![]);
    assert_eq!(focused(), json!([w + 1, "server-collect", -1]));
    s.keys(&[&[webdriver::SHIFT, webdriver::TAB]]);
    assert_eq!(focused(), json!([w, "job-row", 5]), "Shift+Tab lands on the last row of the card before");

    // Backup Logs opens over it with its rows, and the dashboard comes back whole.
    s.click_on("[data-testid=nav-logs]");
    s.wait("[data-testid=logs-row]", 10);
    s.click_on("[data-testid=nav-dashboard]");
    s.wait_until("the dashboard is back", 10, || rows().len() == 40);
    s.quit();
}

/// A store of `servers` servers with `jobs` jobs each and two runs per job, written as a
/// collection writes them.
fn seed_servers(data: &std::path::Path, servers: usize, jobs: usize) {
    use duplidesk_core::monitor::NewEntry;
    use duplidesk_core::store::{JobCursor, JobInfo, NewServer};
    let mut store = Store::open_in(data).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    for s in 0..servers {
        let name = format!("server-{s:02}");
        let server = store.insert_server(&NewServer { name: &name, host: &name, port: 8200, machine_id: None }).unwrap();
        for j in 0..jobs {
            let info = JobInfo::backup((j + 1).to_string(), format!("Job {j}"));
            let job = store.upsert_job(server.id, &info).unwrap();
            let entries: Vec<NewEntry> = (0..2)
                .map(|i| NewEntry {
                    remote_id: Some(i + 1),
                    remote_timestamp: Some(now - (2 - i) * 86_400),
                    date: now - (2 - i) * 86_400,
                    status: duplidesk_core::Status::Completed,
                    op_type: "Backup".into(),
                    message: format!("run {i}"),
                    duration_s: Some(60.0),
                    size_bytes: Some(1_000_000),
                    uploaded_bytes: Some(1_000),
                    warnings: 0,
                    errors: 0,
                    files: None,
                    details: String::new(),
                    details_cut_from: None,
                })
                .collect();
            store.store_page(&job, &name, &entries, &JobCursor::default()).unwrap();
        }
    }
}

#[test]
fn a_changed_certificate_is_shown_with_both_fingerprints_and_retrusted_from_settings() {
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(ServerConfig { tls: TlsMode::SelfSigned, ..ServerConfig::default() }).unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    collect_ok(&s, server.port());
    let old = server.cert_sha256().unwrap();
    server.rotate_certificate();
    let new = server.cert_sha256().unwrap();
    assert_ne!(old, new);

    s.click_on("[data-testid=nav-settings]");
    s.click_on("[data-testid=server-test]");
    let result = s.wait("[data-testid=server-test-result][data-ok=false]", 30);
    let text = s.text(&result);
    assert!(text.contains(&old) && text.contains(&new), "both fingerprints shown: {text}");
    s.screenshot("certificate-changed");
    s.click_on("[data-testid=server-retrust]");
    s.wait("[data-testid=server-test-result][data-ok=true]", 30);
    let pinned = Store::open_in(data.path()).unwrap().servers().unwrap().remove(0).cert_sha256;
    assert_eq!(pinned.as_deref(), Some(new.as_str()), "the new certificate is pinned");
    s.quit();
}

#[test]
fn without_a_keychain_the_user_is_told_and_types_the_password_each_time() {
    let _one = setup();
    let bus = desktop::BareSessionBus::start();
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(ServerConfig::default()).unwrap();
    let driver = Driver::start(&env_for(data.path(), &[("DBUS_SESSION_BUS_ADDRESS", bus.address())]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);

    open_collect_dialog(&s);
    assert!(s.content("[data-testid=collect-dialog]").contains("No keychain is available"), "the form says the password is not kept");
    close_dialog_with_escape(&s);
    collect_ok(&s, server.port());
    let configured = Store::open_in(data.path()).unwrap().servers().unwrap().remove(0);
    assert_eq!(OsKeychain::new().get(&configured.secret_ref).unwrap(), None, "nothing reached the test session's keychain either");

    s.click_on("[data-testid=nav-settings]");
    s.wait("[data-testid=keychain-warning]", 10);
    s.screenshot("no-keychain");

    // Collecting the configured server again asks for its password, for this collection only.
    server.add_rows("1", 2);
    open_collect_dialog(&s);
    pick_server(&s, "fileserver01");
    s.type_into("[data-testid=collect-password]", "duplicati");
    s.click_on("[data-testid=collect-submit]");
    let r = results(&s, 1);
    assert!(r[0].ok && r[0].text.contains("2 new"), "{r:?}");
    s.quit();
}

#[test]
fn everything_through_the_keyboard() {
    use webdriver::{CONTROL, ENTER, ESCAPE, F10, SHIFT, TAB};
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(ServerConfig::default()).unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);

    // Tab walks the toolbar and the first-run actions.
    let mut seen = Vec::new();
    for _ in 0..12 {
        s.keys(&[&[TAB]]);
        seen.push(s.focused());
    }
    for testid in ["nav-dashboard", "nav-logs", "nav-settings", "toolbar-collect", "demo-start"] {
        assert!(seen.iter().any(|f| f == testid), "Tab reaches {testid}: {seen:?}");
    }

    // Ctrl+1/2/3 switch pages.
    s.keys(&[&[CONTROL, "2"]]);
    s.wait("[data-testid=logs-table], [data-testid=logs-empty]", 10);
    s.keys(&[&[CONTROL, "3"]]);
    s.wait("[data-testid=lang-select]", 10);
    s.keys(&[&[CONTROL, "1"]]);
    s.wait("[data-testid=empty-state]", 10);

    // The collect dialog: opened with Enter, filled and submitted from the keyboard; Escape
    // closes it and gives the focus back to the toolbar button.
    s.exec("document.querySelector('[data-testid=toolbar-collect]').focus();", vec![]);
    s.keys(&[&[ENTER]]);
    s.wait("[data-testid=collect-dialog]", 10);
    assert_eq!(s.focused(), "collect-host", "the first field has the focus");
    s.keys(&[&["127.0.0.1"], &[TAB]]);
    assert_eq!(s.focused(), "collect-port");
    s.keys(&[&[CONTROL, "a"], &[&server.port().to_string()], &[TAB], &["duplicati"], &[ENTER]]);
    let r = results(&s, 1);
    assert!(r[0].ok, "{r:?}");
    s.keys(&[&[ESCAPE]]);
    s.wait_gone("[data-testid=collect-dialog]", 10);
    assert_eq!(s.focused(), "toolbar-collect");

    // Shift+F10 on the toolbar button opens its menu (the keyboard's right-click).
    s.keys(&[&[SHIFT, F10]]);
    s.wait("[data-testid=collect-all-menu]", 10);
    s.keys(&[&[ESCAPE]]);
    s.wait_gone("[data-testid=collect-all-menu]", 10);

    // Ctrl+K jumps to the dashboard search.
    s.keys(&[&[CONTROL, "k"]]);
    assert_eq!(s.focused(), "dashboard-search");
    s.quit();
}

#[test]
fn import_through_the_open_dialog_then_set_and_clear_the_password() {
    let _one = setup();
    let server = TestServer::start(ServerConfig::default()).unwrap();
    // A file saved elsewhere by the command line (`collect --save-json`).
    let (elsewhere, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut cli = std::process::Command::new(APP)
        .args(["collect", &format!("127.0.0.1:{}", server.port()), "--password-stdin", "--no-save-password", "--save-json"])
        .arg(files.path())
        .env("DUPLIDESK_DATA_DIR", elsewhere.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(cli.stdin.as_mut().unwrap(), b"duplicati\n").unwrap();
    assert!(cli.wait().unwrap().success(), "the CLI collected");
    let file = std::fs::read_dir(files.path()).unwrap().next().expect("a saved file").unwrap().path();

    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    s.click_on("[data-testid=nav-settings]");
    s.click_on("[data-testid=import-files]");
    desktop::answer_open_dialog("Import collected JSON files", &file);
    s.wait("[data-testid=import-row]", 30);
    let row = s.content("[data-testid=import-row]");
    assert!(row.contains("fileserver01") && row.contains("6 new"), "{row}");
    // The six runs, and the audit trail's own entry for the import.
    let entries = Store::open_in(data.path()).unwrap().query_logs(&LogQuery::default()).unwrap();
    assert_eq!(entries.len(), 7);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(entries.iter().any(|e| e.message == format!("Imported 6 new entries from {name}")), "{entries:?}");
    s.click_on("[data-testid=import-close]");

    // An imported server has no password yet: set it, then clear it (keychain only).
    let server = Store::open_in(data.path()).unwrap().servers().unwrap().remove(0);
    let keychain = OsKeychain::new();
    assert_eq!(keychain.get(&server.secret_ref).unwrap(), None);
    s.click_on("[data-testid=server-set-password]");
    s.type_into("[data-testid=password-input]", "from-settings");
    s.click_on("[data-testid=password-save]");
    s.wait_until("the password is in the keychain", 10, || {
        keychain.get(&server.secret_ref).ok().flatten().as_deref() == Some("from-settings")
    });
    s.click_on("[data-testid=server-clear-password]");
    s.click_on("[data-testid=confirm-ok]");
    s.wait_until("the password is cleared", 10, || matches!(keychain.get(&server.secret_ref), Ok(None)));
    s.wait_gone("[data-testid=server-clear-password]", 10);
    for f in std::fs::read_dir(data.path()).unwrap() {
        let raw = std::fs::read(f.unwrap().path()).unwrap_or_default();
        assert!(!raw.windows(b"from-settings".len()).any(|w| w == b"from-settings"), "no password in the data folder");
    }

    s.click_on("[data-testid=nav-dashboard]");
    s.wait_text("[data-testid=server-card]", "fileserver01", 10);
    s.quit();
}

#[test]
fn the_os_language_closing_to_the_tray_a_second_launch_and_the_tray_status() {
    let _one = setup();
    let data = tempfile::tempdir().unwrap();
    // A Spanish desktop: no language setting stored, so the app follows the OS.
    let env = env_for(data.path(), &[("LANG", "es_ES.UTF-8"), ("LANGUAGE", "es")]);
    let driver = Driver::start(&env);
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    s.wait_text("[data-testid=nav-logs]", "Logs de backup", 10);
    assert_eq!(s.exec("return document.documentElement.lang;", vec![]), json!("es"));
    assert_eq!(desktop::menu_labels(), ["Recopilación rápida", "Cancelar la recopilación", "Abrir Duplidesk", "Salir"]);

    // The close button hides the window; the app keeps running in the tray.
    let window = desktop::shown_main_window().expect("the main window is shown");
    desktop::request_close(window);
    wait_until("the window hides on close", secs(10), || desktop::shown_main_window().is_none());
    assert_eq!(s.exec("return document.title;", vec![]), json!("Duplidesk"), "the app still runs");
    desktop::click_menu_item("Abrir Duplidesk");
    wait_until("the tray's Open shows the window", secs(10), || desktop::shown_main_window().is_some());

    // A second launch hands over to the running instance, which shows its window, and exits.
    desktop::request_close(desktop::shown_main_window().unwrap());
    wait_until("hidden again", secs(10), || desktop::shown_main_window().is_none());
    let mut second = std::process::Command::new(APP).envs(env.iter().map(|(k, v)| (*k, v))).spawn().unwrap();
    let status = wait_until("the second launch exits", secs(30), || second.try_wait().unwrap());
    assert!(status.success(), "second launch: {status}");
    wait_until("the running instance shows its window", secs(10), || desktop::shown_main_window().is_some());

    // The tray icon shows the worst state: all good after a collection, red once the server
    // cannot be reached by the tray's quick collect.
    let icon = desktop::tray_picture;
    assert_ne!(icon("ok"), icon("error"));
    let server = TestServer::start(ServerConfig::default()).unwrap();
    collect_ok(&s, server.port());
    wait_until("the tray icon is the all-good one", secs(10), || desktop::tray_icon_rgba() == Some(icon("ok")));
    drop(server);
    desktop::click_menu_item("Recopilación rápida");
    wait_until("the tray icon turns to the error one", secs(30), || desktop::tray_icon_rgba() == Some(icon("error")));
    s.quit();
}

#[test]
fn dark_mode_under_the_c_locale_and_spanish() {
    let _one = setup();
    for name in ["dark", "es"] {
        let data = tempfile::tempdir().unwrap();
        // The dark run also has the C locale, as minimal installs do: no language in the
        // environment at all. The page must still get a language its formatters accept.
        let c_locale = [("LANG", "C.UTF-8"), ("LANGUAGE", ""), ("LC_ALL", ""), ("LC_MESSAGES", "")];
        let extra: Vec<(&str, &str)> =
            if name == "dark" { [("GTK_THEME", "Adwaita:dark")].into_iter().chain(c_locale).collect() } else { vec![] };
        let driver = Driver::start(&env_for(data.path(), &extra));
        let s = driver.session(APP);
        s.wait("[data-testid=empty-state]", 30);
        if name == "es" {
            // The language setting (Settings → General); "System" follows the OS language.
            s.click_on("[data-testid=nav-settings]");
            let select = s.wait("[data-testid=lang-select]", 10);
            s.exec("arguments[0].value = 'es'; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", vec![select.arg()]);
            s.wait_text("[data-testid=nav-logs]", "Logs de backup", 10);
            assert_eq!(s.exec("return document.documentElement.lang;", vec![]), json!("es"));
            s.screenshot("settings-es");
            s.click_on("[data-testid=nav-dashboard]");
            s.wait("[data-testid=empty-state]", 10);
        } else {
            let dark = s.exec("return window.matchMedia('(prefers-color-scheme: dark)').matches;", vec![]);
            assert_eq!(dark, json!(true), "the OS dark theme reaches the page");
            let language = s.exec("return [navigator.language, Intl.getCanonicalLocales(navigator.language)[0]];", vec![]);
            assert_eq!(language, json!(["en", "en"]), "under the C locale the page is told English");
        }
        s.screenshot(&format!("first-run-{name}"));
        s.click_on("[data-testid=demo-start]");
        s.wait("[data-testid=server-card]", 60);
        s.wait_text("[data-testid=server-card]", "Demo", 10);
        s.screenshot(&format!("dashboard-{name}"));
        if name == "es" {
            // Dates and numbers in Spanish: "hace 9 horas", "34,7 MB".
            let text = s.content("main");
            let decimal_comma = text.as_bytes().windows(3).any(|w| w[0].is_ascii_digit() && w[1] == b',' && w[2].is_ascii_digit());
            assert!(text.contains("hace ") && decimal_comma && !text.contains(" ago"), "{text}");
        }
        open_collect_dialog(&s);
        s.screenshot(&format!("collect-dialog-{name}"));
        close_dialog_with_escape(&s);
        s.click_on("[data-testid=nav-logs]");
        s.wait("[data-testid=logs-table]", 10);
        s.wait_until("the counter", 15, || s.attr(&s.wait("[data-testid=logs-counter]", 5), "data-total").is_some());
        s.screenshot(&format!("backup-logs-{name}"));
        s.click_on("[data-testid=logs-clear]");
        s.wait_until("the count to clear", 15, || s.attr(&s.wait("[data-testid=clear-count]", 5), "data-entries").is_some());
        s.screenshot(&format!("clear-logs-{name}"));
        s.keys(&[&[webdriver::ESCAPE]]);
        s.wait_gone("[data-testid=clear-dialog]", 10);
        s.click_on("[data-testid=nav-dashboard]");
        show_timeline(&s);
        s.exec("document.querySelector('[data-testid=job-row]').click();", vec![]);
        s.wait_until("the job's charts", 15, || s.find_all("[data-testid=job-chart] canvas").len() == 4);
        s.screenshot(&format!("job-charts-{name}"));
        s.keys(&[&[webdriver::ESCAPE]]);
        s.wait_gone("[data-testid=job-history]", 10);
        s.click_on("[data-testid=nav-settings]");
        s.click_on("[data-testid=settings-tab-monitoring]");
        s.wait("[data-testid=mon-job]", 10);
        s.wait("[data-testid=mon-form][aria-busy=false]", 10);
        s.screenshot(&format!("monitoring-{name}"));
        if name == "dark" {
            s.click_on("[data-testid=nav-settings]");
            s.wait("[data-testid=server-row]", 10);
            s.screenshot("settings-dark");
        }
    }
}

/// Settings → About: the versions (Duplidesk, Tauri, WebKitGTK), the OS and the log folder.
/// "Copy diagnostics" puts the report on the desktop's clipboard, without the password of the
/// server collected; "Open log folder" asks the desktop to open the folder (a stand-in
/// `xdg-open` records what it is asked: Xvfb has no file manager). The app's log file holds
/// the collection and no password.
#[test]
fn settings_about_shows_the_versions_copies_diagnostics_and_opens_the_log_folder() {
    const PASSWORD: &str = "About-Secret-5";
    let _one = setup();
    let server = TestServer::start(ServerConfig { password: PASSWORD.into(), ..ServerConfig::default() }).unwrap();
    let data = tempfile::tempdir().unwrap();
    let logs = data.path().join("logs");
    let bin = tempfile::tempdir().unwrap();
    let opened = bin.path().join("opened");
    let opener = bin.path().join("xdg-open");
    std::fs::write(&opener, format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    let logs_text = logs.display().to_string();
    let driver = Driver::start(&env_for(data.path(), &[("DUPLIDESK_LOG_DIR", &logs_text), ("PATH", &path)]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    collect_manually(&s, "127.0.0.1", server.port(), PASSWORD, false);
    assert!(results(&s, 1)[0].ok);
    close_dialog(&s);

    s.click_on("[data-testid=nav-settings]");
    assert_eq!(s.wait_text("[data-testid=app-version]", ".", 10), env!("CARGO_PKG_VERSION"));
    let components = s.wait_text("[data-testid=app-components]", "WebKitGTK", 10);
    assert!(components.starts_with(&format!("Tauri {}", tauri::VERSION)), "{components}");
    assert!(s.text_of("[data-testid=app-os]").contains(std::env::consts::ARCH));
    assert_eq!(s.text_of("[data-testid=log-dir]"), logs_text);
    s.exec("document.querySelector('[data-testid=copy-diagnostics]').scrollIntoView({block: 'center'});", vec![]);
    s.screenshot("settings-about");

    s.click_on("[data-testid=copy-diagnostics]");
    s.wait_text("[data-testid=toast]", "Diagnostics copied", 10);
    let clipboard = desktop::clipboard();
    for expected in
        ["Versions: Duplidesk ", "Tauri ", "WebKitGTK ", "1 servers, 3 jobs", "fileserver01", &format!("Log folder: {logs_text}")]
    {
        assert!(clipboard.contains(expected), "{expected:?} not in the copied report:\n{clipboard}");
    }
    assert!(!clipboard.contains(PASSWORD), "{clipboard}");

    s.click_on("[data-testid=open-log-folder]");
    let asked = wait_until("the desktop is asked to open the log folder", secs(10), || std::fs::read_to_string(&opened).ok());
    assert_eq!(asked.trim(), logs_text);

    let mut log = String::new();
    for file in std::fs::read_dir(&logs).unwrap() {
        log.push_str(&std::fs::read_to_string(file.unwrap().path()).unwrap());
    }
    assert!(log.contains("Duplidesk app started") && log.contains("collected"), "{log}");
    assert!(!log.contains(PASSWORD), "{log}");
    s.quit();
}

/// Scrolls the dashboard's status timeline into view (a chart is drawn only near the view) and
/// waits until each of its servers has its chart drawn; returns the first chart's canvas.
fn show_timeline(s: &Session<'_>) -> webdriver::Element {
    let timeline = s.wait("[data-testid=status-timeline]", 15);
    s.exec("arguments[0].scrollIntoView({block: 'start'});", vec![timeline.arg()]);
    s.wait_until("every timeline chart drawn", 15, || {
        s.exec(
            "const charts = [...document.querySelectorAll('.timeline-server')];
             return charts.length > 0 && charts.every((c) => c.querySelector('[data-testid=timeline-chart] canvas'));",
            vec![],
        ) == json!(true)
    });
    s.wait("[data-testid=timeline-chart] canvas", 5)
}

/// Marks the dashboard's server cards and timeline charts, to tell afterwards which were kept.
fn mark_dashboard(s: &Session<'_>) {
    show_timeline(s);
    s.exec(
        "document.querySelectorAll('[data-testid=server-card], [data-testid=timeline-chart] canvas').forEach((e) => (e.__kept = true));",
        vec![],
    );
}

/// Once every card shows the stored time of its server's last collection: which cards (by
/// server name) and which of the timeline's charts kept their canvas since `mark_dashboard`.
fn dashboard_shown_after_refresh(s: &Session<'_>, data: &std::path::Path) -> serde_json::Value {
    let stored: serde_json::Map<String, serde_json::Value> = Store::open_in(data)
        .unwrap()
        .servers()
        .unwrap()
        .into_iter()
        .map(|v| (v.name.clone(), json!(v.last_collect_at.unwrap().to_string())))
        .collect();
    s.wait_until("the dashboard shows the new times of collection", 15, || {
        let shown = s.exec(
            "const cards = [...document.querySelectorAll('[data-testid=server-card]')];
             const charts = [...document.querySelectorAll('.timeline-server')];
             return {
               at: Object.fromEntries(cards.map((c) => [c.querySelector('.card-title').textContent, c.querySelector('.card-last time')?.dataset.rel])),
               kept: Object.fromEntries(cards.map((c) => [c.querySelector('.card-title').textContent, !!c.__kept])),
               timelineKept: Object.fromEntries(charts.map((c) => [c.querySelector('.timeline-server-name').textContent, !!c.querySelector('canvas')?.__kept])),
             };",
            vec![],
        );
        (shown["at"] == json!(stored)).then_some(shown)
    })
}
