//! Driving the app the way the tests need it: one app at a time, its environment, what its
//! data folder holds, and the collect dialog (manual entry, a configured server, collect all,
//! the per-host results, the save dialog).
use crate::desktop;
use crate::webdriver::{Session, ESCAPE};
use duplidesk_core::store::{LogQuery, Store};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub const APP: &str = env!("CARGO_BIN_EXE_duplidesk");

/// One app at a time: the machine has two cores and each app is a WebKit process tree.
static ONE_APP: Mutex<()> = Mutex::new(());

/// Starts a test: checks the test session is there and waits for the other tests' apps to end.
pub fn setup() -> MutexGuard<'static, ()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    assert!(std::env::var_os("DISPLAY").is_some(), "run the end-to-end tests through scripts/test.sh (needs Xvfb and D-Bus)");
    ONE_APP.lock().unwrap_or_else(|p| p.into_inner())
}

/// The app's environment: its data folder, an English desktop, and `extra` on top.
pub fn env_for<'a>(data: &Path, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, String)> {
    let mut env = vec![("DUPLIDESK_DATA_DIR", data.display().to_string()), ("LANG", "en_US.UTF-8".into()), ("LANGUAGE", "en".into())];
    for &(key, value) in extra {
        env.retain(|&(k, _)| k != key);
        env.push((key, value.to_owned()));
    }
    env
}

/// How many log entries the data folder's store holds.
pub fn count(data: &Path) -> u64 {
    Store::open_in(data).unwrap().count_logs(&LogQuery::default()).unwrap()
}

pub fn open_collect_dialog(s: &Session<'_>) {
    s.click_on("[data-testid=toolbar-collect]");
    s.wait("[data-testid=collect-dialog]", 10);
}

/// Chooses in the collect dialog's server picker the option whose value is `which` ("other"
/// for manual entry) or whose label contains it.
pub fn pick_server(s: &Session<'_>, which: &str) {
    s.exec(
        "const sel = document.querySelector('[data-testid=collect-server-select]'); \
         sel.value = [...sel.options].find(o => o.value === arguments[0] || o.textContent.includes(arguments[0])).value; \
         sel.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![json!(which)],
    );
}

/// Right-clicks the toolbar's Collect button and chooses "Collect All".
pub fn collect_all_from_toolbar_menu(s: &Session<'_>) {
    let button = s.wait("[data-testid=toolbar-collect]", 5);
    s.exec("arguments[0].dispatchEvent(new MouseEvent('contextmenu', {bubbles: true, cancelable: true, button: 2}));", vec![button.arg()]);
    s.click_on("[data-testid=collect-all-menu]");
}

/// Fills the manual form (choosing "Other…" when servers exist) and starts the collection.
pub fn collect_manually(s: &Session<'_>, hosts: &str, port: u16, password: &str, save_json: bool) {
    open_collect_dialog(s);
    if !s.find_all("[data-testid=collect-server-select]").is_empty() {
        pick_server(s, "other");
    }
    s.type_into("[data-testid=collect-host]", hosts);
    s.type_into("[data-testid=collect-port]", &port.to_string());
    s.type_into("[data-testid=collect-password]", password);
    let save = s.wait("[data-testid=collect-savejson]", 5);
    let checked = s.exec("return arguments[0].checked;", vec![save.arg()]);
    if checked.as_bool() != Some(save_json) {
        s.click(&save);
    }
    s.click_on("[data-testid=collect-submit]");
}

/// Collects the configured server `server_name` with "Save as JSON" on, answers the native
/// save dialog with `dir`, and returns the file written.
pub fn collect_with_save_dialog(s: &Session<'_>, server_name: &str, dir: &Path) -> PathBuf {
    open_collect_dialog(s);
    let select = s.find_all("[data-testid=collect-server-select]");
    assert!(!select.is_empty(), "configured servers are offered");
    pick_server(s, server_name);
    let save = s.wait("[data-testid=collect-savejson]", 5);
    s.click(&save);
    s.click_on("[data-testid=collect-submit]");
    let file = desktop::answer_save_dialog(dir);
    let r = results(s, 1);
    assert!(r[0].ok, "{r:?}");
    close_dialog(s);
    file
}

/// One host's line in the collect dialog's results.
#[derive(Debug)]
pub struct HostResult {
    #[allow(dead_code, reason = "read through Debug, in the assertions' messages")]
    pub host: String,
    pub ok: bool,
    pub text: String,
}

/// Waits (up to a minute) for `n` per-host results.
#[track_caller]
pub fn results(s: &Session<'_>, n: usize) -> Vec<HostResult> {
    results_within(s, n, 60)
}

#[track_caller]
pub fn results_within(s: &Session<'_>, n: usize, secs: u64) -> Vec<HostResult> {
    let rows = s.wait_until(&format!("{n} collect results"), secs, || {
        let rows = s.find_all("[data-testid=collect-result]");
        (rows.len() >= n).then_some(rows)
    });
    rows.iter()
        .map(|r| HostResult {
            host: s.attr(r, "data-host").unwrap_or_default(),
            ok: s.attr(r, "data-ok").as_deref() == Some("true"),
            text: s.text(r),
        })
        .collect()
}

/// Collects the test server on `port` (password "duplicati") through the manual form, checks it
/// succeeded and closes the dialog.
pub fn collect_ok(s: &Session<'_>, port: u16) {
    collect_manually(s, "127.0.0.1", port, "duplicati", false);
    let r = results(s, 1);
    assert!(r[0].ok, "{r:?}");
    close_dialog(s);
}

pub fn close_dialog(s: &Session<'_>) {
    s.click_on("[data-testid=collect-close]");
    s.wait_gone("[data-testid=collect-dialog]", 10);
}

pub fn close_dialog_with_escape(s: &Session<'_>) {
    s.keys(&[&[ESCAPE]]);
    s.wait_gone("[data-testid=collect-dialog]", 10);
}
