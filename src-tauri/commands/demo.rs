//! Demo mode: the project's Duplicati test server on 127.0.0.1 (plain HTTP), collected like any
//! server, so the app can be tried without a Duplicati install.
//!
//! Plain HTTP on purpose: the test server makes a new certificate every start, so a pinned
//! self-signed demo would report a changed certificate after each restart of the app.
use std::net::{Ipv4Addr, SocketAddr};

use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode};
use duplidesk_core::collect::HostSummary;
use duplidesk_core::dashboard::{self, SETTING_DEMO_PORT, SETTING_DEMO_SERVER_ID};
use duplidesk_core::store::ServerSettings;
use duplidesk_core::{Error, ErrorCode, Result};
use tauri::{AppHandle, Manager, Runtime};

use super::collect::{run_collection, CollectRequest};
use crate::state::{lock, AppState};

/// The demo server's password (also saved in the keychain when there is one).
pub const DEMO_PASSWORD: &str = "duplidesk-demo";
pub const DEMO_MACHINE_NAME: &str = "demo-nas";
const DEMO_MACHINE_ID: &str = "d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e0";
const DEMO_SEED: u64 = 2025;

fn start_server(port: u16) -> std::io::Result<TestServer> {
    TestServer::start(ServerConfig {
        password: DEMO_PASSWORD.into(),
        machine_name: DEMO_MACHINE_NAME.into(),
        machine_id: DEMO_MACHINE_ID.into(),
        data: DataSet::Generated { jobs: 4, rows_per_job: 60, seed: DEMO_SEED },
        tls: TlsMode::Plain,
        bind: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        ..ServerConfig::default()
    })
}

fn start_failed(e: std::io::Error) -> Error {
    Error::new(ErrorCode::IoError, format!("The demo server could not start: {e}."), "Try again; if it persists, restart Duplidesk.")
}

/// The running demo server's port, starting it (on the remembered port if any) when needed.
fn ensure_running(state: &AppState) -> Result<u16> {
    let mut demo = lock(&state.demo);
    if let Some(server) = demo.as_ref() {
        return Ok(server.port());
    }
    let remembered: u16 = state.with_store(|s| s.setting(SETTING_DEMO_PORT))?.and_then(|p| p.parse().ok()).unwrap_or(0);
    let server = start_server(remembered).or_else(|_| start_server(0)).map_err(start_failed)?;
    let port = server.port();
    *demo = Some(server);
    Ok(port)
}

/// Starts the demo server and collects it; the collected server becomes the demo server.
#[tauri::command]
pub async fn start_demo<R: Runtime>(app: AppHandle<R>) -> Result<HostSummary> {
    let state = app.state::<AppState>();
    let port = ensure_running(&state)?;
    let request =
        CollectRequest { hosts: Some(format!("127.0.0.1:{port}")), password: Some(DEMO_PASSWORD.to_owned()), ..CollectRequest::default() };
    let mut result = run_collection(&app, request, false).await?;
    let summary = result.hosts.pop().ok_or_else(|| Error::invalid_input("The demo could not be collected.", "Try again."))?;
    if let Some(server) = &summary.server {
        state.with_store(|s| {
            s.set_setting(SETTING_DEMO_SERVER_ID, &server.id.to_string())?;
            s.set_setting(SETTING_DEMO_PORT, &port.to_string())
        })?;
        super::data_changed(&app); // now flagged as the demo
    }
    Ok(summary)
}

/// Stops the demo's test server (if running); demo mode stays on (as when the app quits).
pub fn stop_demo_server(state: &AppState) {
    if let Some(server) = lock(&state.demo).take() {
        server.shutdown();
    }
}

/// Stops the demo server (if running) and forgets demo mode; the server record stays.
pub fn stop_demo(state: &AppState) -> Result<()> {
    stop_demo_server(state);
    state.with_store(|s| {
        s.delete_setting(SETTING_DEMO_SERVER_ID)?;
        s.delete_setting(SETTING_DEMO_PORT)
    })
}

/// Stops the demo server and deletes its server record, entries and keychain entry.
#[tauri::command]
pub async fn remove_demo<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    let state = app.state::<AppState>();
    let id = state.with_store(|s| dashboard::demo_server_id(s))?;
    stop_demo(&state)?;
    if let Some(id) = id {
        let server = state.with_store(|s| {
            let server = s.server(id)?;
            s.delete_server_entries(id)?;
            s.delete_server(id)?;
            Ok(server)
        })?;
        if let (Some(server), Some(k)) = (server, state.secrets_ref()) {
            let _ = k.delete(&server.secret_ref);
        }
    }
    super::data_changed(&app);
    Ok(())
}

/// At app start: when demo mode is on, start the demo server again (on its port, or a new one
/// if that is taken) and collect it afresh. The test server generates its rows relative to its
/// start time, so the old demo entries are replaced rather than duplicated.
pub async fn restore_on_start<R: Runtime>(app: AppHandle<R>) {
    let state = app.state::<AppState>();
    let Ok(Some(id)) = state.with_store(|s| dashboard::demo_server_id(s)) else { return };
    let restored = (|| -> Result<()> {
        let Some(server) = state.with_store(|s| s.server(id))? else {
            return stop_demo(&state); // the server was deleted meanwhile
        };
        let port = ensure_running(&state)?;
        state.with_store(|s| {
            if server.port != port || server.host != "127.0.0.1" {
                let settings = ServerSettings { alias: server.alias.clone(), note: server.note.clone(), host: "127.0.0.1".into(), port };
                s.update_server_settings(id, &settings)?;
                s.set_setting(SETTING_DEMO_PORT, &port.to_string())?;
            }
            s.delete_server_entries(id)?;
            for job in s.jobs(id)? {
                s.reset_job_cursor(job.id)?;
            }
            Ok(())
        })
    })();
    if let Err(e) = restored {
        eprintln!("duplidesk: the demo server could not be restored: {e}");
        return;
    }
    let request = CollectRequest { server_ids: Some(vec![id]), ..CollectRequest::default() };
    if let Err(e) = run_collection(&app, request, false).await {
        eprintln!("duplidesk: collecting the demo server failed: {e}");
    }
}
