//! The app in its OS: `diagnostics`, `open_log_folder`.
use duplidesk_core::ops::{Component, Diagnostics};
use duplidesk_core::{Error, ErrorCode, Result};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt as _;

use crate::state::AppState;

/// The web view's name on this OS.
const WEBVIEW: &str = if cfg!(target_os = "linux") {
    "WebKitGTK"
} else if cfg!(target_os = "macos") {
    "WebKit"
} else {
    "WebView2"
};

/// Versions (Duplidesk, Tauri, the web view), OS, store, keychain, log folder and each
/// server's last errors; `report` is all of it as text for a bug report. No secrets.
#[tauri::command]
pub async fn diagnostics(state: State<'_, AppState>) -> Result<Diagnostics> {
    let mut components = vec![Component::new("Tauri", tauri::VERSION)];
    if let Ok(version) = tauri::webview_version() {
        components.push(Component::new(WEBVIEW, version));
    }
    Ok(state.engine.diagnostics(components).await)
}

/// Opens the log folder in the file manager (creating it if needed). Returns its path.
#[tauri::command]
pub async fn open_log_folder<R: Runtime>(app: AppHandle<R>) -> Result<String> {
    let dir = duplidesk_core::logging::state().map_or_else(duplidesk_core::logging::log_dir, |s| s.dir.clone());
    let shown = dir.display().to_string();
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&format!("Could not create the log folder {shown}"), e))?;
    app.opener().open_path(shown.clone(), None::<&str>).map_err(|e| {
        Error::new(
            ErrorCode::IoError,
            format!("The log folder could not be opened ({e})."),
            format!("Open it in your file manager: {shown}"),
        )
    })?;
    Ok(shown)
}
