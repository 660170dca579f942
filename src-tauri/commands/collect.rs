//! `collect`, `cancel_collect`; the one collection path the tray's Quick collect shares.
use std::path::PathBuf;

use duplidesk_core::collect::HostSummary;
use duplidesk_core::export;
use duplidesk_core::ops::CollectRequest;
use duplidesk_core::Result;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CollectResult {
    pub hosts: Vec<HostSummary>,
    /// Paths of the JSON files written.
    pub saved: Vec<String>,
}

/// Collects what `request` names; with `saveJson`, asks where to save each server's data.
#[tauri::command]
pub async fn collect<R: Runtime>(app: AppHandle<R>, request: CollectRequest) -> Result<CollectResult> {
    let engine = app.state::<AppState>().engine.clone();
    let mut hosts = engine.collect(&request, None).await?;
    let saved = save_exports(&app, &mut hosts).await;
    Ok(CollectResult { hosts, saved })
}

#[tauri::command]
pub async fn cancel_collect(state: State<'_, AppState>) -> Result<()> {
    state.engine.cancel_collection();
    Ok(())
}

/// Saves each host's collected JSON: through the native save dialog, or — test-only override —
/// straight into the folder `DUPLIDESK_SAVE_DIR` names (see `AppState::save_dir`). A failed
/// write becomes a note on that host; a cancelled dialog saves nothing.
async fn save_exports<R: Runtime>(app: &AppHandle<R>, hosts: &mut [HostSummary]) -> Vec<String> {
    let state = app.state::<AppState>();
    let mut saved = Vec::new();
    for host in hosts.iter_mut() {
        let Some(data) = host.export.take() else { continue };
        let file_name = export::file_name(&data.server_name, export::local_now());
        let target: Option<PathBuf> = match &state.save_dir {
            Some(dir) => Some(dir.join(&file_name)),
            None => crate::dialogs::save_json(app, &file_name).await,
        };
        let Some(path) = target else { continue };
        match state.engine.save_export(data, path).await {
            Ok(path) => saved.push(path.display().to_string()),
            Err(e) => host.notes.push(e.message),
        }
    }
    saved
}
