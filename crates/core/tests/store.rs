//! The store on real SQLite files: schema, dedupe, filters, orphans, and failures to write.
mod common;

use common::*;
use duplicati_testserver::TlsMode;
use duplidesk_core::monitor::NewEntry;
use duplidesk_core::store::{JobCursor, JobInfo, LogQuery, NewServer, Store};
use duplidesk_core::{ErrorCode, Status};

fn entry(id: i64, ts: i64, status: Status, op: &str) -> NewEntry {
    NewEntry {
        remote_id: Some(id),
        remote_timestamp: Some(ts),
        date: ts,
        status,
        op_type: op.into(),
        message: format!("row {id}"),
        duration_s: Some(1.5),
        size_bytes: None,
        uploaded_bytes: None,
        warnings: 0,
        errors: 0,
        files: None,
        details: "{}".into(),
        details_cut_from: None,
    }
}

fn job(store: &Store, server: i64, backup_id: &str, name: &str) -> duplidesk_core::store::JobRow {
    store.upsert_job(server, &JobInfo::backup(backup_id, name)).unwrap()
}

/// Entries stored with impossible dates before collections checked them are dated when the
/// store is upgraded, so none stays "last run" forever.
#[test]
fn impossible_dates_stored_by_an_older_version_are_mended_on_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(duplidesk_core::store::DB_FILE_NAME);
    Store::create_at_schema(&file, 3).unwrap();
    // As version 3 stored them: any date.
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.execute_batch(
        "INSERT INTO servers(id, secret_ref, name, host, port, created_at) VALUES (1, 'server-x', 'nas', 'nas', 8200, 0);
         INSERT INTO jobs(id, server_id, backup_id, name) VALUES (1, 1, '1', 'Docs');
         INSERT INTO log_entries(server_id, job_id, server_name, remote_id, remote_timestamp, date, status, type, message, duration_s)
           VALUES (1, 1, 'nas', 1, 99999999999999, 99999999999999, 'completed', 'Backup', 'row 1', -5),
                  (1, 1, 'nas', 2, 1700000000, 1700000000, 'completed', 'Backup', 'row 2', 1.5);",
    )
    .unwrap();
    drop(conn);

    let before = duplidesk_core::store::now_ts();
    let store = Store::open_in(dir.path()).unwrap();
    let rows = store.query_logs(&LogQuery::default()).unwrap();
    let mended = rows.iter().find(|r| r.message.starts_with("row 1")).unwrap();
    assert!((before..=before + 5).contains(&mended.date), "{mended:?}");
    assert!(mended.message.contains("cannot be right"), "{}", mended.message);
    assert_eq!(mended.duration_s, None);
    let kept = rows.iter().find(|r| r.message == "row 2").unwrap();
    assert_eq!(kept.date, 1_700_000_000, "a sane date is left alone");
}

#[test]
fn schema_is_migrated_once_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let v = store.schema_version().unwrap();
    assert!(v >= 1);
    drop(store);
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), v);
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    assert!(dir.path().join("duplidesk.sqlite").exists());
}

#[test]
fn rows_are_unique_per_job_id_and_timestamp_and_filters_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let server = store.insert_server(&NewServer { name: "nas", host: "nas.local", port: 8200, machine_id: None }).unwrap();
    let docs = job(&store, server.id, "1", "Documents");
    let photos = job(&store, server.id, "2", "Photos");
    let page = vec![
        entry(3, 3000, Status::Completed, "Backup"),
        entry(2, 2000, Status::Error, "Backup"),
        entry(1, 1000, Status::Completed, "Compact"),
    ];
    let out = store.store_page(&docs, "nas", &page, &JobCursor::default()).unwrap();
    assert_eq!((out.new, out.skipped), (3, 0));
    let out = store.store_page(&docs, "nas", &page, &JobCursor::default()).unwrap();
    assert_eq!((out.new, out.skipped), (0, 3), "dedupe is the UNIQUE constraint");
    // The same row ID with another timestamp is another row (the job DB was recreated).
    assert_eq!(store.store_page(&docs, "nas", &[entry(1, 5000, Status::Warning, "Backup")], &JobCursor::default()).unwrap().new, 1);
    store.store_page(&photos, "nas", &[entry(1, 1500, Status::Stopped, "Backup")], &JobCursor::default()).unwrap();

    let all = store.query_logs(&LogQuery::default()).unwrap();
    assert_eq!(all.iter().map(|r| r.date).collect::<Vec<_>>(), [5000, 3000, 2000, 1500, 1000], "newest first");
    let q = |f: &dyn Fn(&mut LogQuery)| {
        let mut q = LogQuery::default();
        f(&mut q);
        (store.query_logs(&q).unwrap().len(), store.count_logs(&q).unwrap())
    };
    assert_eq!(q(&|q| q.statuses = vec![Status::Error, Status::Warning]), (2, 2));
    assert_eq!(
        q(&|q| {
            q.from = Some(1500);
            q.to = Some(3000)
        }),
        (2, 2),
        "to is exclusive"
    );
    assert_eq!(q(&|q| q.job = Some("photos".into())), (1, 1));
    assert_eq!(q(&|q| q.op_type = Some("compact".into())), (1, 1));
    assert_eq!(q(&|q| q.server = Some("NAS.local".into())), (5, 5));
    assert_eq!(
        q(&|q| {
            q.limit = Some(2);
            q.offset = 1
        }),
        (2, 5)
    );
    assert_eq!(q(&|q| q.limit = Some(0)), (5, 5));
    let id = all[0].id;
    assert_eq!(store.log_details(id).unwrap().map(|d| d.text).as_deref(), Some("{}"));

    // Deleting the server keeps its entries (orphans), still found by name.
    assert!(store.delete_server(server.id).unwrap());
    assert_eq!(q(&|q| q.server = Some("nas".into())), (5, 5));
    assert!(store.jobs(server.id).unwrap().is_empty());
}

/// A store on a file system that became read-only (a small tmpfs remounted read-only, so this
/// needs root, as CI has): writing fails with `store_error`, reading still works, and nothing
/// stored is lost.
#[test]
fn a_read_only_store_reports_store_error_and_keeps_what_it_has() {
    let mount = TmpfsMount::new("size=4m");
    let store = Store::open_in(mount.path()).unwrap();
    store.insert_server(&NewServer { name: "nas", host: "nas.local", port: 8200, machine_id: None }).unwrap();
    drop(store);
    mount.remount("ro");

    let err = Store::open_in(mount.path())
        .and_then(|s| s.insert_server(&NewServer { name: "other", host: "other.local", port: 8200, machine_id: None }))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::StoreError, "{err}");
    assert!(!err.hint.is_empty());
    assert!(std::error::Error::source(&err).is_some(), "the SQLite error is kept as the source");

    mount.remount("rw");
    let servers = Store::open_in(mount.path()).unwrap().servers().unwrap();
    assert_eq!(servers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["nas"]);
}

/// A small tmpfs mounted for one test (root only), unmounted when dropped.
struct TmpfsMount(tempfile::TempDir);

impl TmpfsMount {
    fn new(options: &str) -> TmpfsMount {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount is needed for this test");
        assert!(status.success(), "mounting a small tmpfs failed: run the suite as root (scripts/test.sh does)");
        TmpfsMount(dir)
    }

    fn path(&self) -> &std::path::Path {
        self.0.path()
    }

    fn remount(&self, mode: &str) {
        let status = std::process::Command::new("mount").args(["-o", &format!("remount,{mode}")]).arg(self.path()).status().unwrap();
        assert!(status.success(), "remount {mode}");
    }
}

impl Drop for TmpfsMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(self.path()).status();
    }
}

#[test]
fn an_unusable_data_folder_reports_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let err = Store::open_in(&blocker.join("sub")).err().unwrap();
    assert_eq!(err.code, ErrorCode::IoError);
    assert!(err.message.contains("data folder"));
}

/// A full disk (a small tmpfs, so this needs root, as CI has) fails the collection with
/// `store_error`; what was committed stays, and a later run on a disk with room completes.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_fails_cleanly_and_loses_nothing() {
    let mount = TmpfsMount::new("size=1200k");

    let server = server(generated(1, 3000), TlsMode::Plain);
    let collector = duplidesk_core::collect::Collector::new(duplidesk_core::store::Db::open_in(mount.path()).unwrap(), None, options());
    let env_full = Env { dir: tempfile::tempdir().unwrap(), collector };
    let s = env_full.collect_one(&server).await;
    assert_eq!(s.error.as_ref().map(|e| e.code), Some(ErrorCode::StoreError), "{s:?}");
    assert!(s.error.as_ref().unwrap().message.contains("full"), "{s:?}");
    let stored = env_full.count();
    assert!(stored < 3000);
    assert_eq!(stored % 500, 0, "only whole pages are stored");
    drop(env_full);

    // Move the store to a disk with room and collect again: exactly the full set.
    let roomy = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(mount.path()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), roomy.path().join(f.file_name())).unwrap();
    }
    let collector = duplidesk_core::collect::Collector::new(duplidesk_core::store::Db::open_in(roomy.path()).unwrap(), None, options());
    let env = Env { dir: roomy, collector };
    let again = env.collect_one(&server).await;
    assert!(again.ok, "{again:?}");
    assert_eq!(env.count(), 3000);
}

/// The data folder and the store are the owner's alone; so are exports.
#[cfg(unix)]
#[test]
fn the_store_and_exports_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    let store = Store::open_in(&dir).unwrap();
    store.set_setting("a", "b").unwrap();
    assert_eq!(mode(&dir), 0o700);
    for file in ["duplidesk.sqlite", "duplidesk.sqlite-wal", "duplidesk.sqlite-shm"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    let data = duplidesk_core::export::CollectedData::new("nas", b"{}", b"[]", Vec::new());
    let written = duplidesk_core::export::write(&data, parent.path()).unwrap();
    assert_eq!(mode(&written), 0o600);
}

/// A row a server dated in the future (its clock far off) is remembered by its key when it is
/// cleared: it does not come back either, while a new row still does.
#[test]
fn a_cleared_row_dated_in_the_future_stays_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let server = store.insert_server(&NewServer { name: "nas", host: "nas", port: 8200, machine_id: None }).unwrap();
    let job = job(&store, server.id, "1", "Docs");
    let now = 1_800_000_000;
    let future = now + 100 * 86_400;
    let rows = [entry(1, now - 60, Status::Completed, "Backup"), entry(2, future, Status::Completed, "Backup")];
    assert_eq!(store.store_page(&job, "nas", &rows, &JobCursor::default()).unwrap().new, 2);
    let cleared = store.clear_logs(None, now).unwrap();
    assert_eq!(cleared.deleted, 2);
    let again = [
        entry(1, now - 60, Status::Completed, "Backup"),
        entry(2, future, Status::Completed, "Backup"),
        entry(3, now - 30, Status::Error, "Backup"),
        entry(4, now + 60, Status::Error, "Backup"),
    ];
    let out = store.store_page(&job, "nas", &again, &JobCursor::default()).unwrap();
    assert_eq!((out.new, out.skipped), (1, 3), "rows 1 and 2 were cleared; row 3 is older than what was cleared; row 4 is new");
    let left = store.query_logs(&LogQuery { statuses: vec![Status::Error], ..LogQuery::default() }).unwrap();
    assert_eq!(left.iter().map(|e| e.message.as_str()).collect::<Vec<_>>(), ["row 4"]);
}

/// The text search matches part of a message, ignores ASCII case, and takes `%` and `_`
/// literally.
#[test]
fn search_finds_text_in_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let server = store.insert_server(&NewServer { name: "nas", host: "nas", port: 8200, machine_id: None }).unwrap();
    let job = job(&store, server.id, "1", "Docs");
    let mut rows: Vec<_> = (1..=4).map(|i| entry(i, 1_700_000_000 + i, Status::Completed, "Backup")).collect();
    rows[0].message = "Disk FULL on /mnt/backup".into();
    rows[1].message = "100% done".into();
    rows[2].message = "file_a.txt failed".into();
    rows[3].message = "1000 files".into();
    store.store_page(&job, "nas", &rows, &JobCursor::default()).unwrap();
    let find = |text: &str| {
        let q = LogQuery { search: Some(text.into()), ..LogQuery::default() };
        let mut ids: Vec<String> = store.query_logs(&q).unwrap().into_iter().map(|e| e.message).collect();
        ids.sort();
        assert_eq!(store.count_logs(&q).unwrap(), ids.len() as u64);
        ids
    };
    assert_eq!(find("disk full"), ["Disk FULL on /mnt/backup"]);
    assert_eq!(find("0%"), ["100% done"], "% is a character, not a wildcard");
    assert_eq!(find("e_a"), ["file_a.txt failed"], "_ is a character, not a wildcard");
    assert_eq!(find("files").len(), 1);
    assert!(find("nothing like this").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_that_gave_back_their_page_caches_read_and_write_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let db = duplidesk_core::store::Db::open_in(dir.path()).unwrap();
    let page: Vec<NewEntry> = (1..=200).map(|i| entry(i, 1000 + i, Status::Completed, "Backup")).collect();
    db.write(move |s| {
        let server = s.insert_server(&NewServer { name: "nas", host: "nas.local", port: 8200, machine_id: None })?;
        let docs = job(s, server.id, "1", "Documents");
        s.store_page(&docs, "nas", &page, &JobCursor::default())
    })
    .await
    .unwrap();
    let before = db.read(|s| s.query_logs(&LogQuery::default())).await.unwrap();
    assert_eq!(before.len(), 200);

    db.release_memory().await.unwrap();
    let after = db.read(|s| s.query_logs(&LogQuery::default())).await.unwrap();
    assert_eq!(after.iter().map(|r| r.id).collect::<Vec<_>>(), before.iter().map(|r| r.id).collect::<Vec<_>>());
    // Each of the three connections still works: the writer, the reader above, the counter.
    assert_eq!(db.write(|s| s.total_entries()).await.unwrap(), 200);
    assert_eq!(db.count(|s| s.total_entries()).await.unwrap(), 200);
}
