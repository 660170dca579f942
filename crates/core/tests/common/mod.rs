//! Shared set-up for the engine's integration tests: a real store file in a temp folder and
//! the project's Duplicati test server on loopback.
#![allow(dead_code)]
use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode};
use duplidesk_core::collect::{CancelFlag, CollectOptions, Collector, HostSummary, Progress, Target};
use duplidesk_core::connect::ConnectOptions;
use duplidesk_core::hosts::HostSpec;
use duplidesk_core::store::{Db, LogQuery, Store};
use std::sync::Arc;
use std::time::Duration;

pub const PASSWORD: &str = "duplicati";

pub struct Env {
    pub dir: tempfile::TempDir,
    pub collector: Collector,
}

pub fn options() -> CollectOptions {
    CollectOptions {
        connect: ConnectOptions {
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(5),
            extra_roots: Vec::new(),
            accept_fingerprint: None,
            allow_http: false,
        },
        concurrency: 16,
        keep_export: false,
        save_password: false,
        host_deadline: Duration::from_secs(60),
    }
}

impl Env {
    pub fn new() -> Env {
        Env::with(options())
    }

    pub fn with(options: CollectOptions) -> Env {
        let dir = tempfile::tempdir().unwrap();
        Env { collector: Collector::new(Db::open_in(dir.path()).unwrap(), None, options), dir }
    }

    /// A new collector on the same store file, e.g. with other options.
    pub fn reopen(&mut self, options: CollectOptions) {
        self.collector = Collector::new(Db::open_in(self.dir.path()).unwrap(), None, options);
    }

    pub async fn collect(&self, hosts: &[(&str, u16)], password: &str) -> Vec<HostSummary> {
        let targets = hosts
            .iter()
            .map(|(h, p)| Target { spec: HostSpec { host: h.to_string(), port: *p }, password: Some(password.to_owned()) })
            .collect();
        self.collector.collect(targets, Arc::new(|_: Progress| {}), &CancelFlag::default()).await
    }

    pub async fn collect_one(&self, server: &TestServer) -> HostSummary {
        self.collect(&[("127.0.0.1", server.port())], PASSWORD).await.remove(0)
    }

    /// A connection of its own to the store file the collector writes.
    pub fn store(&self) -> Store {
        Store::open_in(self.dir.path()).unwrap()
    }

    pub fn count(&self) -> u64 {
        self.store().count_logs(&LogQuery::default()).unwrap()
    }
}

pub fn server(data: DataSet, tls: TlsMode) -> TestServer {
    TestServer::start(ServerConfig { data, tls, ..ServerConfig::default() }).unwrap()
}

pub fn generated(jobs: u32, rows: u32) -> DataSet {
    DataSet::Generated { jobs, rows_per_job: rows, seed: 7 }
}

pub fn total_log_requests(server: &TestServer) -> u64 {
    server.stats().log_requests.values().sum()
}

/// This machine's address on its network (not loopback): where plain HTTP would leave the
/// machine. Found by asking the OS which address it would send from (no packet is sent).
pub fn network_address() -> std::net::IpAddr {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    socket.connect("192.0.2.250:9").or_else(|_| socket.connect("10.255.255.254:9")).expect("this test needs a network interface");
    let ip = socket.local_addr().unwrap().ip();
    assert!(!ip.is_loopback() && !ip.is_unspecified(), "this test needs a non-loopback address, got {ip}");
    ip
}

/// An in-memory stand-in for the OS keychain, for tests of the code around it (the real Secret
/// Service is exercised by the command-line and end-to-end tests).
#[derive(Default)]
pub struct MemoryKeychain(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl duplidesk_core::secrets::SecretStore for MemoryKeychain {
    fn get(&self, account: &str) -> duplidesk_core::Result<Option<String>> {
        Ok(self.0.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, password: &str) -> duplidesk_core::Result<()> {
        self.0.lock().unwrap().insert(account.to_owned(), password.to_owned());
        Ok(())
    }
    fn delete(&self, account: &str) -> duplidesk_core::Result<()> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
}
