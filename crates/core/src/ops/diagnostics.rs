//! What a user attaches to a bug report: versions, OS, the store (where, how big, how full),
//! the keychain, the log folder, and each server's last errors. Never a password, a session
//! token or a credential: the store holds none, and every error text is passed through the
//! URL redactor.
use super::settings::KeychainStatus;
use super::Engine;
use crate::error::Error;
use crate::model::Protocol;
use crate::store::{RunFailure, DB_FILE_NAME};
use serde::Serialize;
use std::fmt::Write as _;

/// Failed collections listed per server.
pub const ERRORS_PER_SERVER: u32 = 3;

/// A named piece of software and its version ("Tauri", "2.12.5").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    pub name: String,
    pub version: String,
}

impl Component {
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Component {
        Component { name: name.into(), version: version.into() }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StoreInfo {
    /// The store file.
    pub path: String,
    /// The file and its write-ahead log, in bytes.
    pub size_bytes: u64,
    /// The store's schema version (`None` when it could not be opened).
    pub schema_version: Option<i64>,
    /// The schema version this build writes.
    pub known_schema_version: i64,
    pub servers: u64,
    pub jobs: u64,
    pub entries: u64,
    /// Why the store could not be opened or read.
    pub error: Option<Error>,
}

/// A failed collection.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecentError {
    /// Unix seconds.
    pub at: i64,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ServerHealth {
    pub name: String,
    pub protocol: Option<Protocol>,
    /// The Duplicati version it reported.
    pub version: Option<String>,
    pub last_collect_at: Option<i64>,
    pub last_ok: Option<bool>,
    /// Its last failed collections, newest first.
    pub recent_errors: Vec<RecentError>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostics {
    /// Duplidesk first, then what the front end adds (Tauri, the web view).
    pub versions: Vec<Component>,
    /// The operating system: name, version, architecture.
    pub os: String,
    pub data_dir: String,
    pub store: StoreInfo,
    pub keychain: KeychainStatus,
    pub log_dir: String,
    /// Why there is no log file.
    pub log_problem: Option<String>,
    pub servers: Vec<ServerHealth>,
    /// All of the above as plain English text for a bug report.
    pub report: String,
}

impl Engine {
    /// The diagnostics; `components` are the front end's own (e.g. Tauri and the web view).
    /// Answers even when the store could not be opened (`store.error` says why).
    pub async fn diagnostics(&self, components: Vec<Component>) -> Diagnostics {
        let mut versions = vec![Component::new("Duplidesk", env!("CARGO_PKG_VERSION"))];
        versions.extend(components);
        let path = self.data_dir().join(DB_FILE_NAME);
        let size_bytes =
            [path.clone(), path.with_extension("sqlite-wal")].iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
        let mut store = StoreInfo {
            path: path.display().to_string(),
            size_bytes,
            schema_version: None,
            known_schema_version: crate::store::schema::VERSION,
            servers: 0,
            jobs: 0,
            entries: 0,
            error: None,
        };
        let mut servers = Vec::new();
        let read = match self.db() {
            Ok(db) => db.read(|s| Ok((s.schema_version()?, s.counts()?, s.servers()?, s.recent_failures(ERRORS_PER_SERVER)?))).await,
            Err(e) => Err(e),
        };
        match read {
            Ok((version, (n_servers, jobs, entries), rows, failures)) => {
                store.schema_version = Some(version);
                (store.servers, store.jobs, store.entries) = (n_servers, jobs, entries);
                servers = rows
                    .iter()
                    .map(|s| ServerHealth {
                        name: s.display_name().to_owned(),
                        protocol: s.protocol,
                        version: s.version.clone(),
                        last_collect_at: s.last_collect_at,
                        last_ok: s.last_ok,
                        recent_errors: failures.iter().filter(|f| f.server_id == s.id).map(recent_error).collect(),
                    })
                    .collect();
            }
            Err(e) => store.error = Some(e),
        }
        let (log_dir, log_problem) = match crate::logging::state() {
            Some(state) => (state.dir.display().to_string(), state.problem.clone()),
            None => (crate::logging::log_dir().display().to_string(), Some("logging was not started".to_owned())),
        };
        let status = self.status().await;
        let mut d = Diagnostics {
            versions,
            os: crate::logging::os_description(),
            data_dir: status.data_dir,
            store,
            keychain: status.keychain,
            log_dir,
            log_problem,
            servers,
            report: String::new(),
        };
        d.report = report(&d, chrono::Local::now().fixed_offset());
        d
    }
}

fn recent_error(f: &RunFailure) -> RecentError {
    RecentError { at: f.at, code: f.code.clone(), message: crate::redact::redact_urls_in_text(&f.message).into_owned() }
}

/// Unix seconds as local time, e.g. "2025-05-04 11:15:02 +02:00".
fn local(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S %:z").to_string())
        .unwrap_or_else(|| ts.to_string())
}

/// 1536 → "1.5 KiB".
fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The diagnostics as text, in English whatever the UI's language: it is read by whoever
/// answers the bug report.
pub fn report(d: &Diagnostics, now: chrono::DateTime<chrono::FixedOffset>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Duplidesk diagnostics, {}", now.format("%Y-%m-%d %H:%M:%S %:z"));
    let versions: Vec<String> = d.versions.iter().map(|c| format!("{} {}", c.name, c.version)).collect();
    let _ = writeln!(out, "Versions: {}", versions.join(", "));
    let _ = writeln!(out, "OS: {}", d.os);
    let _ = writeln!(out, "Data folder: {}", d.data_dir);
    let s = &d.store;
    match &s.error {
        None => {
            let _ = writeln!(
                out,
                "Store: {} ({}), schema {} of {}; {} servers, {} jobs, {} log entries",
                s.path,
                size(s.size_bytes),
                s.schema_version.map_or_else(|| "?".to_owned(), |v| v.to_string()),
                s.known_schema_version,
                s.servers,
                s.jobs,
                s.entries
            );
        }
        Some(e) => {
            let _ = writeln!(out, "Store: {} ({}), not usable: [{}] {}", s.path, size(s.size_bytes), e.code, e.message);
        }
    }
    let keychain = match (&d.keychain.available, &d.keychain.message) {
        (true, _) => "available".to_owned(),
        (false, Some(why)) => format!("not available ({why})"),
        (false, None) => "not available".to_owned(),
    };
    let _ = writeln!(out, "Keychain: {keychain}");
    match &d.log_problem {
        None => {
            let _ = writeln!(out, "Log folder: {}", d.log_dir);
        }
        Some(why) => {
            let _ = writeln!(out, "Log folder: {} (no log file: {why})", d.log_dir);
        }
    }
    if d.servers.is_empty() {
        let _ = writeln!(out, "Servers: none");
    } else {
        let _ = writeln!(out, "Servers:");
    }
    for server in &d.servers {
        let protocol = server.protocol.map_or_else(|| "not reached yet".to_owned(), |p| p.to_string());
        let version = server.version.as_deref().map(|v| format!(", Duplicati {v}")).unwrap_or_default();
        let last = match (server.last_collect_at, server.last_ok) {
            (Some(at), Some(true)) => format!(", last collected {} (ok)", local(at)),
            (Some(at), _) => format!(", last collected {} (failed)", local(at)),
            (None, _) => ", never collected".to_owned(),
        };
        let _ = writeln!(out, "- {}: {protocol}{version}{last}", server.name);
        for e in &server.recent_errors {
            let _ = writeln!(out, "  - {} [{}] {}", local(e.at), e.code, e.message);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(0), "0 bytes");
        assert_eq!(size(1023), "1023 bytes");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}
