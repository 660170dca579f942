//! An authenticated session with one Duplicati 2.1+ server over an already chosen protocol.
use super::wire::{BackupItem, ErrorBody, LogRow, LoginOk, SystemInfo};
use crate::error::{Error, ErrorCode, Result};
use crate::net;
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, SET_COOKIE};
use reqwest::StatusCode;
use std::time::Duration;

/// Duplicati clamps `pagesize` to 10..=500.
pub const MAX_PAGE_SIZE: u32 = 500;
pub const MIN_PAGE_SIZE: u32 = 10;

pub struct Client {
    http: reqwest::Client,
    base: String,
    host: String,
    password: String,
    token: Option<String>,
}

/// An HTTP answer the caller interprets itself.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

impl Client {
    /// `base` is `scheme://host:port`; `host` labels messages (`nas.local:8200`).
    pub fn new(http: reqwest::Client, base: String, host: String, password: String) -> Client {
        Client { http, base, host, password, token: None }
    }

    /// Swaps the HTTP client (e.g. for one pinned to the certificate just seen).
    pub fn replace_http(&mut self, http: reqwest::Client) {
        self.http = http;
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends the login request and returns the raw reply (used to probe protocols too).
    pub async fn send_login(&mut self) -> std::result::Result<Reply, reqwest::Error> {
        let body = serde_json::json!({ "Password": self.password, "RememberMe": false });
        let resp = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await?;
        Ok(Reply { status, headers, body })
    }

    /// Logs in, keeping the access token.
    pub async fn login(&mut self) -> Result<()> {
        let reply = self.send_login().await.map_err(|e| net::request_error(&self.host, &e))?;
        self.accept_login(reply)
    }

    /// Interprets a login reply: keeps the token or says why it failed.
    pub fn accept_login(&mut self, reply: Reply) -> Result<()> {
        let host = &self.host;
        match reply.status {
            StatusCode::OK => match serde_json::from_slice::<LoginOk>(&reply.body) {
                Ok(ok) if !ok.access_token.is_empty() => {
                    self.token = Some(ok.access_token);
                    Ok(())
                }
                _ if looks_like_html(&reply) => Err(not_duplicati(host)),
                _ => Err(Error::invalid_response(host, "the login answer has no access token")),
            },
            StatusCode::UNAUTHORIZED if self.password.is_empty() => Err(Error::new(
                ErrorCode::AuthFailed,
                format!("{host} needs a password."),
                "Duplicati 2.1 and newer always ask for one: if you never set a password, set one in Duplicati (Settings → Access to user interface, or --webservice-password) and use it here.",
            )),
            StatusCode::UNAUTHORIZED => Err(Error::new(
                ErrorCode::AuthFailed,
                format!("{host} did not accept the password."),
                "Use the password of Duplicati's web interface (Settings → Access to user interface).",
            )),
            StatusCode::FORBIDDEN => Err(host_rejected(host, &reply)),
            StatusCode::BAD_REQUEST if is_legacy(&reply) => Err(Error::new(
                ErrorCode::UnsupportedVersion,
                format!("{host} runs Duplicati 2.0.x, which Duplidesk does not support yet."),
                "Update the server to Duplicati 2.1 or newer.",
            )),
            s if s.is_server_error() => Err(server_error(host, s)),
            s if s.is_redirection() => Err(Error::new(
                ErrorCode::NotDuplicati,
                format!("{host} answered with a redirect ({s}) instead of Duplicati's API."),
                "Connect to the Duplicati port directly, not through a proxy or login page.",
            )),
            _ => Err(not_duplicati(host)),
        }
    }

    /// An authorized GET. On 401 it logs in again once and retries (tokens expire after 15 min);
    /// 5xx and broken responses are retried twice. 404 comes back to the caller.
    pub async fn get(&mut self, path: &str) -> Result<Reply> {
        let mut relogged = false;
        let mut attempt = 0u32;
        loop {
            if self.token.is_none() {
                self.login().await?;
            }
            let token = self.token.clone().unwrap_or_default();
            let result = async {
                let resp = self.http.get(format!("{}{}", self.base, path)).header(AUTHORIZATION, format!("Bearer {token}")).send().await?;
                let status = resp.status();
                let headers = resp.headers().clone();
                let body = resp.bytes().await?;
                Ok::<Reply, reqwest::Error>(Reply { status, headers, body })
            }
            .await;
            let reply = match result {
                Ok(r) => r,
                Err(e) => {
                    let err = net::request_error(&self.host, &e);
                    if err.code == ErrorCode::InvalidResponse && attempt < 2 {
                        attempt += 1;
                        backoff(attempt).await;
                        continue;
                    }
                    return Err(err);
                }
            };
            match reply.status {
                StatusCode::UNAUTHORIZED if !relogged => {
                    relogged = true;
                    self.token = None;
                }
                StatusCode::UNAUTHORIZED => {
                    return Err(Error::new(
                        ErrorCode::AuthFailed,
                        format!("{} rejected a fresh session token.", self.host),
                        "Check the server's clock and its JWT settings, then collect again.",
                    ))
                }
                StatusCode::FORBIDDEN => return Err(host_rejected(&self.host, &reply)),
                StatusCode::BAD_REQUEST if String::from_utf8_lossy(&reply.body).contains("DatabaseLocked") => {
                    return Err(Error::new(
                        ErrorCode::ServerError,
                        format!("{} is busy: the job's database is locked by a running task.", self.host),
                        "Collect again when the running backup has finished.",
                    ))
                }
                s if s.is_server_error() && attempt < 2 => {
                    attempt += 1;
                    backoff(attempt).await;
                }
                s if s.is_server_error() => return Err(server_error(&self.host, s)),
                _ => return Ok(reply),
            }
        }
    }

    /// `GET` that must answer 200 with JSON of type `T`.
    async fn get_json<T: serde::de::DeserializeOwned>(&mut self, path: &str) -> Result<(T, bytes::Bytes)> {
        let reply = self.get(path).await?;
        if reply.status != StatusCode::OK {
            return Err(if reply.status == StatusCode::NOT_FOUND {
                not_duplicati(&self.host)
            } else {
                unexpected(&self.host, reply.status)
            });
        }
        match serde_json::from_slice::<T>(&reply.body) {
            Ok(v) => Ok((v, reply.body)),
            Err(_) if looks_like_html(&reply) => Err(not_duplicati(&self.host)),
            Err(e) => Err(Error::invalid_response(&self.host, format!("{path}: {e}"))),
        }
    }

    pub async fn system_info(&mut self) -> Result<(SystemInfo, bytes::Bytes)> {
        self.get_json("/api/v1/systeminfo").await
    }

    pub async fn backups(&mut self) -> Result<(Vec<BackupItem>, bytes::Bytes)> {
        self.get_json("/api/v1/backups").await
    }

    /// One page of a job's log, newest first; `offset` is an exclusive upper bound on the row ID.
    /// `Ok(None)` when the server no longer knows the job.
    pub async fn log_page(&mut self, backup_id: &str, offset: Option<i64>, pagesize: u32) -> Result<Option<Vec<LogRow>>> {
        let id = url::form_urlencoded::byte_serialize(backup_id.as_bytes()).collect::<String>();
        let path = match offset {
            Some(o) => format!("/api/v1/backup/{id}/log?offset={o}&pagesize={pagesize}"),
            None => format!("/api/v1/backup/{id}/log?pagesize={pagesize}"),
        };
        let reply = self.get(&path).await?;
        match reply.status {
            StatusCode::OK => serde_json::from_slice(&reply.body)
                .map(Some)
                .map_err(|e| Error::invalid_response(&self.host, format!("log of job {backup_id}: {e}"))),
            StatusCode::NOT_FOUND => Ok(None),
            s => Err(unexpected(&self.host, s)),
        }
    }
}

async fn backoff(attempt: u32) {
    tokio::time::sleep(Duration::from_millis(150 * u64::from(attempt * attempt))).await;
}

fn looks_like_html(reply: &Reply) -> bool {
    let ct = reply.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    ct.contains("html") || reply.body.trim_ascii_start().starts_with(b"<")
}

fn is_legacy(reply: &Reply) -> bool {
    reply.headers.get_all(SET_COOKIE).iter().any(|c| c.to_str().unwrap_or("").starts_with("xsrf-token"))
        || String::from_utf8_lossy(&reply.body).contains("XSRF")
}

/// A 403: Duplicati's host-name check, or a Duplicati Agent's pre-shared key filter.
fn host_rejected(host: &str, reply: &Reply) -> Error {
    let said = serde_json::from_slice::<ErrorBody>(&reply.body)
        .map(|b| b.error)
        .unwrap_or_else(|_| String::from_utf8_lossy(&reply.body).trim().to_owned());
    if said.contains("PreSharedKey") {
        // WebserverCore/Middlewares/PreSharedKeyFilter.cs: the agent's web server answers only
        // requests that carry its key.
        return Error::new(
            ErrorCode::AuthFailed,
            format!("{host} runs Duplicati as an agent, which answers only requests that carry its pre-shared key."),
            "Duplidesk collects from Duplicati's web server. Run Duplicati as a server (or with the tray icon) on that machine, or monitor the agent from the console it reports to.",
        );
    }
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    Error::new(
        ErrorCode::HostRejected,
        format!("{host} refused the name it was called by ({said})."),
        format!(
            "Add \"{name}\" to Duplicati's allowed hostnames (Settings → Allowed hostnames, or --webservice-allowed-hostnames), then restart Duplicati: it reads the list when it starts. Or connect by IP address."
        ),
    )
}

pub(crate) fn not_duplicati(host: &str) -> Error {
    Error::new(
        ErrorCode::NotDuplicati,
        format!("{host} answered, but it is not a Duplicati server."),
        "Check the host and port: Duplicati's web interface listens on 8200 by default.",
    )
}

fn server_error(host: &str, status: StatusCode) -> Error {
    Error::new(
        ErrorCode::ServerError,
        format!("{host} reported an internal error ({status})."),
        "Check the Duplicati server's log, then collect again; nothing already collected is lost.",
    )
}

fn unexpected(host: &str, status: StatusCode) -> Error {
    Error::invalid_response(host, format!("unexpected status {status}"))
}
