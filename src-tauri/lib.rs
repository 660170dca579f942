//! The Duplidesk desktop shell: window, tray, plugins. The engine lives in `duplidesk_core`.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, WindowEvent};

/// Label of the one window (tauri.conf.json).
pub const MAIN_WINDOW: &str = "main";
/// Id of the tray icon, for `AppHandle::tray_by_id`.
pub const TRAY_ID: &str = "main";
/// Event emitted to the UI when "Quick collect" is picked in the tray menu.
pub const EVENT_QUICK_COLLECT: &str = "tray://quick-collect";

const MENU_QUICK_COLLECT: &str = "quick-collect";
const MENU_OPEN: &str = "open";
const MENU_QUIT: &str = "quit";

/// Whether a tray icon exists. Without one, closing the window quits the app (a hidden window
/// with no tray would leave the user no way back and no way to quit).
struct TrayAvailable(AtomicBool);

/// What the tray icon shows: the app icon with a green, amber or red dot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrayStatus {
    Ok,
    Warning,
    Error,
}

impl TrayStatus {
    fn png(self) -> &'static [u8] {
        match self {
            TrayStatus::Ok => include_bytes!("../icons/tray-ok.png"),
            TrayStatus::Warning => include_bytes!("../icons/tray-warning.png"),
            TrayStatus::Error => include_bytes!("../icons/tray-error.png"),
        }
    }
}

/// Switches the tray icon; does nothing when there is no tray.
pub fn set_tray_status(app: &AppHandle, status: TrayStatus) -> tauri::Result<()> {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        tray.set_icon(Some(Image::from_bytes(status.png())?))?;
    }
    Ok(())
}

/// Shows, un-minimises and focuses the main window.
pub fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn create_tray(app: &AppHandle) -> tauri::Result<()> {
    let quick = MenuItem::with_id(app, MENU_QUICK_COLLECT, "Quick collect", true, None::<&str>)?;
    let open = MenuItem::with_id(app, MENU_OPEN, "Open Duplidesk", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let quit = MenuItem::with_id(app, MENU_QUIT, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&quick, &open, &separator, &quit])?;

    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(TrayStatus::Ok.png())?)
        .tooltip("Duplidesk")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| match event.id().as_ref() {
            MENU_QUICK_COLLECT => {
                if let Err(e) = app.emit(EVENT_QUICK_COLLECT, ()) {
                    eprintln!("duplidesk: could not start a quick collect: {e}");
                }
            }
            MENU_OPEN => show_main_window(app),
            MENU_QUIT => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(())
}

/// Runs the desktop app (the binary calls this when started without arguments).
pub fn run() {
    let app = tauri::Builder::default()
        // First, so a second launch exits before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            show_main_window(app);
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(TrayAvailable(AtomicBool::new(false)))
        .setup(|app| {
            match create_tray(app.handle()) {
                Ok(()) => app.state::<TrayAvailable>().0.store(true, Ordering::Relaxed),
                Err(e) => eprintln!("duplidesk: no tray icon ({e}); closing the window will quit"),
            }
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
        .build(tauri::generate_context!())
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
