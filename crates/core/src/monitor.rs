//! Turns what Duplicati reports into log entries: status mapping (see `model::Status`),
//! a one-line message, duration and the figures the dashboard shows.
use crate::duplicati::wire::{LogRow, ResultMessage};
use crate::model::Status;
use chrono::{DateTime, Utc};

/// The files a backup examined, added, modified and deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileCounts {
    pub examined: i64,
    pub added: i64,
    pub modified: i64,
    pub deleted: i64,
}

/// A log entry ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// Duplicati's row ID in the job's log (None for entries the app produced).
    pub remote_id: Option<i64>,
    /// Duplicati's `Timestamp` (Unix seconds) of the row; with `remote_id` it identifies the row.
    pub remote_timestamp: Option<i64>,
    /// When the operation began (Unix seconds, UTC).
    pub date: i64,
    pub status: Status,
    /// Duplicati operation (Backup, Compact, …) or `System`.
    pub op_type: String,
    pub message: String,
    pub duration_s: Option<f64>,
    pub size_bytes: Option<i64>,
    pub uploaded_bytes: Option<i64>,
    pub warnings: i64,
    pub errors: i64,
    /// What a backup counted (examined, added, modified, deleted files).
    pub files: Option<FileCounts>,
    /// The full context: the result JSON as Duplicati sent it, or the plain text; shortened
    /// to at most [`DETAILS_CAP`] bytes (see [`cap_details`]).
    pub details: String,
    /// The size in bytes of the details as Duplicati sent them, when they were shortened.
    pub details_cut_from: Option<u64>,
}

impl NewEntry {
    /// An entry produced by the app itself (connection failures, housekeeping).
    pub fn system(status: Status, date: i64, message: impl Into<String>) -> NewEntry {
        let message = message.into();
        NewEntry {
            remote_id: None,
            remote_timestamp: None,
            date,
            status,
            op_type: "System".into(),
            details: message.clone(),
            details_cut_from: None,
            message,
            duration_s: None,
            size_bytes: None,
            uploaded_bytes: None,
            warnings: 0,
            errors: 0,
            files: None,
        }
    }
}

/// Maps one job log row. A `Message` that is not JSON is kept with its text.
pub fn entry_from_row(row: &LogRow) -> NewEntry {
    let text = row.message.as_deref().unwrap_or("");
    entry_from_row_parsed(row).with_details(text).with_sane_date(crate::store::now_ts())
}

/// [`entry_from_row`] for a row no longer needed: its `Message` becomes the details without a
/// copy when it needs neither redaction nor a cut (as nearly every one does).
pub fn entry_from_owned_row(mut row: LogRow) -> NewEntry {
    let entry = entry_from_row_parsed(&row);
    entry.with_owned_details(row.message.take().unwrap_or_default()).with_sane_date(crate::store::now_ts())
}

/// The entry of a row, but for its details.
fn entry_from_row_parsed(row: &LogRow) -> NewEntry {
    let text = row.message.as_deref().unwrap_or("");
    match serde_json::from_str::<ResultMessage>(text) {
        Ok(result) => entry_from_result(row, &result),
        Err(_) => NewEntry {
            remote_id: Some(row.id),
            remote_timestamp: Some(row.timestamp),
            date: row.timestamp,
            status: Status::Info,
            op_type: "Unknown".into(),
            message: first_line(text, 300),
            duration_s: None,
            size_bytes: None,
            uploaded_bytes: None,
            warnings: 0,
            errors: 0,
            files: None,
            details: String::new(),
            details_cut_from: None,
        },
    }
}

fn entry_from_result(row: &LogRow, r: &ResultMessage) -> NewEntry {
    let status = status_of(r);
    let begin = r.begin_time.as_deref().and_then(parse_utc);
    let end = r.end_time.as_deref().and_then(parse_utc);
    // A TimeSpan may read as NaN, infinite ("inf:00:00" parses) or negative (a clock set back):
    // none is a duration; the begin and end times may still tell it.
    let duration_s = r.duration.as_deref().and_then(parse_timespan).filter(|d| d.is_finite() && *d >= 0.0).or_else(|| match (begin, end) {
        (Some(b), Some(e)) if e >= b => Some((e - b).as_seconds_f64()),
        _ => None,
    });
    let op_type =
        r.main_operation.as_deref().map(|s| first_line(s, OP_TYPE_CHARS)).filter(|s| !s.is_empty()).unwrap_or_else(|| "Unknown".into());
    let is_backup = op_type == "Backup";
    let warnings = r.warnings_actual_length.max(r.warnings.len() as i64);
    let errors = r.errors_actual_length.max(r.errors.len() as i64);
    NewEntry {
        remote_id: Some(row.id),
        remote_timestamp: Some(row.timestamp),
        date: begin.map(|t| t.timestamp()).unwrap_or(row.timestamp),
        status,
        message: clip(summary(r, status, &op_type, warnings, errors), MESSAGE_CHARS),
        op_type,
        duration_s,
        size_bytes: is_backup.then_some(r.size_of_examined_files),
        uploaded_bytes: r.backend_statistics.as_ref().map(|b| b.bytes_uploaded),
        warnings,
        errors,
        files: is_backup.then_some(FileCounts {
            examined: r.examined_files,
            added: r.added_files,
            modified: r.modified_files,
            deleted: r.deleted_files,
        }),
        details: String::new(),
        details_cut_from: None,
    }
}

/// Duplicati did not exist before 2008.
pub const EARLIEST_DATE: i64 = 1_199_145_600;

/// Whether `ts` (Unix seconds) is a date a server could truly report: not before 2008, not
/// more than a day ahead of this computer's clock.
pub fn sane_date(ts: i64, now: i64) -> bool {
    (EARLIEST_DATE..=now.saturating_add(86_400)).contains(&ts)
}

/// Whether `ts` can be a job's next scheduled run: a yearly schedule is legitimately a year
/// ahead, so only dates no schedule gives (before 2008, decades ahead) are dropped.
pub fn sane_next_run(ts: i64, now: i64) -> bool {
    (EARLIEST_DATE..=now.saturating_add(10 * 366 * 86_400)).contains(&ts)
}

impl NewEntry {
    /// An impossible date (see [`sane_date`]) would sort the entry out of sight, or keep it
    /// "last" forever: the entry is dated when it was collected, and says what the server sent.
    /// Its `remote_timestamp` stays as sent, so it is still stored once.
    pub fn with_sane_date(mut self, now: i64) -> NewEntry {
        if !sane_date(self.date, now) {
            let sent = DateTime::from_timestamp(self.date, 0).map_or_else(|| self.date.to_string(), |t| t.to_rfc3339());
            let note = format!(" (the server reported the date {sent}; shown when it was collected)");
            // The message stays within MESSAGE_CHARS, note included.
            let room = MESSAGE_CHARS - note.chars().count();
            self.message = format!("{}{note}", clip(std::mem::take(&mut self.message), room));
            self.date = now;
        }
        if self.duration_s.is_some_and(|d| !d.is_finite() || d < 0.0) {
            self.duration_s = None;
        }
        self
    }

    /// Duplicati's results hold no TargetURL, but a Message comes from a server or a collected
    /// file, and no credential may reach the store: one in the details is redacted.
    fn with_details(mut self, raw: &str) -> NewEntry {
        let redacted = crate::redact::redact_json_text(raw);
        let (details, cut_from) = cap_details(redacted.as_deref().unwrap_or(raw));
        self.details = details;
        self.details_cut_from = cut_from;
        self
    }

    /// [`Self::with_details`], taking the text: the same details, moved rather than copied
    /// when they are kept as sent.
    fn with_owned_details(mut self, raw: String) -> NewEntry {
        (self.details, self.details_cut_from) = match crate::redact::redact_json_text(&raw) {
            Some(redacted) => cap_details(&redacted),
            None if raw.len() <= DETAILS_CAP => (raw, None),
            None => cap_details(&raw),
        };
        self
    }
}

/// The longest one-line message of an entry, in characters (a cut one ends with `…`).
pub const MESSAGE_CHARS: usize = 400;

/// The longest operation type, in characters (Duplicati's are single words).
const OP_TYPE_CHARS: usize = 40;

/// The most of one entry's details the store keeps. From Duplicati 2.1.2/2.2 a row is written
/// after every operation and List rows carry whole file lists: a few hundred of them would
/// otherwise fill the store.
pub const DETAILS_CAP: usize = 64 * 1024;

/// How many items of a list a shortened result keeps (Duplicati's own results keep 20 of each
/// message list).
const KEPT_ITEMS: usize = 20;

/// `raw` as it is when it fits [`DETAILS_CAP`]; else shortened, with its original size. A JSON
/// result keeps its shape: every list keeps its first items and gains a sibling
/// `"<name>CutFrom": <original length>`, then over-long strings are cut; text is cut at the cap.
pub fn cap_details(raw: &str) -> (String, Option<u64>) {
    if raw.len() <= DETAILS_CAP {
        return (raw.to_owned(), None);
    }
    let original = Some(raw.len() as u64);
    if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(raw) {
        shorten_lists(&mut value);
        let mut text = value.to_string();
        if text.len() > DETAILS_CAP {
            shorten_strings(&mut value, 1024);
            text = value.to_string();
        }
        if text.len() <= DETAILS_CAP {
            return (text, original);
        }
    }
    let marker = format!("\n… (shortened: {} bytes in all)", raw.len());
    let mut end = DETAILS_CAP - marker.len();
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    (format!("{}{marker}", &raw[..end]), original)
}

fn shorten_lists(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut cut = Vec::new();
            for (key, v) in map.iter_mut() {
                if let Value::Array(items) = v {
                    if items.len() > KEPT_ITEMS {
                        cut.push((format!("{key}CutFrom"), items.len()));
                        items.truncate(KEPT_ITEMS);
                    }
                }
                shorten_lists(v);
            }
            for (key, len) in cut {
                map.insert(key, Value::from(len));
            }
        }
        Value::Array(items) => {
            items.truncate(KEPT_ITEMS);
            items.iter_mut().for_each(shorten_lists);
        }
        _ => {}
    }
}

fn shorten_strings(value: &mut serde_json::Value, max: usize) {
    use serde_json::Value;
    match value {
        Value::String(s) if s.len() > max => {
            let mut end = max;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
            s.push('…');
        }
        Value::Object(map) => map.values_mut().for_each(|v| shorten_strings(v, max)),
        Value::Array(items) => items.iter_mut().for_each(|v| shorten_strings(v, max)),
        _ => {}
    }
}

/// The status of a Duplicati result (see `model::Status` for what each means). An error wins
/// over a stop: a run that failed and was then stopped, or a run-script that aborted the
/// operation with "error" (exit code 5), is an error.
pub fn status_of(r: &ResultMessage) -> Status {
    let failed = matches!(r.parsed_result.as_deref(), Some("Error" | "Fatal"));
    if failed {
        return Status::Error;
    }
    if r.interrupted || r.partial_backup {
        return Status::Stopped;
    }
    match r.parsed_result.as_deref() {
        Some("Warning") => Status::Warning,
        Some("Success") if r.warnings_actual_length > 0 => Status::Warning,
        Some("Success") => Status::Completed,
        _ if r.errors_actual_length > 0 || !r.errors.is_empty() => Status::Error,
        _ if r.warnings_actual_length > 0 || !r.warnings.is_empty() => Status::Warning,
        _ => Status::Completed,
    }
}

fn summary(r: &ResultMessage, status: Status, op: &str, warnings: i64, errors: i64) -> String {
    match status {
        Status::Error => {
            let line = r
                .errors
                .iter()
                .find(|l| l.contains("FailedOperation"))
                .or_else(|| r.errors.first())
                .map(|l| log_line_text(l))
                .unwrap_or_else(|| format!("{op} failed"));
            if errors > 1 {
                format!("{line} (+{} more errors)", errors - 1)
            } else {
                line
            }
        }
        Status::Warning => {
            let first = r.warnings.first().map(|l| log_line_text(l)).unwrap_or_default();
            let n = warnings.max(1);
            let noun = if n == 1 { "warning" } else { "warnings" };
            if first.is_empty() {
                format!("{op} finished with {n} {noun}")
            } else {
                format!("{op} finished with {n} {noun}: {first}")
            }
        }
        Status::Stopped if r.interrupted => {
            let why = r.errors.first().or(r.warnings.first()).map(|l| log_line_text(l));
            match why {
                Some(w) => format!("{op} was interrupted: {w}"),
                None => format!("{op} was interrupted"),
            }
        }
        Status::Stopped => format!("{op} was stopped by the user"),
        _ if op == "Backup" => format!(
            "{} files examined ({}): {} added, {} modified, {} deleted; {} uploaded",
            r.examined_files,
            human_bytes(r.size_of_examined_files),
            r.added_files,
            r.modified_files,
            r.deleted_files,
            human_bytes(r.backend_statistics.as_ref().map_or(0, |b| b.bytes_uploaded)),
        ),
        _ if op == "Restore" => format!("Restore completed: {} files restored", r.restored_files),
        _ => format!("{op} completed"),
    }
}

/// `2025-05-04 02:00:00 +02 - [Warning-Tag-Id]: text` → `text` (first line only).
pub fn log_line_text(line: &str) -> String {
    let text = match line.find("]: ") {
        Some(i) if line[..i].contains(" - [") => &line[i + 3..],
        _ => line,
    };
    first_line(text, 300)
}

/// The text up to its first line break of any kind, trimmed, cut to `max_chars` characters
/// (then followed by `…`).
pub(crate) fn first_line(text: &str, max_chars: usize) -> String {
    let line = text.split(is_line_break).next().unwrap_or("").trim();
    if line.chars().count() > max_chars {
        let cut: String = line.chars().take(max_chars).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

/// What ends a line: `\n` and `\r`, but also what terminals and the UI's text break on (vertical
/// tab, form feed, NEL and the Unicode line and paragraph separators).
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `line` cut to at most `max_chars` characters, the last one `…` when it was cut.
fn clip(line: String, max_chars: usize) -> String {
    if line.chars().count() <= max_chars {
        return line;
    }
    let mut cut: String = line.chars().take(max_chars - 1).collect();
    cut.push('…');
    cut
}

/// Binary units, one decimal: 4.5 GB for 4,827,319,812 bytes (as Duplicati shows sizes).
pub fn human_bytes(n: i64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KB", "MB", "GB", "TB", "PB"];
    let mut v = n.max(0) as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{} bytes", n.max(0))
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

/// An RFC 3339 instant as Duplicati writes it; `0001-01-01…` (.NET's "never") is `None`.
pub fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    if s.starts_with("0001-01-01") {
        return None;
    }
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// .NET TimeSpan `c` format: `[-][d.]hh:mm:ss[.fffffff]` → seconds.
pub fn parse_timespan(s: &str) -> Option<f64> {
    let s = s.trim();
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let mut parts = s.split(':');
    let (h_part, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (days, hours) = match h_part.split_once('.') {
        Some((d, h)) => (d.parse::<f64>().ok()?, h.parse::<f64>().ok()?),
        None => (0.0, h_part.parse::<f64>().ok()?),
    };
    let total = days * 86400.0 + hours * 3600.0 + m.parse::<f64>().ok()? * 60.0 + sec.parse::<f64>().ok()?;
    Some(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("00:03:27.4758593"), Some(207.4758593));
        assert_eq!(parse_timespan("1.02:00:00"), Some(93600.0));
        assert_eq!(parse_timespan("00:00:00"), Some(0.0));
        assert_eq!(parse_timespan("garbage"), None);
    }

    #[test]
    fn log_lines() {
        assert_eq!(
            log_line_text("2025-05-04 02:00:00 +02 - [Warning-Duplicati.Library.Main.Operation.Backup.FileEnumerationProcess-FileAccessError]: Error reported while accessing file: /x\nSystem.IO: y"),
            "Error reported while accessing file: /x"
        );
        assert_eq!(log_line_text("plain"), "plain");
    }

    #[test]
    fn bytes() {
        assert_eq!(human_bytes(4_827_319_812), "4.5 GB");
        assert_eq!(human_bytes(512), "512 bytes");
    }

    #[test]
    fn fixture_rows_map_to_the_status_table() {
        let rows: Vec<LogRow> = serde_json::from_str(include_str!("../../testserver/fixtures/log_backup1.json")).unwrap();
        let got: Vec<(i64, Status, String)> =
            rows.iter().map(entry_from_row).map(|e| (e.remote_id.unwrap(), e.status, e.op_type)).collect();
        assert_eq!(
            got,
            vec![
                (6, Status::Completed, "Backup".into()),
                (5, Status::Completed, "Compact".into()),
                (4, Status::Warning, "Backup".into()),
                (3, Status::Error, "Backup".into()),
                (2, Status::Error, "Backup".into()),
                (1, Status::Stopped, "Backup".into()),
            ]
        );
        let fatal = entry_from_row(&rows[3]);
        assert!(fatal.message.contains("The operation Backup has failed"), "{}", fatal.message);
        let ok = entry_from_row(&rows[0]);
        assert_eq!(ok.duration_s, Some(207.4758593));
        assert_eq!(ok.size_bytes, Some(118734552181));
        assert_eq!(ok.date, 1746316800); // BeginTime 2025-05-04T00:00:00.04Z
    }

    #[test]
    fn an_error_wins_over_a_stop() {
        let result = |parsed: &str, interrupted: bool, partial: bool| {
            let json = format!(
                r#"{{"MainOperation":"Backup","ParsedResult":"{parsed}","Interrupted":{interrupted},"PartialBackup":{partial},"Errors":["2025-05-04 02:00:00 +02 - [Error-Duplicati.Library.Modules.Builtin.RunScript-InvalidExitCode]: The script exited with code 5"]}}"#
            );
            status_of(&serde_json::from_str::<ResultMessage>(&json).unwrap())
        };
        assert_eq!(result("Error", true, false), Status::Error, "a run-script abort with exit code 5");
        assert_eq!(result("Fatal", false, true), Status::Error, "failed, then stopped by the user");
        assert_eq!(result("Warning", true, false), Status::Stopped, "a run-script abort with exit code 3");
        assert_eq!(result("Warning", false, true), Status::Stopped, "stopped by the user");
        assert_eq!(result("Success", false, false), Status::Completed);
    }

    #[test]
    fn large_details_are_shortened_and_keep_their_shape() {
        let files: Vec<String> = (0..5000).map(|i| format!("/home/user/documents/folder-{i}/report-{i}.pdf")).collect();
        let list = serde_json::json!({"MainOperation": "List", "ParsedResult": "Success", "Files": files, "Messages": ["a"]});
        let raw = list.to_string();
        assert!(raw.len() > DETAILS_CAP);
        let (kept, cut_from) = cap_details(&raw);
        assert!(kept.len() <= DETAILS_CAP);
        assert_eq!(cut_from, Some(raw.len() as u64));
        let kept: serde_json::Value = serde_json::from_str(&kept).expect("still JSON");
        assert_eq!(kept["Files"].as_array().unwrap().len(), KEPT_ITEMS);
        assert_eq!(kept["FilesCutFrom"], 5000);
        assert_eq!(kept["MainOperation"], "List");
        assert_eq!(kept["Messages"], serde_json::json!(["a"]));

        let text = "é".repeat(DETAILS_CAP);
        let (kept, cut_from) = cap_details(&text);
        assert!(kept.len() <= DETAILS_CAP && kept.ends_with("bytes in all)"), "{}", &kept[kept.len() - 40..]);
        assert_eq!(cut_from, Some(text.len() as u64));
        assert_eq!(cap_details("{}"), ("{}".to_owned(), None), "small details stay as they are");
    }

    #[test]
    fn impossible_dates_are_shown_when_collected() {
        let now = 1_800_000_000;
        let entry = |date: i64| NewEntry { date, ..NewEntry::system(Status::Completed, date, "Backup completed") }.with_sane_date(now);
        for bad in [99_999_999_999_999, 0, -5, now + 2 * 86_400, 1_000_000_000] {
            let e = entry(bad);
            assert_eq!(e.date, now, "{bad}");
            assert!(e.message.contains("reported the date"), "{}", e.message);
        }
        assert_eq!(entry(now - 3600).date, now - 3600);
        assert_eq!(entry(now + 3600).date, now + 3600, "a clock a little ahead is fine");
        let mut negative = NewEntry::system(Status::Completed, now, "x");
        negative.duration_s = Some(-3.0);
        assert_eq!(negative.with_sane_date(now).duration_s, None);
    }

    #[test]
    fn text_message_is_kept() {
        let row: LogRow = serde_json::from_str(
            r#"{"ID":9,"OperationID":1,"Timestamp":1746316800,"Type":"Result","Message":"Backup ran ok\nmore","Exception":null}"#,
        )
        .unwrap();
        let e = entry_from_row(&row);
        assert_eq!(e.status, Status::Info);
        assert_eq!(e.message, "Backup ran ok");
        assert_eq!(e.details, "Backup ran ok\nmore");
    }

    #[test]
    fn details_hold_no_credentials() {
        let json = r#"{"ParsedResult":"Success","BackendStatistics":{"TargetURL":"ftp://bob:hunter2@nas/dir"}}"#;
        let row = LogRow { id: 1, operation_id: 1, timestamp: 1, message: Some(json.into()), exception: serde::de::IgnoredAny };
        let e = entry_from_row(&row);
        assert_eq!(e.details, r#"{"ParsedResult":"Success","BackendStatistics":{"TargetURL":"ftp://REDACTED@nas/dir"}}"#);
        assert_eq!(e.status, Status::Completed);
        let plain = r#"{"ParsedResult":"Success", "Duration":"00:00:01"}"#;
        let row = LogRow { message: Some(plain.into()), ..row };
        assert_eq!(entry_from_row(&row).details, plain, "details without a TargetURL are kept as sent");
    }

    /// The collector moves a row's Message into the details: the same details as a copy, kept
    /// as sent, redacted or cut.
    #[test]
    fn owned_details_are_the_borrowed_ones() {
        let long_json = format!(r#"{{"ParsedResult":"Success","Messages":[{}"x"]}}"#, r#""a line","#.repeat(DETAILS_CAP / 8));
        let long_secret =
            format!(r#"{{"TargetURL":"ftp://bob:hunter2@nas/dir","Messages":[{}"x"]}}"#, r#""a line","#.repeat(DETAILS_CAP / 8));
        for text in [
            "",
            "Backup ran ok\nmore",
            r#"{"ParsedResult":"Success","BackendStatistics":{"TargetURL":"ftp://bob:hunter2@nas/dir"}}"#,
            r#"{"ParsedResult":"Success", "Duration":"00:00:01"}"#,
            "not json ftp://bob:hunter2@nas/dir TargetURL",
            &"é".repeat(DETAILS_CAP),
            &long_json,
            &long_secret,
        ] {
            let row = LogRow { id: 1, operation_id: 1, timestamp: 1, message: Some(text.into()), exception: serde::de::IgnoredAny };
            let borrowed = entry_from_row_parsed(&row).with_details(text);
            let owned = entry_from_row_parsed(&row).with_owned_details(text.to_owned());
            assert_eq!(owned, borrowed, "{}", &text[..text.len().min(80)]);
        }
        assert!(entry_from_owned_row(LogRow { id: 1, operation_id: 1, timestamp: 1, message: None, exception: serde::de::IgnoredAny })
            .details
            .is_empty());
    }

    #[test]
    fn a_duration_is_a_finite_positive_number_or_none() {
        let duration = |d: &str, end: &str| {
            let json = format!(r#"{{"ParsedResult":"Success","Duration":"{d}","BeginTime":"2025-05-04T00:00:00Z","EndTime":"{end}"}}"#);
            let row = LogRow { id: 1, operation_id: 1, timestamp: 1, message: Some(json), exception: serde::de::IgnoredAny };
            entry_from_row(&row).duration_s
        };
        assert_eq!(duration("NaN:00:00", "0001-01-01T00:00:00"), None);
        assert_eq!(duration("00:00:1e309", "0001-01-01T00:00:00"), None);
        assert_eq!(duration("-00:00:05", "0001-01-01T00:00:00"), None);
        assert_eq!(duration("-00:00:05", "2025-05-04T00:00:07Z"), Some(7.0), "then the begin and end times tell it");
        assert_eq!(duration("00:00:05", "2025-05-04T00:00:07Z"), Some(5.0));
    }

    #[test]
    fn a_message_is_one_short_line() {
        let text = |m: &str| {
            let row: LogRow = serde_json::from_value(serde_json::json!({"ID": 1, "Timestamp": 1_746_316_800, "Message": m})).unwrap();
            entry_from_row(&row)
        };
        assert_eq!(text("first\rsecond").message, "first", "a lone carriage return ends the line");
        assert_eq!(text("first\u{2028}second").message, "first");
        assert_eq!(text("first\u{0b}second").message, "first");
        let e = text(r#"{"ParsedResult":"Error","MainOperation":"Back\nup"}"#);
        assert_eq!((e.op_type.as_str(), e.message.as_str()), ("Back", "Back failed"));
        let long = format!(r#"{{"ParsedResult":"Warning","MainOperation":"{}","Warnings":["{}"]}}"#, "x".repeat(1000), "y".repeat(1000));
        let e = text(&long);
        assert!(e.op_type.chars().count() <= OP_TYPE_CHARS + 1, "{}", e.op_type);
        assert!(e.message.chars().count() <= MESSAGE_CHARS, "{}", e.message.chars().count());
    }
}
