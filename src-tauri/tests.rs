//! Command tests through `tauri::test`: the real command handler, state, capabilities and ACL
//! (invoked from `tauri://localhost`, as on Linux), over a temporary data folder, against the
//! project's Duplicati test server. No keychain here (`Keychain::none`); the real keychain is
//! exercised by the end-to-end tests.
use super::*;
use duplicati_testserver::{ServerConfig, TestServer, TlsMode};
use duplidesk_core::ops::Keychain;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

struct TestApp {
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    dir: tempfile::TempDir,
}

/// How a test app is set up; `configure` may change the defaults.
struct Setup {
    data_dir: PathBuf,
    save_dir: Option<PathBuf>,
}

fn app_with(configure: impl FnOnce(&mut Setup, &Path)) -> TestApp {
    app_in(tempfile::tempdir().unwrap(), configure)
}

fn app_in(dir: tempfile::TempDir, configure: impl FnOnce(&mut Setup, &Path)) -> TestApp {
    let mut setup = Setup { data_dir: dir.path().join("data"), save_dir: None };
    configure(&mut setup, dir.path());
    let app = with_commands(mock_builder(), |events| {
        let mut state = AppState::new(setup.data_dir, Keychain::none("no keychain in these tests"), events);
        state.save_dir = setup.save_dir;
        state
    })
    .build(context())
    .expect("mock app builds");
    let window = match app.get_webview_window(MAIN_WINDOW) {
        Some(w) => w,
        None => tauri::WebviewWindowBuilder::new(&app, MAIN_WINDOW, Default::default()).build().unwrap(),
    };
    TestApp { _app: app, window, dir }
}

fn app() -> TestApp {
    app_with(|_, _| {})
}

impl TestApp {
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.invoke_from("tauri://localhost", cmd, args)
    }

    fn invoke_from(&self, url: &str, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: url.parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err_code(&self, cmd: &str, args: Value) -> String {
        let e = self.invoke(cmd, args).expect_err(cmd);
        e["code"].as_str().unwrap_or_else(|| panic!("no code in {e}")).to_owned()
    }

    fn collect(&self, server: &TestServer, password: &str) -> Value {
        self.ok("collect", json!({"request": {"hosts": format!("127.0.0.1:{}", server.port()), "password": password, "saveJson": false}}))
    }
}

fn fixture_server() -> TestServer {
    TestServer::start(ServerConfig::default()).unwrap()
}

#[test]
fn empty_store_dashboard_and_app_info() {
    let t = app();
    let d = t.ok("dashboard", json!({}));
    assert_eq!(d["summary"], json!({"servers": 0, "jobs": 0, "failedLastRuns": 0, "notCollectedLately": 0, "overdue": 0}));
    assert_eq!(d["servers"], json!([]));
    let info = t.ok("app_info", json!({}));
    assert_eq!(info["keychain"]["available"], false);
    assert_eq!(info["demo"]["running"], false);
    assert_eq!(info["language"], Value::Null);
    assert_eq!(info["storeError"], Value::Null);
    assert!(info["dataDir"].as_str().unwrap().ends_with("data"));
    assert_eq!(t.ok("logs_count", json!({"query": {}})), json!({"matching": 0, "total": 0}));
    assert_eq!(t.ok("set_language", json!({"language": "es"})), "es");
    let info = t.ok("app_info", json!({}));
    assert_eq!((&info["language"], &info["uiLanguage"]), (&json!("es"), &json!("es")));
    let os = lang::Lang::from_tag(&sys_locale::get_locale().unwrap_or_default()).code();
    assert_eq!(t.ok("set_language", json!({"language": null})), os, "null follows the OS");
    let info = t.ok("app_info", json!({}));
    assert_eq!((&info["language"], &info["uiLanguage"]), (&Value::Null, &json!(os)));
    assert_eq!(t.err_code("set_language", json!({"language": "fr"})), "invalid_input");
}

#[test]
fn collect_fills_the_dashboard_logs_and_history() {
    let server = fixture_server();
    let t = app();
    let r = t.collect(&server, "duplicati");
    let host = &r["hosts"][0];
    assert_eq!(host["ok"], true, "{r}");
    assert_eq!(host["new"], 6);
    assert_eq!(host["server"]["name"], "fileserver01");
    assert_eq!(host["server"]["protocol"], "http");
    assert!(host["notes"][0].as_str().unwrap().contains("not saved"), "no keychain: {host}");
    assert_eq!(r["saved"], json!([]));

    let d = t.ok("dashboard", json!({}));
    assert_eq!(d["summary"]["servers"], 1);
    assert_eq!(d["summary"]["jobs"], 3);
    let s = &d["servers"][0];
    assert_eq!(s["displayName"], "fileserver01");
    assert_eq!(s["hasPassword"], false);
    let jobs = s["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    let docs = jobs.iter().find(|j| j["backupId"] == "1").unwrap();
    assert_eq!(docs["last"]["status"], "completed");
    assert_eq!(docs["recent"], json!(["stopped", "error", "error", "warning", "completed"]), "backups, not the compact");

    let history = t.ok("job_history", json!({"jobId": docs["id"], "limit": 3}));
    assert_eq!(history.as_array().unwrap().len(), 3);
    assert_eq!(history[0]["id"], docs["last"]["id"]);

    let errors = t.ok("logs", json!({"query": {"statuses": ["error"], "limit": 1, "offset": 0}}));
    assert_eq!(errors["more"], true);
    assert_eq!(errors["rows"].as_array().unwrap().len(), 1);
    assert_eq!(t.ok("logs_count", json!({"query": {"statuses": ["error"]}})), json!({"matching": 2, "total": 6}));
    let last = t.ok("logs", json!({"query": {"statuses": ["error"], "limit": 1, "offset": 1}}));
    assert_eq!((last["more"].clone(), last["rows"].as_array().unwrap().len()), (json!(false), 1));
    // Text search in messages, and the days of the date filter (local time, "to" inclusive).
    let searched = t.ok("logs_count", json!({"query": {"search": "FAILED"}}))["matching"].as_u64().unwrap();
    assert!((1..6).contains(&searched), "{searched}");
    assert_eq!(t.ok("logs_count", json!({"query": {"fromDay": "2008-01-01", "toDay": "2008-01-01"}}))["matching"], 0);
    assert_eq!(t.err_code("logs", json!({"query": {"toDay": "05/04/2025"}})), "invalid_input");
    let trend = t.ok("job_trend", json!({"jobId": docs["id"]}));
    assert_eq!(trend["statuses"], docs["recent"], "oldest first, as the dashboard's recent runs: {trend}");
    assert_eq!(trend["dates"].as_array().unwrap().len(), trend["filesExamined"].as_array().unwrap().len());
    let timeline = t.ok("status_timeline", json!({"days": 30}));
    assert_eq!(timeline["jobs"].as_array().unwrap().len(), 3, "every job has a lane: {timeline}");
    let row = &errors["rows"][0];
    assert_eq!(row["status"], "error");
    assert_eq!(row["server"], "fileserver01");
    assert!(row.get("type").is_some() && row.get("durationS").is_some(), "camelCase like every payload: {row}");
    let details = t.ok("log_details", json!({"id": row["id"]}));
    assert!(details["text"].as_str().unwrap().contains("ParsedResult"), "{details}");
    assert_eq!(details["cutFrom"], Value::Null);
    assert_eq!(t.ok("logs_count", json!({"query": {"server": "fileserver01", "opType": "Compact"}}))["matching"], 1);
    assert!(t.invoke("logs", json!({"query": {"statuses": ["bogus"]}})).is_err(), "an unknown status is refused");

    // Collecting the configured server by id needs its password: none in the keychain here.
    let again = t.ok("collect", json!({"request": {"serverIds": [s["id"]], "saveJson": false}}));
    assert_eq!(again["hosts"][0]["error"]["code"], "keychain_unavailable", "{again}");
    let again = t.ok("collect", json!({"request": {"all": true, "password": "duplicati", "saveJson": false}}));
    assert_eq!(again["hosts"][0]["ok"], true, "{again}");
    assert_eq!(again["hosts"][0]["new"], 0);
}

#[test]
fn a_wrong_password_is_auth_failed() {
    let server = fixture_server();
    let t = app();
    let r = t.collect(&server, "wrong");
    assert_eq!(r["hosts"][0]["ok"], false);
    assert_eq!(r["hosts"][0]["error"]["code"], "auth_failed", "{r}");
    assert!(r["hosts"][0]["error"]["hint"].as_str().is_some());
    let test = t.ok("test_connection", json!({"request": {"host": format!("127.0.0.1:{}", server.port()), "password": "wrong"}}));
    assert_eq!(test["ok"], false);
    assert_eq!(test["error"]["code"], "auth_failed");
    let test = t.ok("test_connection", json!({"request": {"host": "127.0.0.1", "port": server.port(), "password": "duplicati"}}));
    assert_eq!(test["ok"], true, "{test}");
    assert_eq!(test["name"], "fileserver01");
    assert_eq!(test["version"], "2.1.0.5");
    assert_eq!(test["protocol"], "http");
    assert_eq!(
        t.ok("dashboard", json!({}))["summary"]["servers"],
        0,
        "a host never reached is not configured; test_connection stores nothing"
    );
}

#[test]
fn update_and_delete_a_server_then_clear_its_orphaned_logs() {
    let server = fixture_server();
    let t = app();
    let id = t.collect(&server, "duplicati")["hosts"][0]["server"]["id"].clone();
    let updated = t.ok(
        "update_server",
        json!({"id": id, "settings": {"alias": "Office NAS", "note": "rack 2", "host": "127.0.0.1", "port": server.port()}}),
    );
    assert_eq!(updated["displayName"], "Office NAS");
    assert_eq!(updated["note"], "rack 2");
    assert_eq!(updated["jobs"].as_array().unwrap().len(), 3);
    assert_eq!(t.ok("dashboard", json!({}))["servers"][0]["alias"], "Office NAS");
    assert_eq!(
        t.err_code("update_server", json!({"id": id, "settings": {"alias": null, "note": null, "host": " ", "port": 8200}})),
        "invalid_input"
    );

    assert_eq!(t.err_code("set_password", json!({"id": id, "password": "x"})), "keychain_unavailable");
    assert_eq!(t.err_code("clear_password", json!({"id": id})), "keychain_unavailable");

    t.ok("delete_server", json!({"id": id}));
    assert_eq!(t.ok("dashboard", json!({}))["servers"], json!([]));
    assert_eq!(t.ok("logs_count", json!({"query": {}}))["total"], 6, "logs stay until cleared");
    assert_eq!(t.err_code("delete_server", json!({"id": id})), "not_found");
    assert_eq!(t.ok("clear_logs_preview", json!({"options": {}})), json!({"entries": 6, "keptRunning": 0, "runningJobs": []}));
    assert_eq!(t.ok("clear_logs", json!({"options": {}})), json!({"deleted": 6, "keptRunning": 0}));
    let left = t.ok("logs", json!({"query": {}}));
    assert_eq!(left["rows"][0]["status"], "info", "the clear says what it did: {left}");
    assert_eq!(t.ok("clear_logs", json!({"options": {"olderThanDays": 1}}))["deleted"], 0);
}

#[test]
fn a_second_collection_is_refused_as_busy_while_one_runs_and_cancel_ends_it() {
    let slow = TestServer::start(ServerConfig {
        data: duplicati_testserver::DataSet::Generated { jobs: 2, rows_per_job: 3000, seed: 1 },
        latency: std::time::Duration::from_millis(200),
        ..ServerConfig::default()
    })
    .unwrap();
    let t = app();
    let engine = t.window.state::<AppState>().engine.clone();
    let request = duplidesk_core::ops::CollectRequest {
        hosts: Some(format!("127.0.0.1:{}", slow.port())),
        password: Some("duplicati".into()),
        ..Default::default()
    };
    let running = std::thread::spawn(move || tauri::async_runtime::block_on(engine.collect(&request, None)));
    let engine = t.window.state::<AppState>().engine.clone();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !engine.is_collecting() {
        assert!(std::time::Instant::now() < deadline, "the first collection never started");
        std::thread::yield_now();
    }
    let e = t.invoke("collect", json!({"request": {"all": true, "saveJson": false}})).expect_err("second collection");
    assert_eq!(e["code"], "busy", "{e}");
    assert!(e["message"].as_str().unwrap().contains("already running"));
    t.ok("cancel_collect", json!({}));
    let first = running.join().unwrap().unwrap();
    assert_eq!(first[0].error.as_ref().map(|e| e.code), Some(duplidesk_core::ErrorCode::Cancelled), "{first:?}");
    assert!(!engine.is_collecting());
    assert_eq!(t.collect(&slow, "duplicati")["hosts"][0]["ok"], true, "the next collection runs");
}

#[test]
fn save_json_writes_one_file_per_server_into_the_test_folder() {
    let server = fixture_server();
    let t = app_with(|setup, dir| {
        let out = dir.join("saved");
        std::fs::create_dir_all(&out).unwrap();
        setup.save_dir = Some(out);
    });
    let r =
        t.ok("collect", json!({"request": {"hosts": format!("127.0.0.1:{}", server.port()), "password": "duplicati", "saveJson": true}}));
    let saved = r["saved"].as_array().unwrap();
    assert_eq!(saved.len(), 1, "{r}");
    let path = PathBuf::from(saved[0].as_str().unwrap());
    assert!(path.starts_with(t.dir.path().join("saved")));
    assert!(path.file_name().unwrap().to_string_lossy().starts_with("fileserver01_collected_"));
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(doc["system_info"]["MachineName"], "fileserver01");
    assert_eq!(doc["backup_logs"]["1"].as_array().unwrap().len(), 6);
}

#[test]
fn a_changed_certificate_is_reported_with_both_fingerprints_and_retrust_pins_the_new_one() {
    let server = TestServer::start(ServerConfig { tls: TlsMode::SelfSigned, ..ServerConfig::default() }).unwrap();
    let t = app();
    let r = t.collect(&server, "duplicati");
    let old = server.cert_sha256().unwrap();
    assert_eq!(r["hosts"][0]["server"]["protocol"], "https-self-signed", "{r}");
    assert_eq!(r["hosts"][0]["server"]["certificateSha256"], old.as_str());
    let id = r["hosts"][0]["server"]["id"].clone();

    server.rotate_certificate();
    let new = server.cert_sha256().unwrap();
    let test = t.ok("test_connection", json!({"request": {"serverId": id, "password": "duplicati"}}));
    assert_eq!(test["ok"], false);
    assert_eq!(test["error"]["code"], "certificate_changed", "{test}");
    assert_eq!(test["pinnedSha256"], old.as_str());
    assert_eq!(test["certificateSha256"], new.as_str());
    assert_eq!(server.stats().logins, 1, "the password never went to the changed certificate");

    // Re-trust accepts only the fingerprint the user compared: not one the server no longer shows.
    let stale = t.ok("retrust_server", json!({"id": id, "fingerprint": old, "password": "duplicati"}));
    assert_eq!(stale["ok"], false, "{stale}");
    assert_eq!(stale["error"]["code"], "certificate_changed", "{stale}");
    assert_eq!(server.stats().logins, 1);
    assert_eq!(t.ok("dashboard", json!({}))["servers"][0]["certSha256"], old.as_str());

    let summary = t.ok("retrust_server", json!({"id": id, "fingerprint": new.to_lowercase().replace(':', ""), "password": "duplicati"}));
    assert_eq!(summary["ok"], true, "{summary}");
    assert_eq!(summary["server"]["certificateSha256"], new.as_str());
    assert_eq!(t.ok("dashboard", json!({}))["servers"][0]["certSha256"], new.as_str());
}

#[test]
fn demo_mode_starts_collects_and_is_removed() {
    let t = app();
    let summary = t.ok("start_demo", json!({}));
    assert_eq!(summary["ok"], true, "{summary}");
    assert_eq!(summary["new"], 240);
    assert_eq!(summary["server"]["name"], "demo-nas");
    let info = t.ok("app_info", json!({}));
    assert_eq!(info["demo"]["running"], true);
    assert_eq!(info["demo"]["serverId"], summary["server"]["id"]);
    assert!(info["demo"]["url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    let d = t.ok("dashboard", json!({}));
    assert_eq!(d["servers"][0]["isDemo"], true);
    assert_eq!(d["summary"]["jobs"], 4);
    // The demo collects without a keychain (its password is known).
    let again = t.ok("collect", json!({"request": {"all": true, "saveJson": false}}));
    assert_eq!(again["hosts"][0]["ok"], true, "{again}");
    // Starting again while it runs just collects again.
    assert_eq!(t.ok("start_demo", json!({}))["new"], 0);

    t.ok("remove_demo", json!({}));
    let info = t.ok("app_info", json!({}));
    assert_eq!(info["demo"], json!({"running": false, "serverId": null, "url": null}));
    assert_eq!(t.ok("dashboard", json!({}))["servers"], json!([]));
    assert_eq!(t.ok("logs_count", json!({"query": {}})), json!({"matching": 0, "total": 0}));
}

#[test]
fn the_acl_allows_the_app_commands_only() {
    let t = app();
    assert!(t.invoke("plugin:dialog|open", json!({"options": {}})).is_err(), "the window may not open dialogs itself");
    assert!(t.invoke("no_such_command", json!({})).is_err());
    assert!(t.invoke_from("https://example.com", "dashboard", json!({})).is_err(), "remote pages get nothing");
    assert!(t.invoke("dashboard", json!({})).is_ok());
}

#[test]
fn a_store_that_cannot_open_is_reported_and_app_info_still_answers() {
    let t = app_with(|setup, dir| {
        let blocker = dir.join("not-a-folder");
        std::fs::write(&blocker, b"x").unwrap();
        setup.data_dir = blocker;
    });
    let info = t.ok("app_info", json!({}));
    assert_eq!(info["storeError"]["code"], "io_error", "{info}");
    assert_eq!(t.err_code("dashboard", json!({})), "io_error");
    assert_eq!(t.err_code("collect", json!({"request": {"all": true, "saveJson": false}})), "io_error");
}

#[test]
fn the_demo_comes_back_after_a_restart_and_quick_collect_uses_the_collect_path() {
    let t = app();
    let first = t.ok("start_demo", json!({}));
    assert_eq!(first["new"], 240, "{first}");
    let port = t.ok("app_info", json!({}))["demo"]["url"].as_str().unwrap().rsplit(':').next().unwrap().to_owned();
    // "Quit": the demo server stops with the app.
    t.window.state::<AppState>().engine.stop_demo_server();
    let TestApp { _app, dir, .. } = t;
    drop(_app);

    let t = app_in(dir, |_, _| {});
    assert_eq!(t.ok("app_info", json!({}))["demo"]["running"], false);
    let handle = t.window.app_handle().clone();
    let engine = t.window.state::<AppState>().engine.clone();
    tauri::async_runtime::block_on(engine.restore_demo()).unwrap();
    let info = t.ok("app_info", json!({}));
    assert_eq!(info["demo"]["running"], true);
    assert!(info["demo"]["url"].as_str().unwrap().ends_with(&format!(":{port}")), "same port again: {info}");
    let d = t.ok("dashboard", json!({}));
    assert_eq!(d["servers"][0]["isDemo"], true);
    assert_eq!(d["servers"][0]["lastOk"], true, "{d}");
    let entries = t.ok("logs_count", json!({"query": {"server": "demo-nas"}}))["matching"].as_u64().unwrap();
    assert_eq!(entries, 240, "the demo's entries are replaced, not duplicated");

    // Quick collect (tray): every configured server, then a notification (none headless: logged).
    tauri::async_runtime::block_on(tray::quick_collect(&handle));
    assert_eq!(t.ok("logs_count", json!({"query": {"server": "demo-nas"}}))["matching"], 240);
    assert!(!engine.is_collecting());
}
