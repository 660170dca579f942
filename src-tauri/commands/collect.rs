//! `collect`, `cancel_collect`, and the one collection path the tray's Quick collect, the demo
//! and Re-trust share.
use std::path::PathBuf;
use std::sync::Arc;

use duplidesk_core::collect::{CollectOptions, Collector, HostSummary, Progress, Target};
use duplidesk_core::connect::ConnectOptions;
use duplidesk_core::hosts::{parse_hosts, HostSpec, DEFAULT_PORT};
use duplidesk_core::{dashboard, export, Error, Result};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use super::EVENT_PROGRESS;
use crate::state::AppState;

/// The `request` argument of `collect`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectRequest {
    /// Comma-separated hosts (`nas.local,192.168.1.23:8300,[fd00::5]`).
    pub hosts: Option<String>,
    /// Port for hosts that name none (default 8200).
    pub port: Option<u16>,
    /// Typed password; saved in the keychain once it worked. Empty = the keychain's.
    pub password: Option<String>,
    /// Configured servers to collect.
    pub server_ids: Option<Vec<i64>>,
    /// Every configured server (also what an empty request means).
    pub all: Option<bool>,
    /// Save what was collected as JSON (one native save dialog per server).
    #[serde(default)]
    pub save_json: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CollectResult {
    pub hosts: Vec<HostSummary>,
    /// Paths of the JSON files written.
    pub saved: Vec<String>,
}

#[tauri::command]
pub async fn collect<R: Runtime>(app: AppHandle<R>, request: CollectRequest) -> Result<CollectResult> {
    run_collection(&app, request, false).await
}

#[tauri::command]
pub async fn cancel_collect(state: State<'_, AppState>) -> Result<()> {
    state.cancel_collection();
    Ok(())
}

/// Turns a request into targets: typed hosts, chosen servers, or every configured server.
pub fn targets(state: &AppState, request: &CollectRequest) -> Result<Vec<Target>> {
    let typed = request.password.clone().filter(|p| !p.is_empty());
    let demo = state.with_store(|s| dashboard::demo_server_id(s))?;
    if let Some(hosts) = request.hosts.as_deref().filter(|h| !h.trim().is_empty()) {
        let specs = parse_hosts(hosts, request.port.unwrap_or(DEFAULT_PORT))?;
        return Ok(specs.into_iter().map(|spec| Target { spec, password: typed.clone() }).collect());
    }
    let servers = state.with_store(|s| s.servers())?;
    let chosen: Vec<_> = match &request.server_ids {
        Some(ids) if request.all != Some(true) => {
            if let Some(missing) = ids.iter().find(|id| !servers.iter().any(|s| s.id == **id)) {
                return Err(Error::invalid_input(format!("Server {missing} no longer exists."), "Reload the server list."));
            }
            servers.into_iter().filter(|s| ids.contains(&s.id)).collect()
        }
        _ => servers,
    };
    if chosen.is_empty() {
        return Err(Error::invalid_input(
            "No server is configured yet.",
            "Collect from a host first (or start the demo); it then becomes a configured server.",
        ));
    }
    Ok(chosen
        .into_iter()
        .map(|s| {
            // The demo server's password is a known constant: it works without a keychain.
            let password = if demo == Some(s.id) { Some(crate::commands::demo::DEMO_PASSWORD.to_owned()) } else { typed.clone() };
            Target { spec: HostSpec { host: s.host, port: s.port }, password }
        })
        .collect())
}

/// The one collection path: refuses a second concurrent run, forwards progress as
/// `collect://progress`, saves JSON when asked, then emits `data://changed` and updates the tray.
pub async fn run_collection<R: Runtime>(app: &AppHandle<R>, request: CollectRequest, trust_new_certificate: bool) -> Result<CollectResult> {
    let state = app.state::<AppState>();
    let guard = state.begin_collection()?;
    let targets = targets(&state, &request)?;
    let options = CollectOptions {
        connect: ConnectOptions { trust_new_certificate, ..ConnectOptions::default() },
        concurrency: 16,
        keep_export: request.save_json,
        save_password: true,
    };
    let collector = Collector::new(state.shared_store()?, state.secrets.clone(), options);
    let emitter = app.clone();
    let progress = Arc::new(move |p: Progress| {
        let _ = emitter.emit(EVENT_PROGRESS, &p);
    });
    let mut hosts = collector.collect(targets, progress, &guard.flag).await;
    drop(guard);

    let saved = if request.save_json { save_exports(app, &state, &mut hosts).await } else { Vec::new() };
    super::data_changed(app);
    Ok(CollectResult { hosts, saved })
}

/// Saves each host's collected JSON: through the native save dialog, or — test-only override —
/// straight into the folder `DUPLIDESK_SAVE_DIR` names (see `AppState::save_dir`). A failed
/// write becomes a note on that host; a cancelled dialog saves nothing.
async fn save_exports<R: Runtime>(app: &AppHandle<R>, state: &AppState, hosts: &mut [HostSummary]) -> Vec<String> {
    let mut saved = Vec::new();
    for host in hosts.iter_mut() {
        let Some(data) = host.export.take() else { continue };
        let file_name = export::file_name(&data.server_name, export::local_now());
        let target: Option<PathBuf> = match &state.save_dir {
            Some(dir) => Some(dir.join(&file_name)),
            None => crate::dialogs::save_json(app, &file_name).await,
        };
        let Some(path) = target else { continue };
        match tauri::async_runtime::spawn_blocking(move || export::write(&data, &path)).await {
            Ok(Ok(path)) => saved.push(path.display().to_string()),
            Ok(Err(e)) => host.notes.push(e.message),
            Err(e) => host.notes.push(format!("Saving failed: {e}")),
        }
    }
    saved
}
