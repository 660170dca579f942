//! `app_info`, `set_language`.
use duplidesk_core::ops::{DemoStatus, KeychainStatus};
use duplidesk_core::{Error, Result};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::lang;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub keychain: KeychainStatus,
    /// The stored choice: "en", "es", or null to follow the OS.
    pub language: Option<String>,
    /// The language to show now: the stored choice, else the OS language.
    pub ui_language: String,
    pub demo: DemoStatus,
    /// Why the local database could not be opened (then every data command fails with it).
    pub store_error: Option<Error>,
    /// Whether a collection is running now (`collect://running` tells the changes).
    pub collecting: bool,
}

/// Answers even when the store could not be opened (`storeError` then says why).
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    let status = state.engine.status().await;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: status.data_dir,
        keychain: status.keychain,
        ui_language: lang::resolve(status.language.as_deref()).code().to_owned(),
        language: status.language,
        demo: status.demo,
        store_error: status.store_error,
        collecting: status.collecting,
    })
}

/// `"en"`, `"es"`, or null to follow the OS. Also relabels the tray menu. Returns the language
/// to show now (as `app_info().uiLanguage`).
#[tauri::command]
pub async fn set_language<R: Runtime>(app: AppHandle<R>, language: Option<String>) -> Result<String> {
    let engine = app.state::<AppState>().engine.clone();
    engine.set_language(language).await?;
    crate::tray::relabel(&app);
    Ok(lang::current_lang(&app).code().to_owned())
}
