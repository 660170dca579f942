//! Accept loop, connection handling and fault application.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::auth::{LegacySessions, Tokens};
use crate::config::{ServerConfig, Version};
use crate::data::fixtures;
use crate::data::Store;
use crate::faults::{Fault, Faults, Framing, Hello};
use crate::http::{BodyLength, ReadResult, RequestReader, Response, HTML, JSON, TEXT};
use crate::routes;
use crate::stats::Stats;
use crate::stj::error_body;
use crate::timefmt;
use crate::tls::Tls;

const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(130);
/// The first byte of a TLS handshake record (a ClientHello).
const TLS_HANDSHAKE: u8 = 0x16;
/// An endless body is written in blocks of at least this size.
const ENDLESS_BLOCK: usize = 64 * 1024;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// State shared by the server thread and the [`crate::TestServer`] handle.
pub(crate) struct Shared {
    pub cfg: ServerConfig,
    /// Lower-cased configured host names.
    pub allowed_hosts: Vec<String>,
    pub faults: Faults,
    pub tls: Option<Tls>,
    password: Mutex<String>,
    store: Mutex<Store>,
    tokens: Mutex<Tokens>,
    legacy: Mutex<LegacySessions>,
    stats: Mutex<Stats>,
}

impl Shared {
    pub fn new(cfg: ServerConfig, tls: Option<Tls>) -> Shared {
        let now = timefmt::now_ticks();
        let faults = Faults::new(cfg.latency);
        let mut store = Store::new(&cfg, now);
        store.bad_dates = faults.bad_date_jobs();
        Shared {
            allowed_hosts: cfg.allowed_hostnames.iter().map(|h| h.to_ascii_lowercase()).collect(),
            faults,
            tls,
            password: Mutex::new(cfg.password.clone()),
            store: Mutex::new(store),
            tokens: Mutex::new(Tokens::new(cfg.token_lifetime)),
            legacy: Mutex::new(LegacySessions::new(&cfg.password)),
            stats: Mutex::new(Stats::default()),
            cfg,
        }
    }

    pub fn password(&self) -> String {
        lock(&self.password).clone()
    }

    pub fn set_password(&self, pw: &str) {
        *lock(&self.password) = pw.to_string();
        self.legacy().set_password(pw);
    }

    /// The release the server emulates now.
    pub fn version(&self) -> Version {
        self.store().version
    }

    pub fn legacy(&self) -> MutexGuard<'_, LegacySessions> {
        lock(&self.legacy)
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn tokens(&self) -> MutexGuard<'_, Tokens> {
        lock(&self.tokens)
    }

    pub fn stats(&self) -> MutexGuard<'_, Stats> {
        lock(&self.stats)
    }
}

/// A client connection, plain or TLS, with access to its TCP socket.
trait Conn: AsyncRead + AsyncWrite + Unpin + Send {
    fn tcp(&self) -> &TcpStream;
}

impl Conn for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Conn for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

/// Accepts connections until `shutdown` flips to true.
pub(crate) async fn run(listener: TcpListener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    shared.stats().connections += 1;
                    tokio::spawn(connection(tcp, shared.clone(), shutdown.clone()));
                }
                Err(e) => {
                    eprintln!("duplicati-testserver: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = shutdown.changed() => return,
        }
    }
}

async fn connection(tcp: TcpStream, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let _ = tcp.set_nodelay(true);
    let mut plain = shared.tls.is_none();
    // Only while a ClientHello fault waits is the first byte looked at: a ClientHello meets
    // the fault, plain HTTP is served even on an HTTPS port (a stripping man-in-the-middle).
    if shared.faults.hello_pending() {
        let mut first = [0u8; 1];
        let peeked = tokio::select! {
            r = tokio::time::timeout(KEEP_ALIVE_TIMEOUT, tcp.peek(&mut first)) => matches!(r, Ok(Ok(1))),
            _ = shutdown.changed() => return,
        };
        if !peeked {
            return;
        }
        if first[0] != TLS_HANDSHAKE {
            plain = true;
        } else if let Some(Fault::Hello(answer)) = shared.faults.take("", |f| matches!(f, Fault::Hello(_))) {
            refuse_hello(tcp, answer, &mut shutdown).await;
            return;
        }
    }
    match &shared.tls {
        _ if plain => serve(tcp, &shared, shutdown).await,
        None => serve(tcp, &shared, shutdown).await,
        Some(tls) => {
            let acceptor = tokio_rustls::TlsAcceptor::from(tls.current().config.clone());
            // Handshake failures are normal (clients rejecting the certificate): just drop.
            if let Ok(Ok(stream)) = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                serve(stream, &shared, shutdown).await;
            }
        }
    }
}

/// Answers a ClientHello with nothing: an abortive close (RST), or a clean close (FIN) once
/// the whole handshake record is read (closing with unread data would send a RST too).
async fn refuse_hello(mut tcp: TcpStream, answer: Hello, shutdown: &mut watch::Receiver<bool>) {
    match answer {
        Hello::Reset => {
            let _ = tcp.set_zero_linger();
        }
        Hello::Close => {
            let read_record = async {
                let mut head = [0u8; 5];
                tcp.read_exact(&mut head).await?;
                let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
                tcp.read_exact(&mut body).await?;
                tcp.shutdown().await
            };
            if let Ok(Ok(())) = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, read_record).await {
                // Let the client see the FIN and close its side before this one is dropped.
                let mut buf = [0u8; 1024];
                let _ = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, async {
                    loop {
                        tokio::select! {
                            r = tcp.read(&mut buf) => if !matches!(r, Ok(n) if n > 0) { return },
                            _ = shutdown.changed() => return,
                        }
                    }
                })
                .await;
            }
        }
    }
}

/// Serves requests on one connection until it closes, errors or the server stops.
async fn serve<S: Conn>(mut stream: S, shared: &Shared, mut shutdown: watch::Receiver<bool>) {
    let mut reader = RequestReader::new();
    loop {
        // The flavour can change under a running server (`TestServer::upgrade`).
        let server = routes::server_header(shared.cfg.mode, shared.version());
        let read = tokio::select! {
            r = tokio::time::timeout(KEEP_ALIVE_TIMEOUT, reader.read(&mut stream)) => r,
            _ = shutdown.changed() => return,
        };
        let req = match read {
            Ok(Ok(ReadResult::Request(req))) => req,
            Ok(Ok(ReadResult::Bad)) => {
                shared.stats().bad_requests += 1;
                let resp = Response::empty(400);
                let _ = write_all(&mut stream, &resp.head(server, &date(), false), &[]).await;
                return;
            }
            Ok(Ok(ReadResult::Closed)) | Ok(Err(_)) | Err(_) => return,
        };
        {
            let mut stats = shared.stats();
            stats.total_requests += 1;
            *stats.paths.entry(req.path.clone()).or_default() += 1;
        }
        let latency = shared.faults.latency();
        if !latency.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(latency) => {}
                _ = shutdown.changed() => return,
            }
        }
        let now = timefmt::now_ticks();
        // Faults match the request target, query included (e.g. "offset=" for later pages).
        let target = req.target();
        let early = shared.faults.take(&target, Fault::before_routing);
        let resp = match early {
            Some(Fault::Reset) => {
                // Abortive close: RST instead of FIN.
                let _ = stream.tcp().set_zero_linger();
                return;
            }
            Some(Fault::Status(code)) => status_response(code),
            Some(Fault::HugeError { status, len, json }) => huge_error(status, len, json),
            _ => routes::handle(shared, &req, now),
        };
        let late = if early.is_none() { shared.faults.take(&target, Fault::after_routing) } else { None };
        let keep_alive = req.keep_alive && !resp.close;
        let ok = match late {
            Some(Fault::Truncate) => {
                let half = resp.body.len() / 2;
                let _ = write_all(&mut stream, &resp.head(server, &date(), false), &resp.body[..half]).await;
                let _ = stream.shutdown().await;
                return;
            }
            Some(Fault::Stall) => {
                let half = resp.body.len() / 2;
                if write_all(&mut stream, &resp.head(server, &date(), keep_alive), &resp.body[..half]).await.is_ok() {
                    wait_for_close(&mut stream, &mut shutdown).await;
                }
                return;
            }
            Some(Fault::Endless(framing)) => {
                endless(&mut stream, &resp, framing, server, keep_alive, &mut shutdown).await;
                let _ = stream.shutdown().await;
                return;
            }
            Some(Fault::Malformed) => {
                let resp = malformed(&resp);
                write_all(&mut stream, &resp.head(server, &date(), keep_alive), &resp.body).await
            }
            _ => write_all(&mut stream, &resp.head(server, &date(), keep_alive), &resp.body).await,
        };
        if ok.is_err() || !keep_alive {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

fn date() -> String {
    timefmt::http_date(timefmt::now_ticks())
}

async fn write_all<S: Conn>(stream: &mut S, head: &[u8], body: &[u8]) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(head.len() + body.len());
    buf.extend_from_slice(head);
    buf.extend_from_slice(body);
    stream.write_all(&buf).await?;
    stream.flush().await
}

/// Reads and discards until the peer closes or the server stops.
async fn wait_for_close<S: Conn>(stream: &mut S, shutdown: &mut watch::Receiver<bool>) {
    let mut buf = [0u8; 1024];
    loop {
        tokio::select! {
            r = stream.read(&mut buf) => if !matches!(r, Ok(n) if n > 0) { return },
            _ = shutdown.changed() => return,
        }
    }
}

/// The response of an injected status fault.
fn status_response(code: u16) -> Response {
    if code == 500 {
        Response::json(500, error_body("An error occurred", 500))
    } else {
        Response::empty(code)
    }
}

/// `status` with [`crate::hostile_text`] as the body: plain text, or Duplicati's JSON error.
fn huge_error(status: u16, len: usize, json: bool) -> Response {
    let text = crate::hostile::hostile_text(len);
    if json {
        Response::typed(status, "application/json", error_body(&text, status))
    } else {
        Response::typed(status, TEXT, text)
    }
}

/// The opening (a BOM for 2.0, then `[`) and the repeated block (`item,item,…,`, at least
/// [`ENDLESS_BLOCK`] bytes) of an endless array modelled on the real answer: its items when
/// it is a JSON array with items, the whole of it when it is another JSON value, the fixture
/// `/backups` items when it is not a JSON 200.
fn endless_parts(real: &Response, json: bool) -> (Vec<u8>, Vec<u8>) {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let items = |body: &[u8]| -> Vec<u8> {
        let body = body.trim_ascii();
        let inner = body.strip_prefix(b"[").and_then(|b| b.strip_suffix(b"]")).map_or(body, <[u8]>::trim_ascii);
        inner.to_vec()
    };
    let body = if json { real.body.as_slice() } else { &[] };
    let (mut open, body) = match body.strip_prefix(BOM) {
        Some(rest) => (BOM.to_vec(), rest),
        None => (Vec::new(), body),
    };
    open.push(b'[');
    let mut item = items(body);
    if item.is_empty() {
        item = items(fixtures::BACKUPS.as_bytes());
    }
    item.push(b',');
    let mut block = Vec::with_capacity(ENDLESS_BLOCK + item.len());
    while block.len() < ENDLESS_BLOCK {
        block.extend_from_slice(&item);
    }
    (open, block)
}

/// Writes a 200 whose body never ends (see [`crate::Faults::endless_body`]) until the client
/// goes away, the server stops or a `Content-Length` is reached. Memory: one block.
async fn endless<S: Conn>(
    stream: &mut S,
    real: &Response,
    framing: Framing,
    server: &str,
    keep_alive: bool,
    shutdown: &mut watch::Receiver<bool>,
) {
    let json = real.status == 200 && real.content_type.is_some_and(|ct| ct.starts_with("application/json"));
    let (open, block) = endless_parts(real, json);
    // The real answer's head when it is a JSON 200 (2.0's reason and Cache-Control).
    let mut head = Response::json(200, Vec::new());
    if json {
        head.content_type = real.content_type;
        head.headers.clone_from(&real.headers);
        head.reason.clone_from(&real.reason);
    }
    head.style = real.style;
    let chunk = |data: &[u8]| -> Vec<u8> {
        let mut c = format!("{:x}\r\n", data.len()).into_bytes();
        c.extend_from_slice(data);
        c.extend_from_slice(b"\r\n");
        c
    };
    let (length, open, block, mut left) = match framing {
        Framing::Chunked => (BodyLength::Chunked, chunk(&open), chunk(&block), u64::MAX),
        Framing::ContentLength(n) => (BodyLength::Exact(n), open, block, n),
        Framing::UntilClose => (BodyLength::UntilClose, open, block, u64::MAX),
    };
    let head = head.head_framed(server, &date(), keep_alive, length);
    if write_all(stream, &head, &[]).await.is_err() {
        return;
    }
    let mut data = open.as_slice();
    while left > 0 {
        let n = data.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let written = tokio::select! {
            r = async {
                stream.write_all(&data[..n]).await?;
                stream.flush().await
            } => r.is_ok(),
            _ = shutdown.changed() => false,
        };
        if !written {
            return;
        }
        left -= n as u64;
        data = block.as_slice();
    }
}

/// 200 with a body that is not valid JSON: the first half of the real body, or an HTML page.
fn malformed(real: &Response) -> Response {
    if real.body.len() >= 2 && real.content_type == Some(JSON) {
        Response::json(200, real.body[..real.body.len() / 2].to_vec())
    } else {
        Response::typed(200, HTML, "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>")
    }
}
