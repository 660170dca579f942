//! One server's collection: connect (resuming a kept session, else detecting the protocol and
//! logging in), say which stored server it is, then its jobs: which task runs, each job's log
//! (or what the job list says of a sync job), and failures recorded only in the metadata.
use super::jobs::{self, MetadataFailure};
use super::pager::{JobEnd, JobPager, JobTally};
use super::{identity, CancelFlag, Collector, HostError, HostRun, Progress, ProgressFn, ServerInfo, Target};
use crate::connect::{self, Connection, Known};
use crate::duplicati::wire::{BackupItem, ServerState, SystemInfo};
use crate::duplicati::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::export::CollectedData;
use crate::model::Status;
use crate::monitor::NewEntry;
use crate::secrets;
use crate::store::{now_ts, JobInfo, JobRow, ServerRow};
use crate::task::blocking;

/// How a server was just reached, recorded once it is identified.
struct Reached {
    url: String,
    protocol: crate::Protocol,
    cert: Option<String>,
    cert_is_issuer: bool,
}

/// A server says what it is (`systeminfo`) at least this often, even when its session is
/// reused, so an upgrade (a new version, a new machine-id) is noticed.
const SYSTEMINFO_EVERY_S: i64 = 24 * 3600;

impl Collector {
    /// Everything after the lookup of the host's address.
    pub(super) async fn collect_server(
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

        // A session kept from an earlier collection goes over the protocol and certificate that
        // worked then; without one, detect the protocol and log in.
        let security = Known {
            protocol: known.as_ref().and_then(|k| k.protocol),
            cert_sha256: known.as_ref().and_then(|k| k.cert_sha256.as_deref()),
            cert_is_issuer: known.as_ref().is_some_and(|k| k.cert_is_issuer),
        };
        let kept = match &known {
            Some(k) if self.options.connect.accept_fingerprint.is_none() => self.sessions.get(k, self.secrets.clone()).await,
            _ => None,
        };
        let resumed = match kept {
            Some(session) => connect::resume(&spec.host, spec.port, &password, security, session, &self.options.connect).map_err(fail)?,
            None => None,
        };
        let conn = match resumed {
            Some(conn) => conn,
            None => connect::connect(&spec.host, spec.port, &password, security, &self.options.connect).await.map_err(fail)?,
        };
        let Connection { mut client, protocol, url, cert_sha256, cert_is_issuer } = conn;
        tracing::debug!(host = %label, %protocol, %url, "connected");

        cancel.check().map_err(fail)?;
        let listed = client.backups().await;
        let (backups, backups_raw) = match listed {
            Ok(listed) => listed,
            Err(e) => {
                if e.code == ErrorCode::AuthFailed {
                    if let Some(k) = &known {
                        self.sessions.forget(k, self.secrets.clone()).await;
                    }
                }
                return Err(fail(e));
            }
        };

        // Which server this is: what it says (after a password login, for an export, or once a
        // day), else the server whose session and address these are.
        let needs_info = match &known {
            None => true,
            Some(k) => {
                client.password_logins() > 0
                    || self.options.keep_export
                    || k.version.is_none()
                    || k.systeminfo_at.is_none_or(|at| now_ts() - at > SYSTEMINFO_EVERY_S)
            }
        };
        let (server, info_raw) = if needs_info {
            let (info, raw) = client.system_info().await.map_err(fail)?;
            let reached = Reached { url: url.clone(), protocol, cert: cert_sha256.clone(), cert_is_issuer };
            let server = self.identify(spec, known.clone(), info, reached, &label).await?;
            (server, Some(raw))
        } else {
            (known.clone().expect("a known server"), None)
        };
        let fail = |e: Error| (Some(server.id), e);
        progress(Progress::Connected { host: label.clone(), server: server.name.clone(), protocol });
        tracing::debug!(host = %label, server = %server.name, version = server.version.as_deref().unwrap_or("?"), jobs = backups.len(), "identified");
        if typed && self.options.save_password {
            if let Err(e) = self.save_password(&server, &password).await {
                tracing::warn!(server = %server.name, code = %e.code, "the password was not saved in the keychain: {}", e.message);
                run.notes.push(format!("The password was not saved: {} You will be asked for it next time.", e.message));
            }
        }

        let lock = self.server_lock(server.id);
        let _one_at_a_time = lock.lock().await;
        cancel.check().map_err(fail)?;
        let export = self.collect_jobs(&mut client, &server, &backups, &label, run, progress, cancel).await.map_err(fail)?;
        if self.options.keep_export {
            let info_raw = info_raw.unwrap_or_default();
            run.export = Some(CollectedData::new(&server.name, &info_raw, &backups_raw, export));
        }
        self.finish(&server, &label, started_at, protocol, &url, run).await.map_err(fail)?;
        if client.session_changed() {
            if let Some(session) = client.session().cloned() {
                self.sessions.keep(&server, session, self.secrets.clone()).await;
            }
        }
        Ok(ServerInfo {
            id: server.id,
            name: server.name.clone(),
            machine_id: server.machine_id.clone(),
            url,
            protocol,
            certificate_sha256: cert_sha256,
            certificate_is_issuer: cert_is_issuer,
            version: server.version.clone().unwrap_or_default(),
        })
    }

    /// Finds or creates the server record for what the server said it is, checks that the
    /// connection may be trusted for it, and records how it was reached: one write, so two
    /// names of one machine collected at once see each other's pin.
    async fn identify(
        &self,
        spec: &crate::hosts::HostSpec,
        known: Option<ServerRow>,
        info: SystemInfo,
        reached: Reached,
        label: &str,
    ) -> std::result::Result<ServerRow, HostError> {
        let known_id = known.as_ref().map(|k| k.id);
        let name = if info.machine_name.is_empty() { spec.host.clone() } else { info.machine_name.clone() };
        let (spec, mid, host, connect) = (spec.clone(), info.machine_id(), label.to_owned(), self.options.connect.clone());
        let outcome = self
            .db
            .write(move |s| {
                let found = identity::identify(s, &spec, known, mid.as_deref(), &name, reached.cert.as_deref())?;
                let server = found.server;
                if let Err(e) = identity::check_security(&server, reached.protocol, reached.cert.as_deref(), &connect, &host) {
                    return Ok(Err((Some(server.id), e)));
                }
                if let (Some(old), Some(new)) = (&found.machine_id_changed_from, &mid) {
                    let note = format!(
                        "{host} now reports machine-id {new} (was {old}), as Duplicati 2.3 does after an upgrade; it is still {name}."
                    );
                    s.insert_system_entry(Some(server.id), &name, &NewEntry::system(Status::Info, now_ts(), note))?;
                }
                if let Some(claimed) = &found.unproven_claim_of {
                    let note = format!(
                        "{host} says it is {name} (machine-id {}), which is known at {}:{}. Nothing proves it is the same machine \
                         (no certificate pinned for that server matches), so it is kept as a separate server: it gets none of that \
                         server's password, address or history. If it is the same machine, collect it over HTTPS to link the two.",
                        mid.as_deref().unwrap_or_default(),
                        connect::url_host(&claimed.host),
                        claimed.port,
                    );
                    s.insert_system_entry(Some(server.id), &name, &NewEntry::system(Status::Info, now_ts(), note))?;
                }
                let recorded_mid = mid.as_deref().filter(|_| found.record_machine_id);
                let cert = (reached.cert.as_deref(), reached.cert_is_issuer);
                s.update_server_connection(server.id, &reached.url, reached.protocol, cert, recorded_mid, &name, &info.server_version)?;
                s.set_utc_offset(server.id, crate::watch::schedule::utc_offset_of(&info.server_time))?;
                let server = s.server(server.id)?.ok_or_else(Error::server_not_found)?;
                Ok(Ok(server))
            })
            .await;
        match outcome {
            Ok(identified) => identified,
            Err(e) => Err((known_id, e)),
        }
    }

    /// The jobs of `server`: which one runs now, then each job in turn. Returns the log rows
    /// fetched, per job, when the collection keeps them for an export.
    #[allow(clippy::too_many_arguments)]
    async fn collect_jobs(
        &self,
        client: &mut Client,
        server: &ServerRow,
        backups: &[BackupItem],
        label: &str,
        run: &mut HostRun,
        progress: &ProgressFn,
        cancel: &CancelFlag,
    ) -> Result<Vec<(String, Vec<crate::duplicati::wire::LogRow>)>> {
        let state: ServerState = client.server_state().await?;
        let active = state.active_task.as_ref().map(|t| t.backup_id.clone());
        let progress_now = match &active {
            Some(_) => client.progress_state().await?,
            None => None,
        };

        let infos: Vec<JobInfo> = backups.iter().map(JobInfo::from_backup).collect();
        let (sid, now) = (server.id, now_ts());
        let (running_backup, progress_json) = (active.clone(), progress_now.as_ref().and_then(|p| serde_json::to_string(p).ok()));
        let phase = progress_now.as_ref().map(|p| p.phase.clone()).filter(|p| !p.is_empty());
        let name = server.name.clone();
        let jobs = self
            .db
            .write(move |s| {
                let jobs = infos.iter().map(|info| s.upsert_job(sid, info)).collect::<Result<Vec<_>>>()?;
                let present: Vec<String> = infos.iter().map(|i| i.backup_id.clone()).collect();
                s.mark_missing_jobs(sid, &present)?;
                let running = running_backup.as_ref().and_then(|b| jobs.iter().find(|j| &j.backup_id == b));
                if s.set_running_job(sid, running.map(|j| (j.id, progress_json.as_deref())), now)? {
                    if let Some(job) = running {
                        s.store_job_entries(job, &name, &[jobs::started_entry(job, phase.as_deref(), now)])?;
                    }
                }
                Ok(jobs)
            })
            .await?;

        let mut export = Vec::new();
        let mut all_read = true;
        for (job, item) in jobs.into_iter().zip(backups) {
            cancel.check()?;
            let state_now = JobInfo::from_backup(item).state();
            let running = active.as_deref() == Some(job.backup_id.as_str());
            let end = if job.is_sync() {
                self.store_metadata_entries(&job, &server.name, jobs::sync_run_entry(&item.backup, now).into_iter().collect(), run).await?;
                Some(JobEnd::Complete)
            } else if jobs::log_unchanged(server, &job, &state_now, &state, running) {
                Some(JobEnd::Complete)
            } else {
                let backup_id = job.backup_id.clone();
                let mut pager = JobPager {
                    db: &self.db,
                    client: &mut *client,
                    job: job.clone(),
                    server_name: server.name.clone(),
                    host: label.to_owned(),
                    progress,
                    cancel,
                    keep_rows: self.options.keep_export,
                    tally: JobTally::default(),
                };
                let result = pager.run().await;
                let tally = pager.tally;
                tracing::debug!(host = %label, job = %job.name, new = tally.new, skipped = tally.skipped, ok = result.is_ok(), "job log read");
                run.new += tally.new;
                run.skipped += tally.skipped;
                if self.options.keep_export {
                    export.push((backup_id, tally.fetched));
                }
                match result {
                    Ok(end) => Some(end),
                    Err(e) if matches!(e.code, ErrorCode::Cancelled | ErrorCode::StoreError | ErrorCode::IoError) => return Err(e),
                    Err(e) if e.code == ErrorCode::ServerError && jobs::never_ran(&item.backup) => Some(JobEnd::Complete),
                    Err(e) => {
                        tracing::warn!(host = %label, job = %job.name, code = %e.code, "job not collected: {}", e.message);
                        run.errors += 1;
                        run.first_job_error.get_or_insert(e);
                        None
                    }
                }
            };
            let complete = end == Some(JobEnd::Complete);
            if end == Some(JobEnd::Locked) {
                let (sid, j, name) = (server.id, job.clone(), server.name.clone());
                self.db
                    .write(move |s| {
                        if s.set_running_job(sid, Some((j.id, None)), now)? {
                            s.store_job_entries(&j, &name, &[jobs::started_entry(&j, None, now)])?;
                        }
                        Ok(())
                    })
                    .await?;
            }
            if complete {
                if let Some(failure) = jobs::new_metadata_failure(&job, &item.backup) {
                    self.record_metadata_failure(&job, &server.name, failure, run).await?;
                }
            }
            all_read &= complete;
            let (jid, state_kept) = (job.id, complete.then_some(state_now));
            self.db.write(move |s| s.set_log_state(jid, state_kept.as_deref())).await?;
        }
        let counter = all_read.then_some(state.last_data_update_id);
        self.db.write(move |s| s.set_data_update_id(sid, counter)).await?;
        Ok(export)
    }

    /// A failure the job's metadata records: an `error` entry, unless its run is in the log.
    async fn record_metadata_failure(&self, job: &JobRow, server_name: &str, failure: MetadataFailure, run: &mut HostRun) -> Result<()> {
        let (j, name) = (job.clone(), server_name.to_owned());
        let outcome = self
            .db
            .write(move |s| {
                let mut new = 0;
                if !jobs::explained_by_log(s, &j, &failure)? {
                    new = s.store_job_entries(&j, &name, &[jobs::failure_entry(&j, &failure, now_ts())])?.new;
                }
                s.set_metadata_error_at(j.id, failure.at)?;
                Ok(new)
            })
            .await?;
        run.new += outcome;
        Ok(())
    }

    async fn store_metadata_entries(&self, job: &JobRow, server_name: &str, entries: Vec<NewEntry>, run: &mut HostRun) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let (j, name) = (job.clone(), server_name.to_owned());
        let outcome = self.db.write(move |s| s.store_job_entries(&j, &name, &entries)).await?;
        run.new += outcome.new;
        run.skipped += outcome.skipped;
        Ok(())
    }

    /// Records the collection's result, and that the server answers again after a failure.
    async fn finish(
        &self,
        server: &ServerRow,
        label: &str,
        started_at: i64,
        protocol: crate::Protocol,
        url: &str,
        run: &HostRun,
    ) -> Result<()> {
        let (sid, name, host, url) = (server.id, server.name.clone(), label.to_owned(), url.to_owned());
        let (new, skipped, errors, error) = (run.new, run.skipped, run.errors, run.first_job_error.clone());
        self.db
            .write(move |s| {
                let now = now_ts();
                s.set_last_result(sid, now, error.as_ref())?;
                if let Some((Status::Connection, _)) = s.last_system_status(sid)? {
                    s.insert_system_entry(
                        Some(sid),
                        &name,
                        &NewEntry::system(Status::Info, now, format!("Connection to {host} restored")),
                    )?;
                }
                s.record_run(Some(sid), &host, started_at, new, skipped, errors, error.as_ref(), Some(protocol), Some(&url))
            })
            .await
    }
}
