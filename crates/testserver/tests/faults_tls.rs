//! Fault injection and HTTPS.

mod common;

use std::io::ErrorKind;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{raw_request, tls_trusting, Client, Conn};
use duplicati_testserver::{ServerConfig, TestServer, TlsMode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use sha2::{Digest, Sha256};

fn server(tls: TlsMode) -> (TestServer, Client) {
    let s = TestServer::start(ServerConfig { tls, ..ServerConfig::default() }).unwrap();
    let mut c = Client::new(&s);
    c.login();
    (s, c)
}

#[test]
fn fail_with_status_is_one_shot_and_filtered() {
    let (s, c) = server(TlsMode::Plain);
    s.faults().fail_with_status(500, 2, Some("/log"));
    assert_eq!(c.get("/api/v1/backups").status, 200, "path filter");
    for _ in 0..2 {
        let r = c.get("/api/v1/backup/1/log");
        assert_eq!(r.status, 500);
        assert_eq!(r.text(), r#"{"Error":"An error occurred","Code":500}"#);
    }
    assert_eq!(c.get("/api/v1/backup/1/log").status, 200);
    s.faults().fail_with_status(503, 1, None);
    let r = c.get("/api/v1/serverstate");
    assert_eq!((r.status, r.body.len()), (503, 0));
    assert_eq!(s.stats().log_requests["1"], 1, "faulted requests never reach the handler");
}

#[test]
fn truncated_body() {
    let (s, c) = server(TlsMode::Plain);
    s.faults().truncate_body(1, Some("/systeminfo"));
    let r = c.get("/api/v1/systeminfo");
    assert_eq!(r.status, 200);
    assert!(!r.complete);
    let announced: usize = r.header("Content-Length").unwrap().parse().unwrap();
    assert_eq!(r.body.len(), announced / 2);
    assert!(c.get("/api/v1/systeminfo").complete);
}

#[test]
fn malformed_json() {
    let (s, c) = server(TlsMode::Plain);
    s.faults().malformed_json(1, None);
    let r = c.get("/api/v1/backups");
    assert_eq!(r.status, 200);
    assert!(r.complete);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    c.get("/api/v1/backups").json();
}

#[test]
fn stalled_body_until_client_gives_up() {
    let (s, c) = server(TlsMode::Plain);
    s.faults().stall_body(1, Some("/log"));
    let mut conn = Conn::open(s.addr(), None).unwrap();
    conn.tcp().set_read_timeout(Some(Duration::from_millis(400))).unwrap();
    let auth = format!("Bearer {}", c.token.as_deref().unwrap());
    conn.send(&raw_request("GET", "/api/v1/backup/1/log", "localhost", &[("Authorization", &auth)], None)).unwrap();
    let t = Instant::now();
    let err = conn.read_response().unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut), "{err:?}");
    assert!(t.elapsed() >= Duration::from_millis(350));
    drop(conn);
    assert_eq!(c.get("/api/v1/backup/1/log").status, 200, "one-shot");
}

#[test]
fn reset_connection() {
    let (s, c) = server(TlsMode::Plain);
    s.faults().reset_connection(1, Some("/backups"));
    let err = c.request("GET", "/api/v1/backups", &[], None).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof | ErrorKind::ConnectionAborted), "{err:?}");
    assert_eq!(c.get("/api/v1/backups").status, 200);
}

#[test]
fn latency_and_clear() {
    let (s, c) = server(TlsMode::Plain);
    s.faults().set_latency(Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(c.get("/api/v1/serverstate").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    s.faults().fail_with_status(500, 5, None);
    s.faults().clear();
    assert_eq!(c.get("/api/v1/serverstate").status, 200);
}

#[test]
fn tokens_expire_after_n_requests() {
    let (s, mut c) = server(TlsMode::Plain);
    s.faults().expire_tokens_after(3);
    for _ in 0..3 {
        assert_eq!(c.get("/api/v1/serverstate").status, 200);
    }
    let r = c.get("/api/v1/serverstate");
    assert_eq!((r.status, r.body.len()), (401, 0));
    let h = r.header("WWW-Authenticate").unwrap();
    assert!(h.starts_with(r#"Bearer error="invalid_token", error_description="The token expired at '"#) && h.ends_with("'\""), "{h}");
    assert_eq!(c.get("/api/v1/serverstate").status, 401, "stays expired");
    c.login();
    assert_eq!(c.get("/api/v1/serverstate").status, 200, "fresh login, fresh token");
    s.faults().clear();
    for _ in 0..5 {
        assert_eq!(c.get("/api/v1/serverstate").status, 200);
    }
}

fn openssl_fingerprint(der: &[u8]) -> Option<String> {
    let mut child = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-fingerprint", "-sha256"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    std::io::Write::write_all(child.stdin.as_mut()?, der).ok()?;
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    // "sha256 Fingerprint=AB:CD:..." (older versions: "SHA256 Fingerprint=")
    Some(text.trim().split_once('=')?.1.to_string())
}

#[test]
fn self_signed_fingerprint_and_rotation() {
    let (s, c) = server(TlsMode::SelfSigned);
    assert!(s.url().starts_with("https://127.0.0.1:"));
    assert_eq!(c.get("/api/v1/serverstate").status, 200);
    let der = s.cert_der().unwrap();
    let conn = Conn::open(s.addr(), c.tls.clone()).unwrap();
    assert_eq!(conn.peer_cert().unwrap(), der, "served certificate");
    let fp = s.cert_sha256().unwrap();
    let expected: Vec<String> = Sha256::digest(&der).iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(fp, expected.join(":"));
    assert_eq!(fp.len(), 32 * 3 - 1);
    match openssl_fingerprint(&der) {
        Some(o) => assert_eq!(o, fp, "openssl agrees"),
        None => eprintln!("openssl not available; skipped the openssl comparison"),
    }
    assert!(s.ca_pem().is_none());

    s.rotate_certificate();
    let fp2 = s.cert_sha256().unwrap();
    assert_ne!(fp, fp2);
    let conn = Conn::open(s.addr(), c.tls.clone()).unwrap();
    assert_eq!(conn.peer_cert().unwrap(), s.cert_der().unwrap(), "new connections get the new certificate");
    assert_eq!(c.get("/api/v1/serverstate").status, 200);
}

#[test]
fn ca_signed_is_trusted_via_the_ca() {
    let s = TestServer::start(ServerConfig { tls: TlsMode::CaSigned, ..ServerConfig::default() }).unwrap();
    let pem = s.ca_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let ca = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
    let mut c = Client::new(&s);
    c.tls = Some(tls_trusting(ca.clone()));
    c.login();
    assert_eq!(c.get("/api/v1/backups").status, 200);
    s.rotate_certificate();
    assert_eq!(c.get("/api/v1/backups").status, 200, "rotated leaf is signed by the same CA");

    // A self-signed server is not trusted by that CA.
    let other = TestServer::start(ServerConfig { tls: TlsMode::SelfSigned, ..ServerConfig::default() }).unwrap();
    assert!(Conn::open(other.addr(), Some(tls_trusting(ca))).is_err());
}

#[test]
fn plain_port_does_not_speak_tls() {
    let s = TestServer::start(ServerConfig::default()).unwrap();
    assert!(s.url().starts_with("http://"));
    assert!(s.cert_der().is_none() && s.cert_sha256().is_none());
    assert!(Conn::open(s.addr(), Some(common::insecure_tls())).is_err());
}

/// `--configure-https` of 2.3.1: a "Duplicati Local CA" signs a 90-day "Duplicati Server" leaf;
/// the handshake carries both, renewals keep the CA, and a replaced CA breaks pinning.
#[test]
fn configure_https_chain_renewal_and_ca_replacement() {
    use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

    let s = TestServer::start(ServerConfig { tls: TlsMode::CaSigned, machine_name: "nas-01".into(), ..ServerConfig::default() }).unwrap();
    let ca_der = s.ca_der().unwrap();
    let chain = Conn::open(s.addr(), Some(common::insecure_tls())).unwrap().peer_chain();
    assert_eq!(chain.len(), 2, "leaf and CA");
    assert_eq!(chain[0], s.cert_der().unwrap());
    assert_eq!(chain[1], ca_der);

    let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
    assert_eq!(ca.subject().to_string(), "C=US, O=Duplicati, CN=Duplicati Local CA");
    assert_eq!(ca.public_key().algorithm.algorithm.to_id_string(), "1.2.840.10045.2.1", "ECDSA");
    let bc = ca.basic_constraints().unwrap().unwrap().value;
    assert!(bc.ca && bc.path_len_constraint == Some(0));
    let ca_days = (ca.validity().not_after.timestamp() - ca.validity().not_before.timestamp()) / 86_400;
    assert_eq!(ca_days, 3650);

    let (_, leaf) = X509Certificate::from_der(&chain[0]).unwrap();
    assert_eq!(leaf.subject().to_string(), "C=US, O=Duplicati, CN=Duplicati Server");
    assert_eq!(leaf.issuer(), ca.subject());
    let secs = leaf.validity().not_after.timestamp() - leaf.validity().not_before.timestamp();
    assert_eq!(secs, 90 * 86_400 + 300, "90 days from five minutes ago");
    assert_eq!(leaf.raw_serial().len(), 8);
    let sans: Vec<String> = leaf
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
        .iter()
        .map(|n| match n {
            GeneralName::DNSName(d) => d.to_string(),
            GeneralName::IPAddress(ip) => format!("ip:{ip:?}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(sans, ["localhost", "ip:[127, 0, 0, 1]", "ip:[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]", "nas-01"]);

    // Pinning the CA survives a renewal; a new CA does not.
    let ca_cert = CertificateDer::from(ca_der.clone());
    let mut c = Client::new(&s);
    c.tls = Some(tls_trusting(ca_cert.clone()));
    c.login();
    let leaf1 = s.cert_sha256().unwrap();
    s.renew_certificate();
    assert_ne!(s.cert_sha256().unwrap(), leaf1);
    assert_eq!(s.ca_der().unwrap(), ca_der, "same CA");
    assert_eq!(c.get("/api/v1/backups").status, 200);
    s.replace_ca();
    assert_ne!(s.ca_der().unwrap(), ca_der);
    assert!(Conn::open(s.addr(), Some(tls_trusting(ca_cert))).is_err(), "the old CA no longer verifies");
    let new_ca = CertificateDer::from(s.ca_der().unwrap());
    assert!(Conn::open(s.addr(), Some(tls_trusting(new_ca))).is_ok());

    // Linux/macOS Duplicati (.NET trims the self-signed root): the leaf alone.
    let linux = TestServer::start(ServerConfig { tls: TlsMode::CaSigned, tls_send_ca: false, ..ServerConfig::default() }).unwrap();
    assert_eq!(Conn::open(linux.addr(), Some(common::insecure_tls())).unwrap().peer_chain().len(), 1);
}
