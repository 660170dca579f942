//! The use cases (`Engine`) every front end calls, over real store files and the project's
//! Duplicati test server on loopback. The keychain here is an in-memory stand-in for the code
//! around it; the real Secret Service is exercised by the CLI and end-to-end tests.
mod common;

use common::*;
use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode};
use duplidesk_core::collect::{CollectOptions, Progress};
use duplidesk_core::import::ImportTarget;
use duplidesk_core::logs_file::LogFormat;
use duplidesk_core::ops::{ClearOptions, CollectRequest, Keychain, Listener, TestRequest};
use duplidesk_core::store::{JobCursor, LogQuery, ServerSettings};
use duplidesk_core::Status;
use duplidesk_core::{Engine, ErrorCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Counts what the engine tells its front end.
#[derive(Default)]
struct Counting {
    changes: AtomicUsize,
    progress: Mutex<Vec<String>>,
}

impl Listener for Counting {
    fn progress(&self, p: &Progress) {
        let kind = serde_json::to_value(p).unwrap()["kind"].as_str().unwrap().to_owned();
        self.progress.lock().unwrap().push(kind);
    }
    fn data_changed(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    engine: Engine,
    events: Arc<Counting>,
}

fn engine() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(Counting::default());
    let keychain = Keychain { store: Some(Arc::new(MemoryKeychain::default())), problem: None };
    let options = CollectOptions { save_password: true, ..options() };
    let engine = Engine::new(dir.path().to_owned(), keychain, options, events.clone());
    Setup { _dir: dir, engine, events }
}

async fn job_names(t: &Setup) -> Vec<String> {
    t.engine.dashboard().await.unwrap().servers.iter().flat_map(|s| s.jobs.iter().map(|j| j.name.clone())).collect()
}

async fn entries(t: &Setup) -> u64 {
    t.engine.logs_count(Default::default()).await.unwrap().total
}

async fn server_row(t: &Setup, id: i64) -> duplidesk_core::store::ServerRow {
    t.engine.servers().await.unwrap().into_iter().find(|s| s.id == id).unwrap()
}

fn hosts(server: &TestServer, password: &str) -> CollectRequest {
    CollectRequest { hosts: Some(format!("127.0.0.1:{}", server.port())), password: Some(password.into()), ..CollectRequest::default() }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_typed_password_is_saved_and_every_server_is_then_collected_without_one() {
    let a = server(DataSet::Fixture, TlsMode::Plain);
    let t = engine();
    assert!(t
        .engine
        .needs_password(&CollectRequest { hosts: Some(format!("127.0.0.1:{}", a.port())), ..Default::default() })
        .await
        .unwrap());
    let first = t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap();
    assert!(first[0].ok && first[0].notes.is_empty(), "{first:?}");
    assert_eq!(t.events.changes.load(Ordering::SeqCst), 1, "a collection changes the data once");
    assert_eq!(*t.events.progress.lock().unwrap().first().unwrap(), "started");
    assert_eq!(*t.events.progress.lock().unwrap().last().unwrap(), "finished");

    let all = CollectRequest { all: true, ..Default::default() };
    assert!(!t.engine.needs_password(&all).await.unwrap(), "the saved password is used");
    a.add_rows("1", 2);
    let again = t.engine.collect(&all, None).await.unwrap();
    assert_eq!((again[0].ok, again[0].new), (true, 2), "{again:?}");
    let d = t.engine.dashboard().await.unwrap();
    assert!(d.servers[0].has_password && !d.servers[0].needs_password);
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_that_name_nothing_or_a_missing_server_are_refused() {
    let t = engine();
    let nothing = t.engine.collect(&CollectRequest::default(), None).await.unwrap_err();
    assert_eq!(nothing.code, ErrorCode::InvalidInput, "{nothing}");
    assert!(nothing.message.contains("No server is configured"));
    let missing = t.engine.collect(&CollectRequest { server_ids: Some(vec![42]), ..Default::default() }, None).await.unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound);
    let bad_host = t.engine.collect(&CollectRequest { hosts: Some("bad host".into()), ..Default::default() }, None).await.unwrap_err();
    assert_eq!(bad_host.code, ErrorCode::InvalidInput);
    assert_eq!(t.engine.delete_server(42).await.unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(t.engine.find_server("nas").await.unwrap_err().code, ErrorCode::NotFound);
    assert!(!t.engine.is_collecting(), "a refused request leaves nothing running");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_collection_is_busy_until_the_first_ends() {
    let slow = TestServer::start(ServerConfig {
        data: DataSet::Generated { jobs: 2, rows_per_job: 3000, seed: 2 },
        latency: std::time::Duration::from_millis(150),
        ..ServerConfig::default()
    })
    .unwrap();
    let t = Arc::new(engine());
    let first = {
        let t = t.clone();
        let request = hosts(&slow, PASSWORD);
        tokio::spawn(async move { t.engine.collect(&request, None).await })
    };
    while !t.engine.is_collecting() {
        tokio::task::yield_now().await;
    }
    let second = t.engine.collect(&hosts(&slow, PASSWORD), None).await.unwrap_err();
    assert_eq!(second.code, ErrorCode::Busy);
    t.engine.cancel_collection();
    let first = first.await.unwrap().unwrap();
    assert_eq!(first[0].error.as_ref().map(|e| e.code), Some(ErrorCode::Cancelled));
    assert!(t.engine.collect(&hosts(&slow, PASSWORD), None).await.is_ok(), "the slot is free again");
}

#[tokio::test(flavor = "multi_thread")]
async fn test_connection_uses_the_saved_password_and_stores_nothing() {
    let a = server(DataSet::Fixture, TlsMode::SelfSigned);
    let t = engine();
    let typed = t
        .engine
        .test_connection(TestRequest { host: Some(format!("127.0.0.1:{}", a.port())), password: Some("x".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(typed.error.map(|e| e.code), Some(ErrorCode::AuthFailed));
    assert!(t.engine.servers().await.unwrap().is_empty(), "a test stores nothing");

    let id = t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap()[0].server.as_ref().unwrap().id;
    let saved = t.engine.test_connection(TestRequest { server_id: Some(id), ..Default::default() }).await.unwrap();
    assert!(saved.ok, "{saved:?}");
    assert_eq!(saved.certificate_sha256, a.cert_sha256());
    assert_eq!(saved.pinned_sha256, a.cert_sha256());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_password_goes_only_to_its_own_servers_address() {
    let a = server(DataSet::Fixture, TlsMode::Plain);
    let elsewhere = server(DataSet::Fixture, TlsMode::Plain);
    let t = engine();
    let id = t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap()[0].server.as_ref().unwrap().id;
    let other = TestRequest { server_id: Some(id), host: Some(format!("127.0.0.1:{}", elsewhere.port())), ..Default::default() };
    let e = t.engine.test_connection(other.clone()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::AuthFailed, "{e:?}");
    assert!(e.hint.contains("own server"), "{}", e.hint);
    assert_eq!(elsewhere.stats().logins, 0, "the saved password never left for another host");

    let typed = t.engine.test_connection(TestRequest { password: Some(PASSWORD.into()), ..other }).await.unwrap();
    assert!(typed.ok, "a typed password may go anywhere: {typed:?}");
    let own = TestRequest { server_id: Some(id), host: Some(format!("127.0.0.1:{}", a.port())), ..Default::default() };
    assert!(t.engine.test_connection(own).await.unwrap().ok, "the server's own address gets its password");
}

/// Anything on the network can answer with another server's MachineName and machine-id: the
/// claim alone links nothing. The impostor becomes a server of its own and gets none of the
/// real one's password, address, pin or history.
#[tokio::test(flavor = "multi_thread")]
async fn another_address_claiming_a_known_server_is_kept_apart() {
    for tls in [TlsMode::SelfSigned, TlsMode::Plain] {
        let real = server(DataSet::Fixture, tls);
        let t = engine();
        let victim = t.engine.collect(&hosts(&real, PASSWORD), None).await.unwrap().remove(0).server.unwrap();
        let victim_row = server_row(&t, victim.id).await;
        let keychain = t.engine.keychain().unwrap();

        let impostor = TestServer::start(ServerConfig { password: "typed-for-the-impostor".into(), ..real.impostor_config() }).unwrap();
        let s = t.engine.collect(&hosts(&impostor, "typed-for-the-impostor"), None).await.unwrap().remove(0);
        assert!(s.ok, "{s:?}");
        let new = s.server.unwrap();
        assert_ne!(new.id, victim.id, "{tls:?}: a claim is not a proof");
        assert_eq!(new.machine_id, None, "{tls:?}: the claimed machine-id stays the real server's");

        let after = server_row(&t, victim.id).await;
        assert_eq!(
            (after.url.as_deref(), after.protocol, after.cert_sha256.as_deref()),
            (victim_row.url.as_deref(), victim_row.protocol, victim_row.cert_sha256.as_deref())
        );
        assert_eq!(keychain.get(&after.secret_ref).unwrap().as_deref(), Some(PASSWORD), "{tls:?}: the real server's password is untouched");
        let dash = t.engine.dashboard().await.unwrap();
        let card = |id: i64| dash.servers.iter().find(|s| s.id == id).unwrap().clone();
        assert!(card(victim.id).jobs.iter().all(|j| j.last.as_ref().is_none_or(|l| l.server_id == Some(victim.id))));
        let logs = t.engine.logs(Default::default()).await.unwrap().rows;
        assert!(
            logs.iter().any(|e| e.server_id == Some(new.id) && e.message.contains("Nothing proves it is the same machine")),
            "{tls:?}: the user is told"
        );
        assert_eq!(card(new.id).jobs.len(), 3, "the impostor's jobs are its own");

        // Collected again, it stays apart, and the real server still collects with its password.
        assert_eq!(
            t.engine.collect(&hosts(&impostor, "typed-for-the-impostor"), None).await.unwrap()[0].server.as_ref().unwrap().id,
            new.id
        );
        let again = CollectRequest { server_ids: Some(vec![victim.id]), ..Default::default() };
        let s = t.engine.collect(&again, None).await.unwrap().remove(0);
        assert!(s.ok && s.server.as_ref().unwrap().id == victim.id, "{s:?}");
        assert_eq!(impostor.stats().unauthorized, 0, "{tls:?}: no session of the real server was shown to the impostor");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_passwords_and_deletion_go_through_store_and_keychain() {
    let a = server(DataSet::Fixture, TlsMode::Plain);
    let t = engine();
    let id = t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap()[0].server.as_ref().unwrap().id;
    let edited = t
        .engine
        .update_server(id, ServerSettings { alias: Some("Office".into()), note: None, host: "127.0.0.1".into(), port: a.port() })
        .await
        .unwrap();
    assert_eq!(edited.display_name, "Office");
    assert_eq!(t.engine.find_server("office").await.unwrap().id, id);
    for bad in ["two hosts,here", "bad host", "", "nas.local/path"] {
        let settings = ServerSettings { alias: None, note: None, host: bad.into(), port: a.port() };
        assert_eq!(t.engine.update_server(id, settings).await.unwrap_err().code, ErrorCode::InvalidInput, "{bad:?}");
    }

    t.engine.clear_password(id).await.unwrap();
    assert!(t.engine.dashboard().await.unwrap().servers[0].needs_password);
    assert_eq!(t.engine.set_password(id, String::new()).await.unwrap_err().code, ErrorCode::InvalidInput);
    t.engine.set_password(id, PASSWORD.into()).await.unwrap();
    assert!(!t.engine.dashboard().await.unwrap().servers[0].needs_password);

    let changes = t.events.changes.load(Ordering::SeqCst);
    let removed = t.engine.delete_server(id).await.unwrap();
    assert!(removed.notes.is_empty(), "{:?}", removed.notes);
    assert!(t.engine.keychain().unwrap().get(&removed.server.secret_ref).unwrap().is_none(), "its password is gone");
    assert!(t.engine.servers().await.unwrap().is_empty());
    assert_eq!(t.events.changes.load(Ordering::SeqCst), changes + 1);
    assert_eq!(t.engine.clear_logs(ClearOptions::default()).await.unwrap().deleted, 6, "a deleted server's entries are cleared");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_needs_no_keychain_and_deleting_it_ends_demo_mode() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::new(dir.path().to_owned(), Keychain::none("none here"), options(), Arc::new(Counting::default()));
    let demo = engine.start_demo().await.unwrap();
    assert!(demo.ok, "{demo:?}");
    let id = demo.server.as_ref().unwrap().id;
    assert_eq!(engine.status().await.demo.server_id, Some(id));
    let all = CollectRequest { all: true, ..Default::default() };
    assert!(!engine.needs_password(&all).await.unwrap(), "the engine knows the demo's password");
    assert!(engine.collect(&all, None).await.unwrap()[0].ok);
    assert!(engine.test_connection(TestRequest { server_id: Some(id), ..Default::default() }).await.unwrap().ok);

    engine.delete_server(id).await.unwrap();
    let status = engine.status().await;
    assert_eq!((status.demo.server_id, status.demo.running), (None, false), "deleting the demo server ends demo mode");
}

#[tokio::test(flavor = "multi_thread")]
async fn import_goes_on_past_a_file_that_fails() {
    let a = server(DataSet::Fixture, TlsMode::Plain);
    let t = engine();
    let mut request = hosts(&a, PASSWORD);
    request.save_json = true;
    let mut summary = t.engine.collect(&request, None).await.unwrap().remove(0);
    let out = tempfile::tempdir().unwrap();
    let file = t.engine.save_export(summary.export.take().unwrap(), out.path().to_owned()).await.unwrap();
    let broken = out.path().join("broken.json");
    std::fs::write(&broken, "{").unwrap();

    let fresh = engine();
    let results = fresh.engine.import_files(vec![broken, file], None).await.unwrap();
    assert_eq!(results[0].as_ref().unwrap_err().code, ErrorCode::InvalidResponse);
    assert_eq!(results[1].as_ref().unwrap().new, 6, "the file after the broken one is imported");
}

/// A file is untrusted: it links to a server only by machine-id, says nothing it cannot prove,
/// and never renames a stored job.
#[tokio::test(flavor = "multi_thread")]
async fn an_import_that_cannot_prove_its_server_asks_and_never_renames_jobs() {
    let a = server(DataSet::Fixture, TlsMode::Plain);
    let t = engine();
    let mut request = hosts(&a, PASSWORD);
    request.save_json = true;
    let mut summary = t.engine.collect(&request, None).await.unwrap().remove(0);
    let id = summary.server.as_ref().unwrap().id;
    let out = tempfile::tempdir().unwrap();
    let saved = t.engine.save_export(summary.export.take().unwrap(), out.path().to_owned()).await.unwrap();
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();

    // The same file, tampered with: the job renamed, a row unreadable, a row dated 5138.
    doc["backups"][0]["Backup"]["Name"] = "Renamed by a file".into();
    let rows = doc["backup_logs"]["1"].as_array_mut().unwrap();
    rows[0]["ID"] = 9001.into();
    rows[0]["Timestamp"] = 99_999_999_999i64.into();
    rows.push(serde_json::json!({"ID": "not a number"}));
    let with_id = out.path().join("with-id.json");
    std::fs::write(&with_id, serde_json::to_vec(&doc).unwrap()).unwrap();
    doc["system_info"]["Options"] = serde_json::json!([]);
    let without_id = out.path().join("without-id.json");
    std::fs::write(&without_id, serde_json::to_vec(&doc).unwrap()).unwrap();

    // Its machine-id proves the server: new rows are added, the stored job keeps its name.
    let before = entries(&t).await;
    let r = t.engine.import_files(vec![with_id], None).await.unwrap().remove(0).unwrap();
    assert_eq!((r.server_id, r.new, r.invalid_rows), (Some(id), 1, 1), "{r:?}");
    assert!(!job_names(&t).await.contains(&"Renamed by a file".to_owned()));
    let logs = t.engine.logs(Default::default()).await.unwrap().rows;
    assert!(logs.iter().all(|e| e.date < 99_999_999_999), "the far date is replaced by the import's time");
    assert_eq!(entries(&t).await, before + 2, "the new row and the import's own entry");

    // Without a machine-id nothing is imported until the user says where it goes.
    let before = entries(&t).await;
    let r = t.engine.import_files(vec![without_id.clone()], None).await.unwrap().remove(0).unwrap();
    assert!(r.needs_server && r.server_id.is_none(), "{r:?}");
    assert_eq!(entries(&t).await, before);
    assert_eq!(t.engine.servers().await.unwrap().len(), 1);

    let r = t.engine.import_files(vec![without_id.clone()], Some(ImportTarget::Server { id })).await.unwrap().remove(0).unwrap();
    assert_eq!((r.server_id, r.new), (Some(id), 0), "everything in it is stored already: {r:?}");
    assert!(!job_names(&t).await.contains(&"Renamed by a file".to_owned()), "a chosen server's jobs keep their names");

    let r = t.engine.import_files(vec![without_id], Some(ImportTarget::NewServer)).await.unwrap().remove(0).unwrap();
    let new_id = r.server_id.unwrap();
    assert_ne!(new_id, id);
    let new = server_row(&t, new_id).await;
    assert_eq!((new.name.as_str(), new.host.as_str(), new.machine_id.as_deref()), ("fileserver01", "fileserver01", None));
    assert_eq!(r.new, 6, "the five other runs and the re-dated one");
    assert!(job_names(&t).await.contains(&"Renamed by a file".to_owned()), "a new server's jobs are named as the file says");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_imported_certificate_authority_is_trusted_for_every_server() {
    let server = TestServer::start(ServerConfig { tls: TlsMode::CaSigned, ..ServerConfig::default() }).unwrap();
    let t = engine();
    let file = t._dir.path().join("local-ca.pem");
    std::fs::write(&file, server.ca_pem().unwrap()).unwrap();
    let added = t.engine.import_ca(file.clone()).await.unwrap();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].label, "local-ca.pem");
    assert_eq!(t.engine.import_ca(file).await.unwrap().len(), 1, "importing it again changes nothing");
    assert_eq!(t.engine.trusted_cas().await.unwrap().len(), 1);

    let request =
        CollectRequest { hosts: Some(format!("localhost:{}", server.port())), password: Some(PASSWORD.into()), ..Default::default() };
    let s = t.engine.collect(&request, None).await.unwrap().remove(0);
    assert_eq!(s.server.as_ref().map(|x| x.protocol), Some(duplidesk_core::Protocol::Https), "{s:?}");

    t.engine.remove_ca(added[0].fingerprint.clone()).await.unwrap();
    assert_eq!(t.engine.remove_ca(added[0].fingerprint.clone()).await.unwrap_err().code, ErrorCode::NotFound);
    let not_a_cert = t._dir.path().join("notes.txt");
    std::fs::write(&not_a_cert, "hello").unwrap();
    assert_eq!(t.engine.import_ca(not_a_cert).await.unwrap_err().code, ErrorCode::InvalidInput);
}

/// The Backup Logs' "Clear backup logs": a running job keeps its entries; idle jobs' and
/// deleted servers' entries go; an `info` entry says so; no server is asked anything.
#[tokio::test(flavor = "multi_thread")]
async fn clearing_logs_keeps_a_running_jobs_entries_and_removes_idle_and_orphaned_ones() {
    let a = TestServer::start(ServerConfig {
        version: duplicati_testserver::Version::V2_3_1,
        data: generated(2, 8),
        ..ServerConfig::default()
    })
    .unwrap();
    let b = TestServer::start(ServerConfig {
        data: generated(1, 5),
        machine_name: "nas02".into(),
        machine_id: "00000000000000000000000000000002".into(),
        ..ServerConfig::default()
    })
    .unwrap();
    let t = engine();
    assert!(t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap()[0].ok);
    let gone = t.engine.collect(&hosts(&b, PASSWORD), None).await.unwrap().remove(0);
    t.engine.delete_server(gone.server.unwrap().id).await.unwrap();
    // A task of job 1 runs now: the next collection sees it (`jobs.running_since`).
    assert!(a.start_task("1"));
    assert!(t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap()[0].ok);
    let dashboard = t.engine.dashboard().await.unwrap();
    let running = dashboard.servers[0].jobs.iter().find(|j| j.running.is_some()).expect("job 1 runs").clone();
    let running_entries = t.engine.job_history(running.id, 0).await.unwrap().len() as u64;
    let total = entries(&t).await;
    assert!(running_entries > 0 && total > running_entries + 5, "{running_entries} of {total}");

    let requests = (a.stats().total_requests, b.stats().total_requests);
    let preview = t.engine.clear_logs_preview(ClearOptions::default()).await.unwrap();
    assert_eq!(preview.entries, total - running_entries, "everything but the running job's entries, orphans included");
    assert_eq!((preview.kept_running, preview.running_jobs.clone()), (running_entries, vec![running.name.clone()]));

    let changes = t.events.changes.load(Ordering::SeqCst);
    let cleared = t.engine.clear_logs(ClearOptions::default()).await.unwrap();
    assert_eq!((cleared.deleted, cleared.kept_running), (preview.entries, running_entries), "the confirmation's count is what goes");
    assert_eq!(t.events.changes.load(Ordering::SeqCst), changes + 1, "the views reload");
    assert_eq!((a.stats().total_requests, b.stats().total_requests), requests, "nothing was asked of any Duplicati server");

    let left = t.engine.logs(LogQuery::default()).await.unwrap().rows;
    assert_eq!(left.len() as u64, running_entries + 1);
    let note = &left[0];
    assert_eq!((note.status, note.op_type.as_str()), (Status::Info, "System"));
    assert!(note.message.starts_with(&format!("Backup logs cleared: {} entries deleted", cleared.deleted)), "{}", note.message);
    assert!(note.message.contains(&running.name), "the note names the running job: {}", note.message);
    assert!(left[1..].iter().all(|e| e.job_id == Some(running.id)), "only the running job's entries are left");

    // Cleared again right away: only the previous note goes, the running job still keeps its own.
    let again = t.engine.clear_logs(ClearOptions::default()).await.unwrap();
    assert_eq!((again.deleted, again.kept_running), (1, running_entries));
}

/// What a clear removed never comes back: not with the next collection, not when the job's
/// whole log is read again (its cursor lost), not from an import of a file saved before.
#[tokio::test(flavor = "multi_thread")]
async fn cleared_entries_never_come_back_with_a_collection_or_an_import() {
    let a = server(generated(2, 12), TlsMode::Plain);
    let t = engine();
    let mut request = hosts(&a, PASSWORD);
    request.save_json = true;
    let mut first = t.engine.collect(&request, None).await.unwrap().remove(0);
    assert_eq!(first.new, 24);
    let out = tempfile::tempdir().unwrap();
    let saved = t.engine.save_export(first.export.take().unwrap(), out.path().to_owned()).await.unwrap();
    let server_id = first.server.unwrap().id;

    assert_eq!(t.engine.clear_logs(ClearOptions::default()).await.unwrap().deleted, 24);
    assert_eq!(entries(&t).await, 1, "the clear's own note");

    // The next collection: nothing new on the server, nothing back.
    let again = t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap().remove(0);
    assert_eq!((again.ok, again.new), (true, 0), "{again:?}");
    // The whole log read again from the start (as after a lost cursor or a recreated job
    // database): the cleared rows are still skipped; new runs are stored.
    let db = t.engine.db().unwrap().clone();
    db.write(move |s| {
        for job in s.jobs(server_id)? {
            s.save_cursor(job.id, &JobCursor::default())?;
            s.set_log_state(job.id, None)?;
        }
        Ok(())
    })
    .await
    .unwrap();
    a.add_rows("1", 3);
    let reread = t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap().remove(0);
    assert_eq!((reread.ok, reread.new), (true, 3), "only the three new runs: {reread:?}");
    // An import of the file saved before the clear: every row in it was cleared.
    let imported = t.engine.import_files(vec![saved], None).await.unwrap().remove(0).unwrap();
    assert_eq!((imported.server_id, imported.new, imported.skipped), (Some(server_id), 0, 24), "{imported:?}");
    let runs = t
        .engine
        .logs_count(LogQuery { statuses: vec![Status::Completed, Status::Warning, Status::Error, Status::Stopped], ..LogQuery::default() })
        .await
        .unwrap();
    assert_eq!(runs.matching, 3);
}

/// "Older than N days" clears only what is older; the newer entries stay and nothing older
/// comes back.
#[tokio::test(flavor = "multi_thread")]
async fn clearing_only_old_entries_keeps_the_newer_ones() {
    let a = server(generated(1, 40), TlsMode::Plain);
    let t = engine();
    let id = t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap().remove(0).server.unwrap().id;
    let cutoff = duplidesk_core::store::now_ts() - 5 * 86_400;
    let old = t.engine.logs_count(LogQuery { to: Some(cutoff), ..LogQuery::default() }).await.unwrap().matching;
    assert!(old > 0 && old < 40, "{old}");
    let options = ClearOptions { older_than_days: Some(5) };
    assert_eq!(t.engine.clear_logs_preview(options.clone()).await.unwrap().entries, old);
    assert_eq!(t.engine.clear_logs(options).await.unwrap().deleted, old);
    assert_eq!(entries(&t).await, 40 - old + 1);
    let db = t.engine.db().unwrap().clone();
    db.write(move |s| {
        for job in s.jobs(id)? {
            s.save_cursor(job.id, &JobCursor::default())?;
            s.set_log_state(job.id, None)?;
        }
        Ok(())
    })
    .await
    .unwrap();
    let reread = t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap().remove(0);
    assert_eq!(reread.new, 0, "{reread:?}");
    assert_eq!(entries(&t).await, 40 - old + 1);
}

/// The export writes every matching entry (not one page) as CSV or JSON.
#[tokio::test(flavor = "multi_thread")]
async fn the_export_writes_every_matching_entry_as_csv_or_json() {
    let a = server(generated(2, 150), TlsMode::Plain);
    let t = engine();
    assert!(t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap()[0].ok);
    let out = tempfile::tempdir().unwrap();
    let errors = LogQuery { statuses: vec![Status::Error, Status::Warning], ..LogQuery::default() };
    let matching = t.engine.logs_count(errors.clone()).await.unwrap().matching;
    assert!(matching > 0);

    let csv = out.path().join("logs.csv");
    let done = t.engine.export_logs(errors.clone(), LogFormat::Csv, csv.clone()).await.unwrap();
    assert_eq!(done.entries, matching);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(duplidesk_core::logs_file::CSV_HEADER));
    let first = t.engine.logs(LogQuery { limit: Some(1), ..errors.clone() }).await.unwrap().rows.remove(0);
    assert!(lines.next().unwrap().starts_with(&format!("{},", first.id)), "newest first");
    assert_eq!(text.lines().count() as u64, matching + 1, "every matching entry, one line each");
    assert!(!out.path().join("logs.csv.partial").exists());
    #[cfg(unix)]
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&csv).unwrap().permissions()) & 0o777, 0o600);

    let json = out.path().join("logs.json");
    assert_eq!(t.engine.export_logs(errors, LogFormat::Json, json.clone()).await.unwrap().entries, matching);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len() as u64, matching);
    assert_eq!(rows[0]["id"], first.id);
    assert!(rows.iter().all(|r| r["status"] == "error" || r["status"] == "warning"));
}

/// The diagnostics say what a bug report needs (versions, store, each server's last errors)
/// and hold no password.
#[tokio::test(flavor = "multi_thread")]
async fn diagnostics_list_the_store_and_each_servers_last_errors_without_a_password() {
    let a = server(DataSet::Fixture, TlsMode::Plain);
    let t = engine();
    let first = t.engine.collect(&hosts(&a, PASSWORD), None).await.unwrap();
    // Without the saved password and the login kept for it, a wrong one is tried.
    t.engine.clear_password(first[0].server.as_ref().unwrap().id).await.unwrap();
    let wrong = t.engine.collect(&hosts(&a, "Not-The-Password-1"), None).await.unwrap();
    assert_eq!(wrong[0].error.as_ref().unwrap().code, ErrorCode::AuthFailed);

    let d = t.engine.diagnostics(vec![duplidesk_core::ops::Component::new("Shell", "9.9")]).await;
    assert_eq!(d.versions[0].name, "Duplidesk");
    assert_eq!(d.versions[1], duplidesk_core::ops::Component::new("Shell", "9.9"));
    assert!(!d.os.is_empty());
    let store = &d.store;
    assert!(store.error.is_none(), "{:?}", store.error);
    assert_eq!(store.schema_version, Some(duplidesk_core::store::schema::VERSION));
    assert_eq!((store.servers, store.jobs), (1, 3));
    assert_eq!(store.entries, entries(&t).await);
    assert!(store.size_bytes > 0 && store.path.ends_with("duplidesk.sqlite"));
    assert!(d.keychain.available);
    assert_eq!(d.servers.len(), 1);
    let errors = &d.servers[0].recent_errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "auth_failed");

    let r = &d.report;
    let schema = format!("schema {0} of {0}", duplidesk_core::store::schema::VERSION);
    for expected in
        ["Versions: Duplidesk ", "Shell 9.9", &schema, "1 servers, 3 jobs", "Keychain: available", "[auth_failed]", "Log folder: "]
    {
        assert!(r.contains(expected), "{expected:?} missing from:\n{r}");
    }
    assert!(!r.contains(PASSWORD) && !r.contains("Not-The-Password-1"), "{r}");
}
