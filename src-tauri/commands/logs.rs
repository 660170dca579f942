//! `logs`, `log_details`, `clear_logs`, `import_files`.
use duplidesk_core::export::{self, ImportSummary};
use duplidesk_core::store::{now_ts, LogEntryRow, LogQuery};
use duplidesk_core::{Error, Result, Status};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::state::AppState;

/// The `query` argument of `logs`. `to` is exclusive; `limit` 0 or absent = all.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogsQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
    #[serde(default)]
    pub statuses: Vec<String>,
    pub server: Option<String>,
    pub job: Option<String>,
    pub op_type: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

impl LogsQuery {
    fn into_query(self) -> Result<LogQuery> {
        let statuses = self
            .statuses
            .iter()
            .map(|s| s.parse::<Status>().map_err(|e| Error::invalid_input(e, "Pick statuses from the list.")))
            .collect::<Result<Vec<_>>>()?;
        let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(LogQuery {
            from: self.from,
            to: self.to,
            statuses,
            server: text(self.server),
            job: text(self.job),
            op_type: text(self.op_type),
            limit: self.limit,
            offset: self.offset.unwrap_or(0),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LogsPage {
    pub rows: Vec<LogEntryRow>,
    /// Entries matching the filters (limit and offset ignored).
    pub total: u64,
}

#[tauri::command]
pub async fn logs(state: State<'_, AppState>, query: LogsQuery) -> Result<LogsPage> {
    let q = query.into_query()?;
    state.with_store(|s| Ok(LogsPage { rows: s.query_logs(&q)?, total: s.count_logs(&q)? }))
}

#[tauri::command]
pub async fn log_details(state: State<'_, AppState>, id: i64) -> Result<Option<String>> {
    state.with_store(|s| s.log_details(id))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClearOptions {
    pub older_than_days: Option<u32>,
    #[serde(default)]
    pub orphans_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cleared {
    pub deleted: u64,
}

#[tauri::command]
pub async fn clear_logs<R: Runtime>(app: AppHandle<R>, options: ClearOptions) -> Result<Cleared> {
    let older_than = options.older_than_days.map(|d| now_ts() - i64::from(d) * 86_400);
    let deleted = app.state::<AppState>().with_store(|s| s.clear_logs(older_than, options.orphans_only))?;
    super::data_changed(&app);
    Ok(Cleared { deleted })
}

/// Opens the native open dialog (several `.json` files) and imports each; `None` if cancelled.
/// Stops at the first file that fails (the ones before it stay imported).
#[tauri::command]
pub async fn import_files<R: Runtime>(app: AppHandle<R>) -> Result<Option<Vec<ImportSummary>>> {
    let Some(paths) = crate::dialogs::pick_json_files(&app).await else { return Ok(None) };
    let state = app.state::<AppState>();
    let mut out = Vec::with_capacity(paths.len());
    let mut failure = None;
    for path in paths {
        match state.with_store(|s| export::import(s, &path)) {
            Ok(summary) => out.push(summary),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    super::data_changed(&app);
    match failure {
        Some(e) => Err(e),
        None => Ok(Some(out)),
    }
}
