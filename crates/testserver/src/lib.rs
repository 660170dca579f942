//! A Duplicati 2.1-compatible REST API server for integration tests, benchmarks and demo mode.
//!
//! The server runs on its own thread with its own tokio runtime, so it works from plain
//! `#[test]` functions and from inside another runtime. It speaks hand-written HTTP/1.1
//! (keep-alive, `Server: Kestrel`) over plain TCP or rustls, and follows the wire format
//! of Duplicati 2.1.0.5 byte for byte (System.Text.Json escaping, error bodies, paging).
//!
//! ```no_run
//! use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode};
//!
//! let server = TestServer::start(ServerConfig {
//!     data: DataSet::Generated { jobs: 10, rows_per_job: 5000, seed: 1 },
//!     tls: TlsMode::SelfSigned,
//!     ..ServerConfig::default()
//! })?;
//! println!("{} {}", server.url(), server.cert_sha256().unwrap_or_default());
//! server.faults().fail_with_status(500, 1, Some("/log"));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # API
//!
//! - [`ServerConfig`] (`Default`: password "duplicati", machine "fileserver01", fixture data,
//!   plain HTTP on 127.0.0.1:0, 15 min tokens), [`DataSet`] (`Fixture` | `Generated { jobs,
//!   rows_per_job, seed }` | `Empty`), [`TlsMode`] (`Plain` | `SelfSigned` | `CaSigned`),
//!   [`Mode`] (`Duplicati21` | `Legacy20` | `NotDuplicati`).
//! - [`TestServer::start`], `addr`, `port`, `url`, `cert_der`, `cert_sha256` (openssl style
//!   `AB:CD:…`), `ca_pem`, `rotate_certificate`, `faults`, `stats`, `reset_stats`, `add_rows`,
//!   `recreate_job_db`, `set_password`, `shutdown` (also on drop).
//! - [`Faults`]: `set_latency`, `fail_with_status`, `truncate_body`, `malformed_json`,
//!   `stall_body`, `reset_connection`, `expire_tokens_after`, `clear`.
//! - [`Stats`]: request counters; [`fixtures`]: the embedded wire-exact fixture responses.
//!
//! # Routes (mode `Duplicati21`)
//!
//! `POST /api/v1/auth/login`, `GET /api/v1/{systeminfo,backups,serverstate,progressstate,notifications}`,
//! `GET /api/v1/backup/{id}/log?offset=&pagesize=`, `GET /health`. Protected routes answer 401
//! (empty body, `WWW-Authenticate: Bearer …`) before the Host check (403 `Invalid hostname`).
//!
//! # Data
//!
//! `DataSet::Fixture` serves the recorded responses verbatim (job "1" has 6 rows, "2" and "3"
//! none). `DataSet::Generated` derives every row from `(seed, job, id)` when a page is
//! requested, so large data sets cost almost no memory. The emulated server's local time zone
//! is UTC+02:00, like the fixture server.

mod auth;
mod config;
mod data;
mod faults;
mod generator;
#[cfg(test)]
mod golden;
mod http;
mod routes;
mod server;
mod stats;
mod stj;
mod timefmt;
mod tls;

use std::io;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::watch;

pub use config::{DataSet, Mode, ServerConfig, TlsMode, FIXTURE_MACHINE_ID};
pub use data::fixtures;
pub use faults::Faults;
pub use stats::Stats;

use server::Shared;

/// A running server; stops when dropped or on [`TestServer::shutdown`].
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Binds `cfg.bind`, creates certificates and starts serving on a new thread.
    pub fn start(cfg: ServerConfig) -> io::Result<TestServer> {
        let listener = StdListener::bind(cfg.bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let tls = tls::Tls::new(cfg.tls)?;
        let shared = Arc::new(Shared::new(cfg, tls));
        let (stop, stop_rx) = watch::channel(false);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
        let task_shared = shared.clone();
        // The runtime is created and dropped on the server thread, so starting and stopping
        // also work from inside another tokio runtime.
        let thread = std::thread::Builder::new().name(format!("duplicati-testserver-{}", addr.port())).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            runtime.block_on(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => {
                        let _ = ready_tx.send(Ok(()));
                        server::run(listener, task_shared, stop_rx).await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })?;
        ready_rx.recv().map_err(|_| io::Error::other("server thread exited during start"))??;
        Ok(TestServer { addr, shared, stop, thread: Some(thread) })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Base URL, e.g. `https://127.0.0.1:8200` (IPv6 addresses in brackets).
    pub fn url(&self) -> String {
        let scheme = if self.shared.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// DER of the current leaf certificate (`None` for plain HTTP).
    pub fn cert_der(&self) -> Option<Vec<u8>> {
        self.shared.tls.as_ref().map(|t| t.current().leaf_der.clone())
    }

    /// SHA-256 of the leaf certificate formatted like
    /// `openssl x509 -noout -fingerprint -sha256`: uppercase hex pairs joined by `:`.
    pub fn cert_sha256(&self) -> Option<String> {
        self.cert_der().map(|der| tls::fingerprint(&der))
    }

    /// PEM of the CA certificate in [`TlsMode::CaSigned`].
    pub fn ca_pem(&self) -> Option<String> {
        self.shared.tls.as_ref().and_then(|t| t.ca_pem())
    }

    /// Serves a new key and certificate to new connections (same mode; CA-signed leaves
    /// are signed by the same CA). A no-op for plain HTTP.
    pub fn rotate_certificate(&self) {
        if let Some(tls) = &self.shared.tls {
            if let Err(e) = tls.rotate() {
                eprintln!("duplicati-testserver: certificate rotation failed: {e}");
            }
        }
    }

    /// The fault switches.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// A snapshot of the request counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats().clone()
    }

    /// Zeroes all counters.
    pub fn reset_stats(&self) {
        *self.shared.stats() = Stats::default();
    }

    /// Appends `n` newer rows to a job (IDs continue). Unknown jobs are ignored.
    pub fn add_rows(&self, backup_id: &str, n: u32) {
        self.shared.store().add_rows(backup_id, n, timefmt::now_ticks());
    }

    /// Simulates a recreated job database: `rows` rows with IDs from 1 and newer timestamps.
    pub fn recreate_job_db(&self, backup_id: &str, rows: u32) {
        self.shared.store().recreate(backup_id, rows, timefmt::now_ticks());
    }

    /// Changes the login password (issued tokens stay valid).
    pub fn set_password(&self, pw: &str) {
        self.shared.set_password(pw);
    }

    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
