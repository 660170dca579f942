//! Read models for the app's screens (dashboard, job history) and log housekeeping.
//! A handful of set-based queries: the dashboard costs the same few statements for 1 or 500 jobs.
use super::logs::{entry_from_row, ENTRY_COLUMNS};
use super::{LogEntryRow, Store};
use crate::error::Result;
use crate::model::Status;
use crate::monitor::NewEntry;
use rusqlite::{params, params_from_iter};

/// The operations that are a job's runs on the dashboard (its last run, its recent statuses).
const RUN_TYPES: &str = "('Backup', 'Sync')";

/// What "Clear backup logs" would remove, asked before it does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ClearPreview {
    /// The entries that would be deleted.
    pub entries: u64,
    /// The entries kept because their job is running right now.
    pub kept_running: u64,
    /// The names of the jobs running right now.
    pub running_jobs: Vec<String>,
}

/// What "Clear backup logs" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClearedLogs {
    pub deleted: u64,
    pub kept_running: u64,
    /// The `info` entry that says so.
    pub info_id: i64,
}

/// Which entries a clear removes (over `log_entries e`): every one except those of jobs
/// running now; with `older_than`, only those dated before it.
fn clear_condition(older_than: Option<i64>) -> (String, Vec<i64>) {
    let mut cond = String::from("(e.job_id IS NULL OR e.job_id NOT IN (SELECT id FROM jobs WHERE running_since IS NOT NULL))");
    let mut args = Vec::new();
    if let Some(t) = older_than {
        args.push(t);
        cond.push_str(&format!(" AND e.date < ?{}", args.len()));
    }
    (cond, args)
}

/// How many entries the jobs running now have, and those jobs' names.
fn running_entries(conn: &rusqlite::Connection) -> Result<(u64, Vec<String>)> {
    let mut st = conn.prepare_cached(
        "SELECT j.name, (SELECT count(*) FROM log_entries e WHERE e.job_id = j.id) FROM jobs j \
         WHERE j.running_since IS NOT NULL ORDER BY lower(j.name), j.id",
    )?;
    let running: Vec<(String, i64)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok((running.iter().map(|(_, n)| *n as u64).sum(), running.into_iter().map(|(name, _)| name).collect()))
}

/// A job's runs for its charts, oldest first, one column per measure (the shape a chart
/// draws from, and the smallest to send).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JobTrend {
    pub job_id: i64,
    /// Unix seconds.
    pub dates: Vec<i64>,
    pub statuses: Vec<Status>,
    pub duration_s: Vec<Option<f64>>,
    /// The size of the files the backup examined.
    pub size_bytes: Vec<Option<i64>>,
    pub uploaded_bytes: Vec<Option<i64>>,
    pub files_examined: Vec<Option<i64>>,
    /// Files added, modified and deleted.
    pub files_changed: Vec<Option<i64>>,
}

/// Every job's runs in a period, for the dashboard's status timeline.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusTimeline {
    /// Unix seconds: the period is `[from, to)`.
    pub from: i64,
    pub to: i64,
    pub jobs: Vec<JobTimeline>,
}

/// One job's runs in the timeline's period, oldest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JobTimeline {
    pub job_id: i64,
    pub server_id: i64,
    pub job: String,
    /// The server's alias, else its name.
    pub server: String,
    pub dates: Vec<i64>,
    pub statuses: Vec<Status>,
}

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

    /// The last `limit` runs of a job (0 = all) with their measures, oldest first; runs that
    /// only started or are still running are left out (they have no measures yet).
    pub fn job_trend(&self, job_id: i64, limit: u32) -> Result<JobTrend> {
        let limit = if limit == 0 { -1 } else { limit as i64 };
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT date, status, duration_s, size_bytes, uploaded_bytes, files_examined, \
                    files_added + files_modified + files_deleted FROM \
               (SELECT * FROM log_entries WHERE job_id = ?1 AND type IN {RUN_TYPES} AND status NOT IN ('started', 'running') \
                ORDER BY date DESC, id DESC LIMIT ?2) \
             ORDER BY date, id"
        ))?;
        let mut trend = JobTrend { job_id, ..JobTrend::default() };
        let mut rows = st.query(params![job_id, limit])?;
        while let Some(r) = rows.next()? {
            trend.dates.push(r.get(0)?);
            trend.statuses.push(r.get::<_, String>(1)?.parse().unwrap_or(Status::Info));
            trend.duration_s.push(r.get(2)?);
            trend.size_bytes.push(r.get(3)?);
            trend.uploaded_bytes.push(r.get(4)?);
            trend.files_examined.push(r.get(5)?);
            trend.files_changed.push(r.get(6)?);
        }
        Ok(trend)
    }

    /// Every job's runs dated in `[from, to)`, jobs by server then name (as the dashboard
    /// lists them), each job's runs oldest first. Jobs without runs in the period are listed
    /// too (an empty lane says "no run").
    pub fn status_timeline(&self, from: i64, to: i64) -> Result<StatusTimeline> {
        let mut jobs: Vec<JobTimeline> = Vec::new();
        let mut st = self.conn.prepare_cached(
            "SELECT j.id, j.server_id, j.name, coalesce(nullif(s.alias, ''), s.name) FROM jobs j JOIN servers s ON s.id = j.server_id \
             ORDER BY lower(coalesce(nullif(s.alias, ''), s.name)), s.id, lower(j.name), j.id",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            jobs.push(JobTimeline {
                job_id: r.get(0)?,
                server_id: r.get(1)?,
                job: r.get(2)?,
                server: r.get(3)?,
                dates: Vec::new(),
                statuses: Vec::new(),
            });
        }
        let index: std::collections::HashMap<i64, usize> = jobs.iter().enumerate().map(|(i, j)| (j.job_id, i)).collect();
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT job_id, date, status FROM log_entries WHERE date >= ?1 AND date < ?2 AND job_id IS NOT NULL AND type IN {RUN_TYPES} \
             ORDER BY date, id"
        ))?;
        let mut rows = st.query(params![from, to])?;
        while let Some(r) = rows.next()? {
            if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
                jobs[i].dates.push(r.get(1)?);
                jobs[i].statuses.push(r.get::<_, String>(2)?.parse().unwrap_or(Status::Info));
            }
        }
        Ok(StatusTimeline { from, to, jobs })
    }

    /// A job's entries, newest first (`limit` 0 = all).
    pub fn job_history(&self, job_id: i64, limit: u32) -> Result<Vec<LogEntryRow>> {
        let limit = if limit == 0 { -1 } else { limit as i64 };
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM log_entries e WHERE e.job_id = ?1 ORDER BY e.date DESC, e.id DESC LIMIT ?2");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![job_id, limit], entry_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// What [`Store::clear_logs`] would remove now: how many entries, and how many entries of
    /// jobs running right now it keeps (of which jobs).
    pub fn clear_preview(&self, older_than: Option<i64>) -> Result<ClearPreview> {
        let (cond, args) = clear_condition(older_than);
        let entries =
            self.conn.query_row(&format!("SELECT count(*) FROM log_entries e WHERE {cond}"), params_from_iter(args.iter()), |r| {
                r.get::<_, i64>(0)
            })? as u64;
        let (kept_running, running_jobs) = running_entries(&self.conn)?;
        Ok(ClearPreview { entries, kept_running, running_jobs })
    }

    /// "Clear backup logs": deletes every entry (and its details) except those of jobs
    /// running right now (`jobs.running_since`), entries of deleted servers included; with
    /// `older_than` (Unix seconds) only entries dated before it. Nothing is asked of any
    /// server. What was deleted never comes back with a later collection or import: each job
    /// remembers the newest Duplicati date it lost (`cleared_through`, at most `now`), and
    /// rows dated after `now` by a server whose clock is off are listed one by one
    /// (`cleared_rows`). Leaves one `info` entry saying what went, in the same transaction.
    pub fn clear_logs(&self, older_than: Option<i64>, now: i64) -> Result<ClearedLogs> {
        let (cond, args) = clear_condition(older_than);
        let n = args.len();
        let mut with_now = args.clone();
        with_now.push(now);
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            &format!(
                "UPDATE jobs SET cleared_through = coalesce(max(cleared_through, newest), newest) FROM \
                   (SELECT e.job_id AS cleared_job, min(?{now_arg}, max(e.remote_timestamp)) AS newest FROM log_entries e \
                    WHERE e.job_id IS NOT NULL AND e.remote_id IS NOT NULL AND e.remote_timestamp IS NOT NULL AND {cond} GROUP BY e.job_id) \
                 WHERE jobs.id = cleared_job",
                now_arg = n + 1
            ),
            params_from_iter(with_now.iter()),
        )?;
        tx.execute(
            &format!(
                "INSERT OR IGNORE INTO cleared_rows(job_id, remote_id, remote_timestamp) \
                 SELECT e.job_id, e.remote_id, e.remote_timestamp FROM log_entries e \
                 WHERE e.job_id IS NOT NULL AND e.remote_id IS NOT NULL AND e.remote_timestamp > ?{} AND {cond}",
                n + 1
            ),
            params_from_iter(with_now.iter()),
        )?;
        let deleted = tx.execute(&format!("DELETE FROM log_entries AS e WHERE {cond}"), params_from_iter(args.iter()))? as u64;
        let kept = running_entries(&tx)?;
        let mut message = match older_than {
            Some(t) => format!("Backup logs cleared: {deleted} entries dated before {} deleted", crate::dates::local_rfc3339(t)),
            None => format!("Backup logs cleared: {deleted} entries deleted"),
        };
        if kept.0 > 0 {
            message.push_str(&format!(
                "; the {} entries of {} running now kept ({})",
                kept.0,
                if kept.1.len() == 1 { "the job" } else { "the jobs" },
                kept.1.join(", ")
            ));
        }
        let entry = NewEntry::system(Status::Info, now, message);
        let info_id = super::logs::insert_system_entry_in(&tx, None, "Duplidesk", &entry)?;
        tx.commit()?;
        Ok(ClearedLogs { deleted, kept_running: kept.0, info_id })
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
        // The cursors, and what lets an unchanged job skip its log: all of it is read again.
        tx.execute(
            "UPDATE jobs SET complete_through = 0, complete_ts = NULL, pass_top = NULL, pass_top_ts = NULL, pass_low = NULL, log_state = NULL \
             WHERE server_id = ?1",
            [server_id],
        )?;
        tx.execute("UPDATE servers SET data_update_id = NULL WHERE id = ?1", [server_id])?;
        tx.commit()?;
        Ok(())
    }
}
