//! Demo mode: the project's Duplicati test server on 127.0.0.1, collected like any server, so
//! Duplidesk can be tried without a Duplicati install.
//!
//! Plain HTTP on purpose: the test server makes a new certificate every start, so a pinned
//! self-signed demo would report a changed certificate after each restart of the app.
use super::{lock, CollectRequest, Engine};
use crate::collect::HostSummary;
use crate::error::{Error, ErrorCode, Result};
use crate::store::{setting_keys, ServerSettings};
use crate::task::blocking;
use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode};
use std::net::{Ipv4Addr, SocketAddr};

/// The demo server's password: known to the engine, so the demo needs no keychain.
pub const DEMO_PASSWORD: &str = "duplidesk-demo";
pub const DEMO_MACHINE_NAME: &str = "demo-nas";
const DEMO_MACHINE_ID: &str = "d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e0";
const DEMO_SEED: u64 = 2025;
const DEMO_HOST: &str = "127.0.0.1";

fn start_server(port: u16) -> std::io::Result<TestServer> {
    TestServer::start(ServerConfig {
        password: DEMO_PASSWORD.into(),
        machine_name: DEMO_MACHINE_NAME.into(),
        machine_id: DEMO_MACHINE_ID.into(),
        data: DataSet::Generated { jobs: 4, rows_per_job: 60, seed: DEMO_SEED },
        tls: TlsMode::Plain,
        bind: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        ..ServerConfig::default()
    })
}

impl Engine {
    /// The demo server's id, when demo mode is on.
    pub(super) async fn demo_server_id(&self) -> Result<Option<i64>> {
        self.db()?.read(crate::dashboard::demo_server_id).await
    }

    /// The running demo server's address.
    pub fn demo_url(&self) -> Option<String> {
        lock(&self.demo).as_ref().map(TestServer::url)
    }

    /// Starts the demo server and collects it; the collected server becomes the demo server.
    /// When it runs already, collects it again.
    pub async fn start_demo(&self) -> Result<HostSummary> {
        let port = self.ensure_demo_running().await?;
        let request = CollectRequest {
            hosts: Some(format!("{DEMO_HOST}:{port}")),
            password: Some(DEMO_PASSWORD.to_owned()),
            ..CollectRequest::default()
        };
        let summary = self.collect(&request, None).await?.pop().ok_or_else(|| {
            Error::new(ErrorCode::IoError, "The demo could not be collected.", "Try again; if it persists, restart Duplidesk.")
        })?;
        if let Some(server) = &summary.server {
            let id = server.id;
            self.db()?
                .write(move |s| {
                    s.set_setting(setting_keys::DEMO_SERVER_ID, &id.to_string())?;
                    s.set_setting(setting_keys::DEMO_PORT, &port.to_string())
                })
                .await?;
            self.data_changed(); // now flagged as the demo
        }
        Ok(summary)
    }

    /// Stops the demo server and deletes its server record, entries and keychain entry.
    pub async fn remove_demo(&self) -> Result<()> {
        let id = self.demo_server_id().await?;
        self.end_demo().await?;
        if let Some(id) = id {
            let server = self
                .db()?
                .write(move |s| {
                    let server = s.server(id)?;
                    s.delete_server_entries(id)?;
                    s.delete_server(id)?;
                    Ok(server)
                })
                .await?;
            if let (Some(server), Some(keychain)) = (server, self.secrets()) {
                // The demo's password is known; a stale keychain entry of it is harmless.
                let _ = blocking(move || keychain.delete(&server.secret_ref)).await;
            }
        }
        self.data_changed();
        Ok(())
    }

    /// At start-up: when demo mode is on, starts the demo server again (on its port, or a new
    /// one if that is taken) and collects it afresh. The test server makes its rows relative to
    /// its start time, so the old demo entries are replaced rather than duplicated.
    pub async fn restore_demo(&self) -> Result<Option<HostSummary>> {
        let Some(id) = self.demo_server_id().await? else { return Ok(None) };
        let Some(server) = self.db()?.read(move |s| s.server(id)).await? else {
            self.end_demo().await?; // the server was deleted meanwhile
            return Ok(None);
        };
        let port = self.ensure_demo_running().await?;
        self.db()?
            .write(move |s| {
                if server.port != port || server.host != DEMO_HOST {
                    let moved = ServerSettings { alias: server.alias.clone(), note: server.note.clone(), host: DEMO_HOST.into(), port };
                    s.update_server_settings(id, &moved)?;
                    s.set_setting(setting_keys::DEMO_PORT, &port.to_string())?;
                }
                s.forget_collected_entries(id)
            })
            .await?;
        let request = CollectRequest { server_ids: Some(vec![id]), ..CollectRequest::default() };
        Ok(self.collect(&request, None).await?.pop())
    }

    /// Stops the demo server (if running) and forgets demo mode; the server record stays.
    pub(super) async fn end_demo(&self) -> Result<()> {
        let server = lock(&self.demo).take();
        if let Some(server) = server {
            blocking(move || {
                server.shutdown();
                Ok(())
            })
            .await?;
        }
        self.db()?
            .write(|s| {
                s.delete_setting(setting_keys::DEMO_SERVER_ID)?;
                s.delete_setting(setting_keys::DEMO_PORT)
            })
            .await
    }

    /// Stops the demo's test server, if it runs; demo mode stays on (as when the app quits).
    pub fn stop_demo_server(&self) {
        if let Some(server) = lock(&self.demo).take() {
            server.shutdown();
        }
    }

    /// The running demo server's port, starting it (on the remembered port if any) when needed.
    async fn ensure_demo_running(&self) -> Result<u16> {
        if let Some(server) = lock(&self.demo).as_ref() {
            return Ok(server.port());
        }
        let remembered: u16 = self.db()?.read(|s| s.setting(setting_keys::DEMO_PORT)).await?.and_then(|p| p.parse().ok()).unwrap_or(0);
        let server = blocking(move || {
            start_server(remembered).or_else(|_| start_server(0)).map_err(|e| {
                Error::new(
                    ErrorCode::IoError,
                    format!("The demo server could not start: {e}."),
                    "Try again; if it persists, restart Duplidesk.",
                )
                .caused_by(e)
            })
        })
        .await?;
        let mut slot = lock(&self.demo);
        // Two callers may have raced to start it: keep the first, stop the other.
        if let Some(running) = slot.as_ref() {
            let port = running.port();
            server.shutdown();
            return Ok(port);
        }
        let port = server.port();
        *slot = Some(server);
        Ok(port)
    }
}
