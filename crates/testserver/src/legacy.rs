//! Duplicati 2.0.8.1's web server: the "Tiny WebServer" (github.com/duplicati/httpserver)
//! with the modules of `Server/WebServer/Server.cs` in their order: the host check
//! (`HostHeaderChecker`), `AuthenticationHandler` (XSRF, `/login.cgi`, session cookie), and
//! `RESTHandler`. Errors go into the reason phrase; JSON is Newtonsoft, indented, written by
//! a `StreamWriter` with `Encoding.UTF8`, so every JSON body starts with a byte order mark
//! (`Server/WebServer/BodyWriter.cs`; Duplicati issue #2842).

use crate::auth::{url_encode, LegacySessions};
use crate::config::Version;
use crate::emit::legacy_error;
use crate::http::{HeadStyle, Request, Response, HTML};
use crate::server::Shared;
use crate::timefmt::{self, Ticks};

/// `BodyWriter` adds this to every REST answer.
const NO_CACHE: &str = "no-cache, no-store, must-revalidate, max-age=0";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Answers one request the way 2.0.8.1 does.
pub(crate) fn handle(shared: &Shared, req: &Request, now: Ticks, version: Version) -> Response {
    let mut cookies = Cookies::default();
    let mut resp = route(shared, req, now, version, &mut cookies);
    for c in cookies.0 {
        resp = resp.with("Set-Cookie", c.1);
    }
    resp.style = HeadStyle::Tiny;
    // A request is kept alive only when it asks for it (`HttpRequest.Connection` defaults to
    // Close), and `SendHeaders` drops the connection after these statuses.
    let asked = req.header("connection").is_some_and(|c| c.to_ascii_lowercase().starts_with("keep-alive"));
    resp.close = !asked || matches!(resp.status, 400 | 408 | 411 | 413 | 414 | 500 | 501 | 503);
    resp
}

/// `ResponseCookies`: a dictionary by name, so a second cookie of a name replaces the first
/// in place.
#[derive(Default)]
struct Cookies(Vec<(&'static str, String)>);

impl Cookies {
    /// `ResponseCookie.ToString`: `name=value; expires=…;path=/; ` (URL-encoded, sic).
    fn set(&mut self, name: &'static str, value: &str, expires: Ticks) {
        let text = format!("{name}={}; expires={};path=/; ", url_encode(value), timefmt::http_date(expires));
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(c) => c.1 = text,
            None => self.0.push((name, text)),
        }
    }
}

/// A status with a reason phrase and no body.
fn status(code: u16, reason: &str) -> Response {
    let mut r = Response::empty(code);
    r.reason = Some(reason.to_string());
    r
}

/// `BodyWriter.OutputOK`: 200, JSON with a byte order mark.
fn json_ok(body: String) -> Response {
    json(200, "OK", body)
}

fn json(code: u16, reason: &str, body: String) -> Response {
    let mut bytes = Vec::with_capacity(body.len() + 3);
    bytes.extend_from_slice(UTF8_BOM);
    bytes.extend_from_slice(body.as_bytes());
    let mut r = Response::typed(code, "application/json", bytes).with("Cache-Control", NO_CACHE);
    r.reason = Some(reason.to_string());
    r
}

/// `RequestInfo.ReportClientError`: the message as reason phrase and as `{"Error": …}`.
fn client_error(code: u16, message: &str) -> Response {
    json(code, message, legacy_error(message))
}

/// `HostHeaderChecker.Process`: `Uri.Host` (no port; IPv6 in brackets) must be a built-in
/// name, a configured one, or match the IPv4/IPv6 patterns in full and parse.
fn host_allowed(allowed: &[String], host: &str) -> bool {
    const DEFAULT: [&str; 4] = ["localhost", "127.0.0.1", "::1", "localhost.localdomain"];
    if DEFAULT.iter().any(|d| d.eq_ignore_ascii_case(host)) || allowed.iter().any(|a| a == "*" || a.eq_ignore_ascii_case(host)) {
        return true;
    }
    // The patterns accept digits and dots, or hex digits and colons, across the whole name;
    // `Uri.Host` keeps IPv6 brackets, so IPv6 literals never pass.
    let v4 = host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let v6 = host.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    (v4 || v6) && host.parse::<std::net::IpAddr>().is_ok()
}

fn route(shared: &Shared, req: &Request, now: Ticks, version: Version, cookies: &mut Cookies) -> Response {
    let host_header = req.header("host").unwrap_or_default();
    let host = crate::routes::host_name(host_header);
    if host.is_empty() {
        let mut r = Response::typed(403, "text/plain", "Invalid request, missing host header");
        r.reason = Some("Invalid request, missing host header".into());
        return r;
    }
    if !host_allowed(&shared.allowed_hosts, host) {
        let text = "The host header sent by the client is not allowed";
        let mut r = Response::typed(403, "text/plain", text);
        r.reason = Some(text.into());
        return r;
    }

    let path = req.path.to_ascii_lowercase();
    let mut legacy = shared.legacy();
    let xsrf = legacy.xsrf_cookie(req.cookie("xsrf-token"), now);
    if xsrf.full {
        return status(503, "Too Many Concurrent Request, try again later");
    }
    if let Some((token, expires)) = &xsrf.new_cookie {
        cookies.set("xsrf-token", token, *expires);
    }

    if path == "/logout.cgi" {
        legacy.logout(req.cookie("session-auth"));
        return status(204, "OK");
    }
    if path == "/login.cgi" {
        if let Some(resp) = login(shared, req, now, &mut legacy, cookies) {
            return resp;
        }
    }

    let limited = path.starts_with("/api/v1") && !(path.starts_with("/api/v1/captcha/") && req.method == "GET");
    if limited {
        match req.header("x-xsrf-token").and_then(|h| legacy.check_xsrf_header(h, now).map(|exp| (h.to_string(), exp))) {
            Some((token, expires)) => cookies.set("xsrf-token", &token, expires),
            None => return status(400, "Missing XSRF Token. Please reload the page"),
        }
    }
    if legacy.has_password() {
        match legacy.session(req.cookie("session-auth"), now) {
            Some((token, expires)) => cookies.set("session-auth", &token, expires),
            None if path == "/" || path == "/index.html" => return Response::empty(302).with("location", "/login.html"),
            None if limited => {
                drop(legacy);
                shared.stats().unauthorized += 1;
                return status(401, "Not logged in").with("Location", "login.html");
            }
            None => {}
        }
    }
    drop(legacy);

    if limited {
        return rest(shared, req, now, version, &path);
    }
    match path.as_str() {
        "/login.html" | "/" | "/index.html" => {
            Response::typed(200, HTML, if path == "/login.html" { LOGIN_HTML } else { INDEX_HTML }).with("Cache-Control", NO_CACHE)
        }
        _ => {
            // HttpServer.HandleRequest: nothing handled it → ErrorPage(NotFound, …).
            let target = match &req.query {
                Some(q) => format!("{}?{q}", req.path),
                None => req.path.clone(),
            };
            let mut r = Response::typed(404, "text/plain", format!("Resource not found: http://{host_header}{target}\n"));
            r.reason = Some("Internal server error".into());
            r
        }
    }
}

/// `/login.cgi`: `get-nonce` hands out a nonce and the salt, `password` checks the answer.
/// `None` when the request has neither (the handler then falls through).
fn login(shared: &Shared, req: &Request, now: Ticks, legacy: &mut LegacySessions, cookies: &mut Cookies) -> Option<Response> {
    if req.form_param("get-nonce").is_some_and(|v| !v.trim().is_empty()) {
        let Some((nonce, expires)) = legacy.nonce(now) else {
            return Some(status(503, "Too many active login attempts"));
        };
        cookies.set("session-nonce", &nonce, expires);
        let mut w = crate::emit::writer(Version::V2_0_8_1, 128);
        w.begin_obj().kstr("Status", "OK").kstr("Nonce", &nonce).kstr("Salt", &legacy.salt).end_obj();
        return Some(json_ok(w.finish()));
    }
    let answer = req.form_param("password").filter(|v| !v.trim().is_empty())?;
    shared.stats().logins += 1;
    match legacy.login(req.cookie("session-nonce"), &answer, now) {
        Some((token, expires)) => {
            cookies.set("session-auth", &token, expires);
            let mut w = crate::emit::writer(Version::V2_0_8_1, 32);
            w.begin_obj().kstr("Status", "OK").end_obj();
            Some(json_ok(w.finish()))
        }
        None => {
            shared.stats().failed_logins += 1;
            let mut r = Response::typed(401, "application/json", Vec::new());
            r.reason = Some("Unauthorized".into());
            Some(r)
        }
    }
}

/// `RESTHandler`: `/api/v1/<module>/<key>`.
fn rest(shared: &Shared, req: &Request, now: Ticks, version: Version, path: &str) -> Response {
    let rest = path["/api/v1".len()..].trim_start_matches('/');
    let module = rest.split('/').next().unwrap_or_default();
    // The key in its original spelling (backup IDs); lower-casing kept the byte positions.
    let key = req.path["/api/v1".len()..].trim_start_matches('/').split_once('/').map_or("", |(_, k)| k).trim_matches('/');
    const EMULATED: [&str; 7] = ["systeminfo", "backups", "backup", "serverstate", "progressstate", "notifications", "logdata"];
    let module = if module.is_empty() { "help" } else { module };
    if !EMULATED.contains(&module) {
        let mut r = status(404, "No such module").with("Cache-Control", NO_CACHE);
        r.content_type = None;
        return r;
    }
    if req.method != "GET" {
        return status(405, "Method is not allowed").with("Cache-Control", NO_CACHE);
    }
    match module {
        "systeminfo" => json_ok(shared.store().systeminfo(&shared.cfg, now)),
        "backups" => json_ok(shared.store().backups(now)),
        "serverstate" => json_ok(shared.store().serverstate(now)),
        "notifications" => json_ok(shared.store().notifications()),
        "progressstate" => match shared.store().progressstate(now) {
            Some(body) => json_ok(body),
            None => client_error(404, "No active backup"),
        },
        "logdata" => {
            let (offset, pagesize) = paging(req);
            if key.eq_ignore_ascii_case("poll") {
                json_ok("[]".into())
            } else {
                json_ok(shared.store().error_log_page(offset, pagesize))
            }
        }
        _ => backup(shared, req, key, version),
    }
}

/// `LogData.DumpTable` of 2.0: a `pagesize` that is not a number means 100, an `offset` that
/// is not a number is ignored.
fn paging(req: &Request) -> (Option<i64>, u32) {
    let offset = req.query_param("offset").and_then(|v| v.trim().parse().ok());
    let pagesize = req.query_param("pagesize").and_then(|v| v.parse::<i64>().ok()).unwrap_or(100);
    (offset, pagesize.clamp(10, 500) as u32)
}

/// `Backup.GET`: `<id>/log` is the job log; other components are not emulated.
fn backup(shared: &Shared, req: &Request, key: &str, version: Version) -> Response {
    let (id, operation) = key.split_once('/').unwrap_or((key, ""));
    let page = {
        let store = shared.store();
        store.job(id).map(|job| store.page_builder(job))
    };
    let Some(builder) = page else {
        return client_error(404, "Invalid or missing backup id");
    };
    let operation = operation.split('/').next().unwrap_or_default().to_ascii_lowercase();
    if operation != "log" {
        return client_error(400, &format!("Invalid component: {operation}"));
    }
    *shared.stats().log_requests.entry(id.to_string()).or_default() += 1;
    if !builder.job.db_exists {
        // The database file does not exist: opening it creates an empty one and the SELECT
        // fails (Mono.Data.Sqlite's message, inferred), which RESTHandler reports as a 500.
        let mut w = crate::emit::writer(version, 128);
        w.begin_obj().kstr("Message", "SQLite error\nno such table: LogData").kstr("Type", "SqliteException").end_obj();
        return json(500, "Error", w.finish());
    }
    let (offset, pagesize) = paging(req);
    if let Some(body) = crate::routes::hostile_page(shared, req, &builder, offset, pagesize, Some(version)) {
        return json_ok(body);
    }
    json_ok(builder.build_legacy(offset, pagesize, version))
}

const LOGIN_HTML: &str = "<!DOCTYPE html>\n<html><head><title>Duplicati Login</title></head><body><form id=\"login\"><input type=\"password\" id=\"login-password\"></form></body></html>\n";
const INDEX_HTML: &str = "<!DOCTYPE html>\n<html ng-app=\"backupApp\"><head><title>Duplicati</title></head><body></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_hostnames() {
        let none: Vec<String> = Vec::new();
        for ok in ["localhost", "127.0.0.1", "::1", "LOCALHOST", "192.168.1.20", "fe80::1"] {
            assert!(host_allowed(&none, ok), "{ok}");
        }
        for bad in ["nas.local", "[::1]", "999.1.1.1"] {
            assert!(!host_allowed(&none, bad), "{bad}");
        }
        assert!(host_allowed(&["*".to_string()], "nas.local"));
    }

    #[test]
    fn cookies_replace_by_name() {
        let mut c = Cookies::default();
        c.set("xsrf-token", "a+b=", 0);
        c.set("session-auth", "tok", 0);
        c.set("xsrf-token", "c", 0);
        assert_eq!(c.0.len(), 2);
        assert_eq!(c.0[0].1, "xsrf-token=c; expires=Thu, 01 Jan 1970 00:00:00 GMT;path=/; ");
        assert!(c.0[1].1.starts_with("session-auth=tok; "));
    }
}
