//! The store's schema and how a store of any earlier version is brought up to date.
//!
//! - `PRAGMA user_version` (in the file's header) counts the migrations applied: version N is
//!   what migrations 1..=N make, so a store of any earlier release is completed step by step.
//! - `MIGRATIONS` is append-only: a released step is never edited or removed (a store at
//!   version N must stay what migrations 1..=N make). A change of the schema, or of a stored
//!   value (the `settings` table included), is a new step at the end.
//! - Each step runs in its own `BEGIN IMMEDIATE` transaction with its version, which is read
//!   again inside it: two processes opening an old store at once (the app started at login and
//!   a scheduled `duplidesk collect`) apply each step once, and a step that fails leaves the
//!   store at the version before it.
//! - A store whose version is above [`VERSION`] was made by a newer Duplidesk: it is refused
//!   before anything is written to it (see `Store::open`), so that version can still use it.
//! - `crates/core/tests/fixtures/stores/` keeps one store per version, made as that version
//!   made it; `tests/upgrade.rs` opens each and checks that nothing is lost, and fails when a
//!   version has no fixture yet (how to add one is in that file).
use crate::error::Result;
use rusqlite::{Connection, TransactionBehavior};

const MIGRATIONS: &[&str] = &[
    // 1: initial schema
    r#"
CREATE TABLE servers (
    id                 INTEGER PRIMARY KEY,
    secret_ref         TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    alias              TEXT,
    note               TEXT,
    host               TEXT NOT NULL,
    port               INTEGER NOT NULL,
    url                TEXT,
    protocol           TEXT CHECK (protocol IN ('https', 'https-self-signed', 'http')),
    cert_sha256        TEXT,
    machine_id         TEXT,
    version            TEXT,
    last_collect_at    INTEGER,
    last_ok            INTEGER,
    last_error_code    TEXT,
    last_error_message TEXT,
    created_at         INTEGER NOT NULL,
    UNIQUE (machine_id, name)
);
CREATE TABLE server_addresses (
    host      TEXT NOT NULL COLLATE NOCASE,
    port      INTEGER NOT NULL,
    server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    PRIMARY KEY (host, port)
);
CREATE INDEX server_addresses_server ON server_addresses(server_id);
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    server_id        INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    backup_id        TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT,
    db_path          TEXT,
    schedule_json    TEXT,
    metadata_json    TEXT,
    present          INTEGER NOT NULL DEFAULT 1,
    complete_through INTEGER NOT NULL DEFAULT 0,
    complete_ts      INTEGER,
    pass_top         INTEGER,
    pass_top_ts      INTEGER,
    pass_low         INTEGER,
    UNIQUE (server_id, backup_id)
);
CREATE TABLE log_entries (
    id               INTEGER PRIMARY KEY,
    server_id        INTEGER REFERENCES servers(id) ON DELETE SET NULL,
    server_name      TEXT NOT NULL,
    job_id           INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    job_name         TEXT,
    remote_id        INTEGER,
    remote_timestamp INTEGER,
    date             INTEGER NOT NULL,
    status           TEXT NOT NULL,
    type             TEXT NOT NULL,
    message          TEXT NOT NULL,
    duration_s       REAL,
    size_bytes       INTEGER,
    uploaded_bytes   INTEGER,
    warnings         INTEGER NOT NULL DEFAULT 0,
    errors           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (job_id, remote_id, remote_timestamp)
);
CREATE INDEX log_entries_date ON log_entries(date);
CREATE INDEX log_entries_status_date ON log_entries(status, date);
CREATE INDEX log_entries_server_date ON log_entries(server_id, date);
CREATE INDEX log_entries_job_date ON log_entries(job_id, date);
-- The full context of an entry, LZ4-compressed (Duplicati's result JSON is ~8 KB a row).
CREATE TABLE log_details (
    entry_id INTEGER PRIMARY KEY REFERENCES log_entries(id) ON DELETE CASCADE,
    raw_lz4  BLOB NOT NULL
);
CREATE TABLE collection_runs (
    id            INTEGER PRIMARY KEY,
    server_id     INTEGER REFERENCES servers(id) ON DELETE CASCADE,
    host          TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER NOT NULL,
    ok            INTEGER NOT NULL,
    new_entries   INTEGER NOT NULL,
    skipped       INTEGER NOT NULL,
    errors        INTEGER NOT NULL,
    error_code    TEXT,
    error_message TEXT,
    protocol      TEXT,
    url           TEXT
);
CREATE INDEX collection_runs_server ON collection_runs(server_id, started_at);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    // 2: details longer than the cap are shortened; remember how long they were
    r#"
ALTER TABLE log_details ADD COLUMN cut_from INTEGER;
"#,
    // 3: what the server says about a job besides its log (sync jobs, running tasks, failures
    // recorded only in Backup.Metadata), and what lets an unchanged job skip its log request
    r#"
ALTER TABLE jobs ADD COLUMN operation_type TEXT NOT NULL DEFAULT 'Backup';
ALTER TABLE jobs ADD COLUMN running_since INTEGER;
ALTER TABLE jobs ADD COLUMN progress_json TEXT;
ALTER TABLE jobs ADD COLUMN metadata_error_at INTEGER;
ALTER TABLE jobs ADD COLUMN log_state TEXT;
ALTER TABLE servers ADD COLUMN systeminfo_at INTEGER;
ALTER TABLE servers ADD COLUMN data_update_id INTEGER;
ALTER TABLE servers ADD COLUMN cert_is_issuer INTEGER NOT NULL DEFAULT 0;
-- Certificate authorities the user imported (PEM): trusted for every server, like --ca-cert.
CREATE TABLE trusted_cas (
    fingerprint TEXT PRIMARY KEY,
    label       TEXT NOT NULL,
    pem         TEXT NOT NULL,
    added_at    INTEGER NOT NULL
);
"#,
    // 4: dates no server can truly report (before 2008, more than a day ahead), stored before
    // collections checked them, kept an entry "last" forever or out of sight: dated now, as a
    // collection does (monitor::sane_date), saying what was stored
    r#"
UPDATE log_entries
   SET message = message || ' (the server reported the date ' ||
                 coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', date, 'unixepoch'), CAST(date AS TEXT)) ||
                 ', which cannot be right)',
       date = CAST(strftime('%s', 'now') AS INTEGER)
 WHERE date < 1199145600 OR date > CAST(strftime('%s', 'now') AS INTEGER) + 86400;
UPDATE log_entries SET duration_s = NULL WHERE duration_s < 0;
"#,
    // 5: watching in the background: which jobs are watched, the long-running threshold last
    // reported for a running task, an overdue episode, the server's UTC offset (its weekdays
    // decide when a run is due), consecutive failed collections (the back-off), and what each
    // notification key last said (a problem notifies once, again only when it changes)
    r#"
ALTER TABLE jobs ADD COLUMN monitored INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN running_alerted_s INTEGER;
ALTER TABLE jobs ADD COLUMN overdue_since INTEGER;
ALTER TABLE servers ADD COLUMN utc_offset_s INTEGER;
ALTER TABLE servers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
CREATE TABLE notified (
    key   TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    at    INTEGER NOT NULL
);
"#,
    // 6: the Backup Logs page finished: a run's file counts (the job's charts); what "Clear
    // backup logs" removed stays removed: per job, every row Duplicati dated up to
    // `cleared_through` (capped at the time of the clear), and each cleared row dated later
    // than that (a server's clock far off) by its key
    r#"
ALTER TABLE log_entries ADD COLUMN files_examined INTEGER;
ALTER TABLE log_entries ADD COLUMN files_added INTEGER;
ALTER TABLE log_entries ADD COLUMN files_modified INTEGER;
ALTER TABLE log_entries ADD COLUMN files_deleted INTEGER;
ALTER TABLE jobs ADD COLUMN cleared_through INTEGER;
CREATE TABLE cleared_rows (
    job_id           INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    remote_id        INTEGER NOT NULL,
    remote_timestamp INTEGER NOT NULL,
    PRIMARY KEY (job_id, remote_id, remote_timestamp)
) WITHOUT ROWID;
"#,
];

/// The schema version this build writes: the number of migrations.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// The store's schema version (`PRAGMA user_version`).
pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the store up to [`VERSION`].
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, VERSION)
}

/// Applies the migrations after the store's version up to `target` (for the upgrade fixtures:
/// a store as the release with schema `target` made it). Never goes down.
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let target = target.clamp(0, VERSION);
    // Up to date: no write lock taken (a store on a read-only medium still opens to read).
    if version(conn)? >= target {
        return Ok(());
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = version(&tx)?;
        if current >= target {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[current as usize])?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
    }
}
