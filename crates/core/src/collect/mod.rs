//! The collection orchestrator: many hosts at once (bounded), each server's jobs paged in order,
//! progress events, one summary per host. See `store::JobCursor` for how paging stays hole-free.
use crate::connect::{self, ConnectOptions, Connection, Known};
use crate::duplicati::client::{MAX_PAGE_SIZE, MIN_PAGE_SIZE};
use crate::duplicati::wire::LogRow;
use crate::error::{Error, ErrorCode, Result};
use crate::export::CollectedData;
use crate::hosts::HostSpec;
use crate::model::{Protocol, Status};
use crate::monitor::{self, NewEntry};
use crate::secrets::SecretStore;
use crate::store::{JobCursor, JobInfo, JobRow, NewServer, PageOutcome, ServerRow, Store};
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub type SharedStore = Arc<Mutex<Store>>;

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
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions { connect: ConnectOptions::default(), concurrency: 64, keep_export: false, save_password: true }
    }
}

/// The server as reported in a summary.
#[derive(Debug, Clone, Serialize)]
pub struct ServerInfo {
    pub id: i64,
    pub name: String,
    pub machine_id: Option<String>,
    pub url: String,
    pub protocol: Protocol,
    pub certificate_sha256: Option<String>,
    pub version: String,
}

/// The result of one host.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Progress {
    Started { host: String },
    Connected { host: String, server: String, protocol: Protocol },
    Job { host: String, job: String, rows: u64 },
    Finished { host: String, ok: bool, new: u64 },
}

/// Cancels a running collection between requests; what was stored stays stored.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
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
    store: SharedStore,
    secrets: Option<Arc<dyn SecretStore>>,
    options: CollectOptions,
    /// One collection per server at a time, even when two names reach it.
    server_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

/// Runs blocking store work off the async threads.
async fn with_store<T: Send + 'static>(store: &SharedStore, f: impl FnOnce(&mut Store) -> Result<T> + Send + 'static) -> Result<T> {
    store_task(store, f).await
}

impl Collector {
    /// `secrets: None` means no keychain: passwords must be given.
    pub fn new(store: SharedStore, secrets: Option<Arc<dyn SecretStore>>, options: CollectOptions) -> Collector {
        Collector { store, secrets, options, server_locks: Mutex::new(HashMap::new()) }
    }

    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    /// Targets for every configured server (passwords from the keychain).
    pub fn all_configured(&self) -> Result<Vec<Target>> {
        let servers = self.store.lock().unwrap_or_else(|p| p.into_inner()).servers()?;
        Ok(servers.into_iter().map(|s| Target { spec: HostSpec { host: s.host, port: s.port }, password: None }).collect())
    }

    /// Collects from every target, at most `concurrency` at once; summaries in target order.
    pub async fn collect(&self, targets: Vec<Target>, progress: ProgressFn, cancel: &CancelFlag) -> Vec<HostSummary> {
        let n = self.options.concurrency.max(1);
        stream::iter(targets).map(|t| self.collect_host(t, progress.clone(), cancel)).buffered(n).collect().await
    }

    async fn collect_host(&self, target: Target, progress: ProgressFn, cancel: &CancelFlag) -> HostSummary {
        let label = target.spec.label();
        let start = Instant::now();
        let started_at = crate::store::now_ts();
        progress(Progress::Started { host: label.clone() });
        let mut run = HostRun { new: 0, skipped: 0, errors: 0, first_job_error: None, notes: Vec::new(), export: None };
        let known = self.lookup(&target.spec).await;
        let result = match known {
            Ok(known) => self.collect_server(&target, known, started_at, &mut run, &progress, cancel).await,
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
        progress(Progress::Finished { host: label.clone(), ok, new: run.new });
        HostSummary {
            host: label,
            ok,
            server,
            new: run.new,
            skipped: run.skipped,
            errors: run.errors,
            duration_ms: start.elapsed().as_millis() as u64,
            error,
            notes: run.notes,
            export: run.export,
        }
    }

    async fn lookup(&self, spec: &HostSpec) -> Result<Option<ServerRow>> {
        let (h, p) = (spec.host.clone(), spec.port);
        with_store(&self.store, move |s| s.server_by_address(&h, p)).await
    }

    /// Everything after the lookup; an error carries the server id when one is known.
    async fn collect_server(
        &self,
        target: &Target,
        known: Option<ServerRow>,
        started_at: i64,
        run: &mut HostRun,
        progress: &ProgressFn,
        cancel: &CancelFlag,
    ) -> std::result::Result<ServerInfo, (Option<i64>, Error)> {
        let known_id = known.as_ref().map(|k| k.id);
        let fail = |e: Error| (known_id, e);
        let spec = &target.spec;
        let label = spec.label();
        cancel.check().map_err(fail)?;

        let (password, typed) = match &target.password {
            Some(pw) => (pw.clone(), true),
            None => (self.stored_password(known.as_ref(), &label).map_err(fail)?, false),
        };
        let conn = connect::connect(
            &spec.host,
            spec.port,
            &password,
            Known { protocol: known.as_ref().and_then(|k| k.protocol), cert_sha256: known.as_ref().and_then(|k| k.cert_sha256.as_deref()) },
            &self.options.connect,
        )
        .await
        .map_err(fail)?;
        let Connection { mut client, protocol, url, cert_sha256 } = conn;

        cancel.check().map_err(fail)?;
        let (info, info_raw) = client.system_info().await.map_err(fail)?;
        if info.server_version.starts_with("2.0") {
            return Err(fail(Error::new(
                ErrorCode::UnsupportedVersion,
                format!("{label} runs Duplicati {}, which Duplidesk does not support yet.", info.server_version),
                "Update the server to Duplicati 2.1 or newer.",
            )));
        }
        let machine_name = if info.machine_name.is_empty() { spec.host.clone() } else { info.machine_name.clone() };
        let machine_id = info.machine_id();

        // Identify the server: the same machine reached by two names is one server.
        let server = {
            let (spec, known, machine_id, name) = (spec.clone(), known.clone(), machine_id.clone(), machine_name.clone());
            with_store(&self.store, move |s| identify(s, &spec, known, machine_id.as_deref(), &name)).await.map_err(fail)?
        };
        let fail = |e: Error| (Some(server.id), e);
        check_security(&server, protocol, cert_sha256.as_deref(), &self.options.connect, &label).map_err(fail)?;
        {
            let (id, url, cert, mid, name, version) =
                (server.id, url.clone(), cert_sha256.clone(), machine_id.clone(), machine_name.clone(), info.server_version.clone());
            with_store(&self.store, move |s| {
                s.update_server_connection(id, &url, protocol, cert.as_deref(), mid.as_deref(), &name, &version)
            })
            .await
            .map_err(fail)?;
        }
        progress(Progress::Connected { host: label.clone(), server: machine_name.clone(), protocol });
        if typed && self.options.save_password {
            self.save_password(&server, &password, run);
        }

        let lock = self.server_lock(server.id);
        let _one_at_a_time = lock.lock().await;

        cancel.check().map_err(fail)?;
        let (backups, backups_raw) = client.backups().await.map_err(fail)?;
        let mut jobs = Vec::with_capacity(backups.len());
        for item in &backups {
            let info = JobInfo {
                backup_id: item.backup.id.clone(),
                name: item.backup.name.clone(),
                description: item.backup.description.clone().filter(|d| !d.is_empty()),
                db_path: item.backup.db_path.clone(),
                schedule_json: item.schedule.as_ref().and_then(|s| serde_json::to_string(s).ok()),
                metadata_json: item.backup.metadata.as_ref().map(|m| serde_json::Value::Object(m.clone()).to_string()),
            };
            let sid = server.id;
            jobs.push(with_store(&self.store, move |s| s.upsert_job(sid, &info)).await.map_err(fail)?);
        }
        {
            let sid = server.id;
            let ids: Vec<String> = backups.iter().map(|b| b.backup.id.clone()).collect();
            with_store(&self.store, move |s| s.mark_missing_jobs(sid, &ids)).await.map_err(fail)?;
        }
        let mut export_logs = self.options.keep_export.then(Vec::new);

        for job in jobs {
            if let Err(e) = cancel.check() {
                return Err(fail(e));
            }
            let mut pager = JobPager {
                collector: self,
                client: &mut client,
                job,
                server_name: machine_name.clone(),
                host: label.clone(),
                progress,
                run,
                cancel,
                export: Vec::new(),
            };
            match pager.collect().await {
                Ok(()) => {}
                Err(e) if matches!(e.code, ErrorCode::Cancelled | ErrorCode::StoreError | ErrorCode::IoError) => return Err(fail(e)),
                Err(e) => {
                    pager.run.errors += 1;
                    pager.run.first_job_error.get_or_insert(e);
                }
            }
            let JobPager { job, export, .. } = pager;
            if let Some(logs) = export_logs.as_mut() {
                logs.push((job.backup_id.clone(), export));
            }
        }

        if let Some(logs) = export_logs {
            run.export = Some(CollectedData::new(&machine_name, &info_raw, &backups_raw, logs));
        }
        let now = crate::store::now_ts();
        let (sid, name, err) = (server.id, machine_name.clone(), run.first_job_error.clone());
        let (new, skipped, errors) = (run.new, run.skipped, run.errors);
        let (host, url2) = (label.clone(), url.clone());
        with_store(&self.store, move |s| {
            s.set_last_result(sid, now, err.as_ref())?;
            if let Some((Status::Connection, _)) = s.last_system_status(sid)? {
                s.insert_system_entry(Some(sid), &name, &NewEntry::system(Status::Info, now, format!("Connection to {host} restored")))?;
            }
            s.record_run(Some(sid), &host, started_at, new, skipped, errors, err.as_ref(), Some(protocol), Some(&url2))
        })
        .await
        .map_err(fail)?;

        Ok(ServerInfo {
            id: server.id,
            name: machine_name,
            machine_id,
            url,
            protocol,
            certificate_sha256: cert_sha256,
            version: info.server_version,
        })
    }

    fn stored_password(&self, known: Option<&ServerRow>, label: &str) -> Result<String> {
        let no_password = || {
            Error::new(
                ErrorCode::AuthFailed,
                format!("No password is saved for {label}."),
                "Give the password (--password-stdin, or the Collect dialog); it is then saved in the system keychain.",
            )
        };
        let server = known.ok_or_else(no_password)?;
        let secrets = self.secrets.as_ref().ok_or_else(|| {
            Error::new(
                ErrorCode::KeychainUnavailable,
                format!("No system keychain is available to read the password of {label}."),
                "Give the password each time (--password-stdin), or set up a keychain (GNOME Keyring, KWallet).",
            )
        })?;
        secrets.get(&server.secret_ref)?.ok_or_else(no_password)
    }

    fn save_password(&self, server: &ServerRow, password: &str, run: &mut HostRun) {
        let result = match &self.secrets {
            Some(secrets) => match secrets.get(&server.secret_ref) {
                Ok(Some(existing)) if existing == password => Ok(()),
                _ => secrets.set(&server.secret_ref, password),
            },
            None => Err(Error::new(ErrorCode::KeychainUnavailable, "No system keychain is available.", "")),
        };
        if let Err(e) = result {
            run.notes.push(format!("The password was not saved: {} You will be asked for it next time.", e.message));
        }
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
        let _ = with_store(&self.store, move |s| {
            let now = crate::store::now_ts();
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
    }
}

/// Failures that mean "could not reach or log in", which open a connection episode.
fn is_connection_failure(code: ErrorCode) -> bool {
    !matches!(code, ErrorCode::Cancelled | ErrorCode::StoreError | ErrorCode::IoError | ErrorCode::InvalidInput)
}

struct HostRun {
    new: u64,
    skipped: u64,
    errors: u64,
    first_job_error: Option<Error>,
    notes: Vec<String>,
    export: Option<CollectedData>,
}

/// Finds or creates the server record for what the server said it is.
fn identify(s: &mut Store, spec: &HostSpec, known: Option<ServerRow>, machine_id: Option<&str>, name: &str) -> Result<ServerRow> {
    let by_identity = match machine_id {
        Some(mid) => s.server_by_identity(mid, name)?,
        None => None,
    };
    let server = match (by_identity, known) {
        (Some(server), _) => server,
        // The address was known, and its machine had no identity yet or the same one.
        (None, Some(k)) if k.machine_id.is_none() || k.machine_id.as_deref() == machine_id => k,
        _ => s.insert_server(&NewServer { name, host: &spec.host, port: spec.port, machine_id })?,
    };
    s.add_address(server.id, &spec.host, spec.port)?;
    Ok(server)
}

/// A self-signed certificate must match the pin, and HTTPS is never downgraded, whichever
/// name the server was reached by.
fn check_security(server: &ServerRow, protocol: Protocol, cert: Option<&str>, opts: &ConnectOptions, label: &str) -> Result<()> {
    if opts.trust_new_certificate {
        return Ok(());
    }
    if protocol == Protocol::Http && server.protocol.is_some_and(Protocol::is_tls) {
        return Err(Error::new(
            ErrorCode::TlsError,
            format!("{label} answered over plain HTTP, but this server used HTTPS before."),
            "Duplidesk never downgrades a server from HTTPS. Connect by the name that speaks HTTPS, or remove the server and add it again.",
        ));
    }
    if protocol == Protocol::HttpsSelfSigned {
        if let (Some(pinned), Some(seen)) = (server.cert_sha256.as_deref(), cert) {
            if pinned != seen {
                return Err(crate::net::certificate_changed(label, pinned, seen));
            }
        }
    }
    Ok(())
}

/// Pages one job's log into the store.
struct JobPager<'a> {
    collector: &'a Collector,
    client: &'a mut crate::duplicati::Client,
    job: JobRow,
    server_name: String,
    host: String,
    progress: &'a ProgressFn,
    run: &'a mut HostRun,
    cancel: &'a CancelFlag,
    export: Vec<LogRow>,
}

enum PassStart {
    /// Resume an interrupted pass below its lowest stored row.
    Resume,
    /// Start from the newest row.
    Fresh,
}

impl JobPager<'_> {
    async fn collect(&mut self) -> Result<()> {
        if self.job.cursor.pass_top.is_some() {
            self.pass(PassStart::Resume).await?;
        }
        self.pass(PassStart::Fresh).await
    }

    async fn fetch(&mut self, offset: Option<i64>, pagesize: u32) -> Result<Option<Vec<LogRow>>> {
        self.cancel.check()?;
        self.client.log_page(&self.job.backup_id, offset, pagesize).await
    }

    async fn pass(&mut self, start: PassStart) -> Result<()> {
        let mut cur = self.job.cursor;
        let mut rows_seen = 0u64;
        let (mut rows, mut asked) = match start {
            PassStart::Resume => {
                let low = cur.pass_low.or(cur.pass_top.map(|t| t + 1));
                (self.fetch(low, MAX_PAGE_SIZE).await?, MAX_PAGE_SIZE)
            }
            PassStart::Fresh => {
                // Expect few new rows on a known job: the smallest page answers "nothing new".
                let size = if cur.complete_through > 0 { MIN_PAGE_SIZE } else { MAX_PAGE_SIZE };
                let rows = self.fetch(None, size).await?;
                if let Some(first) = rows.as_ref().and_then(|r| r.first()) {
                    if first.id == cur.complete_through && Some(first.timestamp) == cur.complete_ts {
                        self.run.skipped += rows.as_ref().map_or(0, |r| r.len() as u64);
                        return Ok(());
                    }
                    if first.id < cur.complete_through || (first.id == cur.complete_through && Some(first.timestamp) != cur.complete_ts) {
                        cur = JobCursor::default(); // the job's database was recreated: IDs started again
                    }
                    cur.pass_top = Some(first.id);
                    cur.pass_top_ts = Some(first.timestamp);
                    cur.pass_low = None;
                }
                (rows, size)
            }
        };
        let mut pending: Option<StoreFuture> = None;
        loop {
            let Some(page) = rows.take() else { return Ok(()) }; // the server no longer has this job
            if page.is_empty() && matches!(start, PassStart::Fresh) && cur.pass_top.is_none() {
                if cur.complete_through > 0 {
                    // The log is empty now: the job's database was recreated or purged.
                    let (id, reset) = (self.job.id, JobCursor::default());
                    with_store(&self.collector.store, move |s| s.save_cursor(id, &reset)).await?;
                    self.job.cursor = reset;
                }
                return Ok(());
            }
            let mut done = page.len() < asked as usize || page.is_empty();
            let mut fresh = Vec::with_capacity(page.len());
            let mut known = 0u64;
            for row in page {
                if row.id <= cur.complete_through && cur.complete_through > 0 {
                    if row.id == cur.complete_through && Some(row.timestamp) != cur.complete_ts {
                        cur.complete_through = 0; // recreated below us: everything under is new
                        cur.complete_ts = None;
                        fresh.push(row);
                        continue;
                    }
                    done = true;
                    known += 1;
                    continue;
                }
                fresh.push(row);
            }
            if let Some(low) = fresh.iter().map(|r| r.id).min() {
                cur.pass_low = Some(low);
            }
            if done {
                if let Some(top) = cur.pass_top.take() {
                    cur.complete_through = top;
                    cur.complete_ts = cur.pass_top_ts.take();
                }
                cur.pass_low = None;
            }
            rows_seen += fresh.len() as u64;
            if self.collector.options.keep_export {
                self.export.extend(fresh.iter().cloned());
            }
            // Parse and store this page while the next one is fetched; pages are still written
            // in order, each with the cursor that follows it.
            let stored: StoreFuture = {
                let (job, name, cursor) = (self.job.clone(), self.server_name.clone(), cur);
                Box::pin(store_task(&self.collector.store, move |s| {
                    let entries: Vec<NewEntry> = fresh.iter().map(monitor::entry_from_row).collect();
                    s.store_page(&job, &name, &entries, &cursor)
                }))
            };
            if let Some(previous) = pending.take() {
                self.account(previous.await?, 0);
            }
            self.job.cursor = cur;
            (self.progress)(Progress::Job { host: self.host.clone(), job: self.job.name.clone(), rows: rows_seen });
            if done {
                self.account(stored.await?, known);
                return Ok(());
            }
            self.run.skipped += known;
            pending = Some(stored);
            asked = MAX_PAGE_SIZE;
            rows = match self.fetch(cur.pass_low, MAX_PAGE_SIZE).await {
                Ok(r) => r,
                Err(e) => {
                    if let Some(previous) = pending.take() {
                        self.account(previous.await?, 0);
                    }
                    return Err(e);
                }
            };
            if rows.is_none() {
                if let Some(previous) = pending.take() {
                    self.account(previous.await?, 0);
                }
            }
        }
    }

    fn account(&mut self, outcome: PageOutcome, known: u64) {
        self.run.new += outcome.new;
        self.run.skipped += outcome.skipped + known;
    }
}

/// A page being parsed and written on the blocking pool.
type StoreFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<PageOutcome>> + Send>>;

/// Runs store work on the blocking pool now; await the handle for its result.
fn store_task<T: Send + 'static>(
    store: &SharedStore,
    f: impl FnOnce(&mut Store) -> Result<T> + Send + 'static,
) -> impl std::future::Future<Output = Result<T>> {
    let store = store.clone();
    let handle = tokio::task::spawn_blocking(move || {
        let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    });
    async move { handle.await.map_err(|e| Error::store(format!("store task failed: {e}")))? }
}
