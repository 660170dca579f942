//! `test_connection`, `update_server`, `set_password`, `clear_password`, `retrust_server`,
//! `delete_server`.
use duplidesk_core::collect::HostSummary;
use duplidesk_core::dashboard::DashServer;
use duplidesk_core::ops::{TestRequest, TestResult};
use duplidesk_core::store::ServerSettings;
use duplidesk_core::Result;
use tauri::State;

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
pub async fn retrust_server(state: State<'_, AppState>, id: i64, password: Option<String>) -> Result<HostSummary> {
    state.engine.retrust(id, password).await
}

/// Deletes the server, its jobs and its keychain entry; its log entries stay until cleared.
#[tauri::command]
pub async fn delete_server(state: State<'_, AppState>, id: i64) -> Result<()> {
    let removed = state.engine.delete_server(id).await?;
    for note in removed.notes {
        eprintln!("duplidesk: {}: {note}", removed.server.display_name());
    }
    Ok(())
}
