//! The local SQLite store: WAL, foreign keys, versioned migrations. No password ever enters it.
//!
//! Invariants:
//! - a Duplicati log row is stored at most once: `UNIQUE(job_id, remote_id, remote_timestamp)`
//!   (the timestamp keeps rows apart when a job database is recreated and IDs restart at 1);
//! - a page of rows and the job's paging cursor are written in one transaction, so a process
//!   killed at any point leaves a state from which the next run fills every hole.
mod cas;
mod jobs;
mod logs;
pub mod schema;
mod servers;
mod views;
mod watch;

pub use cas::TrustedCa;
pub use jobs::{JobCursor, JobInfo, JobRow};
pub use logs::{LogDetails, LogEntryRow, LogQuery, PageOutcome};
pub use servers::{NewServer, ServerRow, ServerSettings};
pub use views::{ClearPreview, ClearedLogs, JobSummaryRow, JobTimeline, JobTrend, RunFailure, StatusTimeline};

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

pub const DB_FILE_NAME: &str = "duplidesk.sqlite";

/// The store is readable by its owner only: what Duplidesk collected (server names, paths,
/// errors) is nobody else's business on a shared machine.
pub(crate) mod private {
    use std::path::Path;

    /// The data folder `0700`; the store file `0600` (created so when missing: SQLite gives its
    /// WAL and shared-memory files the database file's permissions).
    #[cfg(unix)]
    pub fn restrict(dir: &Path, db_file: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        // Change only what differs: a store on a read-only file system still opens (to read).
        let set = |path: &Path, mode: u32| -> std::io::Result<()> {
            if std::fs::metadata(path)?.permissions().mode() & 0o777 != mode {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
            }
            Ok(())
        };
        set(dir, 0o700)?;
        if !db_file.exists() {
            std::fs::OpenOptions::new().create_new(true).write(true).mode(0o600).open(db_file)?;
        }
        set(db_file, 0o600)
    }

    /// Windows: the user's application data folder is already private to the user.
    #[cfg(not(unix))]
    pub fn restrict(_dir: &Path, _db_file: &Path) -> std::io::Result<()> {
        Ok(())
    }

    /// Creates a file only its owner can read (exports).
    pub fn create_file(path: &Path) -> std::io::Result<std::fs::File> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path)
    }
}

/// The keys of the `settings` table.
pub mod setting_keys {
    /// The id of the demo server, while demo mode is on.
    pub const DEMO_SERVER_ID: &str = "demo_server_id";
    /// The loopback port the demo server listens on.
    pub const DEMO_PORT: &str = "demo_port";
    /// The UI language ("en", "es"); absent = follow the OS.
    pub const LANGUAGE: &str = "language";
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::io(&format!("Could not create the data folder {}", data_dir.display()), e))?;
        let file = data_dir.join(DB_FILE_NAME);
        private::restrict(data_dir, &file)
            .map_err(|e| Error::io(&format!("Could not protect the data folder {}", data_dir.display()), e))?;
        Store::open(&file)
    }

    /// Opens (creating if needed) the store file at `path` and brings its schema up to date.
    /// A store made by a newer Duplidesk (a schema version above [`schema::VERSION`]) is
    /// refused with `store_error` before anything is written to it.
    pub fn open(path: &Path) -> Result<Store> {
        let mut store = Store::connect(path)?;
        let found = schema::version(&store.conn)?;
        if found > schema::VERSION {
            return Err(Error::newer_store(path, found, schema::VERSION));
        }
        // A new store gets 16 KiB pages (SQLite ignores this for an existing one): an entry's
        // details (LZ4, ~2 KB) then pack seven to a page instead of two, and a first collection
        // writes a third less (B-tree splits, WAL frames, checkpoints).
        store.conn.pragma_update(None, "page_size", 16384)?;
        store.conn.pragma_update(None, "journal_mode", "WAL")?;
        store.conn.pragma_update(None, "synchronous", "NORMAL")?;
        schema::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// A second connection to an open store that can only read (`query_only`): with WAL it
    /// sees every committed write and never waits for a writer.
    fn open_reader(path: &Path) -> Result<Store> {
        let store = Store::connect(path)?;
        store.conn.pragma_update(None, "query_only", "ON")?;
        // Read the file through a memory map (address space, not memory): a scan of a million
        // entries (a search, a count) copies no page through a system call.
        store.conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        Ok(store)
    }

    fn connect(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Store { conn, path: path.to_owned() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<i64> {
        schema::version(&self.conn)
    }

    /// A new store file at `path` with only the first `version` migrations applied (in WAL
    /// mode): the schema an older Duplidesk left; for the upgrade fixtures and tests.
    #[doc(hidden)]
    pub fn create_at_schema(path: &Path, version: i64) -> Result<Store> {
        let mut store = Store::connect(path)?;
        store.conn.pragma_update(None, "journal_mode", "WAL")?;
        schema::migrate_to(&mut store.conn, version)?;
        Ok(store)
    }

    /// The connection, for the upgrade fixtures and their tests (rows as an old release wrote
    /// them).
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
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

    pub fn delete_setting(&self, key: &str) -> Result<()> {
        self.conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }
}

/// Current time as Unix seconds.
pub fn now_ts() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The store as the app and the command line share it: one connection that writes
/// (collections, edits) and one that only reads, so reads never wait behind a collection's
/// writes. Both are used on the blocking thread pool, never on the async threads.
#[derive(Clone)]
pub struct Db(Arc<DbInner>);

struct DbInner {
    writer: Mutex<Store>,
    reader: Mutex<Store>,
    /// A second reading connection for counts, which may scan the whole log (a search in a
    /// million messages): a page of rows never waits behind one.
    counter: Mutex<Store>,
}

/// Locks a mutex, ignoring poisoning: a panicked holder leaves no half-done transaction
/// (SQLite rolls it back), so the connection is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Db {
    /// Opens (creating if needed) the store in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Db> {
        let writer = Store::open_in(data_dir)?;
        let reader = Store::open_reader(writer.path())?;
        let counter = Store::open_reader(writer.path())?;
        Ok(Db(Arc::new(DbInner { writer: Mutex::new(writer), reader: Mutex::new(reader), counter: Mutex::new(counter) })))
    }

    /// Runs read-only work on the reading connection, on this thread: for start-up, before
    /// any async work; never call it on an async thread.
    pub fn read_now<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        f(&lock(&self.0.reader))
    }

    /// Runs read-only work on the reading connection.
    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Store) -> Result<T> + Send + 'static) -> Result<T> {
        let db = self.0.clone();
        crate::task::blocking(move || f(&lock(&db.reader))).await
    }

    /// Runs read-only work that may take long (counting) on a reading connection of its own.
    pub async fn count<T: Send + 'static>(&self, f: impl FnOnce(&Store) -> Result<T> + Send + 'static) -> Result<T> {
        let db = self.0.clone();
        crate::task::blocking(move || f(&lock(&db.counter))).await
    }

    /// Frees the page caches of the connections (up to 2 MB each): between background passes,
    /// minutes apart, the pages are cheaper to read again than to keep. A connection in use (a
    /// long count) is not waited for and keeps its cache.
    pub async fn release_memory(&self) -> Result<()> {
        let db = self.0.clone();
        crate::task::blocking(move || {
            for conn in [&db.writer, &db.reader, &db.counter] {
                let store = match conn.try_lock() {
                    Ok(store) => store,
                    Err(TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(TryLockError::WouldBlock) => continue,
                };
                store.conn.release_memory()?;
            }
            Ok(())
        })
        .await
    }

    /// Runs work that writes on the writing connection.
    pub async fn write<T: Send + 'static>(&self, f: impl FnOnce(&mut Store) -> Result<T> + Send + 'static) -> Result<T> {
        self.start_write(f).await
    }

    /// Starts writing at once on the blocking pool; the returned future gives the result. Lets
    /// a caller overlap a write with network work (the collector stores a page while it
    /// fetches the next one).
    pub fn start_write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T> + Send + 'static,
    ) -> impl std::future::Future<Output = Result<T>> + Send + 'static {
        let db = self.0.clone();
        crate::task::blocking(move || f(&mut lock(&db.writer)))
    }
}
