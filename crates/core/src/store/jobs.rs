//! Backup jobs of a server, with the per-job paging cursor.
use super::Store;
use crate::duplicati::wire::BackupItem;
use crate::error::Result;
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

/// A job as the server lists it (`GET /api/v1/backups`), TargetURL left out on purpose.
#[derive(Debug, Clone, PartialEq)]
pub struct JobInfo {
    pub backup_id: String,
    pub name: String,
    pub description: Option<String>,
    pub db_path: Option<String>,
    pub schedule_json: Option<String>,
    pub metadata_json: Option<String>,
    /// `Backup`, or `Sync` (Duplicati 2.3 sync jobs have no log).
    pub operation_type: String,
}

impl JobInfo {
    /// What the store keeps of a job the server lists.
    pub fn from_backup(item: &BackupItem) -> JobInfo {
        JobInfo {
            backup_id: item.backup.id.clone(),
            name: item.backup.name.clone(),
            description: item.backup.description.clone().filter(|d| !d.is_empty()),
            db_path: item.backup.db_path.clone(),
            schedule_json: item.schedule.as_ref().and_then(|s| serde_json::to_string(s).ok()),
            metadata_json: item.backup.metadata.as_ref().map(|m| serde_json::Value::Object(m.clone()).to_string()),
            operation_type: if item.backup.is_sync() { "Sync" } else { "Backup" }.to_owned(),
        }
    }

    /// A backup job known only by its id and name: no description, database path, schedule
    /// or metadata (test fixtures and benchmark stores).
    pub fn backup(backup_id: impl Into<String>, name: impl Into<String>) -> JobInfo {
        JobInfo {
            backup_id: backup_id.into(),
            name: name.into(),
            description: None,
            db_path: None,
            schedule_json: None,
            metadata_json: None,
            operation_type: "Backup".into(),
        }
    }

    /// What the server's job list says about the job: when it changes (a run, a failure, a
    /// changed schedule), the job's log may hold something new.
    pub fn state(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::new()
            .chain_update(self.schedule_json.as_deref().unwrap_or(""))
            .chain_update([0])
            .chain_update(self.metadata_json.as_deref().unwrap_or(""))
            .finalize();
        digest[..12].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// How far collection of a job's log has got. Duplicati pages newest first, so a pass runs
/// from the newest row (`pass_top`) down to the rows already complete; `pass_low` is the lowest
/// row stored by the pass in progress. A pass interrupted half-way resumes below `pass_low`
/// instead of stopping at the first known row, which would leave a hole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCursor {
    /// Every row with an ID up to this one is stored (0 = none).
    pub complete_through: i64,
    /// The `Timestamp` of row `complete_through`: tells a recreated job database apart.
    pub complete_ts: Option<i64>,
    pub pass_top: Option<i64>,
    pub pass_top_ts: Option<i64>,
    pub pass_low: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRow {
    pub id: i64,
    pub server_id: i64,
    pub backup_id: String,
    pub name: String,
    pub description: Option<String>,
    pub db_path: Option<String>,
    pub schedule_json: Option<String>,
    pub metadata_json: Option<String>,
    pub present: bool,
    pub cursor: JobCursor,
    pub operation_type: String,
    /// Since when a task of this job has been seen running (Unix seconds).
    pub running_since: Option<i64>,
    /// The running task's last `progressstate`, as JSON.
    pub progress_json: Option<String>,
    /// The newest `Metadata.LastErrorDate` already dealt with (Unix seconds).
    pub metadata_error_at: Option<i64>,
    /// [`JobInfo::state`] when the job's log was last read to the end; `None`: read it.
    pub log_state: Option<String>,
    /// Whether the background watch reports it (overdue, notifications).
    pub monitored: bool,
    /// The long-running threshold (seconds) last reported for the task running now.
    pub running_alerted_s: Option<i64>,
    /// The planned run it missed, while it is overdue.
    pub overdue_since: Option<i64>,
}

impl JobRow {
    pub fn is_sync(&self) -> bool {
        self.operation_type == "Sync"
    }
}

const COLUMNS: &str = "id, server_id, backup_id, name, description, db_path, schedule_json, metadata_json, present, complete_through, \
                       complete_ts, pass_top, pass_top_ts, pass_low, operation_type, running_since, progress_json, metadata_error_at, log_state, \
                       monitored, running_alerted_s, overdue_since";

fn from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        server_id: r.get(1)?,
        backup_id: r.get(2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        db_path: r.get(5)?,
        schedule_json: r.get(6)?,
        metadata_json: r.get(7)?,
        present: r.get(8)?,
        cursor: JobCursor {
            complete_through: r.get(9)?,
            complete_ts: r.get(10)?,
            pass_top: r.get(11)?,
            pass_top_ts: r.get(12)?,
            pass_low: r.get(13)?,
        },
        operation_type: r.get(14)?,
        running_since: r.get(15)?,
        progress_json: r.get(16)?,
        metadata_error_at: r.get(17)?,
        log_state: r.get(18)?,
        monitored: r.get(19)?,
        running_alerted_s: r.get(20)?,
        overdue_since: r.get(21)?,
    })
}

impl Store {
    /// Inserts or updates a job. A changed `DBPath` means the job's database was recreated on
    /// the server (row IDs start again), so the cursor starts over.
    pub fn upsert_job(&self, server_id: i64, job: &JobInfo) -> Result<JobRow> {
        let tx = self.conn.unchecked_transaction()?;
        let existing = self.job_by_backup_id(server_id, &job.backup_id)?;
        match existing {
            Some(old) => {
                let recreated = old.db_path.is_some() && job.db_path.is_some() && old.db_path != job.db_path;
                tx.execute(
                    "UPDATE jobs SET name = ?2, description = ?3, db_path = ?4, schedule_json = ?5, metadata_json = ?6, present = 1, \
                     operation_type = ?7 WHERE id = ?1",
                    params![old.id, job.name, job.description, job.db_path, job.schedule_json, job.metadata_json, job.operation_type],
                )?;
                if recreated {
                    tx.execute(
                        "UPDATE jobs SET complete_through = 0, complete_ts = NULL, pass_top = NULL, pass_top_ts = NULL, pass_low = NULL, \
                         log_state = NULL WHERE id = ?1",
                        [old.id],
                    )?;
                }
            }
            None => {
                tx.execute(
                    "INSERT INTO jobs(server_id, backup_id, name, description, db_path, schedule_json, metadata_json, operation_type) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        server_id,
                        job.backup_id,
                        job.name,
                        job.description,
                        job.db_path,
                        job.schedule_json,
                        job.metadata_json,
                        job.operation_type
                    ],
                )?;
            }
        }
        tx.commit()?;
        Ok(self.job_by_backup_id(server_id, &job.backup_id)?.expect("job just written"))
    }

    /// Marks the server's jobs that the server no longer lists.
    pub fn mark_missing_jobs(&self, server_id: i64, present_backup_ids: &[String]) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("UPDATE jobs SET present = 0 WHERE server_id = ?1", [server_id])?;
        for id in present_backup_ids {
            tx.execute("UPDATE jobs SET present = 1 WHERE server_id = ?1 AND backup_id = ?2", params![server_id, id])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn job_by_backup_id(&self, server_id: i64, backup_id: &str) -> Result<Option<JobRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE server_id = ?1 AND backup_id = ?2"),
                params![server_id, backup_id],
                from_row,
            )
            .optional()?)
    }

    pub fn job(&self, id: i64) -> Result<Option<JobRow>> {
        Ok(self.conn.query_row(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"), [id], from_row).optional()?)
    }

    pub fn jobs(&self, server_id: i64) -> Result<Vec<JobRow>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM jobs WHERE server_id = ?1 ORDER BY lower(name), id"))?;
        let rows = st.query_map([server_id], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Which of the server's jobs runs now (`None`: none), with its progress as JSON; every
    /// other job of the server stops being "running". Returns whether that job was not seen
    /// running at the previous look (a task started).
    pub fn set_running_job(&self, server_id: i64, running: Option<(i64, Option<&str>)>, now: i64) -> Result<bool> {
        let tx = self.conn.unchecked_transaction()?;
        let running_id = running.map(|(id, _)| id);
        tx.execute(
            "UPDATE jobs SET running_since = NULL, progress_json = NULL, running_alerted_s = NULL \
             WHERE server_id = ?1 AND (?2 IS NULL OR id <> ?2)",
            params![server_id, running_id],
        )?;
        let mut started = false;
        if let Some((id, progress)) = running {
            started = tx.query_row("SELECT running_since IS NULL FROM jobs WHERE id = ?1", [id], |r| r.get(0)).optional()?.unwrap_or(false);
            tx.execute(
                "UPDATE jobs SET running_since = coalesce(running_since, ?2), progress_json = ?3 WHERE id = ?1",
                params![id, now, progress],
            )?;
        }
        tx.commit()?;
        Ok(started)
    }

    /// Remembers the job list's state at the end of a complete read of the job's log (`None`:
    /// read the log next time).
    pub fn set_log_state(&self, job_id: i64, state: Option<&str>) -> Result<()> {
        self.conn.execute("UPDATE jobs SET log_state = ?2 WHERE id = ?1", params![job_id, state])?;
        Ok(())
    }

    /// Remembers that the failure `Metadata.LastErrorDate` = `at` was dealt with.
    pub fn set_metadata_error_at(&self, job_id: i64, at: i64) -> Result<()> {
        self.conn.execute("UPDATE jobs SET metadata_error_at = ?2 WHERE id = ?1", params![job_id, at])?;
        Ok(())
    }
}
