//! Wire behaviour of the 2.1 API with the fixture data set, plus the other server modes.

mod common;

use std::time::Duration;

use common::{raw_request, Client, Conn};
use duplicati_testserver::{fixtures, DataSet, Mode, ServerConfig, TestServer, Version};
use serde_json::Value;

fn start(cfg: ServerConfig) -> (TestServer, Client) {
    let server = TestServer::start(cfg).unwrap();
    let client = Client::new(&server);
    (server, client)
}

fn fixture_server() -> (TestServer, Client) {
    let (s, mut c) = start(ServerConfig::default());
    c.login();
    (s, c)
}

#[test]
fn fixtures_are_served_byte_identical() {
    let (_s, c) = fixture_server();
    for (path, expected) in [
        ("/api/v1/backup/1/log", fixtures::LOG_BACKUP1),
        ("/api/v1/systeminfo", fixtures::SYSTEMINFO),
        ("/api/v1/backups", fixtures::BACKUPS),
        ("/api/v1/serverstate", fixtures::SERVERSTATE),
        ("/api/v1/notifications", fixtures::NOTIFICATIONS),
    ] {
        let r = c.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("Content-Type"), Some("application/json; charset=utf-8"));
        assert_eq!(r.header("Server"), Some("Kestrel"));
        assert!(r.body == expected.as_bytes(), "{path} differs from the fixture");
    }
}

/// The decoded log fixture is the wire fixture with each `Message` parsed: same rows, same
/// fields in the same order, and every `Message` string parses to the decoded object.
#[test]
fn decoded_log_fixture_matches_the_wire_fixture() {
    let wire: Value = serde_json::from_str(fixtures::LOG_BACKUP1).unwrap();
    let decoded: Value = serde_json::from_str(fixtures::LOG_BACKUP1_DECODED).unwrap();
    let (wire, decoded) = (wire.as_array().unwrap(), decoded.as_array().unwrap());
    assert_eq!(wire.len(), 6);
    assert_eq!(wire.len(), decoded.len());
    for (w, d) in wire.iter().zip(decoded) {
        let (w, d) = (w.as_object().unwrap(), d.as_object().unwrap());
        let id = &w["ID"];
        assert!(w.keys().eq(d.keys()), "row {id}: fields differ");
        for (key, value) in w {
            if key == "Message" {
                let parsed: Value = serde_json::from_str(value.as_str().unwrap()).unwrap();
                assert!(parsed.is_object(), "row {id}");
                assert_eq!(parsed, d[key], "row {id}: Message");
                // Value equality ignores key order; the serialised forms do not.
                assert_eq!(parsed.to_string(), d[key].to_string(), "row {id}: Message field order");
            } else {
                assert_eq!(value, &d[key], "row {id}: {key}");
            }
        }
    }
}

#[test]
fn fixture_log_paging_and_empty_jobs() {
    let (_s, c) = fixture_server();
    let ids = |path: &str| -> Vec<u64> { c.get(path).json().as_array().unwrap().iter().map(|r| r["ID"].as_u64().unwrap()).collect() };
    assert_eq!(ids("/api/v1/backup/1/log?offset=4"), vec![3, 2, 1]);
    assert_eq!(ids("/api/v1/backup/1/log?offset=1"), Vec::<u64>::new());
    let row3 = c.get("/api/v1/backup/1/log?offset=4&pagesize=10");
    assert!(fixtures::LOG_BACKUP1.contains(&row3.text()[1..row3.body.len() - 1]));
    for id in ["2", "3"] {
        let r = c.get(&format!("/api/v1/backup/{id}/log"));
        assert_eq!((r.status, r.text().as_str()), (200, "[]"));
    }
    let r = c.get("/api/v1/backup/99/log");
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), r#"{"Error":"Backup not found","Code":404}"#);
    for q in ["pagesize=abc", "offset=x", "pagesize=1.5"] {
        let r = c.get(&format!("/api/v1/backup/1/log?{q}"));
        assert_eq!((r.status, r.body.len()), (400, 0), "{q}");
    }
}

#[test]
fn login_ok_wrong_and_content_type() {
    let (s, mut c) = start(ServerConfig::default());
    let r = c.login_with("wrong");
    assert_eq!(r.status, 401);
    assert_eq!(r.text(), r#"{"Error":"Failed to log in","Code":401}"#);
    let r = c.login_with("");
    assert_eq!(r.status, 401);
    let body = br#"{"password":"duplicati","rememberme":null}"#;
    let r = c.request("POST", "/api/v1/auth/login", &[], Some(("application/json; charset=utf-8", body))).unwrap();
    assert_eq!(r.status, 200);
    let token = r.json()["AccessToken"].as_str().unwrap().to_string();
    assert_eq!(token.split('.').count(), 3);
    assert!(r.text().starts_with(r#"{"AccessToken":"eyJ"#));
    let r = c.request("POST", "/api/v1/auth/login", &[], Some(("text/plain", body))).unwrap();
    assert_eq!((r.status, r.body.len()), (415, 0));
    let r = c.get("/api/v1/auth/login");
    assert_eq!(r.status, 405);

    s.set_password("n3w&pw");
    assert_eq!(c.login_with("duplicati").status, 401);
    assert_eq!(c.login_with("n3w&pw").status, 200);
    c.token = Some(token);
    assert_eq!(c.get("/api/v1/serverstate").status, 200, "old tokens stay valid");
    let st = s.stats();
    assert_eq!((st.logins, st.failed_logins), (5, 3), "the 415 never reached the handler");
}

#[test]
fn protected_routes_need_a_token() {
    let (s, mut c) = start(ServerConfig::default());
    for path in ["/api/v1/systeminfo", "/api/v1/backups", "/api/v1/backup/1/log", "/api/v1/serverstate", "/api/v1/notifications"] {
        let r = c.get(path);
        assert_eq!((r.status, r.body.len()), (401, 0), "{path}");
        assert_eq!(r.header("WWW-Authenticate"), Some("Bearer"));
    }
    c.token = Some("eyJhbGciOiJIUzI1NiJ9.e30.bogus".into());
    let r = c.get("/api/v1/backups");
    assert_eq!((r.status, r.body.len()), (401, 0));
    assert_eq!(r.header("WWW-Authenticate"), Some("Bearer error=\"invalid_token\""));
    c.login();
    assert_eq!(c.get("/api/v1/backups").status, 200);
    let r = c.get("/api/v1/progressstate");
    assert_eq!((r.status, r.text().as_str()), (404, r#"{"Error":"No active backup","Code":404}"#));
    assert_eq!(c.get("/api/v1/nothing").status, 404);
    assert_eq!(c.get("/api/v1/nothing").body.len(), 0);
    let r = c.get("/health");
    assert_eq!((r.status, r.text().as_str()), (200, "Healthy"));
    let st = s.stats();
    assert_eq!(st.unauthorized, 6);
    assert_eq!(st.paths["/api/v1/backups"], 3);
    assert_eq!(st.log_requests.get("1"), None);
    s.reset_stats();
    assert_eq!(s.stats().total_requests, 0);
}

#[test]
fn token_lifetime_expiry() {
    let (_s, mut c) = start(ServerConfig { token_lifetime: Duration::from_secs(1), ..ServerConfig::default() });
    c.login();
    assert_eq!(c.get("/api/v1/serverstate").status, 200);
    std::thread::sleep(Duration::from_millis(2100));
    let r = c.get("/api/v1/serverstate");
    assert_eq!((r.status, r.body.len()), (401, 0));
    let h = r.header("WWW-Authenticate").unwrap();
    assert!(h.starts_with("Bearer error=\"invalid_token\", error_description=\"The token expired at '"), "{h}");
}

#[test]
fn hostname_filter() {
    let (_s, mut c) = start(ServerConfig::default());
    c.host = "nas.local:8200".into();
    let r = c.login_with("duplicati");
    assert_eq!(r.status, 403);
    assert_eq!(r.text(), r#"{"Error":"Invalid hostname: nas.local","Code":403}"#);
    // Protected routes answer 401 before the host check.
    assert_eq!(c.get("/api/v1/backups").status, 401);
    c.host = "localhost".into();
    c.login();
    c.host = "nas.local".into();
    let r = c.get("/api/v1/backups");
    assert_eq!((r.status, r.text().as_str()), (403, r#"{"Error":"Invalid hostname: nas.local","Code":403}"#));
    for host in ["[::1]:8200", "192.168.1.5", "LOCALHOST", "localhost.localdomain:1"] {
        c.host = host.into();
        assert_eq!(c.get("/api/v1/backups").status, 200, "{host}");
    }

    let (_s, mut c) = start(ServerConfig { allowed_hostnames: vec!["NAS.local".into()], ..ServerConfig::default() });
    c.host = "nas.local".into();
    c.login();
    assert_eq!(c.get("/api/v1/backups").status, 200);
    c.host = "other.lan".into();
    assert_eq!(c.get("/api/v1/backups").status, 403);

    let (_s, mut c) = start(ServerConfig { allowed_hostnames: vec!["*".into()], ..ServerConfig::default() });
    c.host = "anything.example.com".into();
    c.login();
    assert_eq!(c.get("/api/v1/systeminfo").status, 200);
}

#[test]
fn keep_alive_serves_several_requests() {
    let (s, c) = fixture_server();
    let mut conn = Conn::open(s.addr(), None).unwrap();
    let auth = format!("Bearer {}", c.token.as_deref().unwrap());
    for _ in 0..3 {
        conn.send(&raw_request("GET", "/api/v1/serverstate", "localhost", &[("Authorization", &auth)], None)).unwrap();
        let r = conn.read_response().unwrap();
        assert_eq!(r.status, 200);
        assert!(r.complete);
    }
    assert_eq!(s.stats().connections, 2, "login, then three requests on one connection");
}

#[test]
fn systeminfo_reflects_config() {
    let cfg = ServerConfig {
        machine_name: "nas-02".into(),
        machine_id: "0123456789abcdef0123456789abcdef".into(),
        version: Version::V2_2,
        data: DataSet::Empty,
        ..ServerConfig::default()
    };
    let (_s, mut c) = start(cfg);
    c.login();
    let info = c.get("/api/v1/systeminfo").json();
    assert_eq!(info["MachineName"], "nas-02");
    assert_eq!(info["ServerVersion"], "2.2.0.0");
    let opt = |name: &str| info["Options"].as_array().unwrap().iter().find(|o| o["Name"] == name).unwrap()["DefaultValue"].clone();
    assert_eq!(opt("machine-id"), "0123456789abcdef0123456789abcdef");
    assert_eq!(opt("machine-name"), "nas-02");
    assert_eq!(c.get("/api/v1/backups").text(), "[]");
    assert_eq!(c.get("/api/v1/backup/1/log").status, 404);
    assert_eq!(c.get("/api/v1/notifications").text(), "[]");
    assert_eq!(c.get("/api/v1/serverstate").json()["ProgramState"], "Running");
}

#[test]
fn not_duplicati_mode() {
    let (_s, c) = start(ServerConfig { mode: Mode::NotDuplicati, ..ServerConfig::default() });
    let r = c.get("/");
    assert_eq!(r.status, 200);
    assert!(r.header("Server").unwrap().starts_with("nginx"));
    assert!(r.header("Content-Type").unwrap().starts_with("text/html"));
    let r = c.login_with("duplicati");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("404 Not Found"));
    assert_eq!(c.get("/api/v1/systeminfo").status, 404);
}

#[test]
fn works_inside_a_tokio_runtime() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = TestServer::start(ServerConfig::default()).unwrap();
        let c = Client::new(&s);
        let status = tokio::task::spawn_blocking(move || c.login_with("duplicati").status).await.unwrap();
        assert_eq!(status, 200);
        s.shutdown();
    });
}

#[test]
fn shutdown_frees_the_port() {
    let s = TestServer::start(ServerConfig::default()).unwrap();
    let addr = s.addr();
    drop(s);
    assert!(std::net::TcpStream::connect(addr).is_err());
    let again = TestServer::start(ServerConfig { bind: addr, ..ServerConfig::default() }).unwrap();
    assert_eq!(again.addr(), addr);
}
