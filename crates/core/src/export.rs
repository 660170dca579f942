//! The collected data as JSON, in the format duplistatus uses
//! (`{"system_info", "backups", "backup_logs"}`), with TargetURL credentials redacted. Loading
//! such a file back is [`crate::import`].
use crate::duplicati::wire::LogRow;
use crate::error::{Error, Result};
use crate::redact;
use chrono::NaiveDateTime;
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
        .filter(|c| c.is_control() || !crate::text::is_unsafe_char(*c))
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
