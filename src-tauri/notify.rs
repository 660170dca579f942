//! Desktop notifications. Where no notification service runs (headless, minimal desktops)
//! showing one fails: that is logged, never fatal. Shown from a short-lived thread so a slow
//! D-Bus never holds up the caller.
//!
//! On Linux a watch notification is clickable (the freedesktop "default" action, through
//! notify-rust): the click shows the window on that Backup Logs entry (`navigate://entry`).
//! Elsewhere it is shown by tauri-plugin-notification, which offers no click on the desktop.
use duplidesk_core::watch::Notice;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_notification::NotificationExt;

/// `navigate://entry`: a notification was clicked; the window shows this entry.
pub const EVENT_NAVIGATE: &str = "navigate://entry";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Navigate {
    entry_id: Option<i64>,
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
    let title = format!("Duplidesk: {}", notice.title);
    spawn(move || {
        #[cfg(target_os = "linux")]
        {
            let shown =
                notify_rust::Notification::new().appname("Duplidesk").summary(&title).body(&notice.body).action("default", "Open").show();
            match shown {
                Ok(handle) => handle.wait_for_action(|action| {
                    if action == "default" {
                        crate::show_main_window(&app);
                        let _ = app.emit(EVENT_NAVIGATE, Navigate { entry_id: notice.entry_id });
                    }
                }),
                Err(e) => tracing::info!("notification not shown ({e}): {title}: {}", notice.body),
            }
        }
        #[cfg(not(target_os = "linux"))]
        if let Err(e) = app.notification().builder().title(&title).body(&notice.body).show() {
            tracing::info!("notification not shown ({e}): {title}: {}", notice.body);
        }
    });
}

fn spawn(work: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name("duplidesk-notify".into()).spawn(work) {
        tracing::info!("notification not shown ({e})");
    }
}
