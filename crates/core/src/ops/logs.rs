//! What the screens read (dashboard, Backup Logs, job history, an entry's details) and
//! clearing logs.
use super::Engine;
use crate::dashboard::{self, Dashboard, Health};
use crate::error::Result;
use crate::model::Status;
use crate::store::{now_ts, LogDetails, LogEntryRow, LogQuery};
use crate::task::blocking;
use serde::{Deserialize, Serialize};

/// The Backup Logs filters as the UI sends them. `to` is exclusive; `limit` 0 or absent = all.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields = nullable)]
pub struct LogsQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
    #[ts(as = "Option<Vec<Status>>", optional)]
    pub statuses: Vec<Status>,
    pub server: Option<String>,
    pub job: Option<String>,
    pub op_type: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

impl From<LogsQuery> for LogQuery {
    fn from(q: LogsQuery) -> LogQuery {
        let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        LogQuery {
            from: q.from,
            to: q.to,
            statuses: q.statuses,
            server: text(q.server),
            job: text(q.job),
            op_type: text(q.op_type),
            limit: q.limit,
            offset: q.offset.unwrap_or(0),
        }
    }
}

/// One page of entries and how many match in all.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct LogsPage {
    pub rows: Vec<LogEntryRow>,
    /// Entries matching the filters (limit and offset ignored).
    pub total: u64,
}

/// Which entries to clear: older than some days, of deleted servers only; both combine;
/// neither = every entry.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields = nullable)]
pub struct ClearOptions {
    pub older_than_days: Option<u32>,
    #[ts(as = "Option<bool>", optional)]
    pub orphans_only: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Cleared {
    pub deleted: u64,
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

    /// Entries matching `query`, newest first, and how many match in all.
    pub async fn logs(&self, query: LogQuery) -> Result<LogsPage> {
        self.db()?.read(move |s| Ok(LogsPage { rows: s.query_logs(&query)?, total: s.count_logs(&query)? })).await
    }

    /// The full context of an entry: Duplicati's result JSON, or the text it sent; `None` when
    /// the entry is gone.
    pub async fn log_details(&self, id: i64) -> Result<Option<LogDetails>> {
        self.db()?.read(move |s| s.log_details(id)).await
    }

    /// Deletes entries (see [`ClearOptions`]); leaves one `info` entry saying what went.
    pub async fn clear_logs(&self, options: ClearOptions) -> Result<Cleared> {
        let older_than = options.older_than_days.map(|d| now_ts() - i64::from(d) * 86_400);
        let deleted = self.db()?.write(move |s| s.clear_logs(older_than, options.orphans_only)).await?;
        tracing::info!(deleted, older_than_days = ?options.older_than_days, orphans_only = options.orphans_only, "logs cleared");
        self.data_changed();
        Ok(Cleared { deleted })
    }
}
