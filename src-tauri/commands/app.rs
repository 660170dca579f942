//! `app_info`, `set_language`.
use duplidesk_core::dashboard::{self, SETTING_LANGUAGE};
use duplidesk_core::{Error, Result};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};

use crate::lang;
use crate::state::{lock, AppState};

#[derive(Debug, Clone, Serialize)]
pub struct KeychainInfo {
    pub available: bool,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoInfo {
    pub running: bool,
    pub server_id: Option<i64>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: &'static str,
    pub data_dir: String,
    pub keychain: KeychainInfo,
    /// The stored choice: "en", "es", or null to follow the OS.
    pub language: Option<String>,
    /// The language to show now: the stored choice, else the OS language.
    pub ui_language: &'static str,
    pub demo: DemoInfo,
    /// Why the local database could not be opened (then every data command fails with it).
    pub store_error: Option<Error>,
}

/// Answers even when the store could not be opened (`storeError` then says why).
#[tauri::command]
pub async fn app_info<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo> {
    let state = app.state::<AppState>();
    let store_error = state.shared_store().err();
    let language = state.with_store(|s| s.setting(SETTING_LANGUAGE)).ok().flatten();
    let server_id = state.with_store(|s| dashboard::demo_server_id(s)).ok().flatten();
    let url = lock(&state.demo).as_ref().map(|d| d.url());
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: state.data_dir.display().to_string(),
        keychain: KeychainInfo { available: state.secrets.is_some(), message: state.keychain_message.clone() },
        ui_language: lang::resolve(language.as_deref()).code(),
        language,
        demo: DemoInfo { running: url.is_some(), server_id, url },
        store_error,
    })
}

/// `"en"`, `"es"`, or null to follow the OS. Also relabels the tray menu. Returns the language
/// to show now (as `app_info().uiLanguage`).
#[tauri::command]
pub async fn set_language<R: Runtime>(app: AppHandle<R>, language: Option<String>) -> Result<&'static str> {
    let state = app.state::<AppState>();
    match language.as_deref() {
        Some(l @ ("en" | "es")) => state.with_store(|s| s.set_setting(SETTING_LANGUAGE, l))?,
        None => state.with_store(|s| s.delete_setting(SETTING_LANGUAGE))?,
        Some(other) => {
            return Err(Error::invalid_input(
                format!("\"{other}\" is not a supported language."),
                "Use \"en\", \"es\" or null (follow the system).",
            ))
        }
    }
    crate::tray::relabel(&app);
    Ok(lang::resolve(language.as_deref()).code())
}
