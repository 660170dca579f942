//! `duplidesk logs`.
use crate::args::LogsArgs;
use crate::output;
use crate::{Outcome, EXIT_OK};
use duplidesk_core::dates::{local, parse_day_or_instant, Bound};
use duplidesk_core::logs_file::{LogFormat, LogWriter};
use duplidesk_core::store::LogQuery;
use duplidesk_core::{Engine, Error, Status};
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
        search: a.search.filter(|s| !s.is_empty()),
        limit: Some(a.limit),
        offset: a.offset,
    };
    let offset = u64::from(query.offset);
    if a.json || a.csv {
        // Every matching entry, one at a time (the same files as the app's export).
        let format = if a.json { LogFormat::Json } else { LogFormat::Csv };
        let db = engine.db()?.clone();
        // A write error (a closed pipe) stays an io::Error of its kind: it ends the command quietly.
        let written: io::Result<()> = runtime.block_on(db.read(move |s| {
            let mut failed: Option<io::Error> = None;
            let mut w = match LogWriter::new(io::BufWriter::new(io::stdout().lock()), format) {
                Ok(w) => w,
                Err(e) => return Ok(Err(e)),
            };
            let read = s.for_each_log(&query, |r| {
                w.row(r).map_err(|e| {
                    let stop = Error::io("Could not write", io::Error::new(e.kind(), e.to_string()));
                    failed = Some(e);
                    stop
                })
            });
            if let Some(e) = failed {
                return Ok(Err(e));
            }
            read?;
            Ok(w.finish().map(drop))
        }))?;
        written?;
        return Ok(EXIT_OK);
    }
    let total = runtime.block_on(engine.logs_count(query.clone()))?.matching;
    let page = runtime.block_on(engine.logs(query))?;
    let rows = &page.rows;
    // Taken only here: the CSV/JSON writer above locks standard output on another thread.
    let mut out = io::stdout().lock();
    if rows.is_empty() {
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
        if total > rows.len() as u64 + offset {
            writeln!(out, "… {} of {} entries shown (--limit 0 for all, --offset to page).", rows.len(), total)?;
        }
    }
    Ok(EXIT_OK)
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
