//! The local SQLite store: WAL, foreign keys, versioned migrations. No password ever enters it.
//!
//! Invariants:
//! - a Duplicati log row is stored at most once: `UNIQUE(job_id, remote_id, remote_timestamp)`
//!   (the timestamp keeps rows apart when a job database is recreated and IDs restart at 1);
//! - a page of rows and the job's paging cursor are written in one transaction, so a process
//!   killed at any point leaves a state from which the next run fills every hole.
mod jobs;
mod logs;
mod schema;
mod servers;
mod views;

pub use jobs::{JobCursor, JobInfo, JobRow};
pub use logs::{LogEntryRow, LogQuery, PageOutcome};
pub use servers::{NewServer, ServerRow, ServerSettings};
pub use views::JobSummaryRow;

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

pub const DB_FILE_NAME: &str = "duplidesk.sqlite";

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::io(&format!("Could not create the data folder {}", data_dir.display()), e))?;
        Store::open(&data_dir.join(DB_FILE_NAME))
    }

    /// Opens (creating if needed) the store file at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store { conn, path: path.to_owned() };
        schema::migrate(&mut store.conn)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }
}

/// Current time as Unix seconds.
pub fn now_ts() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
