//! `dashboard`, `job_history`.
use duplidesk_core::dashboard::Dashboard;
use duplidesk_core::store::LogEntryRow;
use duplidesk_core::Result;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> Result<Dashboard> {
    state.engine.dashboard().await
}

/// A job's entries, newest first; `limit` defaults to 50, 0 = all.
#[tauri::command]
pub async fn job_history(state: State<'_, AppState>, job_id: i64, limit: Option<u32>) -> Result<Vec<LogEntryRow>> {
    state.engine.job_history(job_id, limit.unwrap_or(50)).await
}
