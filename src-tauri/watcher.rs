//! The background watch while the app runs (window open or only the tray): the engine's loop
//! (`duplidesk_core::watch::runner`) on Tauri's async runtime. Its notifications reach the
//! desktop through `ShellEvents::notify`; its entries refresh the window and the tray icon
//! through the usual `data://changed`.
use duplidesk_core::collect::CancelFlag;
use duplidesk_core::watch::runner;
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// Stops the background watch when the app exits.
pub struct Watcher(pub CancelFlag);

pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let engine = app.state::<AppState>().engine.clone();
    let stop = CancelFlag::default();
    app.manage(Watcher(stop.clone()));
    tauri::async_runtime::spawn(async move {
        runner::run(engine, None, stop, |result| {
            if let Err(e) = result {
                tracing::warn!(code = %e.code, "a background pass failed: {} {}", e.message, e.hint);
            }
            crate::memory::release_free_heap();
        })
        .await;
    });
}
