//! A tiny blocking HTTP/1.1 client over loopback TCP (optionally rustls) for the tests.
#![allow(dead_code, reason = "each test binary compiles this module and uses a different part of it")]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use duplicati_testserver::TestServer;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

/// A parsed response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Body length matched Content-Length.
    pub complete: bool,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    /// Every value of a header (e.g. several `Set-Cookie`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }
    /// The value of cookie `name` set by this response (as sent).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.all("set-cookie")
            .iter()
            .find_map(|c| c.split(';').next()?.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
    }
    /// The status line's reason phrase.
    pub fn reason(&self) -> &str {
        &self.reason
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Accepts any server certificate (the tests check fingerprints themselves).
#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Client config that accepts any certificate.
pub fn insecure_tls() -> Arc<ClientConfig> {
    let p = provider();
    Arc::new(
        ClientConfig::builder_with_provider(p.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(p)))
            .with_no_client_auth(),
    )
}

/// Client config trusting only `root_der`.
pub fn tls_trusting(root_der: CertificateDer<'static>) -> Arc<ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root_der).unwrap();
    Arc::new(
        ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// One open connection (plain or TLS).
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Conn {
    pub fn open(addr: SocketAddr, tls: Option<Arc<ClientConfig>>) -> io::Result<Conn> {
        let tcp = TcpStream::connect(addr)?;
        tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(match tls {
            None => Conn::Plain(tcp),
            Some(cfg) => {
                let name = ServerName::try_from("localhost").unwrap();
                let conn = rustls::ClientConnection::new(cfg, name).map_err(io::Error::other)?;
                let mut s = rustls::StreamOwned::new(conn, tcp);
                while s.conn.is_handshaking() {
                    s.conn.complete_io(&mut s.sock)?;
                }
                Conn::Tls(Box::new(s))
            }
        })
    }

    pub fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }

    /// DER of the server's leaf certificate (TLS only).
    pub fn peer_cert(&self) -> Option<Vec<u8>> {
        self.peer_chain().into_iter().next()
    }

    /// DER of every certificate the server sent, leaf first (TLS only).
    pub fn peer_chain(&self) -> Vec<Vec<u8>> {
        match self {
            Conn::Plain(_) => Vec::new(),
            Conn::Tls(s) => s.conn.peer_certificates().map(|c| c.iter().map(|c| c.to_vec()).collect()).unwrap_or_default(),
        }
    }

    fn stream(&mut self) -> &mut dyn ReadWrite {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => s.as_mut(),
        }
    }

    /// Sends raw request bytes.
    pub fn send(&mut self, raw: &[u8]) -> io::Result<()> {
        let s = self.stream();
        s.write_all(raw)?;
        s.flush()
    }

    /// Reads what the connection has, up to `buf.len()` bytes (0 at EOF).
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream().read(buf)
    }

    /// Reads the status line and headers of a response: the response without its body, and
    /// the body bytes read past the headers.
    pub fn read_head(&mut self) -> io::Result<(Resp, Vec<u8>)> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16384];
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p;
            }
            let n = self.stream().read(&mut chunk)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed before headers"));
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut status_line = lines.next().unwrap().splitn(3, ' ');
        let status: u16 = status_line.nth(1).unwrap().parse().unwrap();
        let reason = status_line.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> =
            lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
        let rest = buf[head_end + 4..].to_vec();
        Ok((Resp { status, reason, headers, body: Vec::new(), complete: false }, rest))
    }

    /// Reads one response (Content-Length framed; reads to EOF without it).
    pub fn read_response(&mut self) -> io::Result<Resp> {
        let (mut resp, mut body) = self.read_head()?;
        let len: Option<usize> = resp.header("content-length").map(|v| v.parse().unwrap());
        let mut chunk = [0u8; 16384];
        loop {
            if len.is_some_and(|l| body.len() >= l) {
                break;
            }
            match self.stream().read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => body.extend_from_slice(&chunk[..n]),
                // An unclean TLS close after a truncated body.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e),
            }
        }
        resp.complete = len.is_none_or(|l| body.len() == l);
        resp.body = body;
        Ok(resp)
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// Builds a raw request.
pub fn raw_request(method: &str, path: &str, host: &str, headers: &[(&str, &str)], body: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    let mut bytes = match body {
        Some((ct, b)) => {
            r.push_str(&format!("Content-Type: {ct}\r\nContent-Length: {}\r\n\r\n", b.len()));
            let mut v = r.into_bytes();
            v.extend_from_slice(b);
            v
        }
        None => {
            r.push_str("\r\n");
            r.into_bytes()
        }
    };
    bytes.shrink_to_fit();
    bytes
}

/// A client for one server.
pub struct Client {
    pub addr: SocketAddr,
    pub tls: Option<Arc<ClientConfig>>,
    pub host: String,
    pub token: Option<String>,
}

impl Client {
    pub fn new(server: &TestServer) -> Client {
        let tls = server.cert_der().map(|_| insecure_tls());
        Client { addr: server.addr(), tls, host: format!("127.0.0.1:{}", server.port()), token: None }
    }

    /// One request on a fresh connection.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<(&str, &[u8])>) -> io::Result<Resp> {
        let mut conn = Conn::open(self.addr, self.tls.clone())?;
        let auth;
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        if let Some(t) = &self.token {
            auth = format!("Bearer {t}");
            all.push(("Authorization", &auth));
        }
        conn.send(&raw_request(method, path, &self.host, &all, body))?;
        conn.read_response()
    }

    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[], None).unwrap()
    }

    /// POST a JSON body.
    pub fn post_json(&self, path: &str, headers: &[(&str, &str)], body: &serde_json::Value) -> Resp {
        let body = body.to_string();
        self.request("POST", path, headers, Some(("application/json", body.as_bytes()))).unwrap()
    }

    pub fn login_with(&self, password: &str) -> Resp {
        let body = serde_json::json!({"Password": password, "RememberMe": false}).to_string();
        self.request("POST", "/api/v1/auth/login", &[], Some(("application/json", body.as_bytes()))).unwrap()
    }

    /// Logs in with "duplicati" and keeps the token.
    pub fn login(&mut self) {
        let r = self.login_with("duplicati");
        assert_eq!(r.status, 200, "{}", r.text());
        self.token = Some(r.json()["AccessToken"].as_str().unwrap().to_string());
    }
}
