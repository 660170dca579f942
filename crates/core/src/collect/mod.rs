//! The collection orchestrator: many hosts at once (bounded), each server's jobs paged in order,
//! progress events, one summary per host. `identity` decides which stored server a host is,
//! `pager` pages one job's log, `cursor` holds the paging rules as pure functions.
mod cursor;
mod identity;
mod pager;

use crate::connect::{self, ConnectOptions, Connection, Known};
use crate::error::{Error, ErrorCode, Result};
use crate::export::CollectedData;
use crate::hosts::HostSpec;
use crate::model::{Protocol, Status};
use crate::monitor::NewEntry;
use crate::secrets::{self, SecretStore};
use crate::store::{now_ts, Db, JobInfo, ServerRow};
use crate::task::blocking;
use futures_util::stream::{self, StreamExt};
use pager::{JobPager, JobTally};
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
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions { connect: ConnectOptions::default(), concurrency: 64, keep_export: false, save_password: true }
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
    db: Db,
    secrets: Option<Arc<dyn SecretStore>>,
    options: CollectOptions,
    /// One collection per server at a time, even when two names reach it.
    server_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

/// An error, with the id of the server it concerns when one is known.
type HostError = (Option<i64>, Error);

impl Collector {
    /// `secrets: None` means no keychain: passwords must be given.
    pub fn new(db: Db, secrets: Option<Arc<dyn SecretStore>>, options: CollectOptions) -> Collector {
        Collector { db, secrets, options, server_locks: Mutex::new(HashMap::new()) }
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
        self.db.read(move |s| s.server_by_address(&h, p)).await
    }

    /// Everything after the lookup.
    async fn collect_server(
        &self,
        target: &Target,
        known: Option<ServerRow>,
        started_at: i64,
        run: &mut HostRun,
        progress: &ProgressFn,
        cancel: &CancelFlag,
    ) -> std::result::Result<ServerInfo, HostError> {
        let known_id = known.as_ref().map(|k| k.id);
        let fail = |e: Error| (known_id, e);
        let spec = &target.spec;
        let label = spec.label();
        cancel.check().map_err(fail)?;

        let (password, typed) = match &target.password {
            Some(pw) => (pw.clone(), true),
            None => {
                let server = known.clone().ok_or_else(|| fail(Error::no_password(&label)))?;
                let (secrets, label) = (self.secrets.clone(), label.clone());
                let password = blocking(move || secrets::saved_password(secrets.as_deref(), &server, &label)).await.map_err(fail)?;
                (password, false)
            }
        };
        let known_security =
            Known { protocol: known.as_ref().and_then(|k| k.protocol), cert_sha256: known.as_ref().and_then(|k| k.cert_sha256.as_deref()) };
        let conn = connect::connect(&spec.host, spec.port, &password, known_security, &self.options.connect).await.map_err(fail)?;
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

        let server = {
            let (spec, known, mid, name) = (spec.clone(), known.clone(), machine_id.clone(), machine_name.clone());
            let host = label.clone();
            self.db
                .write(move |s| {
                    let found = identity::identify(s, &spec, known, mid.as_deref(), &name)?;
                    if let (Some(old), Some(new)) = (&found.machine_id_changed_from, &mid) {
                        let note = format!(
                            "{host} now reports machine-id {new} (was {old}), as Duplicati 2.3 does after an upgrade; it is still {name}."
                        );
                        s.insert_system_entry(Some(found.server.id), &name, &NewEntry::system(Status::Info, now_ts(), note))?;
                    }
                    Ok(found.server)
                })
                .await
                .map_err(fail)?
        };
        let fail = |e: Error| (Some(server.id), e);
        identity::check_security(&server, protocol, cert_sha256.as_deref(), &self.options.connect, &label).map_err(fail)?;
        {
            let (id, url, cert, mid, name, version) =
                (server.id, url.clone(), cert_sha256.clone(), machine_id.clone(), machine_name.clone(), info.server_version.clone());
            self.db
                .write(move |s| s.update_server_connection(id, &url, protocol, cert.as_deref(), mid.as_deref(), &name, &version))
                .await
                .map_err(fail)?;
        }
        progress(Progress::Connected { host: label.clone(), server: machine_name.clone(), protocol });
        if typed && self.options.save_password {
            if let Err(e) = self.save_password(&server, &password).await {
                run.notes.push(format!("The password was not saved: {} You will be asked for it next time.", e.message));
            }
        }

        let lock = self.server_lock(server.id);
        let _one_at_a_time = lock.lock().await;

        cancel.check().map_err(fail)?;
        let (backups, backups_raw) = client.backups().await.map_err(fail)?;
        let infos: Vec<JobInfo> = backups.iter().map(JobInfo::from_backup).collect();
        let sid = server.id;
        let jobs = self
            .db
            .write(move |s| {
                let jobs = infos.iter().map(|info| s.upsert_job(sid, info)).collect::<Result<Vec<_>>>()?;
                let present: Vec<String> = infos.iter().map(|i| i.backup_id.clone()).collect();
                s.mark_missing_jobs(sid, &present)?;
                Ok(jobs)
            })
            .await
            .map_err(fail)?;

        let mut export_logs = Vec::new();
        for job in jobs {
            cancel.check().map_err(fail)?;
            let backup_id = job.backup_id.clone();
            let mut pager = JobPager {
                db: &self.db,
                client: &mut client,
                job,
                server_name: machine_name.clone(),
                host: label.clone(),
                progress,
                cancel,
                keep_rows: self.options.keep_export,
                tally: JobTally::default(),
            };
            let result = pager.run().await;
            let tally = pager.tally;
            run.new += tally.new;
            run.skipped += tally.skipped;
            match result {
                Ok(()) => {}
                Err(e) if matches!(e.code, ErrorCode::Cancelled | ErrorCode::StoreError | ErrorCode::IoError) => return Err(fail(e)),
                Err(e) => {
                    run.errors += 1;
                    run.first_job_error.get_or_insert(e);
                }
            }
            if self.options.keep_export {
                export_logs.push((backup_id, tally.fetched));
            }
        }

        if self.options.keep_export {
            run.export = Some(CollectedData::new(&machine_name, &info_raw, &backups_raw, export_logs));
        }
        let outcome = RunRecord { new: run.new, skipped: run.skipped, errors: run.errors, error: run.first_job_error.clone() };
        let (name, host, run_url) = (machine_name.clone(), label.clone(), url.clone());
        self.db
            .write(move |s| {
                let now = now_ts();
                s.set_last_result(sid, now, outcome.error.as_ref())?;
                if let Some((Status::Connection, _)) = s.last_system_status(sid)? {
                    s.insert_system_entry(
                        Some(sid),
                        &name,
                        &NewEntry::system(Status::Info, now, format!("Connection to {host} restored")),
                    )?;
                }
                s.record_run(
                    Some(sid),
                    &host,
                    started_at,
                    outcome.new,
                    outcome.skipped,
                    outcome.errors,
                    outcome.error.as_ref(),
                    Some(protocol),
                    Some(&run_url),
                )
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
            eprintln!("duplidesk: the failed collection of {} was not recorded: {store_error}", spec.label());
        }
    }
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

/// What a finished collection records about itself.
struct RunRecord {
    new: u64,
    skipped: u64,
    errors: u64,
    error: Option<Error>,
}
