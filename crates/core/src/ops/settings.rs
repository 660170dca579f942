//! Settings and what the engine knows about its own state.
use super::{lock, Engine};
use crate::error::{Error, Result};
use crate::store::setting_keys;
use serde::Serialize;

/// The languages Duplidesk speaks.
pub const LANGUAGES: [&str; 2] = ["en", "es"];

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeychainStatus {
    pub available: bool,
    /// Why there is none.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoStatus {
    pub running: bool,
    pub server_id: Option<i64>,
    pub url: Option<String>,
}

/// The engine's state, for an "about" view. Answers even when the store could not be opened.
#[derive(Debug, Clone)]
pub struct Status {
    pub data_dir: String,
    pub keychain: KeychainStatus,
    /// The stored language choice: "en", "es", or `None` to follow the OS.
    pub language: Option<String>,
    pub demo: DemoStatus,
    /// Why the store could not be opened.
    pub store_error: Option<Error>,
    /// Whether a collection is running (see `Listener::collecting` for the changes).
    pub collecting: bool,
}

impl Engine {
    pub async fn status(&self) -> Status {
        let language = self.language();
        let server_id = self.demo_server_id().await.ok().flatten();
        let url = self.demo_url();
        Status {
            data_dir: self.data_dir().display().to_string(),
            keychain: KeychainStatus { available: self.keychain.store.is_some(), message: self.keychain.problem.clone() },
            language,
            demo: DemoStatus { running: url.is_some(), server_id, url },
            store_error: self.db().err(),
            collecting: self.is_collecting(),
        }
    }

    /// The stored language choice; `None` = follow the OS.
    pub fn language(&self) -> Option<String> {
        lock(&self.language).clone()
    }

    /// Stores a language choice ("en", "es"), or `None` to follow the OS.
    pub async fn set_language(&self, language: Option<String>) -> Result<()> {
        match language.clone() {
            Some(l) if LANGUAGES.contains(&l.as_str()) => self.db()?.write(move |s| s.set_setting(setting_keys::LANGUAGE, &l)).await?,
            None => self.db()?.write(|s| s.delete_setting(setting_keys::LANGUAGE)).await?,
            Some(other) => {
                return Err(Error::invalid_input(
                    format!("\"{other}\" is not a supported language."),
                    "Use \"en\", \"es\", or nothing to follow the system.",
                ))
            }
        }
        *lock(&self.language) = language;
        Ok(())
    }
}
