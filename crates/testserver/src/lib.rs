//! A Duplicati-compatible REST API server for integration tests, benchmarks and demo mode,
//! with one profile per Duplicati release line from 2.0.8.1 to 2.3.1.
//!
//! The server runs on its own thread with its own tokio runtime, so it works from plain
//! `#[test]` functions and from inside another runtime. It speaks hand-written HTTP/1.1 over
//! plain TCP or rustls and follows the wire format of the emulated release byte for byte
//! (System.Text.Json or Newtonsoft escaping, error bodies, reason phrases, cookies, paging).
//! [`Version::V2_1_0_5`] is the default.
//!
//! ```no_run
//! use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode, Version};
//!
//! let server = TestServer::start(ServerConfig {
//!     version: Version::V2_2,
//!     data: DataSet::Generated { jobs: 10, rows_per_job: 5000, seed: 1 },
//!     tls: TlsMode::SelfSigned,
//!     ..ServerConfig::default()
//! })?;
//! println!("{} {}", server.url(), server.cert_sha256().unwrap_or_default());
//! server.faults().fail_with_status(500, 1, Some("/log"));
//! server.start_task("1");
//! server.upgrade(Version::V2_3_1);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # API
//!
//! - [`ServerConfig`] (`Default`: 2.1.0.5, password "duplicati", machine "fileserver01",
//!   fixture data, plain HTTP on 127.0.0.1:0, 15 min tokens): `version`, `machine_id`
//!   (`machineid.txt`), `install_id` (reported as `machine-id` up to 2.3.0), `sync_jobs`,
//!   `agent_psk`, `tls_send_ca`, …; [`Version`] (`V2_0_8_1` | `V2_1_0_5` | `V2_1_2` | `V2_2` |
//!   `V2_3_1`), [`DataSet`] (`Fixture` | `Generated { jobs, rows_per_job, seed }` | `Empty`),
//!   [`TlsMode`] (`Plain` | `SelfSigned` | `CaSigned`), [`Mode`] (`Duplicati` | `NotDuplicati`).
//! - [`TestServer::start`], `addr`, `port`, `url`, `version`, `cert_der`, `cert_sha256`
//!   (openssl style `AB:CD:…`), `ca_pem`, `ca_der`, `renew_certificate` (= `rotate_certificate`),
//!   `replace_ca`, `faults`, `stats`, `reset_stats`, `add_rows`, `add_operation`
//!   ([`Operation`]), `fail_outside_log`, `start_task`, `finish_task`, `upgrade`,
//!   `recreate_job_db`, `set_password`, `revoke_sessions`, `impostor_config`, `shutdown`
//!   (also on drop).
//! - [`Faults`]: `set_latency`, `fail_with_status`, `truncate_body`, `malformed_json`,
//!   `stall_body`, `reset_connection`, `expire_tokens_after`, `clear`; hostile modes (below):
//!   `endless_body` ([`Framing`]), `loop_log_pages`, `grow_log_pages`, `bad_dates`,
//!   `good_dates`, `reset_client_hello`, `close_client_hello`, `oversized_error_text`,
//!   `oversized_error_json` ([`hostile_text`]).
//! - [`Stats`]: request counters, token families created, refreshes; [`fixtures`]: the
//!   embedded wire-exact 2.1.0.5 responses; [`legacy_login_answer`]: 2.0's login hash.
//!
//! # Hostile modes
//!
//! For proving that nothing a server sends can hang a client, exhaust its memory, move a
//! password to another host or make it show wrong data. All are off by default and leave
//! normal answers byte for byte as they are. Like the other faults most take `times` (use
//! `u32::MAX` for "until [`Faults::clear`]") and a substring of the request target.
//!
//! - An endless body ([`Faults::endless_body`]): a 200 JSON array that repeats the real
//!   answer's items forever, chunked, with a huge `Content-Length` (e.g. 10 GB) or until
//!   close, streamed from one block of 64 KiB or more as fast as the client reads (the heap
//!   stays flat; `tests/endless.rs` measures it over 256 MB).
//! - Log pages that never end: [`Faults::loop_log_pages`] answers the newest page whatever
//!   `offset` says; [`Faults::grow_log_pages`] answers full pages of real rows under new IDs
//!   all below `offset`.
//! - An impostor: [`TestServer::impostor_config`] starts a second server that reports the
//!   same machine name and ids (at the current version) with its own keys, on a new port or,
//!   after the real one shut down, on its port; its [`Stats::logins`] tells whether a client
//!   sent it a password.
//! - Dates out of range for one job ([`Faults::bad_dates`]): far future, zero, negative and
//!   reversed times in its log rows, a schedule and Metadata in year 9999; served only, the
//!   stored job is unchanged.
//! - A man-in-the-middle downgrade ([`Faults::reset_client_hello`],
//!   [`Faults::close_client_hello`]): a TLS ClientHello gets a RST (rustls clients see
//!   `ErrorKind::ConnectionReset`) or a FIN (`ErrorKind::UnexpectedEof`) while plain HTTP is
//!   answered on the same port, on an HTTPS server too.
//! - Oversized error texts ([`Faults::oversized_error_text`], `oversized_error_json`): any
//!   status with a body of e.g. 1 MB full of control characters and ANSI/OSC escapes.
//!
//! # Routes of 2.1+ (Kestrel)
//!
//! `POST /api/v1/auth/{login,refresh}` (2.3.1 also `auth/status`), `GET
//! /api/v1/{systeminfo,backups,serverstate,progressstate,notifications,logdata/log}`, `GET
//! /api/v1/backup/{id}/log?offset=&pagesize=`, `GET /health`. Protected routes answer 401
//! (empty body, `WWW-Authenticate: Bearer …`) before the Host check (403 `Invalid hostname`)
//! and, in agent mode, the pre-shared key check (403 text "Invalid PreSharedKey"). Error
//! bodies are `{"Error":…,"Code":…}` with `Content-Type: application/json`.
//!
//! - 2.1.0.5: login answers `{AccessToken}`; `RememberMe: true` adds a token family row and
//!   the refresh cookie, otherwise the token belongs to the "temporary" family.
//! - 2.1.2+: every login creates a family and answers `{AccessToken, RefreshNonce}` with the
//!   cookie `RefreshToken_<port of Host>` (path `/api/v1/auth/refresh`, HttpOnly,
//!   SameSite=Strict, Secure on HTTPS); refresh needs the cookie and `{"Nonce": …}`, rotates
//!   both, and a reused cookie deletes the family with its access tokens. Every operation
//!   writes a log row (List rows carry their `Files`). `DBPathExists`; 2.2 `ExternalID`; 2.3
//!   `ConnectionStringID`, `OperationType`, `AdditionalTargetURLs`.
//! - 2.3.1: the job log answers 400 `DatabaseLocked` while a task runs on the job, sync jobs
//!   answer 500, `machine-id` reports `machine_id` instead of `install_id`.
//!
//! # Routes of 2.0.8.1 (Tiny WebServer)
//!
//! Every `/api/v1/*` request needs the `xsrf-token` cookie's value in `X-XSRF-Token`, else 400
//! with the reason "Missing XSRF Token. Please reload the page" (this is how a client tells
//! 2.0 from 2.1+). `POST /login.cgi` with `get-nonce=1` returns `{Status, Nonce, Salt}` and
//! the `session-nonce` cookie; `password=<`[`legacy_login_answer`]`>` sets `session-auth`
//! (one hour, sliding); without it the API answers 401 "Not logged in". JSON bodies are
//! Newtonsoft, indented, after a UTF-8 byte order mark; `/backups` items are
//! `{IsUnencryptedOrPassphraseStored, Schedule, Backup}` and a log row's `Exception` is `null`.
//!
//! # Data
//!
//! `DataSet::Fixture` serves the recorded 2.1.0.5 responses verbatim until something changes
//! (job "1" has 6 rows, "2" and "3" none); other profiles give them their own shape, keep job
//! 1's rows as 2.1.0.5 wrote them (a server upgraded since) and, in 2.0.8.1, as 2.0.8.1 would
//! have (same result classes). `DataSet::Generated` derives every row from `(seed,
//! job, id)` when a page is requested, so large data sets cost almost no memory; each run of
//! rows keeps the version that wrote it, across [`TestServer::upgrade`]. The emulated server's
//! local time zone is UTC+02:00, like the fixture server.

mod auth;
mod config;
mod data;
mod emit;
mod faults;
mod generator;
#[cfg(test)]
mod golden;
mod hostile;
mod http;
mod legacy;
mod routes;
mod server;
mod stats;
mod stj;
mod sysinfo;
mod timefmt;
mod tls;

use std::io;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::watch;

pub use auth::legacy_login_answer;
pub use config::{DataSet, Mode, ServerConfig, TlsMode, Version, FIXTURE_MACHINE_ID};
pub use data::fixtures;
pub use faults::{Faults, Framing};
pub use hostile::hostile_text;
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
        let tls = tls::Tls::new(cfg.tls, &cfg.machine_name, cfg.tls_send_ca)?;
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

    /// DER of the CA certificate in [`TlsMode::CaSigned`].
    pub fn ca_der(&self) -> Option<Vec<u8>> {
        self.shared.tls.as_ref().and_then(|t| t.ca_der())
    }

    /// Serves a new key and certificate to new connections (same mode; CA-signed leaves
    /// are signed by the same CA). A no-op for plain HTTP. Same as [`TestServer::renew_certificate`].
    pub fn rotate_certificate(&self) {
        self.renew_certificate();
    }

    /// The daily renewal of 2.3.1 (`CertificateRenewalChecker`): a new 90-day leaf signed by
    /// the same CA (a new self-signed certificate in [`TlsMode::SelfSigned`]).
    pub fn renew_certificate(&self) {
        if let Some(tls) = &self.shared.tls {
            if let Err(e) = tls.rotate() {
                eprintln!("duplicati-testserver: certificate renewal failed: {e}");
            }
        }
    }

    /// Replaces the local CA and its leaf (`--configure-https` run again after the CA was
    /// removed): clients that pinned the old CA no longer trust the server.
    pub fn replace_ca(&self) {
        if let Some(tls) = &self.shared.tls {
            if let Err(e) = tls.replace_ca() {
                eprintln!("duplicati-testserver: CA replacement failed: {e}");
            }
        }
    }

    /// A configuration for an impostor of this server: the same machine name, `machine_id`,
    /// `install_id`, password, data set, TLS mode and options, at the version this server
    /// emulates now (after [`TestServer::upgrade`]), so its `systeminfo` reports the same
    /// identity; bound to a free port on the same address (set `bind` to [`TestServer::addr`]
    /// after a shutdown to take over the port). It starts from the configured data set, not
    /// from rows added since, and it has its own keys: its certificate (in HTTPS modes) and
    /// tokens differ.
    pub fn impostor_config(&self) -> ServerConfig {
        ServerConfig { version: self.version(), bind: SocketAddr::new(self.addr.ip(), 0), ..self.shared.cfg.clone() }
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

    /// Appends `n` newer rows to a job (IDs continue) as if the job ran `n` times since, and
    /// applies what Duplicati's Runner does after each run: `/backups` Metadata and
    /// `Schedule.LastRun`, notifications, the server ErrorLog of failed runs, and the
    /// `serverstate` counters. Unknown jobs and sync jobs (no log) are ignored.
    pub fn add_rows(&self, backup_id: &str, n: u32) {
        let mut store = self.shared.store();
        let first = store.job(backup_id).map_or(0, |j| j.max_id() + 1);
        if store.add_rows(backup_id, n, timefmt::now_ticks()) && n > 0 {
            store.record_rows(backup_id, first, first + u64::from(n) - 1);
        }
    }

    /// Runs one operation on a job and writes its log row the way the emulated version does.
    /// Returns false when no row was written: unknown job, a sync job, or an operation the
    /// version does not log (before 2.1.2 a List writes no row, `Library/Main/Controller.cs`).
    /// A failed backup ([`Operation::BackupFatal`]) of a job without a database writes no row
    /// either: it is then a failure outside the log (see [`TestServer::fail_outside_log`]).
    pub fn add_operation(&self, backup_id: &str, operation: Operation) -> bool {
        let now = timefmt::now_ticks();
        let mut store = self.shared.store();
        let Some(job) = store.job(backup_id) else {
            return false;
        };
        let (kind, secs, files) = operation.kind();
        if job.sync || (kind == generator::Kind::List && !store.version.logs_every_operation()) {
            return false;
        }
        if kind == generator::Kind::Fatal && !job.db_exists {
            store.fail_outside_log(backup_id, "The database file does not exist, run a backup first", now);
            return false;
        }
        let begin = now - secs * timefmt::TICKS_PER_SEC;
        match store.add_forced_row(backup_id, kind, begin, now - timefmt::TICKS_PER_SEC / 2, files) {
            Some(id) => {
                store.record_rows(backup_id, id, id);
                true
            }
            None => false,
        }
    }

    /// A run that fails before it reaches the job log (a Runner-level exception, or a
    /// missing database file: `Library/RestAPI/Runner.cs` `UpdateMetadataError`,
    /// `Library/Main/Controller.cs`): sets `Metadata.LastErrorDate` (`yyyyMMdd'T'HHmmssK`, UTC)
    /// and `LastErrorMessage`, replaces the job's notification with an Error one, logs it in the
    /// server ErrorLog (`/api/v1/logdata/log`), and writes no log row. Later runs never clear
    /// these two keys. False for an unknown job.
    pub fn fail_outside_log(&self, backup_id: &str, message: &str) -> bool {
        self.shared.store().fail_outside_log(backup_id, message, timefmt::now_ticks())
    }

    /// Starts a backup (or sync) of a job: `serverstate` shows `ActiveTask: {Item1: taskId,
    /// Item2: backupId}` and `SuggestedStatusIcon: "Active"`, `progressstate` reports its
    /// progress, and on 2.3.1 the job's log answers 400 `DatabaseLocked` until
    /// [`TestServer::finish_task`]. Task IDs count from 2 like Duplicati's Runner. False when
    /// the job is unknown or a task runs already.
    pub fn start_task(&self, backup_id: &str) -> bool {
        self.shared.store().start_task(backup_id, timefmt::now_ticks())
    }

    /// Completes the running task of a job as a successful run: writes its log row (a sync
    /// writes none), updates Metadata and `Schedule.LastRun`, and leaves `progressstate`
    /// showing the finished task (Duplicati never clears it). False when that job has no
    /// running task.
    pub fn finish_task(&self, backup_id: &str) -> bool {
        self.shared.store().finish_task(backup_id, timefmt::now_ticks()).is_ok()
    }

    /// Switches the emulated release of the running server (same port, certificate, jobs,
    /// rows and state), as an in-place upgrade does. Rows written before keep the version that
    /// wrote them; later rows, responses and logins follow `version`.
    pub fn upgrade(&self, version: Version) {
        let mut store = self.shared.store();
        store.version = version;
        store.events += 1;
    }

    /// The release the server emulates now.
    pub fn version(&self) -> Version {
        self.shared.version()
    }

    /// Simulates a recreated job database: `rows` rows with IDs from 1 and newer timestamps.
    pub fn recreate_job_db(&self, backup_id: &str, rows: u32) {
        self.shared.store().recreate(backup_id, rows, timefmt::now_ticks());
    }

    /// Changes the login password (issued tokens stay valid).
    pub fn set_password(&self, pw: &str) {
        self.shared.set_password(pw);
    }

    /// Ends every session (2.1+: tokens and refresh tokens, as `--webservice-reset-jwt-config`
    /// does; 2.0: the login cookies): clients must log in with the password again. Changing
    /// the password alone does not end sessions in Duplicati.
    pub fn revoke_sessions(&self) {
        self.shared.tokens().revoke_all();
        self.shared.legacy().log_out_everyone();
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

/// An operation [`TestServer::add_operation`] runs on a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// A successful backup.
    Backup,
    /// A backup with warnings (`ParsedResult: "Warning"`).
    BackupWarning,
    /// A backup with errors (`ParsedResult: "Error"`).
    BackupError,
    /// A backup that failed with an exception (`ParsedResult: "Fatal"`).
    BackupFatal,
    /// A backup the user stopped: `PartialBackup: true` and the warning "Cancellation was
    /// requested by user.", `Interrupted: false` (2.3.0.109 canary, after every release here,
    /// is the first to set `Interrupted` on a stop).
    BackupStopped,
    /// `--run-script-before` exited 3: the backup did not run, `ParsedResult: "Warning"`,
    /// `Interrupted: true`.
    ScriptWarningAbort,
    /// `--run-script-before` exited 5: the backup did not run, `ParsedResult: "Error"`,
    /// `Interrupted: true`.
    ScriptErrorAbort,
    /// A standalone compact.
    Compact,
    /// A verification (`Test`).
    Test,
    /// A restore.
    Restore,
    /// A database repair.
    Repair,
    /// A deletion of old versions.
    Delete,
    /// A List (e.g. browsing or searching files to restore) matching `files` files, all
    /// serialised in the row's `Files` (from 2.1.2).
    List {
        /// Entries of `Files`.
        files: u32,
    },
}

impl Operation {
    /// The row kind, how long the run takes (seconds) and the List size.
    fn kind(self) -> (generator::Kind, i64, u32) {
        use generator::Kind;
        match self {
            Operation::Backup => (Kind::Success, 240, 0),
            Operation::BackupWarning => (Kind::Warning, 260, 0),
            Operation::BackupError => (Kind::Error, 300, 0),
            Operation::BackupFatal => (Kind::Fatal, 9, 0),
            Operation::BackupStopped => (Kind::UserStop, 120, 0),
            Operation::ScriptWarningAbort => (Kind::Interrupted, 3, 0),
            Operation::ScriptErrorAbort => (Kind::ScriptAbort, 3, 0),
            Operation::Compact => (Kind::Compact, 90, 0),
            Operation::Test => (Kind::Test, 60, 0),
            Operation::Restore => (Kind::Restore, 180, 0),
            Operation::Repair => (Kind::Repair, 30, 0),
            Operation::Delete => (Kind::Delete, 20, 0),
            Operation::List { files } => (Kind::List, 5, files),
        }
    }
}
