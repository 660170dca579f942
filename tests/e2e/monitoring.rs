//! Settings → Backup Monitoring and the background watch in the real window: a background pass
//! that finds a failed backup turns the tray red and notifies once; clicking the notification
//! opens the entry; the page's collect buttons; starting at login, offered on first run.
use crate::app::{close_dialog, collect_ok, env_for, results, setup, APP};
use crate::desktop;
use crate::notifications;
use crate::wait::{secs, wait_until};
use crate::webdriver::{Driver, Session};
use duplicati_testserver::{DataSet, Operation, ServerConfig, TestServer};
use serde_json::json;
use std::path::PathBuf;

fn open_monitoring(s: &Session<'_>) {
    s.click_on("[data-testid=nav-settings]");
    s.click_on("[data-testid=settings-tab-monitoring]");
    s.wait("[data-testid=mon-job]", 10);
}

/// Chooses a value of a select and lets the page react as to a user's choice.
fn choose(s: &Session<'_>, css: &str, value: &str) {
    let select = s.wait(css, 10);
    s.exec(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        vec![select.arg(), json!(value)],
    );
}

#[test]
fn a_background_pass_turns_the_tray_red_notifies_once_and_the_notification_opens_the_entry() {
    let _one = setup();
    let notifications = notifications::service();
    let server =
        TestServer::start(ServerConfig { data: DataSet::Generated { jobs: 2, rows_per_job: 6, seed: 21 }, ..ServerConfig::default() })
            .unwrap();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    collect_ok(&s, server.port());
    wait_until("the tray icon is the all-good one", secs(15), || desktop::tray_icon_rgba() == Some(desktop::tray_picture("ok")));

    // The page lists every job with its schedule and a switch; its buttons collect.
    open_monitoring(&s);
    assert_eq!(s.find_all("[data-testid=mon-job]").len(), 2);
    assert_eq!(s.find_all("[data-testid=mon-watch]").len(), 2);
    s.click_on("[data-testid=mon-server-collect]");
    assert!(results(&s, 1)[0].ok, "the server's Collect");
    close_dialog(&s);
    s.click_on("[data-testid=mon-collect-all]");
    assert!(results(&s, 1)[0].ok, "Collect all");
    close_dialog(&s);
    s.screenshot("monitoring");

    // Overnight, a backup fails. With background collection every minute, the next pass finds
    // it without anyone asking: the tray turns red and one notification says so.
    let job = server_job_name(&s);
    assert!(server.add_operation("1", Operation::BackupError));
    // Backup Logs is made ready (built, then laid out once in a hidden stage) when the page
    // learns that a notification is shown; nothing else asks for it in this test.
    s.exec(
        "window.logsStaged = false; new MutationObserver((records) => { \
           if (records.some((r) => [...r.addedNodes].some((n) => n.classList?.contains('warm-up') \
             && n.querySelector('[data-testid=logs-table]')))) window.logsStaged = true; \
         }).observe(document.getElementById('content'), {childList: true});",
        vec![],
    );
    choose(&s, "[data-testid=mon-interval]", "1");
    s.wait_text("[data-testid=mon-saved]", "Saved", 10);
    wait_until("a background pass turns the tray red", secs(150), || desktop::tray_icon_rgba() == Some(desktop::tray_picture("error")));
    let errors = wait_until("the failure is notified", secs(20), || {
        let shown: Vec<_> = notifications.shown_with(&job).into_iter().filter(|n| n.summary.starts_with("Error")).collect();
        (!shown.is_empty()).then_some(shown)
    });
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].actions.iter().any(|a| a == "default"), "clickable: {:?}", errors[0].actions);
    s.wait_until("Backup Logs made ready for the notification's click", 10, || {
        Some(s.exec("return window.logsStaged;", vec![])).filter(|v| v == &json!(true))
    });

    // Checking again finds nothing new: the same failure does not notify twice.
    s.click_on("[data-testid=mon-check-now]");
    s.wait_text(".toast", "Checked 1 server", 60);
    choose(&s, "[data-testid=mon-interval]", "0");
    s.wait_text("[data-testid=mon-saved]", "Saved", 10);
    let again: Vec<_> = notifications.shown_with(&job).into_iter().filter(|n| n.summary.starts_with("Error")).collect();
    assert_eq!(again.len(), 1, "one notification per problem: {again:?}");

    // Clicking it shows the window on that entry in Backup Logs.
    desktop::request_close(desktop::shown_main_window().expect("the window is shown"));
    wait_until("the window hides on close", secs(10), || desktop::shown_main_window().is_none());
    notifications.click(errors[0].id);
    wait_until("the click shows the window", secs(15), || desktop::shown_main_window().is_some());
    s.wait("[data-testid=log-details]", 15);
    let details = s.text_of("[data-testid=log-details]");
    assert!(details.contains(&job) && details.contains("Error"), "{details}");
    assert_eq!(s.exec("return location.hash;", vec![]), json!("#/logs"));
    s.screenshot("notification-opens-entry");
    s.quit();
}

/// The name of job 1 as the monitoring page shows it (the generated data names it).
fn server_job_name(s: &Session<'_>) -> String {
    s.exec("return [...document.querySelectorAll('[data-testid=mon-job]')].map(r => r.querySelector('.job-name').textContent)[0];", vec![])
        .as_str()
        .expect("a job name")
        .to_owned()
}

/// Where the autostart plugin writes the login item on Linux: `~/.config/autostart` (its
/// auto-launch crate does not follow XDG_CONFIG_HOME).
fn autostart_entries() -> Vec<PathBuf> {
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME"));
    std::fs::read_dir(home.join(".config/autostart"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "desktop")).collect())
        .unwrap_or_default()
}

#[test]
fn starting_at_login_is_offered_on_first_run_and_switched_in_backup_monitoring() {
    let _one = setup();
    assert!(autostart_entries().is_empty(), "no login item before the user says yes");
    let server = TestServer::start(ServerConfig::default()).unwrap();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=empty-state]", 30);
    assert!(s.find_all("[data-testid=autostart-offer]").is_empty(), "nothing to watch yet: not offered");
    collect_ok(&s, server.port());

    // Offered once there is something to watch; yes writes the login item, in the tray.
    s.wait("[data-testid=autostart-offer]", 10);
    s.click_on("[data-testid=autostart-yes]");
    s.wait_gone("[data-testid=autostart-offer]", 10);
    let entries = wait_until("a login item", secs(10), || {
        let e = autostart_entries();
        (!e.is_empty()).then_some(e)
    });
    let item = std::fs::read_to_string(&entries[0]).unwrap();
    assert!(item.contains("--background"), "starts in the tray: {item}");

    // Backup Monitoring shows it on, and turns it off.
    open_monitoring(&s);
    let switch = s.wait("[data-testid=mon-autostart]", 10);
    assert_eq!(s.exec("return arguments[0].checked;", vec![switch.arg()]), json!(true));
    s.click(&switch);
    wait_until("the login item is removed", secs(10), || autostart_entries().is_empty());
    assert_eq!(s.exec("return arguments[0].checked;", vec![switch.arg()]), json!(false));

    // Answered: never offered again, not after a restart either.
    drop(s);
    drop(driver);
    let driver = Driver::start(&env_for(data.path(), &[]));
    let s = driver.session(APP);
    s.wait("[data-testid=server-card]", 30);
    // The slot says when the question was settled (it is then empty, so not "displayed").
    s.wait_until("the offer decided", 10, || {
        s.exec("return document.querySelector('.offer-slot')?.dataset.offer;", vec![]) == json!("answered")
    });
    assert!(s.find_all("[data-testid=autostart-offer]").is_empty(), "asked once");
    s.quit();
}
