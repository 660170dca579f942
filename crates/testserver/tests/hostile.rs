//! Hostile modes on the wire, each shown with a raw client.

mod common;

use std::collections::HashSet;
use std::io::ErrorKind;

use common::{insecure_tls, raw_request, Client, Conn, Resp};
use duplicati_testserver::{fixtures, hostile_text, DataSet, Framing, ServerConfig, TestServer, TlsMode, Version};
use serde_json::Value;

fn start(cfg: ServerConfig) -> (TestServer, Client) {
    let s = TestServer::start(cfg).unwrap();
    let mut c = Client::new(&s);
    c.login();
    (s, c)
}

fn generated(jobs: u32, rows_per_job: u32) -> ServerConfig {
    ServerConfig { data: DataSet::Generated { jobs, rows_per_job, seed: 7 }, ..ServerConfig::default() }
}

/// Opens a connection and sends an authorized GET.
fn send_get(s: &TestServer, c: &Client, path: &str) -> Conn {
    let mut conn = Conn::open(s.addr(), c.tls.clone()).unwrap();
    let auth = format!("Bearer {}", c.token.as_deref().unwrap());
    conn.send(&raw_request("GET", path, &c.host, &[("Authorization", &auth)], None)).unwrap();
    conn
}

/// Reads `n` body bytes after the head (the first `keep` of them are returned).
fn read_body(conn: &mut Conn, mut body: Vec<u8>, n: usize, keep: usize) -> Vec<u8> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = body.len();
    while total < n {
        let got = conn.read(&mut buf).unwrap();
        assert!(got > 0, "closed after {total} body bytes");
        if body.len() < keep {
            body.extend_from_slice(&buf[..got]);
        }
        total += got;
    }
    body.truncate(keep);
    body
}

fn ids(r: &Resp) -> Vec<i64> {
    r.json().as_array().unwrap().iter().map(|row| row["ID"].as_i64().unwrap()).collect()
}

// ---- Endless bodies.

#[test]
fn endless_body_with_a_10_gb_content_length_over_https() {
    let (s, c) = start(ServerConfig { tls: TlsMode::SelfSigned, ..ServerConfig::default() });
    s.faults().endless_body(Framing::ContentLength(10_000_000_000), 1, Some("/api/v1/backups"));
    let mut conn = send_get(&s, &c, "/api/v1/backups");
    let (head, rest) = conn.read_head().unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Content-Length"), Some("10000000000"));
    assert_eq!(head.header("Transfer-Encoding"), None);
    let start = read_body(&mut conn, rest, 32 << 20, 4096);
    let items = fixtures::BACKUPS.trim();
    let expected = format!("[{},", &items[1..items.len() - 1]);
    assert!(start.starts_with(&expected.as_bytes()[..4096.min(expected.len())]), "{}", String::from_utf8_lossy(&start[..200]));
    drop(conn);
    assert_eq!(c.get("/api/v1/backups").status, 200, "one-shot");
}

#[test]
fn endless_body_until_close_repeats_log_rows() {
    let (s, c) = start(generated(1, 300));
    s.faults().endless_body(Framing::UntilClose, 1, Some("/log"));
    let mut conn = send_get(&s, &c, "/api/v1/backup/1/log?pagesize=10");
    let (head, rest) = conn.read_head().unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Content-Length"), None);
    assert_eq!(head.header("Transfer-Encoding"), None);
    assert_eq!(head.header("Connection"), Some("close"));
    let start = read_body(&mut conn, rest, 8 << 20, 1 << 20);
    // The page's ten rows over and over: 300..291, 300..291, …
    let page = c.get("/api/v1/backup/1/log?pagesize=10").text();
    let rows = &page[1..page.len() - 1];
    let expected = format!("[{rows},{rows},");
    assert!(start.starts_with(expected.as_bytes()));
}

#[test]
fn endless_body_chunked_on_2_0() {
    let s = TestServer::start(ServerConfig { version: Version::V2_0_8_1, password: String::new(), ..ServerConfig::default() }).unwrap();
    let c = Client::new(&s);
    let xsrf = c.get("/login.html").cookie("xsrf-token").unwrap();
    let token = xsrf.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=");
    s.faults().endless_body(Framing::Chunked, 1, Some("/backups"));
    let mut conn = Conn::open(s.addr(), None).unwrap();
    let cookie = format!("xsrf-token={xsrf}");
    conn.send(&raw_request("GET", "/api/v1/backups", &c.host, &[("Cookie", &cookie), ("X-XSRF-Token", &token)], None)).unwrap();
    let (head, rest) = conn.read_head().unwrap();
    assert_eq!((head.status, head.reason()), (200, "OK"));
    assert_eq!(head.header("Server"), Some("Tiny WebServer"));
    assert_eq!(head.header("Transfer-Encoding"), Some("chunked"));
    assert_eq!(head.header("Cache-Control"), Some("no-cache, no-store, must-revalidate, max-age=0"));
    let wire = read_body(&mut conn, rest, 1 << 20, 64);
    // The first chunk holds the byte order mark and the opening bracket.
    assert!(wire.starts_with(b"4\r\n\xEF\xBB\xBF[\r\n"), "{:?}", String::from_utf8_lossy(&wire));
    assert!(String::from_utf8_lossy(&wire[9..]).contains("\r\n{\n    \"IsUnencryptedOrPassphraseStored\""));
}

// ---- Log pages that never end.

#[test]
fn looping_pages_answer_the_newest_page_whatever_the_offset() {
    let (s, c) = start(generated(2, 1000));
    s.faults().loop_log_pages(u32::MAX, Some("/backup/1/log"));
    let first = c.get("/api/v1/backup/1/log?pagesize=100");
    assert_eq!(ids(&first), (901..=1000).rev().collect::<Vec<_>>());
    for _ in 0..3 {
        let again = c.get("/api/v1/backup/1/log?offset=901&pagesize=100");
        assert_eq!(again.status, 200);
        assert!(again.body == first.body, "the same page, byte for byte");
    }
    assert_eq!(ids(&c.get("/api/v1/backup/2/log?offset=901&pagesize=10"))[0], 900, "other jobs page normally");
    s.faults().clear();
    assert_eq!(ids(&c.get("/api/v1/backup/1/log?offset=901&pagesize=100"))[0], 900);
}

#[test]
fn growing_pages_are_full_pages_below_every_offset() {
    let (s, c) = start(ServerConfig::default());
    let first_id = 1_000_000_000_000;
    s.faults().grow_log_pages(first_id, false, u32::MAX, Some("/backup/1/log"));
    let real: Vec<Value> = serde_json::from_str(fixtures::LOG_BACKUP1).unwrap();
    let mut seen = HashSet::new();
    let mut offset: Option<i64> = None;
    for page in 0..12 {
        let path = match offset {
            Some(o) => format!("/api/v1/backup/1/log?offset={o}&pagesize=100"),
            None => "/api/v1/backup/1/log?pagesize=100".to_string(),
        };
        let r = c.get(&path);
        assert_eq!(r.status, 200);
        let rows = r.json();
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 100, "a full page");
        for row in rows {
            let id = row["ID"].as_i64().unwrap();
            assert!(offset.is_none_or(|o| id < o), "{id} below {offset:?}");
            assert!(seen.insert(id), "new IDs every page");
            // A real row of the job (6 rows) under a new ID: row ((id - 1) mod 6) + 1.
            let source = &real[5 - (id - 1).rem_euclid(6) as usize];
            assert_eq!(row["Message"], source["Message"]);
            assert_eq!(row["Timestamp"], source["Timestamp"]);
            if page == 0 {
                let result: Value = serde_json::from_str(row["Message"].as_str().unwrap()).unwrap();
                assert!(result["ParsedResult"].is_string());
            }
        }
        offset = rows.last().unwrap()["ID"].as_i64();
    }
    assert_eq!(offset, Some(first_id - 12 * 100 + 1));

    // Near the bottom the IDs go on below 1.
    let r = c.get("/api/v1/backup/1/log?offset=5&pagesize=10");
    assert_eq!(ids(&r), (-5..=4).rev().collect::<Vec<_>>());
    s.faults().clear();
    assert_eq!(ids(&c.get("/api/v1/backup/1/log?offset=5&pagesize=10")), vec![4, 3, 2, 1]);
}

#[test]
fn growing_pages_with_the_same_content_and_on_2_0() {
    let (s, c) = start(generated(1, 20));
    s.faults().grow_log_pages(i64::MAX, true, 1, None);
    let r = c.get("/api/v1/backup/1/log?pagesize=10");
    let rows = r.json();
    let rows = rows.as_array().unwrap();
    assert_eq!(ids(&r), (0..10).map(|k| i64::MAX - k).collect::<Vec<_>>());
    let newest = c.get("/api/v1/backup/1/log?pagesize=10").json()[0].clone();
    assert_eq!(newest["ID"], 20, "one-shot");
    for row in rows {
        assert_eq!(row["Message"], newest["Message"]);
        assert_eq!(row["OperationID"], newest["OperationID"]);
    }

    // 2.0: the same in Newtonsoft's form.
    let s = TestServer::start(ServerConfig { version: Version::V2_0_8_1, password: String::new(), ..generated(1, 20) }).unwrap();
    let c = Client::new(&s);
    let xsrf = c.get("/login.html").cookie("xsrf-token").unwrap();
    let token = xsrf.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=");
    let cookie = format!("xsrf-token={xsrf}");
    s.faults().grow_log_pages(100, false, 1, Some("/log"));
    let r = c.request("GET", "/api/v1/backup/1/log?offset=3&pagesize=10", &[("Cookie", &cookie), ("X-XSRF-Token", &token)], None).unwrap();
    assert_eq!(r.status, 200);
    let rows: Value = serde_json::from_slice(&r.body[3..]).unwrap();
    let got: Vec<i64> = rows.as_array().unwrap().iter().map(|r| r["ID"].as_i64().unwrap()).collect();
    assert_eq!(got, (-7..=2).rev().collect::<Vec<_>>());
    assert!(rows[0]["Exception"].is_null());
}

// ---- Impostors.

#[test]
fn an_impostor_reports_the_same_identity_with_other_keys() {
    let cfg = ServerConfig {
        machine_name: "nas-01".into(),
        machine_id: "b".repeat(32),
        install_id: Some("a".repeat(32)),
        version: Version::V2_2,
        tls: TlsMode::SelfSigned,
        ..ServerConfig::default()
    };
    let (real, rc) = start(cfg);
    let identity = |c: &Client| {
        let info = c.get("/api/v1/systeminfo").json();
        let machine_id = info["Options"].as_array().unwrap().iter().find(|o| o["Name"] == "machine-id").unwrap()["DefaultValue"].clone();
        (info["MachineName"].clone(), machine_id)
    };
    assert_eq!(identity(&rc), (Value::from("nas-01"), Value::from("a".repeat(32))), "2.2 reports the install id");

    // After an upgrade the real server reports machineid.txt; so does the impostor.
    real.upgrade(Version::V2_3_1);
    let (impostor, ic) = start(real.impostor_config());
    assert_ne!(impostor.port(), real.port());
    assert_eq!(impostor.version(), Version::V2_3_1);
    assert_eq!(identity(&ic), identity(&rc));
    assert_eq!(identity(&ic).1, "b".repeat(32));
    assert_ne!(impostor.cert_sha256(), real.cert_sha256(), "its own key and certificate");
    assert_eq!(impostor.stats().logins, 1, "a login attempt (the password) reached the impostor");
    let stolen = Client { token: rc.token.clone(), ..Client::new(&impostor) };
    assert_eq!(stolen.get("/api/v1/backups").status, 401, "the real server's token is not the impostor's");
    assert_eq!(impostor.stats().unauthorized, 1, "but it reached the impostor");

    // The impostor takes over the real server's port once it is gone.
    let addr = real.addr();
    let cfg = ServerConfig { bind: addr, ..real.impostor_config() };
    real.shutdown();
    let (taken, tc) = start(cfg);
    assert_eq!(taken.addr(), addr);
    assert_eq!(identity(&tc), identity(&ic));
}

// ---- Dates out of range.

#[test]
fn bad_dates_in_rows_schedule_and_metadata() {
    let (s, c) = start(generated(2, 40));
    let log_before = c.get("/api/v1/backup/1/log?pagesize=10").body;
    let backups_before = c.get("/api/v1/backups").body;
    s.faults().bad_dates("1");

    let rows = c.get("/api/v1/backup/1/log?pagesize=10").json();
    let by_id = |id: i64| rows.as_array().unwrap().iter().find(|r| r["ID"] == id).unwrap().clone();
    let result = |row: &Value| -> Value { serde_json::from_str(row["Message"].as_str().unwrap()).unwrap() };
    let normal: Vec<Value> = serde_json::from_slice(&log_before).unwrap();
    let normal_ts = |id: i64| normal.iter().find(|r| r["ID"] == id).unwrap()["Timestamp"].as_i64().unwrap();

    let far = by_id(40);
    assert_eq!(far["Timestamp"], 99_999_999_999_999i64);
    assert_eq!(result(&far)["BeginTime"], "9999-12-31T23:00:00Z");
    assert_eq!(result(&far)["EndTime"], "9999-12-31T23:59:59Z");
    let zero = by_id(37);
    assert_eq!(zero["Timestamp"], 0);
    assert_eq!(result(&zero)["BeginTime"], "0001-01-01T00:00:00Z");
    assert_eq!(result(&zero)["EndTime"], "0001-01-01T00:00:00Z");
    let negative = by_id(38);
    assert_eq!(negative["Timestamp"], -62_135_596_800i64);
    assert_eq!(result(&negative)["BeginTime"], "0001-01-01T00:00:00Z");
    assert_eq!(result(&negative)["EndTime"], "9999-12-31T23:59:59Z");
    let reversed = by_id(39);
    assert_eq!(reversed["Timestamp"].as_i64().unwrap(), normal_ts(39));
    let r = result(&reversed);
    assert!(r["EndTime"].as_str().unwrap() < r["BeginTime"].as_str().unwrap(), "EndTime before BeginTime: {r}");

    let backups = c.get("/api/v1/backups").json();
    let job1 = &backups[0];
    assert_eq!(job1["Schedule"]["Time"], "9999-12-31T23:59:59Z");
    assert_eq!(job1["Schedule"]["LastRun"], "9999-12-31T00:00:00Z");
    let md = job1["Backup"]["Metadata"].as_object().unwrap();
    assert_eq!(md["LastBackupDate"], "99991231T235959Z");
    assert_eq!(md["LastBackupFinished"], "99991231T235959Z");
    assert_ne!(md["BackupListCount"], "99991231T235959Z");
    assert_ne!(backups[1]["Schedule"]["Time"], "9999-12-31T23:59:59Z", "job 2 is untouched");
    let state = c.get("/api/v1/serverstate").json();
    let proposed = state["ProposedSchedule"].as_array().unwrap();
    assert_eq!(proposed.iter().find(|p| p["Item1"] == "1").unwrap()["Item2"], "9999-12-31T23:59:59Z");

    // What is stored never changed.
    s.faults().good_dates("1");
    assert!(c.get("/api/v1/backup/1/log?pagesize=10").body == log_before);
    assert!(c.get("/api/v1/backups").body == backups_before);
}

#[test]
fn bad_dates_on_a_fixture_job_without_metadata() {
    let (s, c) = start(ServerConfig::default());
    s.faults().bad_dates("3");
    s.faults().bad_dates("1");
    let backups = c.get("/api/v1/backups").json();
    let md = backups[2]["Backup"]["Metadata"].as_object().unwrap();
    assert_eq!(md.len(), 3, "{md:?}");
    assert!(md.values().all(|v| v == "99991231T235959Z"));
    let log = c.get("/api/v1/backup/1/log").json();
    assert_eq!(log.as_array().unwrap().len(), 6);
    assert_eq!(log[2]["ID"], 4);
    assert_eq!(log[2]["Timestamp"], 99_999_999_999_999i64, "row 4");
    s.faults().clear();
    assert!(c.get("/api/v1/backup/1/log").body == fixtures::LOG_BACKUP1.as_bytes());
}

// ---- A ClientHello answered with a reset or a close.

#[test]
fn client_hello_is_reset_while_plain_http_is_served() {
    let (s, c) = start(ServerConfig::default());
    s.faults().reset_client_hello(1);
    let err = Conn::open(s.addr(), Some(insecure_tls())).err().expect("TLS fails");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
    assert_eq!(c.get("/api/v1/serverstate").status, 200, "plain HTTP on the same port");
    // Used up: a plain port answers a ClientHello with 400 again, which rustls cannot parse.
    let err = Conn::open(s.addr(), Some(insecure_tls())).err().expect("not TLS");
    assert_eq!(err.kind(), ErrorKind::InvalidData, "{err:?}");
}

#[test]
fn client_hello_is_closed_without_an_answer() {
    let (s, c) = start(ServerConfig::default());
    s.faults().close_client_hello(2);
    for _ in 0..2 {
        let err = Conn::open(s.addr(), Some(insecure_tls())).err().expect("TLS fails");
        assert_eq!(err.kind(), ErrorKind::UnexpectedEof, "{err:?}");
    }
    assert_eq!(c.get("/api/v1/serverstate").status, 200);
}

#[test]
fn an_https_server_downgraded_by_a_man_in_the_middle() {
    let (s, https) = start(ServerConfig { tls: TlsMode::SelfSigned, ..ServerConfig::default() });
    assert!(s.url().starts_with("https://"));
    s.faults().reset_client_hello(u32::MAX);
    assert_eq!(Conn::open(s.addr(), Some(insecure_tls())).err().expect("TLS fails").kind(), ErrorKind::ConnectionReset);
    let mut plain = Client { tls: None, ..https };
    plain.login();
    let r = plain.get("/api/v1/systeminfo");
    assert_eq!(r.status, 200, "the API over plain HTTP on the HTTPS port");
    s.faults().clear();
    assert!(Conn::open(s.addr(), Some(insecure_tls())).is_ok(), "HTTPS again");
    assert!(plain.request("GET", "/api/v1/systeminfo", &[], None).is_err(), "and no more plain HTTP");
}

// ---- Oversized error texts.

#[test]
fn oversized_error_texts() {
    let (s, c) = start(ServerConfig::default());
    let len = 1 << 20;
    s.faults().oversized_error_text(403, len, 1, Some("/backups"));
    let r = c.get("/api/v1/backups");
    assert_eq!((r.status, r.reason()), (403, "Forbidden"));
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.header("Content-Length"), Some("1048576"));
    assert!(r.complete);
    assert!(r.body == hostile_text(len).as_bytes());
    assert!(r.body.starts_with(b"\x1b[2J\x1b[H\x1b]0;"));
    assert!(r.body.windows(2).any(|w| w == b"\x07\x1b") && r.body.contains(&0));

    s.faults().oversized_error_json(500, len, 1, None);
    let r = c.get("/api/v1/serverstate");
    assert_eq!(r.status, 500);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert!(!r.body.contains(&0x1b), "escaped in JSON");
    let body = r.json();
    assert_eq!(body["Error"].as_str().unwrap(), hostile_text(len));
    assert_eq!(body["Code"], 500);
    assert_eq!(c.get("/api/v1/serverstate").status, 200, "one-shot");
}
