//! Request routing: Duplicati 2.1+ (Kestrel) here, 2.0 in `legacy`, and a non-Duplicati
//! web server.

use std::net::IpAddr;

use crate::config::{Mode, Version};
use crate::data::PageBuilder;
use crate::faults::Fault;
use crate::http::{Request, Response, HTML, TEXT};
use crate::legacy;
use crate::server::Shared;
use crate::stj::{error_body, Escaping, JsonWriter};
use crate::timefmt::{self, Ticks, TICKS_PER_SEC};

/// `application/json` as ASP.NET's exception handler sets it (no charset), for error bodies.
const JSON_ERROR: &str = "application/json";

/// Answers one request.
pub(crate) fn handle(shared: &Shared, req: &Request, now: Ticks) -> Response {
    match shared.cfg.mode {
        Mode::Duplicati => {
            let version = shared.version();
            if version.is_legacy() {
                legacy::handle(shared, req, now, version)
            } else {
                kestrel(shared, req, now, version)
            }
        }
        Mode::NotDuplicati => nginx(req),
    }
}

/// The `Server` header of a flavour.
pub(crate) fn server_header(mode: Mode, version: Version) -> &'static str {
    match mode {
        Mode::Duplicati if version.is_legacy() => "Tiny WebServer",
        Mode::Duplicati => "Kestrel",
        Mode::NotDuplicati => "nginx/1.24.0",
    }
}

/// An error body as `UserReportedHttpException` produces it: `{"Error":…,"Code":…}`.
fn error(status: u16, message: &str) -> Response {
    Response::typed(status, JSON_ERROR, error_body(message, status))
}

/// Routes of the 2.1 API that need a bearer token.
enum Protected {
    SystemInfo,
    Backups,
    Log(String),
    ServerState,
    ProgressState,
    Notifications,
    ErrorLog,
}

/// Host name of a `Host` header value without the port (IPv6 keeps its brackets).
pub(crate) fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        host.find(']').map_or(host, |i| &host[..=i])
    } else {
        host.split(':').next().unwrap_or(host)
    }
}

/// The port of a `Host` header value (`Request.Host.Port`), if it has one.
fn host_port(host: &str) -> Option<u16> {
    let rest = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map(|(_, r)| r)?,
        None => host,
    };
    rest.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
}

/// Duplicati's HostnameValidator.
pub(crate) fn host_allowed(allowed: &[String], host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    const BUILTIN: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "localhost.localdomain"];
    BUILTIN.contains(&host.as_str())
        || allowed.iter().any(|a| a == "*" || a.eq_ignore_ascii_case(&host))
        || host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok()
}

/// The endpoint filters of the `/api/v1` group after routing and authorization: the host
/// name (`HostnameFilter`), then in agent mode the pre-shared key (`PreSharedKeyFilter`).
fn filters(shared: &Shared, req: &Request, host: &str) -> Option<Response> {
    if !host_allowed(&shared.allowed_hosts, host) {
        return Some(error(403, &format!("Invalid hostname: {host}")));
    }
    if let Some(psk) = &shared.cfg.agent_psk {
        if req.header("x-duplicati-presharedkey") != Some(psk.as_str()) {
            return Some(Response::typed(403, "text/plain", "Invalid PreSharedKey"));
        }
    }
    None
}

fn kestrel(shared: &Shared, req: &Request, now: Ticks, version: Version) -> Response {
    let path = req.path.trim_end_matches('/').to_ascii_lowercase();
    let Some(host_header) = req.header("host") else {
        return Response::empty(400);
    };
    let host = host_name(host_header);
    let get = req.method == "GET";
    let post = req.method == "POST";
    let route = match path.as_str() {
        "" => return if get { Response::typed(200, HTML, INDEX_HTML) } else { Response::empty(405) },
        "/health" => return if get { Response::typed(200, TEXT, "Healthy") } else { Response::empty(405) },
        "/api/v1/auth/login" | "/api/v1/auth/refresh" => {
            if !post {
                return Response::empty(405);
            }
            if let Some(resp) = filters(shared, req, host) {
                return resp;
            }
            return if path.ends_with("login") {
                login(shared, req, now, version, host_header)
            } else {
                refresh(shared, req, now, version, host_header)
            };
        }
        // `auth/status` exists from 2.3 (WebserverCore/Endpoints/V1/Auth.cs).
        "/api/v1/auth/status" if version >= Version::V2_3_1 => {
            if !post {
                return Response::empty(405);
            }
            if let Some(resp) = filters(shared, req, host) {
                return resp;
            }
            return auth_status(shared, req, now);
        }
        "/api/v1/systeminfo" => Protected::SystemInfo,
        "/api/v1/backups" => Protected::Backups,
        "/api/v1/serverstate" => Protected::ServerState,
        "/api/v1/progressstate" => Protected::ProgressState,
        "/api/v1/notifications" => Protected::Notifications,
        "/api/v1/logdata/log" => Protected::ErrorLog,
        p => match p.strip_prefix("/api/v1/backup/").and_then(|r| r.strip_suffix("/log")) {
            Some(id) if !id.is_empty() && !id.contains('/') => {
                // Keep the ID's original spelling.
                let start = "/api/v1/backup/".len();
                Protected::Log(req.path[start..start + id.len()].to_string())
            }
            _ => return Response::empty(404),
        },
    };
    if !get {
        return Response::empty(405);
    }
    let check = shared.tokens().check(req.header("authorization"), now, shared.faults.token_limit());
    if let Err(rejection) = check {
        shared.stats().unauthorized += 1;
        return Response::empty(401).with("WWW-Authenticate", rejection.www_authenticate());
    }
    if let Some(resp) = filters(shared, req, host) {
        return resp;
    }
    match route {
        Protected::SystemInfo => Response::json(200, shared.store().systeminfo(&shared.cfg, now)),
        Protected::Backups => Response::json(200, shared.store().backups(now)),
        Protected::ServerState => Response::json(200, shared.store().serverstate(now)),
        Protected::Notifications => Response::json(200, shared.store().notifications()),
        Protected::ProgressState => match shared.store().progressstate(now) {
            Some(body) => Response::json(200, body),
            None => error(404, "No active backup"),
        },
        Protected::ErrorLog => match paging(req) {
            Some((offset, pagesize)) => Response::json(200, shared.store().error_log_page(offset, pagesize)),
            None => Response::empty(400),
        },
        Protected::Log(id) => log(shared, req, &id, version),
    }
}

/// Parses an optional integer query parameter; `Err` for non-numeric values.
fn int_param(req: &Request, name: &str) -> Result<Option<i64>, ()> {
    match req.query_param(name) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| ()),
    }
}

/// `offset` and `pagesize` of `LogData.DumpTable`: default 100, clamped to 10..=500; `None`
/// when one is not a number (model binding answers 400).
fn paging(req: &Request) -> Option<(Option<i64>, u32)> {
    let (Ok(offset), Ok(pagesize)) = (int_param(req, "offset"), int_param(req, "pagesize")) else {
        return None;
    };
    Some((offset, pagesize.unwrap_or(100).clamp(10, 500) as u32))
}

fn log(shared: &Shared, req: &Request, id: &str, version: Version) -> Response {
    let Some((offset, pagesize)) = paging(req) else {
        return Response::empty(400);
    };
    *shared.stats().log_requests.entry(id.to_string()).or_default() += 1;
    // Generate outside the store lock: only the job description is copied.
    let page = {
        let store = shared.store();
        let locked = store.task.as_ref().is_some_and(|t| t.backup_id == id);
        store.job(id).map(|job| (locked, store.page_builder(job)))
    };
    let Some((locked, builder)) = page else {
        return error(404, "Backup not found");
    };
    // BackupGet.ExecuteGetLog: no database file yet → empty list.
    if !builder.job.db_exists {
        return Response::json(200, "[]");
    }
    if locked && version.locks_database() {
        // DatabaseLockTracker.TryAcquire fails while the task holds the job database and the
        // DatabaseLockedException (a UserInformationException) becomes a 400 with its HelpId.
        let mut w = JsonWriter::new(Escaping::Stj);
        w.begin_obj()
            .kstr("Error", "The backup database is currently in use by another operation and cannot be accessed concurrently. Please wait for the running operation to finish and try again.")
            .kint("Code", 400)
            .kstr("HelpId", "DatabaseLocked")
            .end_obj();
        return Response::typed(400, JSON_ERROR, w.finish());
    }
    if builder.job.sync {
        // A sync database has no LogData table: the SELECT throws, an unexpected exception.
        return error(500, "An error occurred");
    }
    if let Some(body) = hostile_page(shared, req, &builder, offset, pagesize, None) {
        return Response::json(200, body);
    }
    Response::json(200, builder.build(offset, pagesize))
}

/// The page of a pending log page fault (`Faults::loop_log_pages`, `grow_log_pages`), for a
/// job with rows; `legacy` gives 2.0's form.
pub(crate) fn hostile_page(
    shared: &Shared,
    req: &Request,
    builder: &PageBuilder,
    offset: Option<i64>,
    pagesize: u32,
    legacy: Option<Version>,
) -> Option<String> {
    if builder.job.max_id() == 0 {
        return None;
    }
    match shared.faults.take(&req.target(), |f| matches!(f, Fault::Pages(_)))? {
        Fault::Pages(pages) => builder.hostile_page(pages, offset, pagesize, legacy),
        _ => None,
    }
}

/// Whether the request's JSON body may be read: `Content-Type: application/json`.
fn is_json(req: &Request) -> bool {
    req.header("content-type").and_then(|ct| ct.split(';').next()).is_some_and(|ct| ct.trim().eq_ignore_ascii_case("application/json"))
}

/// A field of a JSON object, matched case-insensitively like ASP.NET's binder.
fn field<'a>(body: &'a serde_json::Map<String, serde_json::Value>, name: &str) -> Option<&'a serde_json::Value> {
    body.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// The refresh cookie of `Auth.AddCookie`: `RefreshToken_<port of Host>`, 30 days, scoped to
/// the refresh path, `Secure` on HTTPS.
fn refresh_cookie(shared: &Shared, host_header: &str, token: &str, now: Ticks) -> String {
    let port = host_port(host_header).unwrap_or(0);
    let expires = timefmt::http_date(now + 30 * 24 * 3600 * TICKS_PER_SEC);
    let secure = if shared.tls.is_some() { "; secure" } else { "" };
    format!(
        "RefreshToken_{port}={token}; expires={expires}; domain={}; path=/api/v1/auth/refresh{secure}; samesite=strict; httponly",
        host_name(host_header)
    )
}

/// `{AccessToken}` (2.1.0.5, `AccessTokenOutput`) or `{AccessToken, RefreshNonce}` (2.1.2+,
/// `AccessTokenOutputDto`).
fn token_body(version: Version, access: &str, nonce: Option<&str>) -> String {
    let mut w = JsonWriter::new(Escaping::Stj);
    w.begin_obj().kstr("AccessToken", access);
    if version.refresh_nonces() {
        match nonce {
            Some(n) => w.kstr("RefreshNonce", n),
            None => w.knull("RefreshNonce"),
        };
    }
    w.end_obj();
    w.finish()
}

fn login(shared: &Shared, req: &Request, now: Ticks, version: Version, host_header: &str) -> Response {
    if !is_json(req) {
        return Response::empty(415);
    }
    let Ok(serde_json::Value::Object(body)) = serde_json::from_slice::<serde_json::Value>(&req.body) else {
        return Response::empty(400);
    };
    shared.stats().logins += 1;
    let password = field(&body, "password").and_then(|v| v.as_str());
    let remember = field(&body, "rememberme").and_then(|v| v.as_bool()).unwrap_or(false);
    let expected = shared.password();
    match password {
        Some(pw) if !pw.is_empty() && pw == expected => {
            let (grant, created) = shared.tokens().login(now, version, remember);
            if created {
                shared.stats().token_families += 1;
            }
            let resp = Response::json(200, token_body(version, &grant.access, grant.nonce.as_deref()));
            match &grant.refresh {
                Some(token) => resp.with("Set-Cookie", refresh_cookie(shared, host_header, token, now)),
                None => resp,
            }
        }
        _ => {
            shared.stats().failed_logins += 1;
            error(401, "Failed to log in")
        }
    }
}

fn refresh(shared: &Shared, req: &Request, now: Ticks, version: Version, host_header: &str) -> Response {
    // 2.1.2+ bind an optional `{"Nonce": …}` body; 2.1.0.5 reads no body at all.
    let mut nonce = String::new();
    if version.refresh_nonces() && !req.body.is_empty() {
        if !is_json(req) {
            return Response::empty(415);
        }
        match serde_json::from_slice::<serde_json::Value>(&req.body) {
            Ok(serde_json::Value::Object(body)) => {
                nonce = field(&body, "nonce").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            }
            Ok(serde_json::Value::Null) => {}
            _ => return Response::empty(400),
        }
    }
    let name = format!("RefreshToken_{}", host_port(host_header).unwrap_or(0));
    let Some(cookie) = req.cookie(&name) else {
        return error(401, "Authorization failed due to missing cookie.");
    };
    let grant = shared.tokens().refresh(cookie, &nonce, now, version);
    match grant {
        Some(g) => {
            shared.stats().refreshes += 1;
            let resp = Response::json(200, token_body(version, &g.access, g.nonce.as_deref()));
            match &g.refresh {
                Some(token) => resp.with("Set-Cookie", refresh_cookie(shared, host_header, token, now)),
                None => resp,
            }
        }
        None => error(401, "Failed to refresh token"),
    }
}

/// `POST /api/v1/auth/status` (2.3): anonymous, tells whether the bearer token is valid.
fn auth_status(shared: &Shared, req: &Request, now: Ticks) -> Response {
    let mut w = JsonWriter::new(Escaping::Stj);
    if shared.tokens().is_valid(req.header("authorization"), now) {
        let token = crate::auth::b64url(format!("websocket-{now}").as_bytes());
        w.begin_obj().kbool("authorized", true).kstr("message", "Authorized").kstr("socketToken", &token).end_obj();
    } else {
        w.begin_obj().kbool("authorized", false).kstr("message", "Not authorized").end_obj();
    }
    Response::json(200, w.finish())
}

const INDEX_HTML: &str =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Duplicati</title></head><body><app-root></app-root></body></html>\n";

fn nginx(req: &Request) -> Response {
    if req.path == "/" && (req.method == "GET" || req.method == "HEAD") {
        Response::typed(200, HTML, NGINX_WELCOME)
    } else {
        Response::typed(404, HTML, NGINX_404)
    }
}

const NGINX_WELCOME: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and working.</p>\n</body>\n</html>\n";
const NGINX_404: &str = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        let none: Vec<String> = Vec::new();
        for ok in ["localhost", "127.0.0.1", "[::1]", "LOCALHOST", "localhost.localdomain", "192.168.1.20", "[fe80::1]"] {
            assert!(host_allowed(&none, ok), "{ok}");
        }
        assert!(!host_allowed(&none, "nas.local"));
        assert!(host_allowed(&["NAS.local".to_string()], "nas.local"));
        assert!(host_allowed(&["*".to_string()], "anything.example"));
        assert_eq!(host_name("nas.local:8200"), "nas.local");
        assert_eq!(host_name("[::1]:8200"), "[::1]");
        assert_eq!(host_port("nas.local:8200"), Some(8200));
        assert_eq!(host_port("[::1]:8300"), Some(8300));
        assert_eq!(host_port("[::1]"), None);
        assert_eq!(host_port("localhost"), None);
    }
}
