//! Read models for the app's screens (dashboard, job history) and log housekeeping.
//! A handful of set-based queries: the dashboard costs the same few statements for 1 or 500 jobs.
use super::logs::{entry_from_row, ENTRY_COLUMNS};
use super::{LogEntryRow, Store};
use crate::error::Result;
use crate::model::Status;
use crate::monitor::NewEntry;
use rusqlite::params;

/// The operations that are a job's runs on the dashboard (its last run, its recent statuses).
const RUN_TYPES: &str = "('Backup', 'Sync')";

/// A job as the dashboard lists it (no cursor, no paths).
#[derive(Debug, Clone, PartialEq)]
pub struct JobSummaryRow {
    pub id: i64,
    pub server_id: i64,
    pub backup_id: String,
    pub name: String,
    pub description: Option<String>,
    pub present: bool,
    pub schedule_json: Option<String>,
    pub operation_type: String,
    pub running_since: Option<i64>,
    pub progress_json: Option<String>,
    pub monitored: bool,
    /// The long-running threshold last reported for its task running now, if any.
    pub running_alerted_s: Option<i64>,
    /// The planned run it missed, while it is overdue.
    pub overdue_since: Option<i64>,
}

/// A collection of a server that failed, for the diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFailure {
    pub server_id: i64,
    pub at: i64,
    pub code: String,
    pub message: String,
}

impl Store {
    /// How many servers, jobs and log entries the store holds.
    pub fn counts(&self) -> Result<(u64, u64, u64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM servers), (SELECT count(*) FROM jobs), (SELECT count(*) FROM log_entries)",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64)),
        )?)
    }

    /// The last `per_server` failed collections of each server, newest first.
    pub fn recent_failures(&self, per_server: u32) -> Result<Vec<RunFailure>> {
        let mut stmt = self.conn.prepare(
            "SELECT server_id, finished_at, error_code, coalesce(error_message, '') FROM ( \
                 SELECT *, row_number() OVER (PARTITION BY server_id ORDER BY started_at DESC, id DESC) AS n \
                 FROM collection_runs WHERE error_code IS NOT NULL AND server_id IS NOT NULL) \
             WHERE n <= ?1 ORDER BY server_id, started_at DESC, id DESC",
        )?;
        let rows =
            stmt.query_map([per_server], |r| Ok(RunFailure { server_id: r.get(0)?, at: r.get(1)?, code: r.get(2)?, message: r.get(3)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every job of every server, grouped by server, by name within a server.
    pub fn all_jobs(&self) -> Result<Vec<JobSummaryRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, server_id, backup_id, name, description, present, schedule_json, operation_type, running_since, progress_json, \
             monitored, running_alerted_s, overdue_since FROM jobs ORDER BY server_id, lower(name), id",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(JobSummaryRow {
                    id: r.get(0)?,
                    server_id: r.get(1)?,
                    backup_id: r.get(2)?,
                    name: r.get(3)?,
                    description: r.get(4)?,
                    present: r.get(5)?,
                    schedule_json: r.get(6)?,
                    operation_type: r.get(7)?,
                    running_since: r.get(8)?,
                    progress_json: r.get(9)?,
                    monitored: r.get(10)?,
                    running_alerted_s: r.get(11)?,
                    overdue_since: r.get(12)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The newest `per_job` runs (backups and syncs, not listings, tests or other operations)
    /// of every job, in one statement (each job's part is an index range scan on
    /// `log_entries(job_id, date)`). Sorted by job, newest first.
    pub fn recent_runs_per_job(&self, per_job: u32) -> Result<Vec<LogEntryRow>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM jobs j JOIN log_entries e ON e.id IN \
               (SELECT x.id FROM log_entries x WHERE x.job_id = j.id AND x.type IN {RUN_TYPES} \
                ORDER BY x.date DESC, x.id DESC LIMIT ?1) \
             ORDER BY e.job_id, e.date DESC, e.id DESC"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([per_job as i64], entry_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A job's entries, newest first (`limit` 0 = all).
    pub fn job_history(&self, job_id: i64, limit: u32) -> Result<Vec<LogEntryRow>> {
        let limit = if limit == 0 { -1 } else { limit as i64 };
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM log_entries e WHERE e.job_id = ?1 ORDER BY e.date DESC, e.id DESC LIMIT ?2");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![job_id, limit], entry_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Deletes log entries (and their details): those older than `older_than` (Unix seconds)
    /// when given, only those of deleted servers (`server_id IS NULL`) when `orphans_only`;
    /// both filters combine, neither means every entry. Leaves one `info` entry saying so
    /// when something was deleted. Returns how many were deleted.
    pub fn clear_logs(&self, older_than: Option<i64>, orphans_only: bool) -> Result<u64> {
        let mut sql = String::from("DELETE FROM log_entries WHERE 1 = 1");
        if older_than.is_some() {
            sql.push_str(" AND date < ?1");
        }
        if orphans_only {
            sql.push_str(" AND server_id IS NULL");
        }
        let tx = self.conn.unchecked_transaction()?;
        let deleted = match older_than {
            Some(t) => tx.execute(&sql, [t])?,
            None => tx.execute(&sql, [])?,
        } as u64;
        tx.commit()?;
        if deleted > 0 {
            let what = match (older_than, orphans_only) {
                (Some(_), true) => "old entries of removed servers",
                (Some(_), false) => "old entries",
                (None, true) => "entries of removed servers",
                (None, false) => "entries",
            };
            let entry = NewEntry::system(Status::Info, super::now_ts(), format!("Logs cleared: {deleted} {what} deleted"));
            self.insert_system_entry(None, "Duplidesk", &entry)?;
        }
        Ok(deleted)
    }

    /// Deletes every entry of a server (used when the demo server is removed).
    pub fn delete_server_entries(&self, server_id: i64) -> Result<u64> {
        Ok(self.conn.execute("DELETE FROM log_entries WHERE server_id = ?1", [server_id])? as u64)
    }

    /// Deletes a server's entries and starts its jobs' logs over, in one transaction: the next
    /// collection stores everything the server has again (the demo server after a restart).
    pub fn forget_collected_entries(&self, server_id: i64) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM log_entries WHERE server_id = ?1", [server_id])?;
        tx.execute(
            "UPDATE jobs SET complete_through = 0, complete_ts = NULL, pass_top = NULL, pass_top_ts = NULL, pass_low = NULL WHERE server_id = ?1",
            [server_id],
        )?;
        tx.commit()?;
        Ok(())
    }
}
