//! The Backup Logs as files: CSV (RFC 4180) and JSON, written one entry at a time. The app's
//! export and `duplidesk logs --csv/--json` write the same columns.
use crate::dates::local_rfc3339;
use crate::model::Status;
use crate::store::LogEntryRow;
use crate::text::is_unsafe_char;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Csv,
    Json,
}

impl LogFormat {
    pub fn extension(self) -> &'static str {
        match self {
            LogFormat::Csv => "csv",
            LogFormat::Json => "json",
        }
    }
}

/// The CSV header; the columns of [`write_csv_row`]. The first eight are those `logs --csv`
/// always had.
pub const CSV_HEADER: &str = "id,date,status,type,server,job,duration_s,message,size_bytes,uploaded_bytes,warnings,errors";

/// RFC 4180 field quoting. A cell a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`; control and invisible
/// characters other than line breaks and tabs are escaped (`\u{1b}`).
pub fn csv_field(s: &str) -> String {
    let mut text: String = s
        .chars()
        .map(|c| if is_unsafe_char(c) && !matches!(c, '\n' | '\r' | '\t') { c.escape_unicode().to_string() } else { c.to_string() })
        .collect();
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        text.insert(0, '\'');
    }
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn num<T: ToString>(v: Option<T>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

/// One entry as a CSV line (dates in RFC 3339, this computer's time zone).
pub fn write_csv_row(w: &mut impl Write, r: &LogEntryRow) -> io::Result<()> {
    writeln!(
        w,
        "{},{},{},{},{},{},{},{},{},{},{},{}",
        r.id,
        local_rfc3339(r.date),
        r.status,
        csv_field(&r.op_type),
        csv_field(&r.server),
        csv_field(r.job.as_deref().unwrap_or("")),
        r.duration_s.map(|d| format!("{d:.3}")).unwrap_or_default(),
        csv_field(&r.message),
        num(r.size_bytes),
        num(r.uploaded_bytes),
        r.warnings,
        r.errors
    )
}

/// One entry in the JSON files: `{"id","date","status","type","server","job","message",
/// "duration_s","size_bytes","uploaded_bytes","warnings","errors"}`.
#[derive(Debug, Serialize, PartialEq)]
pub struct JsonEntry<'a> {
    pub id: i64,
    /// RFC 3339, this computer's time zone.
    pub date: String,
    pub status: Status,
    #[serde(rename = "type")]
    pub op_type: &'a str,
    pub server: &'a str,
    pub job: Option<&'a str>,
    pub message: &'a str,
    pub duration_s: Option<f64>,
    pub size_bytes: Option<i64>,
    pub uploaded_bytes: Option<i64>,
    pub warnings: i64,
    pub errors: i64,
}

impl<'a> From<&'a LogEntryRow> for JsonEntry<'a> {
    fn from(r: &'a LogEntryRow) -> Self {
        JsonEntry {
            id: r.id,
            date: local_rfc3339(r.date),
            status: r.status,
            op_type: &r.op_type,
            server: &r.server,
            job: r.job.as_deref(),
            message: &r.message,
            duration_s: r.duration_s,
            size_bytes: r.size_bytes,
            uploaded_bytes: r.uploaded_bytes,
            warnings: r.warnings,
            errors: r.errors,
        }
    }
}

/// Writes entries as a file of `format`, one at a time: `header`, then each `row`, then
/// `finish` (a JSON array, one entry a line).
pub struct LogWriter<W: Write> {
    out: W,
    format: LogFormat,
    rows: u64,
}

impl<W: Write> LogWriter<W> {
    pub fn new(mut out: W, format: LogFormat) -> io::Result<LogWriter<W>> {
        match format {
            LogFormat::Csv => writeln!(out, "{CSV_HEADER}")?,
            LogFormat::Json => write!(out, "[")?,
        }
        Ok(LogWriter { out, format, rows: 0 })
    }

    pub fn row(&mut self, r: &LogEntryRow) -> io::Result<()> {
        match self.format {
            LogFormat::Csv => write_csv_row(&mut self.out, r)?,
            LogFormat::Json => {
                self.out.write_all(if self.rows == 0 { b"\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut self.out, &JsonEntry::from(r))?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Ends the file and gives the writer back (flushed).
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == LogFormat::Json {
            self.out.write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(message: &str, job: Option<&str>) -> LogEntryRow {
        LogEntryRow {
            id: 7,
            date: 1_746_316_800,
            status: Status::Warning,
            op_type: "Backup".into(),
            server: "nas, \"main\"".into(),
            job: job.map(str::to_owned),
            message: message.into(),
            duration_s: Some(207.5),
            size_bytes: Some(1024),
            uploaded_bytes: None,
            warnings: 2,
            errors: 0,
            server_id: Some(1),
            job_id: Some(1),
        }
    }

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("ñandú ☂"), "ñandú ☂");
    }

    #[test]
    fn a_csv_file_is_a_header_and_one_quoted_line_an_entry() {
        let mut w = LogWriter::new(Vec::new(), LogFormat::Csv).unwrap();
        w.row(&row("1 file, 2 \"warnings\"", Some("Docs"))).unwrap();
        w.row(&row("=cmd", None)).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], CSV_HEADER);
        let date = local_rfc3339(1_746_316_800);
        assert_eq!(
            lines[1],
            format!("7,{date},warning,Backup,\"nas, \"\"main\"\"\",Docs,207.500,\"1 file, 2 \"\"warnings\"\"\",1024,,2,0")
        );
        assert_eq!(lines[2], format!("7,{date},warning,Backup,\"nas, \"\"main\"\"\",,207.500,'=cmd,1024,,2,0"));
        assert_eq!(lines.len(), 3);
        assert_eq!(CSV_HEADER.split(',').count(), 12);
    }

    #[test]
    fn a_json_file_is_an_array_of_entries() {
        let empty = String::from_utf8(LogWriter::new(Vec::new(), LogFormat::Json).unwrap().finish().unwrap()).unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&empty).unwrap(), serde_json::json!([]));
        let mut w = LogWriter::new(Vec::new(), LogFormat::Json).unwrap();
        w.row(&row("line \"one\"\nline two", Some("Docs"))).unwrap();
        w.row(&row("second", None)).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
        assert_eq!(v[0]["message"], "line \"one\"\nline two");
        assert_eq!(v[0]["type"], "Backup");
        assert_eq!(v[0]["status"], "warning");
        assert_eq!(v[0]["date"], local_rfc3339(1_746_316_800));
        assert_eq!(v[1]["job"], serde_json::Value::Null);
        assert_eq!(v[0]["size_bytes"], 1024);
        assert_eq!(text.lines().count(), 4, "one entry a line: {text}");
    }
}
