//! `logs`, `logs_count`, `log_details`, `clear_logs_preview`, `clear_logs`, `export_logs`,
//! `job_trend`, `status_timeline`, `import_files`, `import_file`.
use std::path::PathBuf;

use duplidesk_core::import::{ImportSummary, ImportTarget};
use duplidesk_core::logs_file::LogFormat;
use duplidesk_core::ops::{ClearOptions, Cleared, Exported, LogsCount, LogsPage, LogsQuery};
use duplidesk_core::store::{ClearPreview, JobTrend, LogDetails, StatusTimeline};
use duplidesk_core::{Error, Result};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::state::AppState;

#[tauri::command]
pub async fn logs(state: State<'_, AppState>, query: LogsQuery) -> Result<LogsPage> {
    state.engine.logs(query.to_query()?).await
}

#[tauri::command]
pub async fn logs_count(state: State<'_, AppState>, query: LogsQuery) -> Result<LogsCount> {
    state.engine.logs_count(query.to_query()?).await
}

/// Opens the native save dialog, then writes every entry matching `query` (limit and offset
/// ignored) as CSV or JSON; `None` if cancelled.
#[tauri::command]
pub async fn export_logs<R: Runtime>(app: AppHandle<R>, query: LogsQuery, format: LogFormat) -> Result<Option<Exported>> {
    let query = duplidesk_core::store::LogQuery { limit: None, offset: 0, ..query.to_query()? };
    let Some(path) = crate::dialogs::save_logs(&app, format).await else { return Ok(None) };
    app.state::<AppState>().engine.export_logs(query, format, path).await.map(Some)
}

#[tauri::command]
pub async fn job_trend(state: State<'_, AppState>, job_id: i64, limit: Option<u32>) -> Result<JobTrend> {
    state.engine.job_trend(job_id, limit.unwrap_or(0)).await
}

#[tauri::command]
pub async fn status_timeline(state: State<'_, AppState>, days: Option<u32>) -> Result<StatusTimeline> {
    state.engine.status_timeline(days.unwrap_or(30)).await
}

#[tauri::command]
pub async fn clear_logs_preview(state: State<'_, AppState>, options: ClearOptions) -> Result<ClearPreview> {
    state.engine.clear_logs_preview(options).await
}

#[tauri::command]
pub async fn log_details(state: State<'_, AppState>, id: i64) -> Result<Option<LogDetails>> {
    state.engine.log_details(id).await
}

#[tauri::command]
pub async fn clear_logs(state: State<'_, AppState>, options: ClearOptions) -> Result<Cleared> {
    state.engine.clear_logs(options).await
}

/// One file of an import: what was imported, or why not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ImportedFile {
    pub path: String,
    pub summary: Option<ImportSummary>,
    pub error: Option<Error>,
}

/// Opens the native open dialog (several `.json` files) and imports each; `None` if cancelled.
/// Every file is tried and has its own result. A file that names no machine-id is imported
/// nowhere yet (`needsServer`): the user says where, then `import_file`.
#[tauri::command]
pub async fn import_files<R: Runtime>(app: AppHandle<R>) -> Result<Option<Vec<ImportedFile>>> {
    let Some(paths) = crate::dialogs::pick_json_files(&app).await else { return Ok(None) };
    let results = app.state::<AppState>().engine.import_files(paths.clone(), None).await?;
    let files = paths
        .iter()
        .zip(results)
        .map(|(path, result)| {
            let path = path.display().to_string();
            match result {
                Ok(summary) => ImportedFile { path, summary: Some(summary), error: None },
                Err(error) => ImportedFile { path, summary: None, error: Some(error) },
            }
        })
        .collect();
    Ok(Some(files))
}

/// Imports one file the user chose a server for (`import_files` said `needsServer`).
#[tauri::command]
pub async fn import_file(state: State<'_, AppState>, path: String, target: ImportTarget) -> Result<ImportSummary> {
    let mut results = state.engine.import_files(vec![PathBuf::from(path)], Some(target)).await?;
    results.pop().unwrap_or_else(|| Err(Error::invalid_input("No file was given.", "Choose a file to import.")))
}
