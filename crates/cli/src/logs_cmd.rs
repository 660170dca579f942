//! `duplidesk logs`.
use crate::args::LogsArgs;
use crate::output::{self, csv_field};
use crate::{Outcome, EXIT_OK};
use duplidesk_core::dates::{local, local_rfc3339, parse_day_or_instant, Bound};
use duplidesk_core::store::{LogEntryRow, LogQuery};
use duplidesk_core::{Engine, Error, Status};
use serde::Serialize;
use std::io::{self, Write};

pub fn run(a: LogsArgs, engine: &Engine, runtime: &tokio::runtime::Runtime) -> Outcome {
    let statuses = a
        .status
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse::<Status>().map_err(|e| Error::invalid_input(e, "Use --status completed,warning,error,…")))
        .collect::<Result<Vec<_>, _>>()?;
    let query = LogQuery {
        from: a.from.as_deref().map(|d| parse_day_or_instant(d, Bound::Start)).transpose()?,
        to: a.to.as_deref().map(|d| parse_day_or_instant(d, Bound::End)).transpose()?,
        statuses,
        server: a.server,
        job: a.job,
        op_type: a.op_type,
        limit: Some(a.limit),
        offset: a.offset,
    };
    let offset = u64::from(query.offset);
    let page = runtime.block_on(engine.logs(query))?;
    let rows = &page.rows;
    let mut out = io::stdout().lock();
    if a.json {
        output::print_json(&mut out, &rows.iter().map(JsonEntry::from).collect::<Vec<_>>())?;
    } else if a.csv {
        writeln!(out, "id,date,status,type,server,job,duration_s,message")?;
        for r in rows {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                r.id,
                local_rfc3339(r.date),
                r.status,
                csv_field(&r.op_type),
                csv_field(&r.server),
                csv_field(r.job.as_deref().unwrap_or("")),
                r.duration_s.map(|d| format!("{d:.3}")).unwrap_or_default(),
                csv_field(&r.message)
            )?;
        }
    } else if rows.is_empty() {
        writeln!(out, "No log entries match. Collect first (duplidesk collect HOST), or widen the filters.")?;
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
        output::print_table(&mut out, &["DATE", "STATUS", "TYPE", "SERVER", "JOB", "DURATION", "MESSAGE"], &table)?;
        if page.total > rows.len() as u64 + offset {
            writeln!(out, "… {} of {} entries shown (--limit 0 for all, --offset to page).", rows.len(), page.total)?;
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
            date: local_rfc3339(r.date),
            status: r.status,
            op_type: &r.op_type,
            server: &r.server,
            job: r.job.as_deref(),
            message: &r.message,
            duration_s: r.duration_s,
        }
    }
}

fn format_duration(s: f64) -> String {
    let s = s.round() as i64;
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(format_duration(207.4), "3m 27s");
        assert_eq!(format_duration(5.0), "5s");
        assert_eq!(format_duration(93600.0), "26h 00m");
    }
}
