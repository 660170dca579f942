//! `start_demo`, `remove_demo`: the project's Duplicati test server, collected like any server.
use duplidesk_core::collect::HostSummary;
use duplidesk_core::Result;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> Result<HostSummary> {
    state.engine.start_demo().await
}

#[tauri::command]
pub async fn remove_demo(state: State<'_, AppState>) -> Result<()> {
    state.engine.remove_demo().await
}
