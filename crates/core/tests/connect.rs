//! Protocol detection and every connection failure, over real loopback HTTP and HTTPS.
mod common;

use common::*;
use duplicati_testserver::{DataSet, Mode, ServerConfig, TestServer, TlsMode, Version};
use duplidesk_core::tls::parse_pem_certs;
use duplidesk_core::{ErrorCode, Protocol};
use std::net::SocketAddr;

#[tokio::test(flavor = "multi_thread")]
async fn self_signed_https_is_trusted_on_first_use_and_pinned() {
    let server = server(DataSet::Fixture, TlsMode::SelfSigned);
    let env = Env::new();
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    let info = s.server.unwrap();
    assert_eq!(info.protocol, Protocol::HttpsSelfSigned);
    assert_eq!(info.url, format!("https://127.0.0.1:{}", server.port()));
    assert_eq!(info.certificate_sha256, server.cert_sha256(), "the pinned fingerprint is the server's");
    assert_eq!(env.store().servers().unwrap()[0].cert_sha256, server.cert_sha256());

    // A changed certificate is refused until the user re-trusts it.
    let old = server.cert_sha256().unwrap();
    server.rotate_certificate();
    let new = server.cert_sha256().unwrap();
    let s = env.collect_one(&server).await;
    let e = s.error.unwrap();
    assert_eq!(e.code, ErrorCode::CertificateChanged);
    assert!(e.message.contains(&old) && e.message.contains(&new), "{}", e.message);
    assert_eq!(env.store().servers().unwrap()[0].cert_sha256.as_deref(), Some(old.as_str()));

    let mut opts = options();
    opts.connect.accept_fingerprint = Some(new.clone());
    let mut env = env;
    env.reopen(opts);
    let s = env.collect_one(&server).await;
    assert!(s.ok, "{s:?}");
    assert_eq!(env.store().servers().unwrap()[0].cert_sha256.as_deref(), Some(new.as_str()));
}

/// `--trust-new-certificate F` with `--all`: only the server that shows F takes it as its new
/// pin; every other server keeps its own, and a new certificate that is not F is still refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_re_trusted_fingerprint_applies_only_to_the_server_that_shows_it() {
    let a = server(DataSet::Fixture, TlsMode::SelfSigned);
    let b = server(DataSet::Fixture, TlsMode::SelfSigned);
    let c = server(DataSet::Fixture, TlsMode::SelfSigned);
    let hosts = [("127.0.0.1", a.port()), ("127.0.0.1", b.port()), ("127.0.0.1", c.port())];
    let mut env = Env::new();
    assert!(env.collect(&hosts, PASSWORD).await.iter().all(|s| s.ok));
    let b_pin = b.cert_sha256().unwrap();
    a.rotate_certificate();
    c.rotate_certificate();
    let accepted = a.cert_sha256().unwrap();

    let mut opts = options();
    opts.connect.accept_fingerprint = Some(accepted.clone());
    env.reopen(opts);
    let results = env.collect(&hosts, PASSWORD).await;
    assert!(results[0].ok, "{:?}", results[0]);
    assert_eq!(results[0].server.as_ref().unwrap().certificate_sha256.as_deref(), Some(accepted.as_str()));
    assert!(results[1].ok, "an unchanged server keeps working: {:?}", results[1]);
    assert_eq!(results[1].server.as_ref().unwrap().certificate_sha256.as_deref(), Some(b_pin.as_str()));
    assert_eq!(results[2].error.as_ref().map(|e| e.code), Some(ErrorCode::CertificateChanged), "{:?}", results[2]);
    assert_eq!(c.stats().logins, 1, "no password went to the changed certificate that was not accepted");
}

#[tokio::test(flavor = "multi_thread")]
async fn fingerprint_matches_openssl() {
    let server = server(DataSet::Empty, TlsMode::SelfSigned);
    let der = server.cert_der().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cert.der");
    std::fs::write(&path, der).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&path)
        .output()
        .expect("openssl is installed by scripts/install-deps.sh --test");
    let text = String::from_utf8(out.stdout).unwrap();
    let value = text.trim().rsplit('=').next().unwrap();
    let s = Env::new().collect_one(&server).await;
    assert_eq!(s.server.unwrap().certificate_sha256.as_deref(), Some(value));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_from_a_trusted_ca_is_verified_https() {
    let server = server(DataSet::Fixture, TlsMode::CaSigned);
    let mut opts = options();
    opts.connect.extra_roots = parse_pem_certs(server.ca_pem().unwrap().as_bytes());
    assert_eq!(opts.connect.extra_roots.len(), 1);
    let env = Env::with(opts);
    let s = env.collect(&[("localhost", server.port())], PASSWORD).await.remove(0);
    assert!(s.ok, "{s:?}");
    assert_eq!(s.server.unwrap().protocol, Protocol::Https);

    // Without the CA the same server is only self-signed.
    let s = Env::new().collect(&[("localhost", server.port())], PASSWORD).await.remove(0);
    assert_eq!(s.server.unwrap().protocol, Protocol::HttpsSelfSigned);
}

#[tokio::test(flavor = "multi_thread")]
async fn https_is_never_downgraded_to_http() {
    let https = server(DataSet::Fixture, TlsMode::SelfSigned);
    let port = https.port();
    let env = Env::new();
    assert!(env.collect_one(&https).await.ok);
    drop(https);
    let http = TestServer::start(ServerConfig { bind: SocketAddr::from(([127, 0, 0, 1], port)), ..ServerConfig::default() }).unwrap();
    let s = env.collect_one(&http).await;
    assert_eq!(s.error.unwrap().code, ErrorCode::TlsError, "a server that used HTTPS is not reached over HTTP");
    assert_eq!(env.store().servers().unwrap()[0].protocol, Some(Protocol::HttpsSelfSigned));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stored_url_is_used_next_time() {
    let server = server(DataSet::Fixture, TlsMode::Plain);
    let env = Env::new();
    assert!(env.collect_one(&server).await.ok);
    assert_eq!(server.stats().bad_requests, 1, "the first collect probed HTTPS: {:?}", server.stats());
    server.reset_stats();
    assert!(env.collect_one(&server).await.ok);
    assert_eq!(server.stats().bad_requests, 0, "no HTTPS probe once HTTP is known: {:?}", server.stats());
}

async fn failure(host: &str, port: u16, password: &str) -> duplidesk_core::Error {
    let mut opts = options();
    opts.connect.request_timeout = std::time::Duration::from_secs(2);
    let s = Env::with(opts).collect(&[(host, port)], password).await.remove(0);
    assert!(!s.ok);
    let e = s.error.unwrap();
    assert!(!e.message.is_empty() && !e.hint.is_empty());
    e
}

#[tokio::test(flavor = "multi_thread")]
async fn every_failure_has_its_code() {
    let ok = server(DataSet::Fixture, TlsMode::Plain);
    assert_eq!(failure("127.0.0.1", ok.port(), "wrong").await.code, ErrorCode::AuthFailed);
    assert_eq!(failure("no-such-host.invalid", 8200, PASSWORD).await.code, ErrorCode::DnsFailed);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    assert_eq!(failure("127.0.0.1", closed, PASSWORD).await.code, ErrorCode::ConnectionRefused);

    let legacy = TestServer::start(ServerConfig { version: Version::V2_0_8_1, ..ServerConfig::default() }).unwrap();
    let e = failure("127.0.0.1", legacy.port(), "wrong").await;
    assert_eq!(e.code, ErrorCode::AuthFailed, "2.0's login.cgi turned the password down: {e:?}");
    let web = TestServer::start(ServerConfig { mode: Mode::NotDuplicati, ..ServerConfig::default() }).unwrap();
    assert_eq!(failure("127.0.0.1", web.port(), PASSWORD).await.code, ErrorCode::NotDuplicati);

    ok.faults().fail_with_status(500, 1, Some("/api/v1/auth/login"));
    assert_eq!(failure("127.0.0.1", ok.port(), PASSWORD).await.code, ErrorCode::ServerError);
    ok.faults().malformed_json(5, Some("/api/v1/systeminfo"));
    assert!(matches!(failure("127.0.0.1", ok.port(), PASSWORD).await.code, ErrorCode::InvalidResponse | ErrorCode::NotDuplicati));
    ok.faults().clear();
    ok.faults().truncate_body(5, Some("/api/v1/backups"));
    assert_eq!(failure("127.0.0.1", ok.port(), PASSWORD).await.code, ErrorCode::InvalidResponse);
    ok.faults().clear();

    // A listener that accepts but never answers trips the whole-request timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    assert_eq!(failure("127.0.0.1", port, PASSWORD).await.code, ErrorCode::Timeout);
}

/// Duplicati refuses names that are not in its allowed-hostnames list (403 "Invalid hostname").
#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_host_name_says_what_to_do() {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|s| s.trim().to_owned()).unwrap_or_default();
    let resolves_to_loopback =
        std::net::ToSocketAddrs::to_socket_addrs(&(name.as_str(), 1)).map(|mut a| a.any(|a| a.ip().is_loopback())).unwrap_or(false);
    assert!(resolves_to_loopback, "this test needs the machine's host name ({name}) to resolve to 127.0.0.1 (/etc/hosts)");
    let server = TestServer::start(ServerConfig { bind: SocketAddr::from(([0, 0, 0, 0], 0)), ..ServerConfig::default() }).unwrap();
    let e = failure(&name, server.port(), PASSWORD).await;
    assert_eq!(e.code, ErrorCode::HostRejected);
    assert!(e.hint.contains("allowed hostnames") && e.hint.contains(&name), "{}", e.hint);
    assert!(e.hint.contains("restart Duplicati"), "the list is read when Duplicati starts: {}", e.hint);

    let allowed = TestServer::start(ServerConfig {
        bind: SocketAddr::from(([0, 0, 0, 0], 0)),
        allowed_hostnames: vec![name.clone()],
        ..ServerConfig::default()
    })
    .unwrap();
    let s = Env::new().collect(&[(name.as_str(), allowed.port())], PASSWORD).await.remove(0);
    assert!(s.ok, "{s:?}");
}

/// On first contact, a server that speaks no TLS gets the password over plain HTTP only when
/// the user allows it (loopback needs no consent: nothing leaves the machine).
#[tokio::test(flavor = "multi_thread")]
async fn plain_http_on_the_network_needs_consent_before_the_password_is_sent() {
    let ip = network_address().to_string();
    let server = TestServer::start(ServerConfig { bind: SocketAddr::from(([0, 0, 0, 0], 0)), ..ServerConfig::default() }).unwrap();
    let env = Env::new();
    let s = env.collect(&[(ip.as_str(), server.port())], PASSWORD).await.remove(0);
    assert_eq!(s.error.as_ref().map(|e| e.code), Some(ErrorCode::PlainHttp), "{s:?}");
    assert_eq!(server.stats().logins, 0, "no password went out in clear");

    let mut opts = options();
    opts.connect.allow_http = true;
    let mut env = env;
    env.reopen(opts);
    let s = env.collect(&[(ip.as_str(), server.port())], PASSWORD).await.remove(0);
    assert!(s.ok, "{s:?}");
    assert_eq!(s.server.unwrap().protocol, Protocol::Http);
    env.reopen(options());
    assert!(env.collect(&[(ip.as_str(), server.port())], PASSWORD).await.remove(0).ok, "consent is remembered for that address");
}

/// Editing a server's address keeps its trust record: a server pinned over HTTPS is never
/// collected over plain HTTP at its new address, whatever answers there.
#[tokio::test(flavor = "multi_thread")]
async fn an_edited_address_keeps_the_trust_record() {
    let https = server(DataSet::Fixture, TlsMode::SelfSigned);
    let plain = server(DataSet::Fixture, TlsMode::Plain);
    let env = Env::new();
    let id = env.collect_one(&https).await.server.unwrap().id;
    let settings = duplidesk_core::store::ServerSettings { alias: None, note: None, host: "127.0.0.1".into(), port: plain.port() };
    env.store().update_server_settings(id, &settings).unwrap();
    assert_eq!(env.store().server(id).unwrap().unwrap().protocol, Some(Protocol::HttpsSelfSigned));
    let mut env = env;
    env.reopen(options()); // no kept session either
    let s = env.collect(&[("127.0.0.1", plain.port())], PASSWORD).await.remove(0);
    assert_eq!(s.error.as_ref().map(|e| e.code), Some(ErrorCode::TlsError), "{s:?}");
    assert_eq!(plain.stats().logins, 0, "the password never went to the plain-HTTP port");
}
