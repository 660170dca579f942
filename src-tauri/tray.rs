//! The tray icon: status dot (ok / warning / error), and a menu with Quick collect, Cancel
//! collection (while one runs, whoever started it), Open, Quit in English or Spanish. On Linux
//! tray clicks are not delivered, so every action is in the menu.
use duplidesk_core::dashboard::Health;
use duplidesk_core::ops::CollectRequest;
use std::sync::Mutex;
use tauri::image::Image;

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use crate::lang::{current_lang, Lang};
use crate::state::AppState;

/// Id of the tray icon, for `AppHandle::tray_by_id`.
pub const TRAY_ID: &str = "main";

const MENU_QUICK_COLLECT: &str = "quick-collect";
const MENU_CANCEL: &str = "cancel-collect";
const MENU_OPEN: &str = "open";
const MENU_QUIT: &str = "quit";

/// What the tray icon shows: the app icon with a green, amber or red dot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrayStatus {
    Ok,
    Warning,
    Error,
}

impl TrayStatus {
    pub(crate) fn png(self) -> &'static [u8] {
        match self {
            TrayStatus::Ok => include_bytes!("../icons/tray-ok.png"),
            TrayStatus::Warning => include_bytes!("../icons/tray-warning.png"),
            TrayStatus::Error => include_bytes!("../icons/tray-error.png"),
        }
    }
}

impl From<Health> for TrayStatus {
    fn from(h: Health) -> Self {
        match h {
            Health::Ok => TrayStatus::Ok,
            Health::Warning => TrayStatus::Warning,
            Health::Error => TrayStatus::Error,
        }
    }
}

/// The status the tray icon shows, so an unchanged one is not sent again (each change
/// decodes a picture and goes over D-Bus to the panel).
struct TrayShown(Mutex<TrayStatus>);

/// Switches the tray icon; does nothing when there is no tray or it already shows `status`.
pub fn set_tray_status<R: Runtime>(app: &AppHandle<R>, status: TrayStatus) -> tauri::Result<()> {
    let (Some(tray), Some(shown)) = (app.tray_by_id(TRAY_ID), app.try_state::<TrayShown>()) else { return Ok(()) };
    let mut shown = shown.0.lock().unwrap_or_else(|e| e.into_inner());
    if *shown != status {
        tray.set_icon(Some(Image::from_bytes(status.png())?))?;
        *shown = status;
    }
    Ok(())
}

/// Sets the tray icon from the stored state (worst of servers and last runs).
pub async fn refresh_status<R: Runtime>(app: &AppHandle<R>) {
    if app.tray_by_id(TRAY_ID).is_none() {
        return;
    }
    let engine = app.state::<AppState>().engine.clone();
    match engine.health().await {
        Ok(h) => {
            if let Err(e) = set_tray_status(app, h.into()) {
                tracing::warn!("tray icon not updated: {e}");
            }
        }
        Err(e) => tracing::warn!(code = %e.code, "tray status unknown: {}", e.message),
    }
}

/// The menu items that follow whether a collection runs.
struct CollectItems<R: Runtime> {
    quick: MenuItem<R>,
    cancel: MenuItem<R>,
}

/// The tray menu's current items (replaced when the menu is relabelled).
struct TrayItems<R: Runtime>(Mutex<Option<CollectItems<R>>>);

fn build_menu<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> tauri::Result<Menu<R>> {
    let t = lang.texts();
    let running = app.state::<AppState>().engine.is_collecting();
    let quick = MenuItem::with_id(app, MENU_QUICK_COLLECT, t.quick_collect, !running, None::<&str>)?;
    let cancel = MenuItem::with_id(app, MENU_CANCEL, t.cancel_collect, running, None::<&str>)?;
    let open = MenuItem::with_id(app, MENU_OPEN, t.open, true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let quit = MenuItem::with_id(app, MENU_QUIT, t.quit, true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&quick, &cancel, &open, &separator, &quit])?;
    if let Some(items) = app.try_state::<TrayItems<R>>() {
        *items.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(CollectItems { quick, cancel });
    }
    Ok(menu)
}

/// Enables Cancel collection while a collection runs (and Quick collect otherwise).
pub fn set_collecting<R: Runtime>(app: &AppHandle<R>, running: bool) {
    let Some(state) = app.try_state::<TrayItems<R>>() else { return };
    let guard = state.0.lock().unwrap_or_else(|e| e.into_inner());
    let Some(items) = guard.as_ref() else { return };
    if let Err(e) = items.quick.set_enabled(!running).and_then(|()| items.cancel.set_enabled(running)) {
        tracing::warn!("tray menu not updated: {e}");
    }
}

/// Creates the tray icon (fails where there is no tray support; the caller copes).
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    app.manage(TrayItems::<R>(Mutex::new(None)));
    app.manage(TrayShown(Mutex::new(TrayStatus::Ok)));
    let menu = build_menu(app, current_lang(app))?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(TrayStatus::Ok.png())?)
        .tooltip("Duplidesk")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| match event.id().as_ref() {
            MENU_QUICK_COLLECT => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move { quick_collect(&app).await });
            }
            MENU_CANCEL => app.state::<AppState>().engine.cancel_collection(),
            MENU_OPEN => crate::show_main_window(app),
            MENU_QUIT => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(())
}

/// Relabels the tray menu after a language change.
pub fn relabel<R: Runtime>(app: &AppHandle<R>) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        match build_menu(app, current_lang(app)) {
            Ok(menu) => {
                if let Err(e) = tray.set_menu(Some(menu)) {
                    tracing::warn!("tray menu not relabelled: {e}");
                }
            }
            Err(e) => tracing::warn!("tray menu not relabelled: {e}"),
        }
    }
}

/// Quick collect: every configured server, as the window's Collect all does (same progress
/// and change events), then a notification with the outcome.
pub async fn quick_collect<R: Runtime>(app: &AppHandle<R>) {
    let lang = current_lang(app);
    let texts = lang.texts();
    let engine = app.state::<AppState>().engine.clone();
    match engine.collect(&CollectRequest { all: true, ..CollectRequest::default() }, None).await {
        Ok(hosts) => {
            let failed = hosts.iter().filter(|h| !h.ok).count();
            let new = hosts.iter().map(|h| h.new).sum();
            let body = lang.summary(hosts.len() - failed, new, failed);
            let title = if failed > 0 { texts.failed_title } else { texts.collected_title };
            crate::notify::notify(app, title, &body);
        }
        Err(e) => crate::notify::notify(app, texts.failed_title, &e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tray_icons_are_32px_rgba() {
        for status in [TrayStatus::Ok, TrayStatus::Warning, TrayStatus::Error] {
            let image = Image::from_bytes(status.png()).expect("tray icon decodes");
            assert_eq!((image.width(), image.height()), (32, 32), "{status:?}");
            assert_eq!(image.rgba().len(), 32 * 32 * 4, "{status:?}");
        }
    }
}
