//! What the background watch keeps: per job whether it is watched, the long-running threshold
//! last reported and the overdue episode; what each notification key last said; and the reads
//! it needs (each job's newest run, the entries made since a point).
use super::logs::{entry_from_row, ENTRY_COLUMNS};
use super::{LogEntryRow, Store};
use crate::error::Result;
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

impl Store {
    /// The end of each job's newest run (a backup or a sync that left a result), by job id.
    pub fn last_run_dates(&self) -> Result<HashMap<i64, i64>> {
        let mut st = self.conn.prepare_cached(
            "SELECT job_id, max(date) FROM log_entries \
             WHERE job_id IS NOT NULL AND status IN ('completed', 'warning', 'error', 'stopped') AND type IN ('Backup', 'Sync') \
             GROUP BY job_id",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<HashMap<i64, i64>>>()?;
        Ok(rows)
    }

    /// The servers with a task seen running at their last collection.
    pub fn servers_with_running_jobs(&self) -> Result<Vec<i64>> {
        let mut st = self.conn.prepare_cached("SELECT DISTINCT server_id FROM jobs WHERE running_since IS NOT NULL")?;
        let rows = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(rows)
    }

    pub fn set_running_alerted(&self, job_id: i64, threshold_s: Option<i64>) -> Result<()> {
        self.conn.execute("UPDATE jobs SET running_alerted_s = ?2 WHERE id = ?1", params![job_id, threshold_s])?;
        Ok(())
    }

    pub fn set_overdue_since(&self, job_id: i64, since: Option<i64>) -> Result<()> {
        self.conn.execute("UPDATE jobs SET overdue_since = ?2 WHERE id = ?1", params![job_id, since])?;
        Ok(())
    }

    /// Watches a job or not; false when there is no such job. Not watched, it is not overdue.
    pub fn set_job_monitored(&self, job_id: i64, monitored: bool) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE jobs SET monitored = ?2, overdue_since = CASE WHEN ?2 THEN overdue_since END WHERE id = ?1",
            params![job_id, monitored],
        )?;
        Ok(changed > 0)
    }

    /// What the notification key last said.
    pub fn notified(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT state FROM notified WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_notified(&self, key: &str, state: &str, at: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO notified(key, state, at) VALUES (?1, ?2, ?3) ON CONFLICT(key) DO UPDATE SET state = excluded.state, at = excluded.at",
            params![key, state, at],
        )?;
        Ok(())
    }

    /// The newest entry id (0 when there is none): entries made later have larger ids.
    pub fn last_entry_id(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT coalesce(max(id), 0) FROM log_entries", [], |r| r.get(0))?)
    }

    /// One entry by its id.
    pub fn entry(&self, id: i64) -> Result<Option<LogEntryRow>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM log_entries e WHERE e.id = ?1"))?;
        Ok(st.query_row([id], entry_from_row).optional()?)
    }

    /// The entries made after entry `id`, oldest first, at most `limit`.
    pub fn entries_after(&self, id: i64, limit: u32) -> Result<Vec<LogEntryRow>> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM log_entries e WHERE e.id > ?1 ORDER BY e.id LIMIT ?2"))?;
        let rows = st.query_map(params![id, limit], entry_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
