//! `test_connection`, `update_server`, `set_password`, `clear_password`, `retrust_server`,
//! `delete_server`, and the certificate authorities trusted for every server: `trusted_cas`,
//! `import_ca`, `remove_ca`.
use duplidesk_core::collect::HostSummary;
use duplidesk_core::dashboard::DashServer;
use duplidesk_core::ops::{TestRequest, TestResult};
use duplidesk_core::store::{ServerSettings, TrustedCa};
use duplidesk_core::Result;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::state::AppState;

/// Connects and logs in without storing anything.
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, request: TestRequest) -> Result<TestResult> {
    state.engine.test_connection(request).await
}

/// Saves alias, note, host and port; returns the server as the dashboard shows it.
#[tauri::command]
pub async fn update_server(state: State<'_, AppState>, id: i64, settings: ServerSettings) -> Result<DashServer> {
    state.engine.update_server(id, settings).await
}

#[tauri::command]
pub async fn set_password(state: State<'_, AppState>, id: i64, password: String) -> Result<()> {
    state.engine.set_password(id, password).await
}

#[tauri::command]
pub async fn clear_password(state: State<'_, AppState>, id: i64) -> Result<()> {
    state.engine.clear_password(id).await
}

/// Collects the server accepting (and pinning) the certificate it shows now; `password`
/// instead of the keychain's when given.
#[tauri::command]
pub async fn retrust_server(state: State<'_, AppState>, id: i64, fingerprint: String, password: Option<String>) -> Result<HostSummary> {
    state.engine.retrust(id, &fingerprint, password).await
}

/// Deletes the server, its jobs and its keychain entry; its log entries stay until cleared.
#[tauri::command]
pub async fn delete_server(state: State<'_, AppState>, id: i64) -> Result<()> {
    // A keychain entry that could not be removed is in the log (the engine writes it there).
    state.engine.delete_server(id).await?;
    Ok(())
}

#[tauri::command]
pub async fn trusted_cas(state: State<'_, AppState>) -> Result<Vec<TrustedCa>> {
    state.engine.trusted_cas().await
}

/// Opens the native open dialog (PEM, CRT or CER files) and trusts the authorities they hold;
/// returns them, or `None` if cancelled. Every file is tried; rejects with the first failure.
#[tauri::command]
pub async fn import_ca<R: Runtime>(app: AppHandle<R>) -> Result<Option<Vec<TrustedCa>>> {
    let Some(paths) = crate::dialogs::pick_ca_files(&app).await else { return Ok(None) };
    let engine = app.state::<AppState>().engine.clone();
    let mut imported = Vec::new();
    let mut failure = None;
    for path in paths {
        match engine.import_ca(path).await {
            Ok(cas) => imported.extend(cas),
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(Some(imported)),
    }
}

#[tauri::command]
pub async fn remove_ca(state: State<'_, AppState>, fingerprint: String) -> Result<()> {
    state.engine.remove_ca(fingerprint).await
}
