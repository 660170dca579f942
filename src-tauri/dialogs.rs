//! Native file dialogs (tauri-plugin-dialog), opened from Rust. The callback forms are used so
//! no thread blocks while the user picks; they are safe to call from any thread.
use std::path::PathBuf;

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{DialogExt, FilePath};
use tokio::sync::oneshot;

use crate::lang::current_lang;

fn into_path(p: FilePath) -> Option<PathBuf> {
    p.into_path().ok()
}

/// Asks where to save a collected JSON file; `None` when cancelled.
pub async fn save_json<R: Runtime>(app: &AppHandle<R>, default_name: &str) -> Option<PathBuf> {
    let (tx, rx) = oneshot::channel();
    app.dialog()
        .file()
        .set_title(current_lang(app).texts().save_dialog_title)
        .set_file_name(default_name)
        .add_filter("JSON", &["json"])
        .save_file(move |path| {
            let _ = tx.send(path.and_then(into_path));
        });
    rx.await.ok().flatten()
}

/// Asks where to export the Backup Logs (`backup-logs_<local time>.csv|json`); `None` when
/// cancelled.
pub async fn save_logs<R: Runtime>(app: &AppHandle<R>, format: duplidesk_core::logs_file::LogFormat) -> Option<PathBuf> {
    let ext = format.extension();
    let name = format!("backup-logs_{}.{ext}", duplidesk_core::export::local_now().format("%Y-%m-%d_%H-%M-%S"));
    let (tx, rx) = oneshot::channel();
    app.dialog()
        .file()
        .set_title(current_lang(app).texts().export_dialog_title)
        .set_file_name(&name)
        .add_filter(ext.to_uppercase(), &[ext])
        .save_file(move |path| {
            let _ = tx.send(path.and_then(into_path));
        });
    rx.await.ok().flatten()
}

/// Asks for collected JSON files to import; `None` when cancelled.
pub async fn pick_json_files<R: Runtime>(app: &AppHandle<R>) -> Option<Vec<PathBuf>> {
    pick_files(app, current_lang(app).texts().import_dialog_title, "JSON", &["json"]).await
}

/// Asks for certificate authority files (PEM or DER); `None` when cancelled.
pub async fn pick_ca_files<R: Runtime>(app: &AppHandle<R>) -> Option<Vec<PathBuf>> {
    pick_files(app, current_lang(app).texts().ca_dialog_title, "PEM / CRT / CER", &["pem", "crt", "cer"]).await
}

async fn pick_files<R: Runtime>(app: &AppHandle<R>, title: &str, filter: &str, extensions: &[&str]) -> Option<Vec<PathBuf>> {
    let (tx, rx) = oneshot::channel();
    app.dialog().file().set_title(title).add_filter(filter, extensions).pick_files(move |paths| {
        let _ = tx.send(paths.map(|ps| ps.into_iter().filter_map(into_path).collect::<Vec<_>>()));
    });
    rx.await.ok().flatten()
}
