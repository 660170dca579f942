//! `duplidesk logs`.
use crate::args::LogsArgs;
use crate::output::{self, csv_field};
use crate::{open_store, EXIT_OK};
use chrono::{DateTime, Local, NaiveDate, TimeZone};
use duplidesk_core::store::{LogEntryRow, LogQuery};
use duplidesk_core::{Error, Status};
use serde::Serialize;
use std::path::Path;

pub fn run(a: LogsArgs, data_dir: &Path) -> Result<i32, Error> {
    let statuses = a
        .status
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse::<Status>().map_err(|e| Error::invalid_input(e, "Use --status completed,warning,error,…")))
        .collect::<Result<Vec<_>, _>>()?;
    let query = LogQuery {
        from: a.from.as_deref().map(|d| parse_date(d, false)).transpose()?,
        to: a.to.as_deref().map(|d| parse_date(d, true)).transpose()?,
        statuses,
        server: a.server,
        job: a.job,
        op_type: a.op_type,
        limit: Some(a.limit),
        offset: a.offset,
    };
    let store = open_store(data_dir)?;
    let rows = store.query_logs(&query)?;
    if a.json {
        output::print_json(&rows.iter().map(JsonEntry::from).collect::<Vec<_>>());
    } else if a.csv {
        println!("id,date,status,type,server,job,duration_s,message");
        for r in &rows {
            println!(
                "{},{},{},{},{},{},{},{}",
                r.id,
                rfc3339(r.date),
                r.status,
                csv_field(&r.op_type),
                csv_field(&r.server),
                csv_field(r.job.as_deref().unwrap_or("")),
                r.duration_s.map(|d| format!("{d:.3}")).unwrap_or_default(),
                csv_field(&r.message)
            );
        }
    } else if rows.is_empty() {
        println!("No log entries match. Collect first (duplidesk collect HOST), or widen the filters.");
    } else {
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    local(r.date).format("%Y-%m-%d %H:%M").to_string(),
                    r.status.to_string(),
                    r.op_type.clone(),
                    r.server.clone(),
                    r.job.clone().unwrap_or_else(|| "-".into()),
                    r.duration_s.map(format_duration).unwrap_or_else(|| "-".into()),
                    r.message.clone(),
                ]
            })
            .collect();
        output::print_table(&["DATE", "STATUS", "TYPE", "SERVER", "JOB", "DURATION", "MESSAGE"], &table);
        let total = store.count_logs(&query)?;
        if total > rows.len() as u64 + query.offset as u64 {
            println!("… {} of {total} entries shown (--limit 0 for all, --offset to page).", rows.len());
        }
    }
    Ok(EXIT_OK)
}

/// The `--json` shape: `{"id","date","status","type","server","job","message","duration_s"}`.
#[derive(Serialize)]
struct JsonEntry<'a> {
    id: i64,
    date: String,
    status: Status,
    #[serde(rename = "type")]
    op_type: &'a str,
    server: &'a str,
    job: Option<&'a str>,
    message: &'a str,
    duration_s: Option<f64>,
}

impl<'a> From<&'a LogEntryRow> for JsonEntry<'a> {
    fn from(r: &'a LogEntryRow) -> Self {
        JsonEntry {
            id: r.id,
            date: rfc3339(r.date),
            status: r.status,
            op_type: &r.op_type,
            server: &r.server,
            job: r.job.as_deref(),
            message: &r.message,
            duration_s: r.duration_s,
        }
    }
}

fn local(ts: i64) -> DateTime<Local> {
    Local.timestamp_opt(ts, 0).single().unwrap_or_else(Local::now)
}

fn rfc3339(ts: i64) -> String {
    local(ts).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn format_duration(s: f64) -> String {
    let s = s.round() as i64;
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// `YYYY-MM-DD` is a local day (`end`: the start of the next day, so `--to` includes the whole
/// day); anything else must be RFC 3339.
fn parse_date(s: &str, end: bool) -> Result<i64, Error> {
    let bad = || {
        Error::invalid_input(
            format!("\"{s}\" is not a date."),
            "Use YYYY-MM-DD (local time) or an RFC 3339 instant such as 2025-05-04T10:00:00+02:00.",
        )
    };
    if let Ok(day) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        let day = if end { day.succ_opt().ok_or_else(bad)? } else { day };
        let midnight = day.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
        let local = Local.from_local_datetime(&midnight).earliest().ok_or_else(bad)?;
        return Ok(local.timestamp());
    }
    DateTime::parse_from_rfc3339(s.trim()).map(|d| d.timestamp()).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_includes_the_whole_day() {
        let from = parse_date("2025-05-04", false).unwrap();
        let to = parse_date("2025-05-04", true).unwrap();
        assert!((23 * 3600..=25 * 3600).contains(&(to - from)));
        assert_eq!(parse_date("2025-05-04T00:00:00Z", false).unwrap(), 1746316800);
        assert!(parse_date("yesterday", false).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(207.4), "3m 27s");
        assert_eq!(format_duration(5.0), "5s");
        assert_eq!(format_duration(93600.0), "26h 00m");
    }
}
