//! Request routing for the three server flavours.

use std::net::IpAddr;

use crate::config::Mode;
use crate::http::{Request, Response, HTML, TEXT};
use crate::server::Shared;
use crate::stj::{error_body, Escaping, JsonWriter};
use crate::timefmt::Ticks;

/// Answers one request.
pub(crate) fn handle(shared: &Shared, req: &Request, now: Ticks) -> Response {
    match shared.cfg.mode {
        Mode::Duplicati21 => duplicati21(shared, req, now),
        Mode::Legacy20 => legacy20(shared, req),
        Mode::NotDuplicati => nginx(req),
    }
}

/// The `Server` header of a flavour.
pub(crate) fn server_header(mode: Mode) -> &'static str {
    match mode {
        Mode::Duplicati21 => "Kestrel",
        Mode::Legacy20 => "Tiny WebServer",
        Mode::NotDuplicati => "nginx/1.24.0",
    }
}

/// Routes of the 2.1 API that need a bearer token.
enum Protected {
    SystemInfo,
    Backups,
    Log(String),
    ServerState,
    ProgressState,
    Notifications,
}

/// Host name of a `Host` header value without the port (IPv6 keeps its brackets).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        host.find(']').map_or(host, |i| &host[..=i])
    } else {
        host.split(':').next().unwrap_or(host)
    }
}

/// Duplicati's HostnameValidator.
pub(crate) fn host_allowed(allowed: &[String], host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    const BUILTIN: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "localhost.localdomain"];
    BUILTIN.contains(&host.as_str())
        || allowed.iter().any(|a| a == "*" || a.eq_ignore_ascii_case(&host))
        || host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok()
}

fn duplicati21(shared: &Shared, req: &Request, now: Ticks) -> Response {
    let path = req.path.trim_end_matches('/').to_ascii_lowercase();
    let Some(host) = req.header("host").map(host_name) else {
        return Response::empty(400);
    };
    let get = req.method == "GET";
    let post = req.method == "POST";
    let route = match path.as_str() {
        "" => return if get { Response::typed(200, HTML, INDEX_HTML) } else { Response::empty(405) },
        "/health" => return if get { Response::typed(200, TEXT, "Healthy") } else { Response::empty(405) },
        "/api/v1/auth/login" | "/api/v1/auth/refresh" => {
            if !post {
                return Response::empty(405);
            }
            if !host_allowed(&shared.allowed_hosts, host) {
                return forbidden(host);
            }
            return if path.ends_with("login") {
                login(shared, req, now)
            } else {
                Response::json(401, error_body("Authorization failed due to missing cookie.", 401))
            };
        }
        "/api/v1/systeminfo" => Protected::SystemInfo,
        "/api/v1/backups" => Protected::Backups,
        "/api/v1/serverstate" => Protected::ServerState,
        "/api/v1/progressstate" => Protected::ProgressState,
        "/api/v1/notifications" => Protected::Notifications,
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
    if !host_allowed(&shared.allowed_hosts, host) {
        return forbidden(host);
    }
    match route {
        Protected::SystemInfo => Response::json(200, shared.store().systeminfo(&shared.cfg, now)),
        Protected::Backups => Response::json(200, shared.store().backups(now)),
        Protected::ServerState => Response::json(200, shared.store().serverstate(now)),
        Protected::Notifications => Response::json(200, shared.store().notifications()),
        Protected::ProgressState => Response::json(404, error_body("No active backup", 404)),
        Protected::Log(id) => log(shared, req, &id),
    }
}

fn forbidden(host: &str) -> Response {
    Response::json(403, error_body(&format!("Invalid hostname: {host}"), 403))
}

/// Parses an optional integer query parameter; `Err` for non-numeric values.
fn int_param(req: &Request, name: &str) -> Result<Option<i64>, ()> {
    match req.query_param(name) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| ()),
    }
}

fn log(shared: &Shared, req: &Request, id: &str) -> Response {
    let (Ok(offset), Ok(pagesize)) = (int_param(req, "offset"), int_param(req, "pagesize")) else {
        return Response::empty(400);
    };
    let pagesize = pagesize.unwrap_or(100).clamp(10, 500) as u32;
    *shared.stats().log_requests.entry(id.to_string()).or_default() += 1;
    // Generate outside the store lock: only the job description is copied.
    let page = {
        let store = shared.store();
        store.job(id).map(|job| store.page_builder(job))
    };
    match page {
        Some(builder) => Response::json(200, builder.build(offset, pagesize)),
        None => Response::json(404, error_body("Backup not found", 404)),
    }
}

fn login(shared: &Shared, req: &Request, now: Ticks) -> Response {
    let json_type =
        req.header("content-type").and_then(|ct| ct.split(';').next()).is_some_and(|ct| ct.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return Response::empty(415);
    }
    let Ok(serde_json::Value::Object(body)) = serde_json::from_slice::<serde_json::Value>(&req.body) else {
        return Response::empty(400);
    };
    shared.stats().logins += 1;
    let password = body.iter().find(|(k, _)| k.eq_ignore_ascii_case("password")).and_then(|(_, v)| v.as_str());
    let expected = shared.password();
    match password {
        Some(pw) if !pw.is_empty() && pw == expected => {
            let token = shared.tokens().issue(now);
            let mut w = JsonWriter::new(Escaping::Stj);
            w.begin_obj().kstr("AccessToken", &token).end_obj();
            Response::json(200, w.finish())
        }
        _ => {
            shared.stats().failed_logins += 1;
            Response::json(401, error_body("Failed to log in", 401))
        }
    }
}

const INDEX_HTML: &str =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Duplicati</title></head><body><app-root></app-root></body></html>\n";

fn legacy20(shared: &Shared, req: &Request) -> Response {
    let path = req.path.to_ascii_lowercase();
    let resp = if path.starts_with("/api/") {
        if req.header("x-xsrf-token").is_some_and(|t| !t.is_empty()) {
            Response::typed(401, TEXT, "Not logged in").with("Location", "login.html")
        } else {
            Response::typed(400, TEXT, "Missing XSRF Token. Please reload the page")
        }
    } else {
        match path.as_str() {
            "/" => Response::empty(302).with("Location", "/login.html"),
            "/login.html" => Response::typed(200, HTML, LEGACY_LOGIN_HTML),
            _ => Response::typed(404, TEXT, "Not found"),
        }
    };
    let has_cookie = req.header("cookie").is_some_and(|c| c.split(';').any(|kv| kv.trim().starts_with("xsrf-token=")));
    if has_cookie {
        resp
    } else {
        resp.with("Set-Cookie", format!("xsrf-token={}; path=/", shared.random_token()))
    }
}

const LEGACY_LOGIN_HTML: &str = "<!DOCTYPE html>\n<html><head><title>Duplicati Login</title></head><body><form id=\"login\"><input type=\"password\" id=\"login-password\"></form></body></html>\n";

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
    }
}
