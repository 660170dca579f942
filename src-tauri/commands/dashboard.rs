//! `dashboard`, `job_history`.
use duplidesk_core::dashboard::{self, Dashboard};
use duplidesk_core::store::{now_ts, LogEntryRow};
use duplidesk_core::Result;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> Result<Dashboard> {
    let mut d = state.with_store(|s| dashboard::dashboard(s, now_ts()))?;
    d.fill_passwords(state.secrets_ref());
    Ok(d)
}

#[tauri::command]
pub async fn job_history(state: State<'_, AppState>, job_id: i64, limit: Option<u32>) -> Result<Vec<LogEntryRow>> {
    state.with_store(|s| s.job_history(job_id, limit.unwrap_or(50)))
}
