//! The use cases (`Engine`) every front end calls, over real store files and the project's
//! Duplicati test server on loopback. The keychain here is an in-memory stand-in for the code
//! around it; the real Secret Service is exercised by the CLI and end-to-end tests.
mod common;

use common::*;
use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode};
use duplidesk_core::collect::{CollectOptions, Progress};
use duplidesk_core::ops::{ClearOptions, CollectRequest, Keychain, Listener, TestRequest};
use duplidesk_core::secrets::SecretStore;
use duplidesk_core::store::ServerSettings;
use duplidesk_core::{Engine, ErrorCode, Result};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct MemoryKeychain(Mutex<HashMap<String, String>>);

impl SecretStore for MemoryKeychain {
    fn get(&self, account: &str) -> Result<Option<String>> {
        Ok(self.0.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, password: &str) -> Result<()> {
        self.0.lock().unwrap().insert(account.to_owned(), password.to_owned());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<()> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
}

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
    assert_eq!(t.engine.clear_logs(ClearOptions { orphans_only: true, ..Default::default() }).await.unwrap().deleted, 6);
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
    let results = fresh.engine.import_files(vec![broken, file]).await.unwrap();
    assert_eq!(results[0].as_ref().unwrap_err().code, ErrorCode::InvalidResponse);
    assert_eq!(results[1].as_ref().unwrap().new, 6, "the file after the broken one is imported");
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
