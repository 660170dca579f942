//! Configured servers: test a connection, edit, passwords, delete, find.
use super::Engine;
use crate::connect::{self, ConnectOptions, Known};
use crate::dashboard::DashServer;
use crate::error::{Error, ErrorCode, Result};
use crate::hosts::{parse_hosts, HostSpec, DEFAULT_PORT};
use crate::model::Protocol;
use crate::secrets;
use crate::store::{now_ts, ServerRow, ServerSettings};
use crate::task::blocking;
use serde::{Deserialize, Serialize};

/// What to test: a configured server (its address, protocol, pin and saved password, each
/// replaced by what is typed), or a typed host and password.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields = nullable)]
pub struct TestRequest {
    pub server_id: Option<i64>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub password: Option<String>,
    /// See `CollectRequest::allow_http`.
    #[ts(as = "Option<bool>", optional)]
    pub allow_http: bool,
}

#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    pub ok: bool,
    pub protocol: Option<Protocol>,
    pub url: Option<String>,
    /// The certificate the server shows now (HTTPS only), or its issuing authority's.
    pub certificate_sha256: Option<String>,
    pub certificate_is_issuer: bool,
    /// The certificate pinned for this server, if any.
    pub pinned_sha256: Option<String>,
    pub version: Option<String>,
    pub name: Option<String>,
    pub error: Option<Error>,
}

/// A server that was removed.
#[derive(Debug, Clone)]
pub struct RemovedServer {
    pub server: ServerRow,
    /// Things that did not work but did not stop the removal (its keychain entry stayed).
    pub notes: Vec<String>,
}

impl Engine {
    /// Connects and logs in without storing anything.
    pub async fn test_connection(&self, request: TestRequest) -> Result<TestResult> {
        let server = match request.server_id {
            Some(id) => Some(self.server(id).await?),
            None => None,
        };
        let default_port = request.port.or(server.as_ref().map(|s| s.port)).unwrap_or(DEFAULT_PORT);
        let spec = match (request.host.as_deref().filter(|h| !h.trim().is_empty()), &server) {
            (Some(h), _) => parse_hosts(h, default_port)?.remove(0),
            (None, Some(s)) => HostSpec { host: s.host.clone(), port: s.port },
            (None, None) => return Err(Error::invalid_input("No host was given.", "Enter a host name or IP address.")),
        };
        // A server's saved password and trust record go only to that server's own addresses.
        let server = match server {
            Some(s) => {
                let (host, port) = (spec.host.clone(), spec.port);
                let at_address = self.db()?.read(move |st| st.server_by_address(&host, port)).await?;
                at_address.filter(|a| a.id == s.id)
            }
            None => None,
        };
        let password = match (request.password.filter(|p| !p.is_empty()), &server) {
            (Some(p), _) => p,
            (None, Some(s)) => self.password_of(s).await?,
            (None, None) => {
                return Err(Error::new(
                    ErrorCode::AuthFailed,
                    format!("No password was given for {}.", spec.label()),
                    "Type the server's password. A saved password is sent only to the address of its own server.",
                ))
            }
        };
        let pinned = server.as_ref().and_then(|s| s.cert_sha256.clone());
        let known = Known {
            protocol: server.as_ref().and_then(|s| s.protocol),
            cert_sha256: pinned.as_deref(),
            cert_is_issuer: server.as_ref().is_some_and(|s| s.cert_is_issuer),
        };
        let opts = ConnectOptions { accept_fingerprint: None, allow_http: request.allow_http, ..self.connect_options().await? };
        let mut result = TestResult { pinned_sha256: pinned.clone(), ..TestResult::default() };
        match connect::connect(&spec.host, spec.port, &password, known, &opts).await {
            Ok(mut conn) => {
                result.protocol = Some(conn.protocol);
                result.url = Some(conn.url.clone());
                result.certificate_sha256 = conn.cert_sha256.clone();
                result.certificate_is_issuer = conn.cert_is_issuer;
                match conn.client.system_info().await {
                    Ok((info, _)) => {
                        result.ok = true;
                        result.version = Some(info.server_version);
                        result.name = Some(info.machine_name).filter(|n| !n.is_empty());
                    }
                    Err(e) => result.error = Some(e),
                }
            }
            Err(e) => {
                if e.code == ErrorCode::CertificateChanged {
                    // Only a handshake: the password is never sent to the changed certificate.
                    result.certificate_sha256 = connect::peek_certificate(&spec.host, spec.port, &opts).await.ok().flatten();
                }
                result.error = Some(e);
            }
        }
        Ok(result)
    }

    /// The password to use for a configured server: the demo's, or the keychain's.
    async fn password_of(&self, server: &ServerRow) -> Result<String> {
        if self.demo_server_id().await? == Some(server.id) {
            return Ok(super::DEMO_PASSWORD.to_owned());
        }
        let (secrets, server) = (self.secrets(), server.clone());
        blocking(move || secrets::saved_password(secrets.as_deref(), &server, server.display_name())).await
    }

    /// Every configured server.
    pub async fn servers(&self) -> Result<Vec<ServerRow>> {
        self.db()?.read(|s| s.servers()).await
    }

    /// A configured server by alias, name, host or id (as a person types it).
    pub async fn find_server(&self, key: &str) -> Result<ServerRow> {
        let k = key.to_owned();
        self.db()?.read(move |s| s.find_server(&k)).await?.ok_or_else(|| {
            Error::new(ErrorCode::NotFound, format!("No server is called \"{key}\"."), "See the configured servers with: duplidesk servers")
        })
    }

    /// Saves alias, note, host and port (the host checked as in a host list); returns the
    /// server as the dashboard shows it.
    pub async fn update_server(&self, id: i64, mut settings: ServerSettings) -> Result<DashServer> {
        let one_host = || Error::invalid_input("Give one host name or address.", "For example nas.local, 192.168.1.23 or [fd00::5].");
        let mut specs = parse_hosts(&settings.host, settings.port.max(1))?;
        let spec = specs.pop().filter(|_| specs.is_empty()).ok_or_else(one_host)?;
        (settings.host, settings.port) = (spec.host, spec.port);
        let before = self.server(id).await?;
        let after = self.db()?.write(move |s| s.update_server_settings(id, &settings)).await?;
        if (before.host.as_str(), before.port) != (after.host.as_str(), after.port) {
            // A kept session goes only to the address it was made for.
            self.sessions.forget(&before, self.secrets()).await;
        }
        self.data_changed();
        self.dashboard_server(id).await
    }

    /// Saves a server's password in the keychain.
    pub async fn set_password(&self, id: i64, password: String) -> Result<()> {
        if password.is_empty() {
            return Err(Error::invalid_input("The password is empty.", "Type the server's password, or use Clear password."));
        }
        let (server, keychain) = (self.server(id).await?, self.keychain()?);
        blocking(move || keychain.set(&server.secret_ref, &password)).await?;
        self.data_changed();
        Ok(())
    }

    /// Forgets a server's password, and the login kept with it.
    pub async fn clear_password(&self, id: i64) -> Result<()> {
        let (server, keychain) = (self.server(id).await?, self.keychain()?);
        self.sessions.forget(&server, Some(keychain.clone())).await;
        blocking(move || keychain.delete(&server.secret_ref)).await?;
        self.data_changed();
        Ok(())
    }

    /// Deletes a server, its jobs and its keychain entry; its log entries stay until logs are
    /// cleared. Deleting the demo server ends demo mode.
    pub async fn delete_server(&self, id: i64) -> Result<RemovedServer> {
        let server = self.server(id).await?;
        if self.demo_server_id().await? == Some(id) {
            self.end_demo().await?;
        }
        self.db()?.write(move |s| s.delete_server(id)).await?;
        let mut notes = Vec::new();
        self.sessions.forget(&server, self.secrets()).await;
        if let Some(keychain) = self.secrets() {
            let account = server.secret_ref.clone();
            if let Err(e) = blocking(move || keychain.delete(&account)).await {
                tracing::warn!(server = %server.name, code = %e.code, "password not removed from the keychain: {}", e.message);
                notes.push(format!("Its password was not removed from the keychain: {}", e.message));
            }
        }
        tracing::info!(server = %server.name, "server removed");
        self.data_changed();
        Ok(RemovedServer { server, notes })
    }

    pub(super) async fn dashboard_server(&self, id: i64) -> Result<DashServer> {
        self.dashboard_at(now_ts()).await?.servers.into_iter().find(|s| s.id == id).ok_or_else(Error::server_not_found)
    }
}
