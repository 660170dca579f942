//! Loading a collected JSON file (`collect --save-json`, the app's export, duplistatus) into the
//! store, so a server that cannot be reached directly can still be monitored.
//!
//! A file is untrusted input. Which server it belongs to is taken from it only when it proves it
//! (a machine-id); otherwise the user says. Every field is checked as a collection checks what a
//! server sends: names are cleaned and capped, dates must be sane, a row that cannot be read is
//! counted and skipped. An import adds jobs and entries; it never renames or rewrites a job that
//! is already stored.
use crate::duplicati::wire::{BackupItem, LogRow, SystemInfo};
use crate::error::{Error, ErrorCode, Result};
use crate::hosts::{parse_hosts, DEFAULT_PORT};
use crate::model::Status;
use crate::monitor::{self, NewEntry};
use crate::store::{now_ts, JobInfo, NewServer, ServerRow, Store};
use crate::text::clean_line;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// Larger than any file a collection saves (one server's job list and logs, each response at
/// most 64 MiB): a bigger file is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Which server the entries of a file that names no machine-id go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ImportTarget {
    /// A new server, named as the file says.
    NewServer,
    /// A server already configured.
    Server { id: i64 },
}

#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub file: String,
    /// The server's name as the file gives it (cleaned).
    pub server: String,
    /// The server the entries went to (`None` when nothing was imported).
    pub server_id: Option<i64>,
    pub jobs: usize,
    pub new: u64,
    pub skipped: u64,
    /// Log rows (and jobs) that could not be read, left out.
    pub invalid_rows: u64,
    /// The file does not prove which server it came from (no machine-id) and no target was
    /// given: nothing was imported. Import it again with an [`ImportTarget`].
    pub needs_server: bool,
}

/// Imports one file; `target` says where a file without a machine-id goes.
pub fn import(store: &mut Store, path: &Path, target: Option<ImportTarget>) -> Result<ImportSummary> {
    let file = CollectedFile::read(path)?;
    let mut summary = ImportSummary { file: path.display().to_string(), server: file.name.clone(), ..ImportSummary::default() };
    let server = match (file.machine_id.as_deref(), target) {
        (Some(mid), _) => match store.server_by_identity(mid, &file.name)? {
            Some(known) => known,
            None => file.new_server(store, Some(mid))?,
        },
        (None, None) => {
            summary.needs_server = true;
            return Ok(summary);
        }
        (None, Some(ImportTarget::NewServer)) => file.new_server(store, None)?,
        (None, Some(ImportTarget::Server { id })) => store.server(id)?.ok_or_else(Error::server_not_found)?,
    };
    summary.server_id = Some(server.id);
    summary.invalid_rows = file.unreadable;
    for (item, rows) in &file.jobs {
        let job = match store.job_by_backup_id(server.id, &item.backup_id)? {
            Some(existing) => existing,
            None => store.upsert_job(server.id, item)?,
        };
        summary.jobs += 1;
        let (entries, invalid) = entries_of(rows);
        summary.invalid_rows += invalid;
        for chunk in entries.chunks(500) {
            let out = store.store_page(&job, &server.name, chunk, &job.cursor)?;
            summary.new += out.new;
            summary.skipped += out.skipped;
        }
    }
    let file_name = path.file_name().map(|f| clean_line(&f.to_string_lossy(), 200)).unwrap_or_default();
    let mut note = format!("Imported {} new entries from {file_name}", summary.new);
    if summary.invalid_rows > 0 {
        note.push_str(&format!(" ({} unreadable jobs or rows left out)", summary.invalid_rows));
    }
    store.insert_system_entry(Some(server.id), &server.name, &NewEntry::system(Status::Info, now_ts(), note))?;
    Ok(summary)
}

/// What a file holds, checked.
struct CollectedFile {
    name: String,
    machine_id: Option<String>,
    version: String,
    jobs: Vec<(JobInfo, Vec<Value>)>,
    /// Jobs that could not be read, left out.
    unreadable: u64,
}

impl CollectedFile {
    fn read(path: &Path) -> Result<CollectedFile> {
        let shown = path.display().to_string();
        let bad = |why: String| {
            Error::new(
                ErrorCode::InvalidResponse,
                format!("{shown} is not a collected Duplidesk/duplistatus JSON file ({why})."),
                "Import a file saved by `duplidesk collect --save-json`, by the app, or by duplistatus.",
            )
        };
        let size = std::fs::metadata(path).map_err(|e| Error::io(&format!("Could not read {shown}"), e))?.len();
        if size > MAX_FILE_BYTES {
            return Err(bad(format!("{} MiB, more than the {} MiB a collection ever saves", size >> 20, MAX_FILE_BYTES >> 20)));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(&format!("Could not read {shown}"), e))?;
        let doc: Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        let info: SystemInfo =
            serde_json::from_value(doc.get("system_info").cloned().unwrap_or(Value::Null)).map_err(|e| bad(format!("system_info: {e}")))?;
        let name = clean_line(&info.machine_name, 100);
        if name.is_empty() {
            return Err(bad("system_info has no MachineName".into()));
        }
        let machine_id = info.machine_id().map(|m| clean_line(&m, 100)).filter(|m| !m.is_empty());
        // A job or row that does not read (a damaged or hand-edited file) costs itself, not the
        // rest of the file: it is left out and counted.
        let mut unreadable = 0u64;
        let backups: Vec<BackupItem> = match doc.get("backups") {
            None => Vec::new(),
            Some(Value::Array(items)) => items.iter().filter_map(|v| read_or_count(v, &mut unreadable)).collect(),
            Some(_) => return Err(bad("backups is not a list".into())),
        };
        let mut logs = match doc.get("backup_logs") {
            Some(Value::Object(map)) => map.clone(),
            _ => serde_json::Map::new(),
        };
        let mut jobs: Vec<(JobInfo, Vec<Value>)> = Vec::with_capacity(backups.len());
        for item in &backups {
            let mut job = JobInfo::from_backup(item);
            job.backup_id = clean_line(&job.backup_id, 64);
            job.name = clean_line(&job.name, 200);
            job.description = job.description.map(|d| clean_line(&d, 500));
            if job.backup_id.is_empty() || jobs.iter().any(|(j, _)| j.backup_id == job.backup_id) {
                unreadable += 1;
                continue;
            }
            let rows = match logs.remove(&item.backup.id) {
                Some(Value::Array(rows)) => rows,
                Some(_) => {
                    unreadable += 1;
                    Vec::new()
                }
                None => Vec::new(),
            };
            jobs.push((job, rows));
        }
        Ok(CollectedFile { name, machine_id, version: clean_line(&info.server_version, 100), jobs, unreadable })
    }

    /// A server for this file, with no password: the user sets one before collecting from it.
    fn new_server(&self, store: &Store, machine_id: Option<&str>) -> Result<ServerRow> {
        let host = host_for(&self.name);
        let server = store.insert_server(&NewServer { name: &self.name, host: &host, port: DEFAULT_PORT, machine_id })?;
        store.set_version(server.id, &self.version)?;
        Ok(server)
    }
}

/// The file's MachineName as a host, when it is one (`nas.local`); otherwise a name built from
/// it (`My NAS` → `my-nas`), to be corrected in Server Settings before collecting.
fn host_for(name: &str) -> String {
    if let Ok(mut specs) = parse_hosts(name, DEFAULT_PORT) {
        if specs.len() == 1 && !name.contains(':') && !name.contains('/') {
            return specs.remove(0).host;
        }
    }
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let slug = slug.trim_matches('.');
    if slug.is_empty() {
        "imported-server".to_owned()
    } else {
        slug.chars().take(63).collect()
    }
}

/// `v` read as a `T`, or `None` and one more in `unreadable`.
fn read_or_count<T: serde::de::DeserializeOwned>(v: &Value, unreadable: &mut u64) -> Option<T> {
    let read = T::deserialize(v).ok();
    *unreadable += u64::from(read.is_none());
    read
}

/// The rows of one job as entries; a row that cannot be read is counted, not fatal.
fn entries_of(rows: &[Value]) -> (Vec<NewEntry>, u64) {
    let mut invalid = 0;
    let entries = rows
        .iter()
        .filter_map(|v| match serde_json::from_value::<LogRow>(v.clone()) {
            // Duplicati's row IDs start at 1 (as a collection checks, see collect::cursor).
            Ok(row) if row.id > 0 => Some(monitor::entry_from_row(&row)),
            _ => {
                invalid += 1;
                None
            }
        })
        .collect();
    (entries, invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_unreadable_row_or_job_costs_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nas_collected.json");
        let doc = json!({
            "system_info": {"MachineName": "nas"},
            "backups": [{"Backup": {"ID": "1", "Name": "Docs"}}, {"Backup": 5}, {"Backup": {"ID": "2", "Name": "Photos"}}],
            "backup_logs": {
                "1": ["row", {"ID": 1, "Timestamp": 100, "Message": 5}, {"ID": 2, "Timestamp": 100, "Message": "ok"}],
                "2": [{"ID": 1, "Timestamp": 100, "Message": null}],
            },
        });
        std::fs::write(&file, doc.to_string()).unwrap();
        let mut store = Store::open_in(&dir.path().join("store")).unwrap();
        let summary = import(&mut store, &file, Some(ImportTarget::NewServer)).unwrap();
        assert_eq!((summary.jobs, summary.new, summary.skipped, summary.invalid_rows), (2, 2, 0, 3));
        let notes = store.query_logs(&crate::store::LogQuery { statuses: vec![Status::Info], ..Default::default() }).unwrap();
        assert!(notes[0].message.ends_with("(3 unreadable jobs or rows left out)"), "{}", notes[0].message);
    }

    #[test]
    fn a_machine_name_becomes_a_host_only_when_it_is_one() {
        assert_eq!(host_for("nas.local"), "nas.local");
        assert_eq!(host_for("My NAS"), "my-nas");
        assert_eq!(host_for("evil.example:443/path"), "evil.example-443-path");
        assert_eq!(host_for("a,b"), "a-b", "one server, one host");
        assert_eq!(host_for("™™"), "imported-server");
    }
}
