//! `logs`, `log_details`, `clear_logs`, `import_files`.
use duplidesk_core::export::ImportSummary;
use duplidesk_core::ops::{ClearOptions, Cleared, LogsPage, LogsQuery};
use duplidesk_core::store::LogDetails;
use duplidesk_core::Result;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::state::AppState;

#[tauri::command]
pub async fn logs(state: State<'_, AppState>, query: LogsQuery) -> Result<LogsPage> {
    state.engine.logs(query.into()).await
}

#[tauri::command]
pub async fn log_details(state: State<'_, AppState>, id: i64) -> Result<Option<LogDetails>> {
    state.engine.log_details(id).await
}

#[tauri::command]
pub async fn clear_logs(state: State<'_, AppState>, options: ClearOptions) -> Result<Cleared> {
    state.engine.clear_logs(options).await
}

/// Opens the native open dialog (several `.json` files) and imports each; `None` if cancelled.
/// Every file is tried; when one fails, rejects with the first failure (the others stay
/// imported).
#[tauri::command]
pub async fn import_files<R: Runtime>(app: AppHandle<R>) -> Result<Option<Vec<ImportSummary>>> {
    let Some(paths) = crate::dialogs::pick_json_files(&app).await else { return Ok(None) };
    let results = app.state::<AppState>().engine.import_files(paths).await?;
    results.into_iter().collect::<Result<Vec<_>>>().map(Some)
}
