//! The collected data as JSON, in the format duplistatus uses
//! (`{"system_info", "backups", "backup_logs"}`), with TargetURL credentials redacted, and its
//! import back into the store.
use crate::duplicati::wire::{BackupItem, LogRow, SystemInfo};
use crate::error::{Error, ErrorCode, Result};
use crate::model::Status;
use crate::monitor::{self, NewEntry};
use crate::redact;
use crate::store::{now_ts, JobInfo, NewServer, Store};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// What one collection fetched from one server, ready to be saved.
#[derive(Debug, Clone)]
pub struct CollectedData {
    pub server_name: String,
    pub json: Value,
}

impl CollectedData {
    /// `logs`: per job (backup ID), the rows fetched by this collection. TargetURL credentials,
    /// in the backups list or in a row's Message, are redacted.
    pub fn new(server_name: &str, system_info_raw: &[u8], backups_raw: &[u8], logs: Vec<(String, Vec<LogRow>)>) -> CollectedData {
        let system_info: Value = serde_json::from_slice(system_info_raw).unwrap_or(Value::Null);
        let mut backups: Value = serde_json::from_slice(backups_raw).unwrap_or(Value::Array(Vec::new()));
        redact::redact_json(&mut backups);
        let mut backup_logs = Map::new();
        for (backup_id, rows) in logs {
            let rows: Vec<Value> = rows
                .into_iter()
                .map(|r| {
                    json!({"ID": r.id, "OperationID": r.operation_id, "Timestamp": r.timestamp, "Type": "Result",
                           "Message": r.message.map(|m| redact::redact_json_text(&m).unwrap_or(m)), "Exception": {}})
                })
                .collect();
            backup_logs.insert(backup_id, Value::Array(rows));
        }
        CollectedData {
            server_name: server_name.to_owned(),
            json: json!({"system_info": system_info, "backups": backups, "backup_logs": backup_logs}),
        }
    }
}

/// The file-name rules of an operating system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileNames {
    /// Linux, macOS: only `/` (and NUL) are forbidden.
    Unix,
    /// Windows: `< > : " / \ | ? *` and control characters are forbidden, and a name may not
    /// end with a dot or a space.
    Windows,
}

impl FileNames {
    /// The rules of the OS this runs on.
    pub fn here() -> FileNames {
        if cfg!(windows) {
            FileNames::Windows
        } else {
            FileNames::Unix
        }
    }
}

/// How much of a server name goes into a file name: 80 characters, and no more than 200 bytes
/// (file systems allow 255 bytes in all; the rest is `_collected_<time>.json.partial`).
const NAME_CHARS: usize = 80;
const NAME_BYTES: usize = 200;

/// `[serverName]_collected_[Timestamp].json`, timestamp `YYYY-MM-DDTHH:MM:SS` in local time.
/// Where the OS forbids `:` in file names (Windows) `-` replaces it. The server name loses what
/// any OS forbids, control and bidirectional-override characters (they can disguise a file's
/// extension), and is cut to 80 characters.
pub fn file_name(server_name: &str, at: NaiveDateTime) -> String {
    file_name_for(server_name, at, FileNames::here())
}

pub fn file_name_for(server_name: &str, at: NaiveDateTime, rules: FileNames) -> String {
    let pattern = match rules {
        FileNames::Windows => "%Y-%m-%dT%H-%M-%S",
        FileNames::Unix => "%Y-%m-%dT%H:%M:%S",
    };
    let stamp = at.format(pattern);
    let mut safe: String = server_name
        .chars()
        .filter(|c| !is_invisible_control(*c))
        .map(|c| if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') { '_' } else { c })
        .take(NAME_CHARS)
        .collect();
    let mut end = safe.len().min(NAME_BYTES);
    while !safe.is_char_boundary(end) {
        end -= 1;
    }
    safe.truncate(end);
    let safe = safe.trim().trim_end_matches('.');
    let safe = if safe.is_empty() { "server" } else { safe };
    format!("{safe}_collected_{stamp}.json")
}

/// Bidirectional overrides, isolates and marks, and zero-width characters.
fn is_invisible_control(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

/// Now, in this computer's time zone.
pub fn local_now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// Writes the data to `path`, or into `path/<file_name>` when `path` is a folder.
/// The file appears whole or not at all.
pub fn write(data: &CollectedData, path: &Path) -> Result<PathBuf> {
    let target = if path.is_dir() { path.join(file_name(&data.server_name, local_now())) } else { path.to_owned() };
    let bytes = serde_json::to_vec_pretty(&data.json).map_err(|e| Error::io("Could not encode the collected data", e.into()))?;
    let tmp = target.with_extension("json.partial");
    let what = format!("Could not write {}", target.display());
    let written = crate::store::private::create_file(&tmp).and_then(|mut f| {
        use std::io::Write;
        f.write_all(&bytes)?;
        f.sync_all()
    });
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(&what, e)
    })?;
    std::fs::rename(&tmp, &target).map_err(|e| Error::io(&what, e))?;
    Ok(target)
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ImportSummary {
    pub file: String,
    pub server: String,
    pub jobs: usize,
    pub new: u64,
    pub skipped: u64,
}

/// Loads a collected JSON file into the store (same dedupe as a collection), so a server that
/// cannot be reached directly can still be monitored.
pub fn import(store: &mut Store, path: &Path) -> Result<ImportSummary> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(&format!("Could not read {}", path.display()), e))?;
    let bad = |why: String| {
        Error::new(
            ErrorCode::InvalidResponse,
            format!("{} is not a collected Duplidesk/duplistatus JSON file ({why}).", path.display()),
            "Import a file saved by `duplidesk collect --save-json` or by duplistatus.",
        )
    };
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    let info: SystemInfo =
        serde_json::from_value(doc.get("system_info").cloned().unwrap_or(Value::Null)).map_err(|e| bad(format!("system_info: {e}")))?;
    // One job or row that does not read (a damaged or hand-edited file) costs itself, not the
    // rest of the file: it is left out and counted in the import's note.
    let mut unreadable = 0u64;
    let backups: Vec<BackupItem> = match doc.get("backups") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(|v| read_or_count(v, &mut unreadable)).collect(),
        Some(_) => return Err(bad("backups is not a list".into())),
    };
    let empty = Map::new();
    let logs = doc.get("backup_logs").and_then(Value::as_object).unwrap_or(&empty);
    if info.machine_name.is_empty() {
        return Err(bad("system_info has no MachineName".into()));
    }
    let machine_id = info.machine_id();
    let server = match machine_id.as_deref() {
        Some(mid) => store.server_by_identity(mid, &info.machine_name)?,
        None => store.find_server(&info.machine_name)?,
    };
    let server = match server {
        Some(s) => s,
        None => {
            let s = store.insert_server(&NewServer {
                name: &info.machine_name,
                host: &info.machine_name,
                port: crate::hosts::DEFAULT_PORT,
                machine_id: machine_id.as_deref(),
            })?;
            store.set_version(s.id, &info.server_version)?;
            s
        }
    };
    let mut summary = ImportSummary { file: path.display().to_string(), server: info.machine_name.clone(), jobs: 0, new: 0, skipped: 0 };
    for item in &backups {
        let job = store.upsert_job(server.id, &JobInfo::from_backup(item))?;
        summary.jobs += 1;
        let rows: Vec<LogRow> = match logs.get(&item.backup.id) {
            Some(Value::Array(rows)) => rows.iter().filter_map(|v| read_or_count(v, &mut unreadable)).collect(),
            Some(_) => {
                unreadable += 1;
                Vec::new()
            }
            None => Vec::new(),
        };
        for chunk in rows.chunks(500) {
            let entries: Vec<NewEntry> = chunk.iter().map(monitor::entry_from_row).collect();
            let out = store.store_page(&job, &info.machine_name, &entries, &job.cursor)?;
            summary.new += out.new;
            summary.skipped += out.skipped;
        }
    }
    let mut note = format!(
        "Imported {} new entries from {}",
        summary.new,
        path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
    );
    if unreadable > 0 {
        note.push_str(&format!(" ({unreadable} unreadable jobs or rows left out)"));
    }
    store.insert_system_entry(Some(server.id), &info.machine_name, &NewEntry::system(Status::Info, now_ts(), note))?;
    Ok(summary)
}

/// `v` read as a `T`, or `None` and one more in `unreadable`.
fn read_or_count<T: serde::de::DeserializeOwned>(v: &Value, unreadable: &mut u64) -> Option<T> {
    let read = T::deserialize(v).ok();
    *unreadable += u64::from(read.is_none());
    read
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
        let summary = import(&mut store, &file).unwrap();
        assert_eq!((summary.jobs, summary.new, summary.skipped), (2, 2, 0));
        let notes = store.query_logs(&crate::store::LogQuery { statuses: vec![Status::Info], ..Default::default() }).unwrap();
        assert!(notes[0].message.ends_with("(3 unreadable jobs or rows left out)"), "{}", notes[0].message);
    }

    #[test]
    fn names_follow_each_platforms_rules() {
        let at = NaiveDate::from_ymd_opt(2025, 5, 4).unwrap().and_hms_opt(9, 15, 2).unwrap();
        assert_eq!(file_name_for("fileserver01", at, FileNames::Unix), "fileserver01_collected_2025-05-04T09:15:02.json");
        assert_eq!(file_name_for("fileserver01", at, FileNames::Windows), "fileserver01_collected_2025-05-04T09-15-02.json");
        assert_eq!(file_name_for("file/server01", at, FileNames::Unix), "file_server01_collected_2025-05-04T09:15:02.json");
        assert_eq!(file_name_for("a<b>c:d\"e|f?g*h\\i", at, FileNames::Windows), "a_b_c_d_e_f_g_h_i_collected_2025-05-04T09-15-02.json");
        // A right-to-left override could make "gpj.exe" look like "exe.jpg": it goes.
        assert_eq!(file_name_for("nas\u{202E}gpj.exe", at, FileNames::Unix), "nasgpj.exe_collected_2025-05-04T09:15:02.json");
        assert_eq!(file_name_for(" . ", at, FileNames::Windows), "server_collected_2025-05-04T09-15-02.json");
        assert_eq!(file_name_for("nas.", at, FileNames::Windows), "nas_collected_2025-05-04T09-15-02.json", "no name ends with a dot");
        let long = file_name_for(&"x".repeat(500), at, FileNames::Unix);
        assert!(long.len() < 255, "{}", long.len());
        let wide = file_name_for(&"😀".repeat(80), at, FileNames::Unix);
        assert!(wide.len() + ".partial".len() <= 255, "80 four-byte characters: {} bytes", wide.len());
        assert!(wide.starts_with(&"😀".repeat(50)), "cut between characters");
    }
}
