//! Hostile modes on the wire, each shown with a raw client.

mod common;

use common::{raw_request, Client, Conn};
use duplicati_testserver::{fixtures, DataSet, Framing, ServerConfig, TestServer, TlsMode, Version};

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
