//! `monitor_settings`, `set_monitor_settings`, `monitoring`, `set_job_monitored`, `check_now`,
//! `autostart`, `set_autostart`: the background watch and starting at login.
use duplidesk_core::ops::{MonitoredJob, PassReport};
use duplidesk_core::store::now_ts;
use duplidesk_core::watch::MonitorSettings;
use duplidesk_core::{Error, ErrorCode, Result};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_autostart::ManagerExt;

use crate::state::AppState;

#[tauri::command]
pub async fn monitor_settings(state: State<'_, AppState>) -> Result<MonitorSettings> {
    state.engine.monitor_settings().await
}

/// Saves the settings (bounded to sane values, as returned); the background watch follows at once.
#[tauri::command]
pub async fn set_monitor_settings(state: State<'_, AppState>, settings: MonitorSettings) -> Result<MonitorSettings> {
    state.engine.set_monitor_settings(settings).await
}

/// Every job the servers list, judged now (Settings → Backup Monitoring).
#[tauri::command]
pub async fn monitoring(state: State<'_, AppState>) -> Result<Vec<MonitoredJob>> {
    state.engine.monitoring(now_ts()).await
}

#[tauri::command]
pub async fn set_job_monitored(state: State<'_, AppState>, job_id: i64, monitored: bool) -> Result<()> {
    state.engine.set_job_monitored(job_id, monitored).await
}

/// A background pass now, over every server with a saved password (it notifies as passes do).
#[tauri::command]
pub async fn check_now(state: State<'_, AppState>) -> Result<PassReport> {
    state.engine.check_now().await
}

/// Whether the app starts at login.
#[tauri::command]
pub async fn autostart<R: Runtime>(app: AppHandle<R>) -> Result<bool> {
    app.autolaunch().is_enabled().map_err(autostart_error)
}

/// Starts the app at login (in the tray) or not; returns the state now.
#[tauri::command]
pub async fn set_autostart<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Result<bool> {
    let launcher = app.autolaunch();
    if enabled {
        launcher.enable().map_err(autostart_error)?;
    } else if launcher.is_enabled().map_err(autostart_error)? {
        launcher.disable().map_err(autostart_error)?;
    }
    launcher.is_enabled().map_err(autostart_error)
}

fn autostart_error(e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::IoError,
        format!("Starting at login could not be changed ({e})."),
        "Check that your session allows apps to start at login, then try again.",
    )
}
