//! Upgrades keep everything. `tests/fixtures/stores/` holds one store per schema version,
//! `store-vN.sqlite`, made as the release with that schema made it (migrations 1..=N, then
//! rows written with that version's columns: servers, addresses, jobs with their paging
//! cursors, entries with compressed details, collection runs, trusted authorities, settings,
//! and from version 5 what the background watch keeps).
//! Each is opened by this build, which must migrate it and keep every row and every value.
//! A store made by a newer Duplidesk is refused and left byte for byte as it was.
//!
//! After appending a migration to `store/schema.rs`: give `write_rows` what the new version
//! stores (new columns, new tables), then write its fixture, which the test
//! `every_schema_version_has_a_fixture_store` asks for until it exists:
//!
//!     UPDATE_STORE_FIXTURES=1 cargo test -p duplidesk-core --test upgrade every_schema_version
//!
//! Only missing fixtures are written; a committed one is never rewritten, it is what that
//! version made.
use duplidesk_core::collect::CollectOptions;
use duplidesk_core::ops::{Keychain, Quiet};
use duplidesk_core::store::schema::VERSION;
use duplidesk_core::store::{LogQuery, Store, DB_FILE_NAME};
use duplidesk_core::{Engine, ErrorCode};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn fixture(version: i64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/stores/store-v{version}.sqlite"))
}

/// 2025-05-04T09:15:02Z: the fixtures' clock.
const T: i64 = 1_746_350_102;
/// Unix seconds of 2008-01-01: migration 4 re-dates entries before it.
const Y2008: i64 = 1_199_145_600;

/// The text of an entry's details, as a collection stored it (the result JSON).
fn details(entry_id: i64) -> String {
    format!(
        r#"{{"MainOperation":"Backup","ParsedResult":"Success","Messages":["entry {entry_id}"],"BeginTime":"2025-05-04T09:00:00Z","TargetURL":"s3://bucket/x?auth-username=REDACTED&auth-password=REDACTED"}}"#
    )
}

/// The rows of a store at schema `version`, written with the columns that version had.
fn write_rows(conn: &Connection, version: i64) {
    conn.execute_batch(&format!(
        r#"
INSERT INTO servers (id, secret_ref, name, alias, note, host, port, url, protocol, cert_sha256, machine_id, version,
                     last_collect_at, last_ok, last_error_code, last_error_message, created_at) VALUES
 (1, 'srv-0b6c4f1e', 'fileserver01', 'Files', 'Rack 2, bottom', 'nas.local', 8200, 'https://nas.local:8200/',
  'https-self-signed', '4f1b6d0c8a2e9f3b5d7c1a0e2f4b6d8c0a2e4f6b8d0c2a4e6f8b0d2c4a6e8f0b', '6c8d0d6a1f0e4e2fa1b9c3d5e7f90123',
  '2.1.0.5', {t}, 1, NULL, NULL, {created}),
 (2, 'srv-7d2a9c33', 'office-pc', NULL, NULL, '192.168.1.23', 8200, 'http://192.168.1.23:8200/', 'http', NULL,
  '00112233445566778899aabbccddeeff', '2.0.8.1', {t}, 0, 'auth_failed', 'The password for 192.168.1.23 was refused.', {created});
INSERT INTO server_addresses (host, port, server_id) VALUES
 ('nas.local', 8200, 1), ('192.168.1.10', 8200, 1), ('192.168.1.23', 8200, 2);
INSERT INTO jobs (id, server_id, backup_id, name, description, db_path, schedule_json, metadata_json, present,
                  complete_through, complete_ts, pass_top, pass_top_ts, pass_low) VALUES
 (1, 1, '1', 'Documents', 'Office documents', '/srv/duplicati/ABCDEF.sqlite',
  '{{"ID":1,"Tags":["ID=1"],"Time":"2025-05-05T02:00:00Z","Repeat":"1D","LastRun":"2025-05-04T02:00:00Z","Rule":"","AllowedDays":null}}',
  '{{"LastBackupDate":"20250504T020000Z","SourceFilesSize":"1073741824"}}', 1, 3, {t}, NULL, NULL, NULL),
 (2, 1, '2', 'Photos', NULL, NULL, NULL, '{{}}', 1, 1, {t}, 9, {t}, 4),
 (3, 2, '1', 'Home', NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL);
INSERT INTO log_entries (id, server_id, server_name, job_id, job_name, remote_id, remote_timestamp, date, status, type,
                         message, duration_s, size_bytes, uploaded_bytes, warnings, errors) VALUES
 (1, 1, 'fileserver01', 1, 'Documents', 1, {d1}, {d1}, 'completed', 'Backup', 'Backup completed: 1,234 files', 62.5, 1073741824, 1048576, 0, 0),
 (2, 1, 'fileserver01', 1, 'Documents', 2, {d2}, {d2}, 'warning', 'Backup', 'Backup completed with 2 warnings', 70.0, 1073741824, 2097152, 2, 0),
 (3, 1, 'fileserver01', 1, 'Documents', 3, {d3}, {d3}, 'error', 'Backup', 'The remote server returned an error: (403) Forbidden.', 3.25, NULL, NULL, 0, 1),
 (4, 1, 'fileserver01', 2, 'Photos', 9, {d2}, {d2}, 'completed', 'Backup', 'Backup completed: 88 files', 12.0, 5368709120, 0, 0, 0),
 (5, 1, 'fileserver01', 2, 'Photos', 4, {d1}, {d1}, 'completed', 'List', 'List completed', 1.0, NULL, NULL, 0, 0),
 (6, 2, 'office-pc', NULL, NULL, NULL, NULL, {t}, 'connection', 'Connection', 'The password for 192.168.1.23 was refused.', NULL, NULL, NULL, 0, 0),
 (7, NULL, 'old-nas', NULL, 'Archive', 12, {d1}, {d1}, 'stopped', 'Backup', 'The backup was stopped', 5.0, NULL, NULL, 0, 0),
 (8, NULL, 'Duplidesk', NULL, NULL, NULL, NULL, {t}, 'info', 'Housekeeping', 'Logs cleared: 3 entries of deleted servers', NULL, NULL, NULL, 0, 0);
INSERT INTO collection_runs (id, server_id, host, started_at, finished_at, ok, new_entries, skipped, errors, error_code, error_message, protocol, url) VALUES
 (1, 1, 'nas.local:8200', {d1}, {d1} + 4, 1, 2, 0, 0, NULL, NULL, 'https-self-signed', 'https://nas.local:8200/'),
 (2, 1, 'nas.local:8200', {t} - 60, {t}, 1, 3, 2, 0, NULL, NULL, 'https-self-signed', 'https://nas.local:8200/'),
 (3, 2, '192.168.1.23:8200', {t} - 30, {t}, 0, 0, 0, 1, 'auth_failed', 'The password for 192.168.1.23 was refused.', 'http', 'http://192.168.1.23:8200/');
INSERT INTO settings (key, value) VALUES ('language', 'es');
"#,
        t = T,
        created = T - 86_400 * 30,
        d1 = T - 86_400 * 2,
        d2 = T - 86_400,
        d3 = T - 600,
    ))
    .unwrap();
    let mut insert = conn.prepare("INSERT INTO log_details (entry_id, raw_lz4) VALUES (?1, ?2)").unwrap();
    for id in [1, 2, 3, 4, 5, 7] {
        insert.execute(rusqlite::params![id, lz4_flex::compress_prepend_size(details(id).as_bytes())]).unwrap();
    }
    if version < 4 {
        // Before version 4 a collection stored whatever date a server reported: one from 1970
        // with a negative duration. Migration 4 dates it at the upgrade and says so.
        conn.execute_batch(
            "INSERT INTO log_entries (id, server_id, server_name, job_id, job_name, remote_id, remote_timestamp, date, status, type, message, duration_s, warnings, errors)
             VALUES (9, 1, 'fileserver01', 2, 'Photos', 2, 0, 0, 'completed', 'Backup', 'Backup completed: 3 files', -1.5, 0, 0);",
        )
        .unwrap();
    }
    if version >= 2 {
        // Details longer than the cap were shortened: their original size.
        conn.execute("UPDATE log_details SET cut_from = 300000 WHERE entry_id = 3", []).unwrap();
    }
    if version >= 3 {
        conn.execute_batch(&format!(
            r#"
UPDATE jobs SET operation_type = 'Sync', log_state = '{{"count":2}}' WHERE id = 2;
UPDATE jobs SET running_since = {t}, progress_json = '{{"Phase":"Backup_ProcessingFiles","OverallProgress":0.5}}', metadata_error_at = {t} WHERE id = 1;
UPDATE servers SET systeminfo_at = {t}, data_update_id = 42, cert_is_issuer = 1 WHERE id = 1;
INSERT INTO trusted_cas (fingerprint, label, pem, added_at) VALUES
 ('9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9', 'Duplicati local CA',
  '-----BEGIN CERTIFICATE-----\nMIIBfixture\n-----END CERTIFICATE-----\n', {t});
"#,
            t = T
        ))
        .unwrap();
    }
    if version >= 5 {
        // The background watch: a job not watched, a long run reported at 24 h, an overdue
        // episode and its entry, the servers' UTC offsets and failures in a row, what each
        // notification key last said, and the watch's settings.
        conn.execute_batch(&format!(
            r#"
UPDATE jobs SET monitored = 0 WHERE id = 2;
UPDATE jobs SET running_alerted_s = 86400 WHERE id = 1;
UPDATE jobs SET overdue_since = {t} - 3600 WHERE id = 3;
UPDATE servers SET utc_offset_s = 7200 WHERE id = 1;
UPDATE servers SET utc_offset_s = -18000, failures = 3 WHERE id = 2;
INSERT INTO log_entries (id, server_id, server_name, job_id, job_name, remote_id, remote_timestamp, date, status, type,
                         message, duration_s, size_bytes, uploaded_bytes, warnings, errors) VALUES
 (10, 1, 'fileserver01', 2, 'Photos', NULL, NULL, {t} - 3600, 'overdue', 'Backup', 'No run since the one planned for 2025-05-04 07:15', NULL, NULL, NULL, 0, 0);
INSERT INTO notified (key, state, at) VALUES
 ('job:2:overdue', 'overdue', {t} - 3600),
 ('server:2:connection', 'auth_failed', {t});
INSERT INTO settings (key, value) VALUES ('monitor',
 '{{"intervalMin":30,"overdueToleranceMin":90,"runningFirstH":36,"runningEveryH":6,"notify":{{"started":true,"stopped":true,"completed":false,"warning":true,"error":true,"connection":false,"running":true,"overdue":true}},"autostartAsked":true}}');
"#,
            t = T
        ))
        .unwrap();
    }
    if version >= 6 {
        // The Backup Logs page: a run's file counts, and what a clear removed (one job cleared
        // through a time, one row of it dated later by a server clock far off).
        conn.execute_batch(&format!(
            r#"
UPDATE log_entries SET files_examined = 1200, files_added = 3, files_modified = 2, files_deleted = 1 WHERE id = 3;
UPDATE jobs SET cleared_through = {t} - 86400 WHERE id = 3;
INSERT INTO cleared_rows (job_id, remote_id, remote_timestamp) VALUES (3, 99, {t} + 86400);
"#,
            t = T
        ))
        .unwrap();
    }
}

/// Makes the fixture of `version` in a temporary folder, then moves it to `target`: a
/// single-file store in WAL mode, as the app leaves it when it quits.
fn make_fixture(version: i64, target: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    {
        let store = Store::create_at_schema(&path, version).unwrap();
        assert_eq!(store.schema_version().unwrap(), version);
        write_rows(store.connection(), version);
        store.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(&path, target).unwrap();
}

#[test]
fn every_schema_version_has_a_fixture_store() {
    let update = std::env::var_os("UPDATE_STORE_FIXTURES").is_some();
    for version in 1..=VERSION {
        let path = fixture(version);
        if update && !path.exists() {
            make_fixture(version, &path);
        }
        assert!(
            path.exists(),
            "no fixture store for schema version {version}: add what that version stores to write_rows, then run \
             UPDATE_STORE_FIXTURES=1 cargo test -p duplidesk-core --test upgrade every_schema_version"
        );
    }
}

/// Every row of every table, by table and rowid: column → value.
type Dump = BTreeMap<String, BTreeMap<i64, BTreeMap<String, Value>>>;

fn dump(path: &Path) -> Dump {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Dump::new();
    for table in tables {
        // A WITHOUT ROWID table has no rowid: its rows are keyed by their order (its primary key).
        let without_rowid: bool =
            conn.query_row("SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = ?1", [&table], |r| r.get(0)).unwrap();
        let key = if without_rowid { "row_number() OVER ()" } else { "rowid" };
        let mut stmt = conn.prepare(&format!("SELECT {key}, * FROM \"{table}\"")).unwrap();
        let columns: Vec<String> = stmt.column_names().iter().skip(1).map(|c| c.to_string()).collect();
        let rows = stmt
            .query_map([], |r| {
                let mut row = BTreeMap::new();
                for (i, c) in columns.iter().enumerate() {
                    row.insert(c.clone(), r.get::<_, Value>(i + 1)?);
                }
                Ok((r.get::<_, i64>(0)?, row))
            })
            .unwrap()
            .collect::<Result<BTreeMap<_, _>, _>>()
            .unwrap();
        out.insert(table, rows);
    }
    out
}

/// The schema as SQLite keeps it: every table, index and trigger with its SQL.
fn schema(path: &Path) -> Vec<(String, String, Option<String>)> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = conn.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap();
    rows
}

/// A copy of the fixture of `version` as the store of a data folder (the committed file is
/// never opened: SQLite would add its WAL files next to it).
fn data_folder_with(version: i64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture(version), dir.path().join(DB_FILE_NAME)).unwrap();
    dir
}

#[test]
fn each_fixture_has_the_schema_its_migrations_make() {
    // Migrations are append-only: editing a released one would make stores that differ from
    // the ones users have. The fixtures hold what each version made.
    for version in 1..=VERSION {
        let dir = data_folder_with(version);
        let fresh = dir.path().join("fresh.sqlite");
        drop(Store::create_at_schema(&fresh, version).unwrap());
        let old = schema(&dir.path().join(DB_FILE_NAME));
        assert_eq!(old, schema(&fresh), "schema version {version}: was a released migration edited?");
    }
}

#[test]
fn a_store_of_every_earlier_version_migrates_keeping_every_row() {
    for version in 1..=VERSION {
        let dir = data_folder_with(version);
        let path = dir.path().join(DB_FILE_NAME);
        let before = dump(&path);
        assert!(before["log_entries"].len() >= 8, "v{version}: the fixture holds its rows");
        let upgraded_at = duplidesk_core::store::now_ts();

        let store = Store::open_in(dir.path()).unwrap_or_else(|e| panic!("v{version}: {e}"));
        assert_eq!(store.schema_version().unwrap(), VERSION, "v{version}");
        drop(store);
        let after = dump(&path);

        for (table, rows) in &before {
            let migrated = &after[table];
            assert_eq!(migrated.len(), rows.len(), "v{version}: rows of {table}");
            for (rowid, row) in rows {
                let new_row = &migrated[rowid];
                for (column, value) in row {
                    let now = &new_row[column];
                    let mended = table == "log_entries" && row["date"] == Value::Integer(0);
                    match (mended, column.as_str()) {
                        // Migration 4: an impossible date is replaced by the upgrade's and the
                        // message says what the server reported; a negative duration is dropped.
                        (true, "date") => {
                            let Value::Integer(date) = now else { panic!("v{version}: date {now:?}") };
                            assert!(*date >= upgraded_at && *date > Y2008, "v{version}: re-dated {date}");
                        }
                        (true, "message") => {
                            let (Value::Text(old), Value::Text(new)) = (value, now) else { panic!() };
                            assert_eq!(new, &format!("{old} (the server reported the date 1970-01-01T00:00:00Z, which cannot be right)"));
                        }
                        (true, "duration_s") => assert_eq!(now, &Value::Null, "v{version}"),
                        _ => assert_eq!(now, value, "v{version}: {table} row {rowid} column {column}"),
                    }
                }
                // Columns added since get their defaults.
                if table == "jobs" && !row.contains_key("operation_type") {
                    assert_eq!(new_row["operation_type"], Value::Text("Backup".into()));
                }
                if table == "jobs" && !row.contains_key("monitored") {
                    assert_eq!(new_row["monitored"], Value::Integer(1), "v{version}: every job is watched");
                    assert_eq!((&new_row["running_alerted_s"], &new_row["overdue_since"]), (&Value::Null, &Value::Null));
                }
                if table == "servers" && !row.contains_key("failures") {
                    assert_eq!((&new_row["failures"], &new_row["utc_offset_s"]), (&Value::Integer(0), &Value::Null), "v{version}");
                }
            }
        }
        // A migrated store has exactly the schema of a new one.
        let fresh = tempfile::tempdir().unwrap();
        drop(Store::open_in(fresh.path()).unwrap());
        assert_eq!(schema(&path), schema(&fresh.path().join(DB_FILE_NAME)), "v{version}");
    }
}

#[tokio::test]
async fn a_migrated_store_reads_as_it_did_settings_included() {
    for version in 1..=VERSION {
        let dir = data_folder_with(version);
        let engine = Engine::new(dir.path().to_owned(), Keychain::none("not needed"), CollectOptions::default(), Arc::new(Quiet));
        assert!(engine.db().is_ok(), "v{version}: {:?}", engine.status().await.store_error);
        assert_eq!(engine.language().as_deref(), Some("es"), "v{version}: the language setting");

        let dashboard = engine.dashboard().await.unwrap();
        let names: Vec<&str> = dashboard.servers.iter().map(|s| s.display_name.as_str()).collect();
        assert_eq!(names.len(), 2, "v{version}: {names:?}");
        let nas = dashboard.servers.iter().find(|s| s.name == "fileserver01").unwrap();
        assert_eq!(nas.alias.as_deref(), Some("Files"));
        assert_eq!(
            nas.cert_sha256.as_deref(),
            Some("4f1b6d0c8a2e9f3b5d7c1a0e2f4b6d8c0a2e4f6b8d0c2a4e6f8b0d2c4a6e8f0b"),
            "v{version}: the pin"
        );
        assert_eq!(nas.jobs.iter().map(|j| j.name.as_str()).collect::<Vec<_>>(), ["Documents", "Photos"]);
        let documents = nas.jobs.iter().find(|j| j.name == "Documents").unwrap();
        assert_eq!(documents.repeat.as_deref(), Some("1D"));
        let office = dashboard.servers.iter().find(|s| s.name == "office-pc").unwrap();
        assert_eq!(office.last_error_code.as_deref(), Some("auth_failed"));

        let all = engine.logs(LogQuery { limit: Some(0), ..LogQuery::default() }).await.unwrap();
        // Version 5 adds an overdue entry; before version 4 an entry with an impossible date.
        let total = engine.logs_count(LogQuery::default()).await.unwrap().total;
        assert_eq!(total, 8 + u64::from(version < 4) + u64::from(version >= 5), "v{version}");
        assert_eq!(all.rows.len() as u64, total, "v{version}: every entry listed");
        let text = engine.log_details(3).await.unwrap().unwrap();
        assert_eq!(text.text, details(3), "v{version}: compressed details read back");
        assert_eq!(text.cut_from, if version >= 2 { Some(300_000) } else { None });
        let orphan = all.rows.iter().find(|r| r.server == "old-nas").unwrap();
        assert_eq!(orphan.server_id, None, "v{version}: an entry of a deleted server stays");

        let cas = engine.trusted_cas().await.unwrap();
        assert_eq!(cas.len(), usize::from(version >= 3), "v{version}");

        // The watch: from version 5 its settings and state are kept; before, the defaults.
        let monitor = engine.monitor_settings().await.unwrap();
        let watched: Vec<(String, bool)> = engine.monitoring(T).await.unwrap().into_iter().map(|j| (j.job, j.monitored)).collect();
        if version >= 5 {
            assert_eq!((monitor.interval_min, monitor.overdue_tolerance_min), (30, 90), "v{version}");
            assert_eq!((monitor.running_first_h, monitor.running_every_h), (36, 6));
            assert!(monitor.notify.started && !monitor.notify.connection && monitor.autostart_asked);
            let overdue = all.rows.iter().find(|r| r.id == 10).expect("the overdue entry");
            assert_eq!(overdue.status, duplidesk_core::model::Status::Overdue);
            assert_eq!(watched, [("Documents".to_owned(), true), ("Photos".to_owned(), false)], "v{version}: Photos is not watched");
        } else {
            assert_eq!(monitor, duplidesk_core::watch::MonitorSettings::default(), "v{version}");
            assert_eq!(watched, [("Documents".to_owned(), true), ("Photos".to_owned(), true)], "v{version}: every job is watched");
        }
    }
}

#[tokio::test]
async fn a_store_made_by_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    {
        let store = Store::open_in(dir.path()).unwrap();
        write_rows(store.connection(), VERSION);
        // What a later release would add, and its version.
        store.connection().execute_batch("CREATE TABLE from_the_future (x TEXT); INSERT INTO from_the_future VALUES ('kept');").unwrap();
        store.connection().pragma_update(None, "user_version", VERSION + 1).unwrap();
        store.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();

    let e = Store::open_in(dir.path()).err().expect("a newer store is refused");
    assert_eq!(e.code, ErrorCode::StoreError);
    assert!(e.message.contains("made by a newer version of Duplidesk"), "{}", e.message);
    assert!(e.message.contains(&format!("schema version is {}", VERSION + 1)), "{}", e.message);
    assert!(e.hint.contains("newer version"), "{}", e.hint);

    // The engine (app and command line) reports it for every use of the store.
    let engine = Engine::new(dir.path().to_owned(), Keychain::none("not needed"), CollectOptions::default(), Arc::new(Quiet));
    assert_eq!(engine.status().await.store_error.as_ref(), Some(&e));
    assert_eq!(engine.language(), None, "its settings are not read either");
    drop(engine);

    assert!(std::fs::read(&path).unwrap() == bytes, "the newer store's file is unchanged");
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    assert_eq!(conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), VERSION + 1);
}

/// The app started at login and a scheduled `duplidesk collect` may open an old store at the
/// same moment: each migration is applied once, whoever gets to it first, and both open it.
#[test]
fn several_processes_upgrading_one_store_at_once_apply_each_step_once() {
    for round in 0..5 {
        let dir = data_folder_with(1);
        let before = dump(&dir.path().join(DB_FILE_NAME));
        let start = Arc::new(std::sync::Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, start) = (dir.path().to_owned(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Store::open_in(&path).map(|s| s.schema_version().unwrap())
                })
            })
            .collect();
        for opener in openers {
            assert_eq!(opener.join().unwrap().unwrap_or_else(|e| panic!("round {round}: {e}")), VERSION);
        }
        let after = dump(&dir.path().join(DB_FILE_NAME));
        assert_eq!(after["log_entries"].len(), before["log_entries"].len(), "round {round}");
    }
}
