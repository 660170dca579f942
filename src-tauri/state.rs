//! What the app keeps while it runs: the engine (store, keychain, running collection, demo
//! server) and the bridge from the engine's events to the window and the tray.
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use duplidesk_core::collect::{CollectOptions, Progress};
use duplidesk_core::ops::{Keychain, Listener};
use duplidesk_core::Engine;
use tauri::{AppHandle, Emitter, Runtime};

use crate::commands::{EVENT_DATA_CHANGED, EVENT_PROGRESS, EVENT_RUNNING};

/// Environment variable overriding the data folder (tests, portable installs).
pub const ENV_DATA_DIR: &str = "DUPLIDESK_DATA_DIR";
/// TEST-ONLY override: when set, "save JSON" writes straight into this folder (file name as
/// the dialog would propose) instead of opening the native save dialog, so automated tests
/// need not drive a GTK dialog. Not meant for users.
pub const ENV_SAVE_DIR: &str = "DUPLIDESK_SAVE_DIR";

/// Collections started from the window or the tray: a few hosts at a time.
const APP_CONCURRENCY: usize = 16;

pub struct AppState {
    pub engine: Arc<Engine>,
    /// See [`ENV_SAVE_DIR`]: save JSON here instead of asking through the save dialog.
    pub save_dir: Option<PathBuf>,
}

impl AppState {
    /// The app's state: data folder from `DUPLIDESK_DATA_DIR` or the OS default, the OS
    /// keychain if it works.
    pub fn from_env(events: Arc<dyn Listener>) -> AppState {
        let data_dir = std::env::var_os(ENV_DATA_DIR).map(PathBuf::from).unwrap_or_else(duplidesk_core::default_data_dir);
        let keychain = Keychain::probe_os();
        if let Some(why) = &keychain.problem {
            tracing::warn!("no keychain: {why}");
        }
        let mut state = AppState::new(data_dir, keychain, events);
        state.save_dir = std::env::var_os(ENV_SAVE_DIR).filter(|d| !d.is_empty()).map(PathBuf::from);
        state
    }

    pub fn new(data_dir: PathBuf, keychain: Keychain, events: Arc<dyn Listener>) -> AppState {
        let options = CollectOptions { concurrency: APP_CONCURRENCY, ..CollectOptions::default() };
        let engine = Engine::new(data_dir, keychain, options, events);
        AppState { engine: Arc::new(engine), save_dir: None }
    }
}

/// Forwards the engine's events to the window (`collect://progress`, `data://changed`) and
/// brings the tray icon up to date. Attached to the app once it is built.
pub struct ShellEvents<R: Runtime> {
    app: OnceLock<AppHandle<R>>,
}

impl<R: Runtime> ShellEvents<R> {
    pub fn new() -> Arc<ShellEvents<R>> {
        Arc::new(ShellEvents { app: OnceLock::new() })
    }

    pub fn attach(&self, app: AppHandle<R>) {
        let _ = self.app.set(app);
    }
}

impl<R: Runtime> Listener for ShellEvents<R> {
    fn progress(&self, progress: &Progress) {
        if let Some(app) = self.app.get() {
            let _ = app.emit(EVENT_PROGRESS, progress);
        }
    }

    fn data_changed(&self) {
        let Some(app) = self.app.get() else { return };
        if let Err(e) = app.emit(EVENT_DATA_CHANGED, ()) {
            tracing::warn!("could not emit {EVENT_DATA_CHANGED}: {e}");
        }
        let app = app.clone();
        tauri::async_runtime::spawn(async move { crate::tray::refresh_status(&app).await });
    }

    fn notify(&self, notice: &duplidesk_core::watch::Notice) {
        if let Some(app) = self.app.get() {
            crate::notify::notice(app, notice);
        }
    }

    fn collecting(&self, running: bool) {
        let Some(app) = self.app.get() else { return };
        if let Err(e) = app.emit(EVENT_RUNNING, running) {
            tracing::warn!("could not emit {EVENT_RUNNING}: {e}");
        }
        crate::tray::set_collecting(app, running);
    }
}
