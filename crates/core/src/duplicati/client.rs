//! An authenticated session with one Duplicati server (2.0 to 2.3) over an already chosen
//! protocol: logging in (JSON + JWT on 2.1+, `/login.cgi` on 2.0), keeping the session alive
//! (see `session.rs`), and the endpoints a collector reads.
use super::session::{legacy_password_proof, Refresh, Session};
use super::wire::{BackupItem, ErrorBody, LegacyNonce, LogRow, LoginOk, ProgressState, ServerState, SystemInfo};
use crate::error::{Error, ErrorCode, Result};
use crate::net;
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use std::time::Duration;

/// Duplicati clamps `pagesize` to 10..=500.
pub const MAX_PAGE_SIZE: u32 = 500;
pub const MIN_PAGE_SIZE: u32 = 10;

const XSRF_COOKIE: &str = "xsrf-token";
const XSRF_HEADER: &str = "X-XSRF-Token";
const LEGACY_AUTH_COOKIE: &str = "session-auth";
const LEGACY_NONCE_COOKIE: &str = "session-nonce";
const REFRESH_COOKIE_PREFIX: &str = "RefreshToken_";

pub struct Client {
    http: reqwest::Client,
    base: String,
    host: String,
    password: String,
    session: Option<Session>,
    /// The session is not the one the client started with (a login or a refresh since):
    /// whoever keeps it must keep this one instead.
    session_changed: bool,
    /// Password logins made by this client.
    password_logins: u32,
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
        Client { http, base, host, password, session: None, session_changed: false, password_logins: 0 }
    }

    /// Starts from a session kept from an earlier collection (tried before the password).
    pub fn resume(&mut self, session: Session) {
        self.session = Some(session);
        self.session_changed = false;
    }

    /// The session now, to keep for the next collection.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Whether the session changed since it was resumed (or the client logged in).
    pub fn session_changed(&self) -> bool {
        self.session_changed
    }

    /// How many times this client logged in with the password.
    pub fn password_logins(&self) -> u32 {
        self.password_logins
    }

    /// Swaps the HTTP client (e.g. for one pinned to the certificate just seen).
    pub fn replace_http(&mut self, http: reqwest::Client) {
        self.http = http;
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends the 2.1+ login request and returns the raw reply (used to probe protocols too).
    /// `RememberMe` asks for a long-lived refresh token, so later collections refresh within
    /// one token family instead of adding a family per login.
    pub async fn send_login(&mut self) -> std::result::Result<Reply, Failed> {
        let body = serde_json::json!({ "Password": self.password, "RememberMe": true });
        let resp = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(Failed::Http)?;
        read_reply(resp).await
    }

    /// Logs in with the password.
    pub async fn login(&mut self) -> Result<()> {
        let reply = self.send_login().await.map_err(|e| e.into_error(&self.host))?;
        self.accept_login(reply).await
    }

    /// Interprets a login reply: keeps the session, finishes a 2.0 login, or says why it failed.
    pub async fn accept_login(&mut self, reply: Reply) -> Result<()> {
        let host = self.host.clone();
        self.password_logins += 1;
        match reply.status {
            StatusCode::OK => match serde_json::from_slice::<LoginOk>(&reply.body) {
                Ok(ok) if !ok.access_token.is_empty() => {
                    let refresh = refresh_of(&reply.headers, ok.refresh_nonce);
                    self.set_session(Session::Bearer { access_token: ok.access_token, refresh });
                    Ok(())
                }
                _ if looks_like_html(&reply) => Err(not_duplicati(&host)),
                _ => Err(Error::invalid_response(&host, "the login answer has no access token")),
            },
            StatusCode::UNAUTHORIZED => Err(self.wrong_password()),
            StatusCode::FORBIDDEN => Err(host_rejected(&host, &reply)),
            StatusCode::BAD_REQUEST if is_legacy(&reply) => {
                let xsrf = cookie_value(&reply.headers, XSRF_COOKIE)
                    .ok_or_else(|| Error::invalid_response(&host, "Duplicati 2.0 asked for an XSRF token but sent none"))?;
                self.legacy_login(xsrf).await
            }
            s if s.is_server_error() => Err(server_error(&host, s)),
            s if s.is_redirection() => Err(Error::new(
                ErrorCode::NotDuplicati,
                format!("{host} answered with a redirect ({s}) instead of Duplicati's API."),
                "Connect to the Duplicati port directly, not through a proxy or login page.",
            )),
            _ => Err(not_duplicati(&host)),
        }
    }

    fn wrong_password(&self) -> Error {
        let host = &self.host;
        if self.password.is_empty() {
            return Error::new(
                ErrorCode::AuthFailed,
                format!("{host} needs a password."),
                "Duplicati 2.1 and newer always ask for one: if you never set a password, set one in Duplicati (Settings → Access to user interface, or --webservice-password) and use it here.",
            );
        }
        Error::new(
            ErrorCode::AuthFailed,
            format!("{host} did not accept the password."),
            "Use the password of Duplicati's web interface (Settings → Access to user interface).",
        )
    }

    fn set_session(&mut self, session: Session) {
        self.session = Some(session);
        self.session_changed = true;
    }

    /// Duplicati 2.0.x: `/login.cgi` with a nonce and the salted password hash
    /// (Server/WebServer/AuthenticationHandler.cs @ v2.0.8.1). Without a password the API only
    /// needs the XSRF token.
    async fn legacy_login(&mut self, xsrf_cookie: String) -> Result<()> {
        let host = self.host.clone();
        let xsrf = url_decode(&xsrf_cookie);
        if self.password.is_empty() {
            self.set_session(Session::Legacy { xsrf_token: xsrf, auth_cookie: None });
            return Ok(());
        }
        let cookies = format!("{XSRF_COOKIE}={xsrf_cookie}");
        let nonce_reply = self.post_form("/login.cgi", "get-nonce=1", &xsrf, &cookies).await?;
        if nonce_reply.status != StatusCode::OK {
            return Err(Error::invalid_response(&host, format!("login.cgi answered {}", nonce_reply.status)));
        }
        let nonce: LegacyNonce =
            serde_json::from_slice(&nonce_reply.body).map_err(|e| Error::invalid_response(&host, format!("login.cgi nonce: {e}")))?;
        let session_nonce = cookie_value(&nonce_reply.headers, LEGACY_NONCE_COOKIE)
            .ok_or_else(|| Error::invalid_response(&host, "login.cgi sent no session nonce"))?;
        let proof = legacy_password_proof(&self.password, &nonce.nonce, &nonce.salt)
            .ok_or_else(|| Error::invalid_response(&host, "login.cgi sent a nonce or salt that is not base64"))?;
        let form = format!("password={}", url::form_urlencoded::byte_serialize(proof.as_bytes()).collect::<String>());
        let cookies = format!("{XSRF_COOKIE}={xsrf_cookie}; {LEGACY_NONCE_COOKIE}={session_nonce}");
        let login = self.post_form("/login.cgi", &form, &xsrf, &cookies).await?;
        match login.status {
            StatusCode::OK => {
                let auth = cookie_value(&login.headers, LEGACY_AUTH_COOKIE)
                    .ok_or_else(|| Error::invalid_response(&host, "login.cgi accepted the password but set no session cookie"))?;
                self.set_session(Session::Legacy { xsrf_token: xsrf, auth_cookie: Some(auth) });
                Ok(())
            }
            StatusCode::UNAUTHORIZED => Err(self.wrong_password()),
            s => Err(Error::invalid_response(&host, format!("login.cgi answered {s}"))),
        }
    }

    async fn post_form(&self, path: &str, form: &str, xsrf: &str, cookies: &str) -> Result<Reply> {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded; charset=UTF-8")
            .header(XSRF_HEADER, xsrf)
            .header(COOKIE, cookies)
            .body(form.to_owned());
        let resp = request.send().await.map_err(|e| net::request_error(&self.host, &e))?;
        read_reply(resp).await.map_err(|e| e.into_error(&self.host))
    }

    /// A new access token from the refresh token, in the same token family; `false` when the
    /// server refuses it (expired, revoked, or reused elsewhere): then the password is needed.
    async fn refresh(&mut self) -> Result<bool> {
        let Some(Session::Bearer { refresh: Some(refresh), .. }) = &self.session else { return Ok(false) };
        let mut request = self.http.post(format!("{}/api/v1/auth/refresh", self.base)).header(COOKIE, refresh.cookie.clone());
        if let Some(nonce) = &refresh.nonce {
            request = request.header(CONTENT_TYPE, "application/json").body(serde_json::json!({ "Nonce": nonce }).to_string());
        }
        let resp = request.send().await.map_err(|e| net::request_error(&self.host, &e))?;
        let reply = read_reply(resp).await.map_err(|e| e.into_error(&self.host))?;
        match reply.status {
            StatusCode::OK => {
                let ok: LoginOk =
                    serde_json::from_slice(&reply.body).map_err(|e| Error::invalid_response(&self.host, format!("auth/refresh: {e}")))?;
                // A server that sends no new cookie keeps the old one valid (2.1.0.5 rotates it).
                let refresh = refresh_of(&reply.headers, ok.refresh_nonce).or_else(|| Some(refresh.clone()));
                self.set_session(Session::Bearer { access_token: ok.access_token, refresh });
                Ok(true)
            }
            StatusCode::UNAUTHORIZED | StatusCode::BAD_REQUEST | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => Ok(false),
            s if s.is_server_error() => Err(server_error(&self.host, s)),
            s => Err(unexpected(&self.host, s)),
        }
    }

    /// Gets a session back after the server turned the current one down: the refresh token
    /// first, else the password.
    async fn renew_session(&mut self) -> Result<()> {
        if self.refresh().await? {
            return Ok(());
        }
        self.session = None;
        self.login().await
    }

    /// An authorized GET. A session the server turns down (tokens expire after 15 min) is
    /// renewed once (refresh, else password) and the request retried; 5xx and broken responses
    /// are retried twice. Other statuses come back to the caller.
    pub async fn get(&mut self, path: &str) -> Result<Reply> {
        let mut renewed = false;
        let mut attempt = 0u32;
        loop {
            if self.session.is_none() {
                self.login().await?;
                renewed = true;
            } else if !renewed && self.session.as_ref().is_some_and(|s| s.expired(crate::store::now_ts(), 30)) {
                renewed = true;
                self.renew_session().await?;
            }
            let result = async {
                let request = self.authorize(self.http.get(format!("{}{}", self.base, path)));
                read_reply(request.send().await.map_err(Failed::Http)?).await
            }
            .await;
            let reply = match result {
                Ok(r) => r,
                Err(e) => {
                    let retry = matches!(e, Failed::Http(_));
                    let err = e.into_error(&self.host);
                    if retry && err.code == ErrorCode::InvalidResponse && attempt < 2 {
                        attempt += 1;
                        backoff(attempt).await;
                        continue;
                    }
                    return Err(err);
                }
            };
            self.keep_legacy_cookies(&reply.headers);
            let turned_down = reply.status == StatusCode::UNAUTHORIZED
                || (reply.status == StatusCode::BAD_REQUEST && matches!(self.session, Some(Session::Legacy { .. })) && is_legacy(&reply));
            match reply.status {
                _ if turned_down && !renewed => {
                    renewed = true;
                    self.renew_session().await?;
                }
                _ if turned_down => {
                    return Err(Error::new(
                        ErrorCode::AuthFailed,
                        format!("{} rejected a fresh session.", self.host),
                        "Check the server's clock and its JWT settings, then collect again.",
                    ))
                }
                StatusCode::FORBIDDEN => return Err(host_rejected(&self.host, &reply)),
                s if s.is_server_error() && attempt < 2 => {
                    attempt += 1;
                    backoff(attempt).await;
                }
                s if s.is_server_error() => return Err(server_error(&self.host, s)),
                _ => return Ok(reply),
            }
        }
    }

    fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.session {
            Some(Session::Bearer { access_token, .. }) => request.header(AUTHORIZATION, format!("Bearer {access_token}")),
            Some(Session::Legacy { xsrf_token, auth_cookie }) => {
                let encoded: String = url::form_urlencoded::byte_serialize(xsrf_token.as_bytes()).collect();
                let mut cookies = format!("{XSRF_COOKIE}={encoded}");
                if let Some(auth) = auth_cookie {
                    cookies.push_str(&format!("; {LEGACY_AUTH_COOKIE}={auth}"));
                }
                request.header(XSRF_HEADER, xsrf_token.as_str()).header(COOKIE, cookies)
            }
            None => request,
        }
    }

    /// 2.0 renews its login cookie on use; keep the value it sends.
    fn keep_legacy_cookies(&mut self, headers: &HeaderMap) {
        if let Some(Session::Legacy { auth_cookie: Some(auth), .. }) = &mut self.session {
            if let Some(renewed) = cookie_value(headers, LEGACY_AUTH_COOKIE).filter(|v| v != auth) {
                *auth = renewed;
                self.session_changed = true;
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

    /// `GET /api/v1/serverstate`: which task runs now, and the data update counter.
    pub async fn server_state(&mut self) -> Result<ServerState> {
        Ok(self.get_json("/api/v1/serverstate").await?.0)
    }

    /// `GET /api/v1/progressstate`: how far the running task is; `None` when none runs.
    pub async fn progress_state(&mut self) -> Result<Option<ProgressState>> {
        let reply = self.get("/api/v1/progressstate").await?;
        match reply.status {
            StatusCode::OK => serde_json::from_slice(&reply.body)
                .map(Some)
                .map_err(|e| Error::invalid_response(&self.host, format!("progressstate: {e}"))),
            StatusCode::NOT_FOUND => Ok(None),
            s => Err(unexpected(&self.host, s)),
        }
    }

    /// One page of a job's log, newest first; `offset` is an exclusive upper bound on the row ID.
    pub async fn log_page(&mut self, backup_id: &str, offset: Option<i64>, pagesize: u32) -> Result<LogPage> {
        let id = url::form_urlencoded::byte_serialize(backup_id.as_bytes()).collect::<String>();
        let path = match offset {
            Some(o) => format!("/api/v1/backup/{id}/log?offset={o}&pagesize={pagesize}"),
            None => format!("/api/v1/backup/{id}/log?pagesize={pagesize}"),
        };
        let reply = self.get(&path).await?;
        match reply.status {
            StatusCode::OK => match super::log_page::read_rows(&reply.body) {
                Some(rows) => Ok(LogPage::Rows(rows)),
                None => serde_json::from_slice(&reply.body)
                    .map(LogPage::Rows)
                    .map_err(|e| Error::invalid_response(&self.host, format!("log of job {backup_id}: {e}"))),
            },
            StatusCode::NOT_FOUND => Ok(LogPage::Gone),
            // From 2.3.0.107 the job's database is locked while a task runs on it
            // (WebserverCore/Services/DatabaseLockTracker.cs): read it next time.
            StatusCode::BAD_REQUEST if help_id(&reply.body).as_deref() == Some("DatabaseLocked") => Ok(LogPage::Locked),
            s => Err(unexpected(&self.host, s)),
        }
    }
}

/// What the log endpoint answered.
#[derive(Debug)]
pub enum LogPage {
    Rows(Vec<LogRow>),
    /// The server no longer knows the job.
    Gone,
    /// A task runs on the job and holds its database (2.3.0.107+); nothing can be read now.
    Locked,
}

fn help_id(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body).ok()?.get("HelpId")?.as_str().map(str::to_owned)
}

async fn backoff(attempt: u32) {
    tokio::time::sleep(Duration::from_millis(150 * u64::from(attempt * attempt))).await;
}

fn looks_like_html(reply: &Reply) -> bool {
    let ct = reply.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    ct.contains("html") || reply.body.trim_ascii_start().starts_with(b"<")
}

/// The most of one answer Duplidesk reads: far more than any Duplicati page (500 log rows of
/// results capped at 20 list items each), far less than what would hurt the machine.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Why an answer could not be read.
#[derive(Debug)]
pub enum Failed {
    Http(reqwest::Error),
    /// The answer was larger than [`MAX_BODY_BYTES`] (announced or as it arrived).
    TooLarge,
}

impl Failed {
    pub fn into_error(self, host: &str) -> Error {
        match self {
            Failed::Http(e) => net::request_error(host, &e),
            Failed::TooLarge => {
                Error::invalid_response(host, format!("the answer is larger than {} MiB; it was not read", MAX_BODY_BYTES >> 20))
            }
        }
    }
}

/// Reads an answer, checking its size as it arrives: an endless or huge body is cut off at
/// [`MAX_BODY_BYTES`] instead of filling the memory.
async fn read_reply(mut resp: reqwest::Response) -> std::result::Result<Reply, Failed> {
    let status = resp.status();
    let headers = resp.headers().clone();
    if resp.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(Failed::TooLarge);
    }
    let mut body = bytes::BytesMut::with_capacity(resp.content_length().map_or(8 * 1024, |n| n as usize));
    while let Some(chunk) = resp.chunk().await.map_err(Failed::Http)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(Failed::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let mut body = body.freeze();
    // Duplicati 2.0 (Newtonsoft) starts its JSON with a UTF-8 byte order mark.
    if body.starts_with(b"\xEF\xBB\xBF") {
        body = body.slice(3..);
    }
    Ok(Reply { status, headers, body })
}

/// Duplicati 2.0 turns down an API call without its XSRF token with 400 "Missing XSRF Token"
/// (the reason phrase) and a fresh `xsrf-token` cookie.
fn is_legacy(reply: &Reply) -> bool {
    cookie_value(&reply.headers, XSRF_COOKIE).is_some() || String::from_utf8_lossy(&reply.body).contains("XSRF")
}

/// The value of the cookie `name` that a response sets.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|line| {
        let (n, rest) = line.split_once('=')?;
        (n.trim() == name).then(|| rest.split(';').next().unwrap_or("").trim().to_owned()).filter(|v| !v.is_empty())
    })
}

/// The refresh token a 2.1+ login or refresh answer carries: the `RefreshToken_<port>`
/// cookie (none for a short-lived 2.1.0.5 login) and, from 2.1.2, the nonce.
fn refresh_of(headers: &HeaderMap, nonce: Option<String>) -> Option<Refresh> {
    headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|line| {
        let pair = line.split(';').next()?.trim();
        let (name, value) = pair.split_once('=')?;
        (name.starts_with(REFRESH_COOKIE_PREFIX) && !value.is_empty())
            .then(|| Refresh { cookie: pair.to_owned(), nonce: nonce.clone().filter(|n| !n.is_empty()) })
    })
}

fn url_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_else(|| s.to_owned())
}

/// A 403: Duplicati's host-name check, or a Duplicati Agent's pre-shared key filter.
fn host_rejected(host: &str, reply: &Reply) -> Error {
    let said = serde_json::from_slice::<ErrorBody>(&reply.body)
        .map(|b| b.error)
        .unwrap_or_else(|_| String::from_utf8_lossy(&reply.body).into_owned());
    let said = server_text(&said);
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

/// A text a server sent, as it may go into an error message: one line of printable characters,
/// at most 200 of them.
fn server_text(text: &str) -> String {
    crate::text::clean_line(text, 200)
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
