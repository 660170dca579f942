//! `logs`, `log_details`, `clear_logs`, `import_files`, `import_file`.
use std::path::PathBuf;

use duplidesk_core::import::{ImportSummary, ImportTarget};
use duplidesk_core::ops::{ClearOptions, Cleared, LogsPage, LogsQuery};
use duplidesk_core::store::LogDetails;
use duplidesk_core::{Error, Result};
use serde::Serialize;
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
