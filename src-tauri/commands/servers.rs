//! `test_connection`, `update_server`, `set_password`, `clear_password`, `retrust_server`,
//! `delete_server`.
use duplidesk_core::collect::HostSummary;
use duplidesk_core::connect::{self, ConnectOptions, Known};
use duplidesk_core::dashboard::{self, DashServer};
use duplidesk_core::hosts::{parse_hosts, DEFAULT_PORT};
use duplidesk_core::store::{now_ts, ServerRow, ServerSettings};
use duplidesk_core::{Error, ErrorCode, Protocol, Result};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime, State};

use super::collect::{run_collection, CollectRequest};
use crate::state::AppState;

fn server_row(state: &AppState, id: i64) -> Result<ServerRow> {
    state
        .with_store(|s| s.server(id))?
        .ok_or_else(|| Error::new(ErrorCode::InvalidInput, "That server no longer exists.", "Reload the server list."))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestRequest {
    pub server_id: Option<i64>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    pub ok: bool,
    pub protocol: Option<Protocol>,
    pub url: Option<String>,
    /// The certificate the server shows now (HTTPS only).
    pub certificate_sha256: Option<String>,
    /// The certificate pinned for this server, if any.
    pub pinned_sha256: Option<String>,
    pub version: Option<String>,
    pub name: Option<String>,
    pub error: Option<Error>,
}

/// Connects and logs in without storing anything. With `serverId`: its address (unless `host`
/// is given), its known protocol and pin, and its keychain password (unless one is typed).
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, request: TestRequest) -> Result<TestResult> {
    let server = request.server_id.map(|id| server_row(&state, id)).transpose()?;
    let default_port = request.port.or(server.as_ref().map(|s| s.port)).unwrap_or(DEFAULT_PORT);
    let spec = match (request.host.as_deref().filter(|h| !h.trim().is_empty()), &server) {
        (Some(h), _) => parse_hosts(h, default_port)?.remove(0),
        (None, Some(s)) => duplidesk_core::hosts::HostSpec { host: s.host.clone(), port: s.port },
        (None, None) => return Err(Error::invalid_input("No host was given.", "Enter a host name or IP address.")),
    };
    let password = match (request.password.filter(|p| !p.is_empty()), &server) {
        (Some(p), _) => p,
        (None, Some(s)) if state.with_store(|st| dashboard::demo_server_id(st))? == Some(s.id) => super::demo::DEMO_PASSWORD.to_owned(),
        (None, Some(s)) => state.keychain()?.get(&s.secret_ref)?.ok_or_else(|| {
            Error::new(ErrorCode::AuthFailed, format!("No password is saved for {}.", s.display_name()), "Type the password to test with.")
        })?,
        (None, None) => return Err(Error::new(ErrorCode::AuthFailed, "No password was given.", "Type the server's password.")),
    };
    let pinned = server.as_ref().and_then(|s| s.cert_sha256.clone());
    let known = Known { protocol: server.as_ref().and_then(|s| s.protocol), cert_sha256: pinned.as_deref() };
    let opts = ConnectOptions::default();
    let mut result = TestResult { pinned_sha256: pinned.clone(), ..TestResult::default() };
    match connect::connect(&spec.host, spec.port, &password, known, &opts).await {
        Ok(mut conn) => {
            result.protocol = Some(conn.protocol);
            result.url = Some(conn.url.clone());
            result.certificate_sha256 = conn.cert_sha256.clone();
            match conn.client.system_info().await {
                Ok((info, _)) => {
                    result.ok = true;
                    result.version = Some(info.server_version);
                    result.name = Some(info.machine_name).filter(|n| !n.is_empty());
                }
                Err(e) => result.error = Some(e),
            }
        }
        Err(e) => {
            if e.code == ErrorCode::CertificateChanged {
                // Only a handshake: the password is never sent to the changed certificate.
                result.certificate_sha256 = connect::peek_certificate(&spec.host, spec.port, &opts).await.ok().flatten();
            }
            result.error = Some(e);
        }
    }
    Ok(result)
}

/// Saves alias, note, host and port; returns the server as the dashboard shows it.
#[tauri::command]
pub async fn update_server<R: Runtime>(app: AppHandle<R>, id: i64, settings: ServerSettings) -> Result<DashServer> {
    let state = app.state::<AppState>();
    let mut server = state.with_store(|s| {
        s.update_server_settings(id, &settings)?;
        dashboard::server(s, id, now_ts())
    })?;
    server.fill_password(state.secrets_ref());
    super::data_changed(&app);
    Ok(server)
}

#[tauri::command]
pub async fn set_password(state: State<'_, AppState>, id: i64, password: String) -> Result<()> {
    if password.is_empty() {
        return Err(Error::invalid_input("The password is empty.", "Type the server's password, or use Clear password."));
    }
    let server = server_row(&state, id)?;
    state.keychain()?.set(&server.secret_ref, &password)
}

#[tauri::command]
pub async fn clear_password(state: State<'_, AppState>, id: i64) -> Result<()> {
    let server = server_row(&state, id)?;
    state.keychain()?.delete(&server.secret_ref)
}

/// Collects the server accepting (and pinning) the certificate it shows now. `password`
/// (optional) is used instead of the keychain's.
#[tauri::command]
pub async fn retrust_server<R: Runtime>(app: AppHandle<R>, id: i64, password: Option<String>) -> Result<HostSummary> {
    server_row(&app.state::<AppState>(), id)?;
    let request = CollectRequest { server_ids: Some(vec![id]), password, ..CollectRequest::default() };
    let mut result = run_collection(&app, request, true).await?;
    result.hosts.pop().ok_or_else(|| Error::invalid_input("That server no longer exists.", "Reload the server list."))
}

/// Deletes the server, its jobs and its keychain entry; its log entries stay until cleared.
/// Deleting the demo server ends demo mode.
#[tauri::command]
pub async fn delete_server<R: Runtime>(app: AppHandle<R>, id: i64) -> Result<()> {
    let state = app.state::<AppState>();
    let server = server_row(&state, id)?;
    if state.with_store(|s| dashboard::demo_server_id(s))? == Some(id) {
        super::demo::stop_demo(&state)?;
    }
    state.with_store(|s| s.delete_server(id))?;
    if let Some(k) = state.secrets_ref() {
        if let Err(e) = k.delete(&server.secret_ref) {
            eprintln!("duplidesk: the keychain entry of {} was not removed: {}", server.display_name(), e.message);
        }
    }
    super::data_changed(&app);
    Ok(())
}
