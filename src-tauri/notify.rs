//! Desktop notifications. Where no notification service runs (headless, minimal desktops)
//! showing one fails: that is logged, never fatal. Shown from a short-lived thread so a slow
//! D-Bus never holds up the caller.
//!
//! On Linux a watch notification is clickable (the freedesktop "default" action, through
//! notify-rust): the click shows the window on that Backup Logs entry (`navigate://entry`).
//! Once a watch notification is shown, `notice://shown` lets the window make that page ready.
//! Elsewhere it is shown by tauri-plugin-notification, which offers no click on the desktop.
use duplidesk_core::store::LogEntryRow;
use duplidesk_core::watch::Notice;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// `navigate://entry`: a notification was clicked; the window shows this entry.
pub const EVENT_NAVIGATE: &str = "navigate://entry";
/// `notice://shown`: a watch notification is on the desktop. A click on it opens Backup Logs,
/// so the window makes that page ready now rather than when the click comes.
pub const EVENT_NOTICE_SHOWN: &str = "notice://shown";

/// What `navigate://entry` carries: the entry to show, `None` when the notification was not
/// about one or the entry is gone (the window then shows Backup Logs).
#[derive(Debug, Clone, Serialize)]
struct Navigate {
    entry: Option<LogEntryRow>,
}

pub fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    let (app, title, body) = (app.clone(), title.to_owned(), body.to_owned());
    spawn(move || {
        if let Err(e) = app.notification().builder().title(&title).body(&body).show() {
            tracing::info!("notification not shown ({e}): {title}: {body}");
        }
    });
}

/// A notification the background watch decided on.
pub fn notice<R: Runtime>(app: &AppHandle<R>, notice: &Notice) {
    let (app, notice) = (app.clone(), notice.clone());
    let lang = crate::lang::current_lang(&app);
    let title = lang.notice_title(&notice);
    spawn(move || {
        #[cfg(target_os = "linux")]
        {
            let shown = notify_rust::Notification::new()
                .appname("Duplidesk")
                .summary(&title)
                .body(&notice.body)
                .action("default", lang.texts().show_entry)
                .show();
            match shown {
                Ok(handle) => {
                    shown_to(&app);
                    handle.wait_for_action(|action| {
                        if action == "default" {
                            open_entry(&app, notice.entry_id);
                        }
                    })
                }
                Err(e) => tracing::info!("notification not shown ({e}): {title}: {}", notice.body),
            }
        }
        #[cfg(not(target_os = "linux"))]
        match app.notification().builder().title(&title).body(&notice.body).show() {
            Ok(()) => shown_to(&app),
            Err(e) => tracing::info!("notification not shown ({e}): {title}: {}", notice.body),
        }
    });
}

/// Tells the window a watch notification is on the desktop (`notice://shown`).
fn shown_to<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = app.emit(EVENT_NOTICE_SHOWN, ()) {
        tracing::warn!("event {EVENT_NOTICE_SHOWN} not sent: {e}");
    }
}

/// Shows the window on the entry a clicked notification is about.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn open_entry<R: Runtime>(app: &AppHandle<R>, entry_id: Option<i64>) {
    crate::show_main_window(app);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let engine = app.state::<crate::AppState>().engine.clone();
        let entry = match entry_id {
            Some(id) => engine.notified_entry(id).await.unwrap_or_else(|e| {
                tracing::warn!(code = %e.code, "the notified entry could not be read: {}", e.message);
                None
            }),
            None => None,
        };
        if let Err(e) = app.emit(EVENT_NAVIGATE, Navigate { entry }) {
            tracing::warn!("event {EVENT_NAVIGATE} not sent: {e}");
        }
    });
}

fn spawn(work: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name("duplidesk-notify".into()).spawn(work) {
        tracing::info!("notification not shown ({e})");
    }
}
