//! The Duplidesk desktop shell: window, tray, plugins and the Tauri commands of
//! docs/commands.md. The use cases live in `duplidesk_core::Engine`; commands only translate.
//!
//! Modules: `state` (the engine and its events), `commands/*` (one file per concern, listed in
//! `commands/list.rs`), `tray` (icon, menu, Quick collect), `notify`, `dialogs` (native file
//! dialogs), `lang` (which language to speak).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use duplidesk_core::ops::Listener;
use tauri::{AppHandle, Manager, Runtime, WindowEvent};

pub mod commands;
pub mod dialogs;
pub mod lang;
pub mod memory;
pub mod notify;
pub mod state;
pub mod tray;
pub mod watcher;

pub use state::{AppState, ShellEvents};
pub use tray::{set_tray_status, TrayStatus, TRAY_ID};

/// Label of the one window (tauri.conf.json).
pub const MAIN_WINDOW: &str = "main";

/// Whether a tray icon exists. Without one, closing the window quits the app (a hidden window
/// with no tray would leave the user no way back and no way to quit).
struct TrayAvailable(AtomicBool);

/// Shows, un-minimises and focuses the main window.
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// The app's Tauri context (config, embedded `ui/`, capabilities).
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// What every build of the app has, the real one and the `tauri::test` one: the plugins the
/// commands use, the commands, and the state (made by `make_state` with a listener that
/// forwards the engine's events to this app once it is built).
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>, make_state: impl FnOnce(Arc<dyn Listener>) -> AppState) -> tauri::Builder<R> {
    let events = ShellEvents::<R>::new();
    let state = make_state(events.clone());
    let attach = tauri::plugin::Builder::<R>::new("duplidesk-events")
        .setup(move |app, _api| {
            events.attach(app.clone());
            Ok(())
        })
        .build();
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, Some(vec![BACKGROUND_ARG])))
        .plugin(attach)
        .manage(state)
        .invoke_handler(commands::invoke_handler())
}

/// The argument the login item starts the app with: in the tray, the window hidden.
pub const BACKGROUND_ARG: &str = "--background";

/// Runs the desktop app (the binary calls this when started without arguments, or with
/// [`BACKGROUND_ARG`]: `in_background` then keeps the window hidden until the tray opens it).
pub fn run(in_background: bool) {
    // The log file, and warnings on the terminal the app may have been started from.
    duplidesk_core::logging::init(duplidesk_core::logging::Role::App, Some(tracing::level_filters::LevelFilter::WARN));
    let builder = tauri::Builder::default()
        // First, so a second launch exits before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            show_main_window(app);
        }));
    let app = with_commands(builder, AppState::from_env)
        .manage(TrayAvailable(AtomicBool::new(false)))
        .setup(move |app| {
            let handle = app.handle().clone();
            match tray::create(&handle) {
                Ok(()) => app.state::<TrayAvailable>().0.store(true, Ordering::Relaxed),
                Err(e) => tracing::warn!("no tray icon ({e}); closing the window will quit"),
            }
            let has_tray = app.state::<TrayAvailable>().0.load(Ordering::Relaxed);
            if !(in_background && has_tray) {
                show_main_window(&handle);
            }
            let engine = app.state::<AppState>().engine.clone();
            tauri::async_runtime::spawn(async move {
                tray::refresh_status(&handle).await;
                if let Err(e) = engine.restore_demo().await {
                    tracing::warn!(code = %e.code, "the demo server could not be restored: {}", e.message);
                }
            });
            watcher::start(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let has_tray = window.state::<TrayAvailable>().0.load(Ordering::Relaxed);
                if window.label() == MAIN_WINDOW && has_tray {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .build(context())
        .expect("Duplidesk could not start");

    app.run(|_app, _event| {
        // macOS: clicking the Dock icon while the window is hidden brings it back.
        #[cfg(target_os = "macos")]
        if let tauri::RunEvent::Reopen { .. } = _event {
            show_main_window(_app);
        }
    });
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod ui_contract;
