//! Collect (typed hosts, chosen servers, every server, the demo), cancel, re-trust.
use super::{lock, Engine, RunningSlot};
use crate::collect::{CancelFlag, Collector, HostSummary, Progress, ProgressFn, Target};
use crate::error::{Error, ErrorCode, Result};
use crate::hosts::{parse_hosts, HostSpec, DEFAULT_PORT};
use crate::secrets;
use crate::store::ServerRow;
use serde::Deserialize;
use std::sync::Arc;

/// What to collect. With `hosts`: those hosts (`port` for hosts naming none, default 8200)
/// with the typed `password`; a host collected the first time becomes a configured server.
/// With `server_ids`: those servers. `all`, or neither: every configured server. Configured
/// servers use the keychain's password unless one is typed (the demo server needs none).
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields = nullable)]
pub struct CollectRequest {
    /// Comma-separated hosts (`nas.local,192.168.1.23:8300,[fd00::5]`).
    pub hosts: Option<String>,
    pub port: Option<u16>,
    /// Typed password; saved in the keychain once it worked. Empty = the keychain's.
    pub password: Option<String>,
    pub server_ids: Option<Vec<i64>>,
    #[ts(as = "Option<bool>", optional)]
    pub all: bool,
    /// Keep what was collected so it can be saved as JSON (`HostSummary::export`).
    #[ts(as = "Option<bool>", optional)]
    pub save_json: bool,
    /// The user allows plain HTTP for hosts met for the first time that speak no TLS (their
    /// password then travels unencrypted); see `ErrorCode::PlainHttp`.
    #[ts(as = "Option<bool>", optional)]
    pub allow_http: bool,
}

impl CollectRequest {
    fn typed_password(&self) -> Option<String> {
        self.password.clone().filter(|p| !p.is_empty())
    }

    fn typed_hosts(&self) -> Option<&str> {
        self.hosts.as_deref().filter(|h| !h.trim().is_empty())
    }
}

/// While alive, a collection is running; a second one is refused with `busy`. Front ends hear
/// of the user's collections only (a background pass does not flip their Collect / Cancel).
struct Running<'a> {
    engine: &'a Engine,
    cancel: CancelFlag,
    background: bool,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        *lock(&self.engine.running) = None;
        self.engine.slot_freed.notify_waiters();
        if !self.background {
            self.engine.listener.collecting(false);
        }
    }
}

impl Engine {
    /// Collects what `request` names. `accept_fingerprint` (re-trust) accepts, and pins, a
    /// changed certificate with exactly that fingerprint. Per-host failures are in the
    /// summaries; the call itself fails only when nothing could start (`busy`, nothing
    /// configured, a bad host list, the store).
    pub async fn collect(&self, request: &CollectRequest, accept_fingerprint: Option<&str>) -> Result<Vec<HostSummary>> {
        let running = self.begin_collection(false).await?;
        self.collect_with(running, request, accept_fingerprint).await
    }

    /// A background pass's collection: refused (`busy`) while another runs, cancelled when the
    /// user starts one.
    pub(super) async fn collect_in_background(&self, request: &CollectRequest) -> Result<Vec<HostSummary>> {
        let running = self.begin_collection(true).await?;
        self.collect_with(running, request, None).await
    }

    async fn collect_with(
        &self,
        running: Running<'_>,
        request: &CollectRequest,
        accept_fingerprint: Option<&str>,
    ) -> Result<Vec<HostSummary>> {
        let targets = self.targets(request).await?;
        tracing::info!(hosts = targets.len(), retrust = accept_fingerprint.is_some(), "collection started");
        let mut options = self.collect_options.clone();
        options.connect = self.connect_options().await?;
        options.keep_export = request.save_json;
        if let Some(fp) = accept_fingerprint {
            let fp = crate::tls::normalize_fingerprint(fp).ok_or_else(|| {
                Error::invalid_input("That is not a SHA-256 fingerprint.", "Give the 64 hexadecimal digits shown, with or without colons.")
            })?;
            options.connect.accept_fingerprint = Some(fp);
        }
        options.connect.allow_http |= request.allow_http;
        let collector = Collector::new(self.db()?.clone(), self.secrets(), options).with_sessions(self.sessions.clone());
        // A background pass's progress is nobody's to show: the window keeps its own
        // collection's state, and each event would cost the web view a script run.
        let progress: ProgressFn = if running.background {
            Arc::new(|_: Progress| {})
        } else {
            let listener = self.listener.clone();
            Arc::new(move |p: Progress| listener.progress(&p))
        };
        let summaries = collector.collect(targets, progress, &running.cancel).await;
        drop(running);
        // A refused password may have been changed elsewhere (the command line): read it again.
        if summaries.iter().any(|h| h.error.as_ref().is_some_and(|e| e.code == ErrorCode::AuthFailed)) {
            if let Some(secrets) = self.secrets() {
                secrets.forget();
            }
        }
        self.data_changed();
        Ok(summaries)
    }

    /// Cancels the running collection, if any; what it stored stays stored.
    pub fn cancel_collection(&self) {
        if let Some(slot) = lock(&self.running).as_ref() {
            slot.cancel.cancel();
        }
    }

    /// Cancels the running collection if it is a background pass's.
    pub fn cancel_background(&self) {
        if let Some(slot) = lock(&self.running).as_ref().filter(|s| s.background) {
            slot.cancel.cancel();
        }
    }

    /// Whether the user's collection runs (a background pass gives way to one at once).
    pub fn is_collecting(&self) -> bool {
        lock(&self.running).as_ref().is_some_and(|slot| !slot.background)
    }

    /// Whether a background pass is collecting.
    pub fn is_collecting_in_background(&self) -> bool {
        lock(&self.running).as_ref().is_some_and(|slot| slot.background)
    }

    /// Whether some host of `request` has no password: none typed, none saved, not the demo.
    /// Lets a terminal ask for one before collecting.
    pub async fn needs_password(&self, request: &CollectRequest) -> Result<bool> {
        if request.typed_password().is_some() {
            return Ok(false);
        }
        let unset: Vec<HostSpec> = self.targets(request).await?.into_iter().filter(|t| t.password.is_none()).map(|t| t.spec).collect();
        let servers = self
            .db()?
            .read(move |s| {
                unset.iter().map(|spec| Ok((spec.label(), s.server_by_address(&spec.host, spec.port)?))).collect::<Result<Vec<_>>>()
            })
            .await?;
        let secrets = self.secrets();
        crate::task::blocking(move || {
            Ok(servers.iter().any(|(label, server)| match server {
                Some(server) => secrets::saved_password(secrets.as_deref(), server, label).is_err(),
                None => true,
            }))
        })
        .await
    }

    /// Collects one server accepting (and pinning) its changed certificate, if its fingerprint
    /// is exactly the one the user compared; `password` instead of the keychain's when given.
    pub async fn retrust(&self, id: i64, fingerprint: &str, password: Option<String>) -> Result<HostSummary> {
        self.server(id).await?;
        let request = CollectRequest { server_ids: Some(vec![id]), password, ..CollectRequest::default() };
        self.collect(&request, Some(fingerprint)).await?.pop().ok_or_else(Error::server_not_found)
    }

    /// Takes the one collection slot. A user's collection (`background` false) cancels a
    /// background pass holding it and waits for it to let go (at most a few seconds: a cancel
    /// ends a collection at once); any other holder makes it `busy`.
    async fn begin_collection(&self, background: bool) -> Result<Running<'_>> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let freed = self.slot_freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut slot = lock(&self.running);
                match slot.as_ref() {
                    None => {
                        let cancel = CancelFlag::default();
                        *slot = Some(RunningSlot { cancel: cancel.clone(), background });
                        drop(slot);
                        if !background {
                            self.listener.collecting(true);
                        }
                        return Ok(Running { engine: self, cancel, background });
                    }
                    Some(held) if held.background && !background => held.cancel.cancel(),
                    Some(_) => return Err(Error::busy()),
                }
            }
            if tokio::time::timeout_at(deadline, freed).await.is_err() {
                return Err(Error::busy());
            }
        }
    }

    /// The hosts a request names, each with the password to use (`None`: the keychain's).
    async fn targets(&self, request: &CollectRequest) -> Result<Vec<Target>> {
        let typed = request.typed_password();
        if let Some(hosts) = request.typed_hosts() {
            let specs = parse_hosts(hosts, request.port.unwrap_or(DEFAULT_PORT))?;
            return Ok(specs.into_iter().map(|spec| Target { spec, password: typed.clone() }).collect());
        }
        let demo = self.demo_server_id().await?;
        let servers = self.db()?.read(|s| s.servers()).await?;
        let chosen: Vec<ServerRow> = match &request.server_ids {
            Some(ids) if !request.all => {
                if !ids.iter().all(|id| servers.iter().any(|s| s.id == *id)) {
                    return Err(Error::server_not_found());
                }
                servers.into_iter().filter(|s| ids.contains(&s.id)).collect()
            }
            _ => servers,
        };
        if chosen.is_empty() {
            return Err(Error::invalid_input(
                "No server is configured yet.",
                "Collect from a host first (duplidesk collect HOST, the Collect dialog, or the demo); it then becomes a configured server.",
            ));
        }
        Ok(chosen
            .into_iter()
            .map(|s| {
                let password = typed.clone().or_else(|| (demo == Some(s.id)).then(|| super::DEMO_PASSWORD.to_owned()));
                Target { spec: HostSpec { host: s.host, port: s.port }, password }
            })
            .collect())
    }
}
