//! What the screens read (dashboard, Backup Logs, job history, an entry's details) and
//! clearing logs.
use super::Engine;
use crate::dashboard::{self, Dashboard, Health};
use crate::dates::local_day_range;
use crate::error::Error;
use crate::error::Result;
use crate::logs_file::{LogFormat, LogWriter};
use crate::model::Status;
use crate::store::{now_ts, ClearPreview, JobTrend, LogDetails, LogEntryRow, LogQuery, StatusTimeline};
use crate::task::blocking;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The Backup Logs filters as the UI sends them. `fromDay` and `toDay` are days
/// (`YYYY-MM-DD`) in this computer's time zone; `toDay` includes its whole day. `limit` 0 or
/// absent = all.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields = nullable)]
pub struct LogsQuery {
    pub from_day: Option<String>,
    pub to_day: Option<String>,
    #[ts(as = "Option<Vec<Status>>", optional)]
    pub statuses: Vec<Status>,
    pub server: Option<String>,
    pub job: Option<String>,
    pub op_type: Option<String>,
    /// Text the message contains.
    pub search: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

impl LogsQuery {
    /// The store's query; the days become instants in this computer's time zone. Rejects a
    /// day that is not `YYYY-MM-DD` (`invalid_input`).
    pub fn to_query(self) -> Result<LogQuery> {
        let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let (from, to) = local_day_range(text(self.from_day).as_deref(), text(self.to_day).as_deref())?;
        Ok(LogQuery {
            from,
            to,
            statuses: self.statuses,
            server: text(self.server),
            job: text(self.job),
            op_type: text(self.op_type),
            search: self.search.filter(|s| !s.trim().is_empty()),
            limit: self.limit,
            offset: self.offset.unwrap_or(0),
        })
    }
}

/// One page of entries, newest first.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct LogsPage {
    pub rows: Vec<LogEntryRow>,
    /// More entries match after this page.
    pub more: bool,
}

/// The Backup Logs counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LogsCount {
    /// Entries matching the filters.
    pub matching: u64,
    /// Entries in the store.
    pub total: u64,
}

/// "Clear backup logs": every entry except those of jobs running now (entries of deleted
/// servers and jobs included); with `olderThanDays`, only entries older than that.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields = nullable)]
pub struct ClearOptions {
    pub older_than_days: Option<u32>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Cleared {
    pub deleted: u64,
    /// Entries kept because their job is running now.
    pub kept_running: u64,
}

/// An export of the Backup Logs.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Exported {
    pub path: String,
    pub entries: u64,
}

/// The store's `older_than` instant for a clear.
fn older_than(options: &ClearOptions, now: i64) -> Option<i64> {
    options.older_than_days.map(|d| now - i64::from(d) * 86_400)
}

impl Engine {
    /// The dashboard, with whether each server's password is known.
    pub async fn dashboard(&self) -> Result<Dashboard> {
        self.dashboard_at(now_ts()).await
    }

    pub(super) async fn dashboard_at(&self, now: i64) -> Result<Dashboard> {
        let mut dashboard = self.db()?.read(move |s| dashboard::dashboard(s, now)).await?;
        let secrets = self.secrets();
        dashboard = blocking(move || {
            dashboard.fill_passwords(secrets.as_deref());
            Ok(dashboard)
        })
        .await?;
        Ok(dashboard)
    }

    /// The worst state of every server and job (what the tray icon shows).
    pub async fn health(&self) -> Result<Health> {
        let now = now_ts();
        self.db()?.read(move |s| Ok(dashboard::dashboard(s, now)?.health())).await
    }

    /// A job's entries, newest first (`limit` 0 = all).
    pub async fn job_history(&self, job_id: i64, limit: u32) -> Result<Vec<LogEntryRow>> {
        self.db()?.read(move |s| s.job_history(job_id, limit)).await
    }

    /// A page of entries matching `query`, newest first, and whether more follow. The count
    /// is [`Engine::logs_count`]'s: a page never waits for it.
    pub async fn logs(&self, query: LogQuery) -> Result<LogsPage> {
        self.db()?
            .read(move |s| {
                let limit = query.limit.filter(|&n| n > 0);
                let mut rows = s.query_logs(&LogQuery { limit: limit.map(|n| n.saturating_add(1)), ..query })?;
                let more = limit.is_some_and(|n| rows.len() > n as usize);
                if more {
                    rows.pop();
                }
                Ok(LogsPage { rows, more })
            })
            .await
    }

    /// How many entries match `query`, and how many the store holds.
    pub async fn logs_count(&self, query: LogQuery) -> Result<LogsCount> {
        self.db()?
            .count(move |s| {
                let total = s.total_entries()?;
                let matching = if query.is_unfiltered() { total } else { s.count_logs(&query)? };
                Ok(LogsCount { matching, total })
            })
            .await
    }

    /// Writes every entry matching `query` (limit and offset apply) to `path` as CSV or JSON,
    /// newest first, one at a time; the file appears whole or not at all and only its owner
    /// can read it.
    pub async fn export_logs(&self, query: LogQuery, format: LogFormat, path: PathBuf) -> Result<Exported> {
        self.db()?
            .read(move |s| {
                let what = format!("Could not write {}", path.display());
                let tmp = path.with_extension(format!("{}.partial", format.extension()));
                let written = (|| -> Result<u64> {
                    let file = crate::store::private::create_file(&tmp).map_err(|e| Error::io(&what, e))?;
                    let mut out = LogWriter::new(std::io::BufWriter::new(file), format).map_err(|e| Error::io(&what, e))?;
                    let entries = s.for_each_log(&query, |r| out.row(r).map_err(|e| Error::io(&what, e)))?;
                    let file = out.finish().map_err(|e| Error::io(&what, e))?;
                    file.into_inner().map_err(|e| Error::io(&what, e.into_error()))?.sync_all().map_err(|e| Error::io(&what, e))?;
                    Ok(entries)
                })();
                let entries = written.inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })?;
                std::fs::rename(&tmp, &path).map_err(|e| Error::io(&what, e))?;
                Ok(Exported { path: path.display().to_string(), entries })
            })
            .await
    }

    /// A job's last `limit` runs (0 = all) with their measures, for its charts.
    pub async fn job_trend(&self, job_id: i64, limit: u32) -> Result<JobTrend> {
        self.db()?.read(move |s| s.job_trend(job_id, limit)).await
    }

    /// Every job's runs of the last `days` days (the dashboard's timeline).
    pub async fn status_timeline(&self, days: u32) -> Result<StatusTimeline> {
        let to = now_ts();
        let from = to - i64::from(days.clamp(1, 366)) * 86_400;
        self.db()?.read(move |s| s.status_timeline(from, to)).await
    }

    /// The full context of an entry: Duplicati's result JSON, or the text it sent; `None` when
    /// the entry is gone.
    pub async fn log_details(&self, id: i64) -> Result<Option<LogDetails>> {
        self.db()?.read(move |s| s.log_details(id)).await
    }

    /// What [`Engine::clear_logs`] would delete now, for its confirmation.
    pub async fn clear_logs_preview(&self, options: ClearOptions) -> Result<ClearPreview> {
        let older_than = older_than(&options, now_ts());
        self.db()?.read(move |s| s.clear_preview(older_than)).await
    }

    /// "Clear backup logs" (see [`ClearOptions`] and [`crate::store::Store::clear_logs`]):
    /// only the local store changes, no server is asked anything; leaves one `info` entry
    /// saying what went.
    pub async fn clear_logs(&self, options: ClearOptions) -> Result<Cleared> {
        let now = now_ts();
        let older_than = older_than(&options, now);
        let done = self.db()?.write(move |s| s.clear_logs(older_than, now)).await?;
        tracing::info!(deleted = done.deleted, kept_running = done.kept_running, older_than_days = ?options.older_than_days, "logs cleared");
        self.data_changed();
        Ok(Cleared { deleted: done.deleted, kept_running: done.kept_running })
    }
}
