//! The 2.0.8.1 profile on the wire: XSRF, `/login.cgi`, session cookies and Newtonsoft bodies.

mod common;

use common::{raw_request, Client, Conn, Resp};
use duplicati_testserver::{legacy_login_answer, DataSet, ServerConfig, TestServer, Version};
use serde_json::Value;

fn server(data: DataSet) -> (TestServer, Client) {
    let s = TestServer::start(ServerConfig { version: Version::V2_0_8_1, data, ..ServerConfig::default() }).unwrap();
    let c = Client::new(&s);
    (s, c)
}

/// Percent-decoding of a cookie value.
fn decode(v: &str) -> String {
    let mut out = Vec::new();
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn form_encode(v: &str) -> String {
    v.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// A JSON body of the 2.0 server: a UTF-8 byte order mark, then Newtonsoft's indented JSON.
fn json(r: &Resp) -> Value {
    assert!(r.body.starts_with(b"\xEF\xBB\xBF"), "BOM: {:?}", &r.body[..r.body.len().min(8)]);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    serde_json::from_slice(&r.body[3..]).unwrap()
}

/// The logged-in state of a 2.0 client: cookies and the XSRF header value.
struct Session {
    xsrf: String,
    cookie: String,
}

impl Session {
    /// The full login of `login.js`: get a nonce and salt, answer with the hashed password.
    fn login(c: &Client, password: &str) -> Result<Session, Resp> {
        let r = c.request("POST", "/login.cgi", &[], Some(("application/x-www-form-urlencoded", b"get-nonce=1"))).unwrap();
        assert_eq!((r.status, r.reason()), (200, "OK"));
        let xsrf = r.cookie("xsrf-token").expect("xsrf cookie");
        let nonce_cookie = r.cookie("session-nonce").expect("nonce cookie");
        let body = json(&r);
        assert_eq!(body["Status"], "OK");
        let (nonce, salt) = (body["Nonce"].as_str().unwrap(), body["Salt"].as_str().unwrap());
        assert_eq!(decode(&nonce_cookie), nonce, "the cookie holds the URL-encoded nonce");
        let answer = legacy_login_answer(password, nonce, salt);
        let form = format!("password={}", form_encode(&answer));
        let cookie = format!("xsrf-token={xsrf}; session-nonce={nonce_cookie}");
        let r =
            c.request("POST", "/login.cgi", &[("Cookie", &cookie)], Some(("application/x-www-form-urlencoded", form.as_bytes()))).unwrap();
        if r.status != 200 {
            return Err(r);
        }
        assert_eq!(json(&r), serde_json::json!({"Status": "OK"}));
        let auth = r.cookie("session-auth").expect("session cookie");
        Ok(Session { xsrf: decode(&xsrf), cookie: format!("xsrf-token={xsrf}; session-auth={auth}") })
    }

    fn get(&self, c: &Client, path: &str) -> Resp {
        c.request("GET", path, &[("Cookie", &self.cookie), ("X-XSRF-Token", &self.xsrf)], None).unwrap()
    }
}

#[test]
fn json_login_is_refused_with_the_xsrf_answer() {
    let (_s, c) = server(DataSet::Fixture);
    let r = c.login_with("duplicati");
    assert_eq!((r.status, r.reason()), (400, "Missing XSRF Token. Please reload the page"));
    assert_eq!(r.body.len(), 0);
    assert_eq!(r.header("Content-Type"), None);
    assert_eq!(r.header("Server"), Some("Tiny WebServer"));
    assert_eq!(r.header("Connection"), Some("close"), "400 drops the connection");
    let cookie = r.all("Set-Cookie")[0];
    // The value ends with "path=/; " (the test client trims the trailing space).
    assert!(cookie.starts_with("xsrf-token=") && cookie.ends_with(";path=/;") && cookie.contains("; expires="), "{cookie}");
    assert!(cookie.contains("%3D;"), "base64 padding URL-encoded: {cookie}");
    // Every API route, with or without a bearer token.
    for path in ["/api/v1/systeminfo", "/api/v1/backups", "/api/v1/backup/1/log"] {
        let r = c.get(path);
        assert_eq!((r.status, r.reason()), (400, "Missing XSRF Token. Please reload the page"), "{path}");
    }
    let r = c.get("/");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/login.html"));
}

#[test]
fn login_cgi_session_and_api_access() {
    let (s, c) = server(DataSet::Fixture);
    // An XSRF token alone is not a login.
    let r = c.request("GET", "/login.html", &[], None).unwrap();
    let xsrf = r.cookie("xsrf-token").unwrap();
    let r =
        c.request("GET", "/api/v1/backups", &[("Cookie", &format!("xsrf-token={xsrf}")), ("X-XSRF-Token", &decode(&xsrf))], None).unwrap();
    assert_eq!((r.status, r.reason(), r.header("Location")), (401, "Not logged in", Some("login.html")));
    // The header must carry the decoded token.
    let r = c.request("GET", "/api/v1/backups", &[("Cookie", &format!("xsrf-token={xsrf}")), ("X-XSRF-Token", &xsrf)], None).unwrap();
    assert_eq!(r.status, 400);

    let err = Session::login(&c, "wrong").err().expect("wrong password");
    assert_eq!((err.status, err.reason(), err.body.len()), (401, "Unauthorized", 0));
    assert_eq!(err.header("Content-Type"), Some("application/json"));

    let session = Session::login(&c, "duplicati").unwrap();
    let r = session.get(&c, "/api/v1/backups");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Cache-Control"), Some("no-cache, no-store, must-revalidate, max-age=0"));
    let cookies = r.all("Set-Cookie");
    assert!(cookies.iter().any(|c| c.starts_with("xsrf-token=")), "XSRF cookie refreshed");
    assert!(cookies.iter().any(|c| c.starts_with("session-auth=")), "session slides another hour");
    let text = String::from_utf8_lossy(&r.body[3..]).into_owned();
    assert!(text.starts_with("[\n  {\n    \"IsUnencryptedOrPassphraseStored\": false,\n    \"Schedule\": {"), "{text}");
    let list = json(&r);
    let first = list[0].as_object().unwrap();
    assert_eq!(first.keys().collect::<Vec<_>>(), ["IsUnencryptedOrPassphraseStored", "Schedule", "Backup"]);
    let b = first["Backup"].as_object().unwrap();
    assert_eq!(
        b.keys().collect::<Vec<_>>(),
        ["ID", "Name", "Description", "Tags", "TargetURL", "DBPath", "Sources", "Settings", "Filters", "Metadata", "IsTemporary"]
    );
    assert_eq!(b["Sources"], Value::Null);
    assert_eq!(first["Schedule"]["AllowedDays"], serde_json::json!(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]));
    assert!(text.contains("auth-password=exampleSecretKey"), "Newtonsoft leaves & and + alone: {text}");
    assert_eq!(list[2]["Schedule"], Value::Null);
    let st = s.stats();
    assert_eq!((st.logins, st.failed_logins, st.unauthorized), (2, 1, 1));

    let r = c.request("GET", "/logout.cgi", &[("Cookie", &session.cookie)], None).unwrap();
    assert_eq!((r.status, r.reason()), (204, "OK"));
    assert_eq!(session.get(&c, "/api/v1/backups").status, 401, "the session is gone");
}

#[test]
fn api_bodies_in_the_2_0_shape() {
    let (s, c) = server(DataSet::Generated { jobs: 2, rows_per_job: 120, seed: 4 });
    let session = Session::login(&c, "duplicati").unwrap();

    let info = json(&session.get(&c, "/api/v1/systeminfo"));
    assert_eq!(info["ServerVersion"], "2.0.8.1");
    assert_eq!(info["ServerVersionName"], " - 2.0.8.1_beta_2024-05-07");
    assert_eq!(info["BaseVersionName"], "2.0.8.1_beta_2024-05-07");
    assert_eq!(info["ServerVersionType"], "Beta");
    assert!(info["MonoVersion"].is_string() && info["CLROSInfo"].is_object());
    assert!(info.get("PackageTypeId").is_none(), "a 2.1 field");
    let opt = info["Options"].as_array().unwrap().iter().find(|o| o["Name"] == "machine-id").unwrap().as_object().unwrap().clone();
    assert_eq!(opt.keys().next().map(String::as_str), Some("Name"), "CommandLineArgument's order");
    assert_eq!(opt["DefaultValue"], duplicati_testserver::FIXTURE_MACHINE_ID);

    let r = session.get(&c, "/api/v1/serverstate");
    let raw = String::from_utf8_lossy(&r.body).into_owned();
    assert!(raw.contains("\"UpdateDownloadProgress\": 0.0,"), "Newtonsoft doubles keep a fraction: {raw}");
    let state = json(&r);
    assert_eq!(state.as_object().unwrap().keys().next().map(String::as_str), Some("ProgramState"));
    assert_eq!(state["UpdateReady"], false);

    let r = session.get(&c, "/api/v1/backup/1/log?pagesize=12");
    let rows = json(&r);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 12);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["ID", "OperationID", "Timestamp", "Type", "Message", "Exception"]);
    assert_eq!(rows[0]["Exception"], Value::Null, "DBNull as null");
    assert_eq!(rows[0]["ID"], 120);
    let msg: Value = serde_json::from_str(rows[0]["Message"].as_str().unwrap()).unwrap();
    assert_eq!(msg["Version"], "2.0.8.1 (2.0.8.1_beta_2024-05-07)");
    // 2.0's DumpTable: a pagesize that is no number means 100, an offset that is none is ignored.
    assert_eq!(json(&session.get(&c, "/api/v1/backup/1/log?pagesize=abc")).as_array().unwrap().len(), 100);
    assert_eq!(json(&session.get(&c, "/api/v1/backup/1/log?offset=x&pagesize=10")).as_array().unwrap()[0]["ID"], 120);
    assert_eq!(json(&session.get(&c, "/api/v1/backup/1/log?offset=50&pagesize=3")).as_array().unwrap()[0]["ID"], 49);

    let r = session.get(&c, "/api/v1/backup/9/log");
    assert_eq!((r.status, r.reason()), (404, "Invalid or missing backup id"));
    assert_eq!(json(&r), serde_json::json!({"Error": "Invalid or missing backup id"}));
    let r = session.get(&c, "/api/v1/progressstate");
    assert_eq!((r.status, r.reason()), (404, "No active backup"));
    assert_eq!(session.get(&c, "/api/v1/nosuchthing").reason(), "No such module");

    s.start_task("2");
    let state = json(&session.get(&c, "/api/v1/serverstate"));
    assert_eq!(state["ActiveTask"], serde_json::json!({"Item1": 2, "Item2": "2"}));
    let progress = json(&session.get(&c, "/api/v1/progressstate"));
    assert_eq!(progress["BackupID"], "2");
    assert!(progress.get("ActiveTransfers").is_none(), "2.1.2+ only");
}

#[test]
fn a_job_without_database_and_the_fixture_rows() {
    let (_s, c) = server(DataSet::Fixture);
    let session = Session::login(&c, "duplicati").unwrap();
    // Opening the missing file creates an empty database without a LogData table.
    let r = session.get(&c, "/api/v1/backup/2/log");
    assert_eq!((r.status, r.reason()), (500, "Error"));
    assert_eq!(json(&r)["Type"], "SqliteException");
    // The recorded rows, as 2.0.8.1 would have written them.
    let rows = json(&session.get(&c, "/api/v1/backup/1/log"));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    let msg: Value = serde_json::from_str(rows[0]["Message"].as_str().unwrap()).unwrap();
    assert_eq!(msg["Version"], "2.0.8.1 (2.0.8.1_beta_2024-05-07)");
    assert_eq!(msg["MainOperation"], "Backup");
}

#[test]
fn keep_alive_only_when_asked_and_host_names() {
    let (s, c) = server(DataSet::Fixture);
    let mut conn = Conn::open(s.addr(), None).unwrap();
    for _ in 0..2 {
        conn.send(&raw_request("GET", "/login.html", "localhost", &[("Connection", "keep-alive")], None)).unwrap();
        let r = conn.read_response().unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("Keep-Alive"), Some("timeout=20, max=400"));
        assert_eq!(r.header("Connection"), Some("Keep-Alive"));
    }
    assert_eq!(c.get("/login.html").header("Connection"), Some("close"), "HTTP/1.1 without the header closes");

    let mut c = Client::new(&s);
    c.host = "nas.local:8200".into();
    let r = c.get("/api/v1/backups");
    assert_eq!(
        (r.status, r.reason(), r.text().as_str()),
        (403, "The host header sent by the client is not allowed", "The host header sent by the client is not allowed")
    );
    // Uri.Host keeps IPv6 brackets, which the address patterns do not accept.
    c.host = format!("[::1]:{}", s.port());
    assert_eq!(c.get("/login.html").status, 403);
    c.host = "192.168.1.9".into();
    assert_eq!(c.get("/login.html").status, 200);
}

#[test]
fn without_a_password_the_api_is_open() {
    let s = TestServer::start(ServerConfig { version: Version::V2_0_8_1, password: String::new(), ..ServerConfig::default() }).unwrap();
    let c = Client::new(&s);
    let xsrf = c.get("/login.html").cookie("xsrf-token").unwrap();
    let r = c
        .request("GET", "/api/v1/serverstate", &[("Cookie", &format!("xsrf-token={xsrf}")), ("X-XSRF-Token", &decode(&xsrf))], None)
        .unwrap();
    assert_eq!(r.status, 200);
}
