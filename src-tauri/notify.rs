//! Desktop notifications (tauri-plugin-notification). Where no notification service runs
//! (headless, minimal desktops) showing one fails: that is logged, never fatal. Shown from a
//! short-lived thread so a slow D-Bus never holds up the caller.
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

pub fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    let (app, title, body) = (app.clone(), title.to_owned(), body.to_owned());
    let spawned = std::thread::Builder::new().name("duplidesk-notify".into()).spawn(move || {
        if let Err(e) = app.notification().builder().title(&title).body(&body).show() {
            tracing::info!("notification not shown ({e}): {title}: {body}");
        }
    });
    if let Err(e) = spawned {
        tracing::info!("notification not shown ({e})");
    }
}
