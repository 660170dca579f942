//! The collection orchestrator: many hosts at once (bounded), each server's jobs paged in order,
//! progress events, one summary per host. `server` is one server's collection, `identity`
//! decides which stored server a host is, `jobs` reads what the job list says besides the log,
//! `pager` pages one job's log, `cursor` holds the paging rules as pure functions, `sessions`
//! keeps logins between collections.
mod cursor;
mod identity;
mod jobs;
mod pager;
mod server;
mod sessions;

pub use sessions::{session_account, Sessions};

use crate::connect::ConnectOptions;
use crate::error::{Error, ErrorCode, Result};
use crate::export::CollectedData;
use crate::hosts::HostSpec;
use crate::model::{Protocol, Status};
use crate::monitor::NewEntry;
use crate::secrets::SecretStore;
use crate::store::{now_ts, Db, ServerRow};
use crate::task::blocking;
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One host to collect from. `password: None` means "the one in the keychain".
#[derive(Debug, Clone)]
pub struct Target {
    pub spec: HostSpec,
    pub password: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub connect: ConnectOptions,
    /// Hosts collected at the same time.
    pub concurrency: usize,
    /// Keep what was collected for a JSON export.
    pub keep_export: bool,
    /// Save a typed password in the keychain once it worked.
    pub save_password: bool,
    /// The most one host's collection may take, every request and write included; then it
    /// ends with `timeout` (what was stored stays), so no collection runs forever.
    pub host_deadline: std::time::Duration,
}

/// Ten minutes: a first collection of a large server takes seconds.
pub const DEFAULT_HOST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            connect: ConnectOptions::default(),
            concurrency: 64,
            keep_export: false,
            save_password: true,
            host_deadline: DEFAULT_HOST_DEADLINE,
        }
    }
}

/// The server as reported in a summary.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "CollectedServer")]
pub struct ServerInfo {
    pub id: i64,
    pub name: String,
    pub machine_id: Option<String>,
    pub url: String,
    pub protocol: Protocol,
    pub certificate_sha256: Option<String>,
    /// The pinned fingerprint is the issuing authority's (e.g. "Duplicati Local CA").
    pub certificate_is_issuer: bool,
    pub version: String,
}

/// The result of one host.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HostSummary {
    pub host: String,
    pub ok: bool,
    pub server: Option<ServerInfo>,
    pub new: u64,
    pub skipped: u64,
    pub errors: u64,
    pub duration_ms: u64,
    pub error: Option<Error>,
    /// Things worth knowing that did not fail the host (e.g. the keychain was unavailable).
    pub notes: Vec<String>,
    #[serde(skip)]
    pub export: Option<CollectedData>,
}

/// Progress of a collection, for progress lines and the UI.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Progress {
    Started { host: String },
    Connected { host: String, server: String, protocol: Protocol },
    Job { host: String, job: String, rows: u64 },
    Finished { host: String, ok: bool, new: u64 },
}

/// Cancels a running collection at once, even one waiting on a server that never answers;
/// what was stored stays stored (each page is written together with its cursor).
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<CancelState>);

#[derive(Debug, Default)]
struct CancelState {
    cancelled: AtomicBool,
    wake: tokio::sync::Notify,
}

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        self.0.wake.notify_waiters();
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }
    /// Resolves once the collection is cancelled.
    pub async fn cancelled(&self) {
        let woken = self.0.wake.notified();
        tokio::pin!(woken);
        // Registered before the check, so a cancel in between is not missed.
        woken.as_mut().enable();
        if !self.is_cancelled() {
            woken.await;
        }
    }
    fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::cancelled())
        } else {
            Ok(())
        }
    }
}

pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

pub struct Collector {
    db: Db,
    secrets: Option<Arc<dyn SecretStore>>,
    options: CollectOptions,
    sessions: Arc<Sessions>,
    /// One collection per server at a time, even when two names reach it.
    server_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

/// An error, with the id of the server it concerns when one is known.
type HostError = (Option<i64>, Error);

impl Collector {
    /// `secrets: None` means no keychain: passwords must be given.
    pub fn new(db: Db, secrets: Option<Arc<dyn SecretStore>>, options: CollectOptions) -> Collector {
        Collector { db, secrets, options, sessions: Arc::default(), server_locks: Mutex::new(HashMap::new()) }
    }

    /// Keeps sessions in `sessions` (shared with other collections of the same process)
    /// instead of sessions of its own.
    pub fn with_sessions(mut self, sessions: Arc<Sessions>) -> Collector {
        self.sessions = sessions;
        self
    }

    /// Collects from every target, at most `concurrency` at once; summaries in target order.
    pub async fn collect(&self, targets: Vec<Target>, progress: ProgressFn, cancel: &CancelFlag) -> Vec<HostSummary> {
        let n = self.options.concurrency.max(1);
        stream::iter(targets).map(|t| self.collect_host(t, progress.clone(), cancel)).buffered(n).collect().await
    }

    async fn collect_host(&self, target: Target, progress: ProgressFn, cancel: &CancelFlag) -> HostSummary {
        let label = target.spec.label();
        let start = Instant::now();
        let started_at = now_ts();
        progress(Progress::Started { host: label.clone() });
        let mut run = HostRun::default();
        let result = match self.lookup(&target.spec).await {
            Ok(known) => {
                let known_id = known.as_ref().map(|k| k.id);
                let deadline = self.options.host_deadline;
                let work = tokio::time::timeout(deadline, self.collect_server(&target, known, started_at, &mut run, &progress, cancel));
                tokio::select! {
                    done = work => match done {
                        Ok(result) => result,
                        Err(_) => Err((known_id, deadline_passed(&label, deadline))),
                    },
                    () = cancel.cancelled() => Err((known_id, Error::cancelled())),
                }
            }
            Err(e) => Err((None, e)),
        };
        let (server, error) = match result {
            Ok(info) => (Some(info), run.first_job_error.clone()),
            Err((server_id, e)) => {
                self.record_failure(server_id, &target.spec, started_at, &e).await;
                (None, Some(e))
            }
        };
        let ok = error.is_none() && run.errors == 0;
        let ms = start.elapsed().as_millis() as u64;
        match &error {
            None => tracing::info!(host = %label, new = run.new, skipped = run.skipped, ms, "collected"),
            Some(e) if e.code == ErrorCode::Cancelled => tracing::info!(host = %label, new = run.new, ms, "collection cancelled"),
            Some(e) => {
                tracing::warn!(host = %label, code = %e.code, new = run.new, errors = run.errors, ms, "collection failed: {}", e.message)
            }
        }
        progress(Progress::Finished { host: label.clone(), ok, new: run.new });
        HostSummary {
            host: label,
            ok,
            server,
            new: run.new,
            skipped: run.skipped,
            errors: run.errors,
            duration_ms: ms,
            error,
            notes: run.notes,
            export: run.export,
        }
    }

    async fn lookup(&self, spec: &HostSpec) -> Result<Option<ServerRow>> {
        let (h, p) = (spec.host.clone(), spec.port);
        self.db.read(move |s| s.server_by_address(&h, p)).await
    }

    /// Keeps a typed password that worked in the keychain (unless it is there already).
    async fn save_password(&self, server: &ServerRow, password: &str) -> Result<()> {
        let secrets = self.secrets.clone().ok_or_else(|| Error::keychain_unavailable("none is set up"))?;
        let (account, password) = (server.secret_ref.clone(), password.to_owned());
        blocking(move || match secrets.get(&account) {
            Ok(Some(existing)) if existing == password => Ok(()),
            _ => secrets.set(&account, &password),
        })
        .await
    }

    fn server_lock(&self, id: i64) -> Arc<tokio::sync::Mutex<()>> {
        self.server_locks.lock().unwrap_or_else(|p| p.into_inner()).entry(id).or_default().clone()
    }

    /// Remembers a failed collection: the server's last result, the run, and a `connection`
    /// entry when this starts a failure episode.
    async fn record_failure(&self, server_id: Option<i64>, spec: &HostSpec, started_at: i64, e: &Error) {
        if e.code == ErrorCode::Cancelled {
            return;
        }
        let (host, err) = (spec.label(), e.clone());
        let recorded = self
            .db
            .write(move |s| {
                let now = now_ts();
                if let Some(sid) = server_id {
                    s.set_last_result(sid, now, Some(&err))?;
                    let in_episode = matches!(s.last_system_status(sid)?, Some((Status::Connection, _)));
                    if !in_episode && is_connection_failure(err.code) {
                        let name = s.server(sid)?.map(|x| x.name).unwrap_or_else(|| host.clone());
                        let mut entry = NewEntry::system(Status::Connection, now, err.message.clone());
                        entry.details = serde_json::to_string(&err).unwrap_or_default();
                        s.insert_system_entry(Some(sid), &name, &entry)?;
                    }
                }
                s.record_run(server_id, &host, started_at, 0, 0, 0, Some(&err), None, None)
            })
            .await;
        if let Err(store_error) = recorded {
            tracing::error!(host = %spec.label(), code = %store_error.code, "the failed collection was not recorded: {}", store_error.message);
        }
    }
}

fn deadline_passed(host: &str, deadline: std::time::Duration) -> Error {
    Error::new(
        ErrorCode::Timeout,
        format!("{host} was still being collected after {} s; the collection stopped there.", deadline.as_secs()),
        "What was read is kept and the next collection goes on from there. If the server is that slow or its log that long, collect it alone.",
    )
}

/// Failures that mean "could not reach or log in", which open a connection episode.
fn is_connection_failure(code: ErrorCode) -> bool {
    !matches!(code, ErrorCode::Cancelled | ErrorCode::StoreError | ErrorCode::IoError | ErrorCode::InvalidInput | ErrorCode::Busy)
}

#[derive(Default)]
struct HostRun {
    new: u64,
    skipped: u64,
    errors: u64,
    first_job_error: Option<Error>,
    notes: Vec<String>,
    export: Option<CollectedData>,
}
