//! Minimal HTTP/1.1: request parsing and response serialization.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 1024 * 1024;

/// A parsed request.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// False when the client asked to close the connection (or spoke HTTP/1.0).
    pub keep_alive: bool,
}

impl Request {
    /// The request target: path and query, as faults match it.
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    /// First header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Query parameter values for `name` (case-insensitive), percent-decoding not needed for our keys.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.as_deref()?.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            k.eq_ignore_ascii_case(name).then_some(v)
        })
    }

    /// The value of cookie `name` (as sent, not decoded) from the `Cookie` headers.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .find_map(|kv| kv.trim().split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
    }

    /// A field of an `application/x-www-form-urlencoded` body (or of the query string for
    /// GET), decoded.
    pub fn form_param(&self, name: &str) -> Option<String> {
        let source = if self.method == "POST" { std::str::from_utf8(&self.body).ok()? } else { self.query.as_deref()? };
        source.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (crate::auth::url_decode(k) == name).then(|| crate::auth::url_decode(v))
        })
    }
}

/// Outcome of reading from a connection.
pub(crate) enum ReadResult {
    Request(Request),
    /// Clean EOF between requests.
    Closed,
    /// Unparseable request: answer 400 and close.
    Bad,
}

/// Buffered reader of requests on one connection.
pub(crate) struct RequestReader {
    buf: Vec<u8>,
}

impl RequestReader {
    pub fn new() -> Self {
        RequestReader { buf: Vec::with_capacity(4096) }
    }

    /// Reads the next request (pipelined bytes stay buffered).
    pub async fn read<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> io::Result<ReadResult> {
        let head_end = loop {
            if let Some(pos) = find(&self.buf, b"\r\n\r\n") {
                break pos;
            }
            // Not a request line (e.g. a TLS ClientHello on a plain port): fail fast.
            if self.buf.len() > MAX_HEAD || self.buf.first().is_some_and(|b| !b.is_ascii_uppercase()) {
                return Ok(ReadResult::Bad);
            }
            if !self.fill(stream).await? {
                return Ok(if self.buf.is_empty() { ReadResult::Closed } else { ReadResult::Bad });
            }
        };
        let Ok(head) = std::str::from_utf8(&self.buf[..head_end]) else {
            return Ok(ReadResult::Bad);
        };
        let mut lines = head.split("\r\n");
        let mut parts = lines.next().unwrap_or("").split(' ');
        let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Ok(ReadResult::Bad);
        };
        if !version.starts_with("HTTP/1.") {
            return Ok(ReadResult::Bad);
        }
        let mut headers = Vec::new();
        for line in lines {
            let Some((k, v)) = line.split_once(':') else {
                return Ok(ReadResult::Bad);
            };
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (target.to_string(), None),
        };
        let mut req = Request { method: method.to_string(), path, query, headers, body: Vec::new(), keep_alive: version == "HTTP/1.1" };
        if let Some(c) = req.header("connection") {
            if c.eq_ignore_ascii_case("close") {
                req.keep_alive = false;
            } else if c.eq_ignore_ascii_case("keep-alive") {
                req.keep_alive = true;
            }
        }
        if req.header("transfer-encoding").is_some() {
            return Ok(ReadResult::Bad);
        }
        let len: usize = match req.header("content-length").map(str::parse) {
            None => 0,
            Some(Ok(n)) if n <= MAX_BODY => n,
            Some(_) => return Ok(ReadResult::Bad),
        };
        self.buf.drain(..head_end + 4);
        while self.buf.len() < len {
            if !self.fill(stream).await? {
                return Ok(ReadResult::Bad);
            }
        }
        req.body = self.buf.drain(..len).collect();
        Ok(ReadResult::Request(req))
    }

    async fn fill<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> io::Result<bool> {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Content types used by the server.
pub(crate) const JSON: &str = "application/json; charset=utf-8";
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";
pub(crate) const HTML: &str = "text/html";

/// Which web server writes the status line and headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadStyle {
    /// ASP.NET Kestrel (2.1+) and the other flavours.
    Kestrel,
    /// The "Tiny WebServer" of Duplicati 2.0 (github.com/duplicati/httpserver,
    /// `HttpResponse.SendHeaders`): headers added by the handler first, then `Date`,
    /// `Content-Length`, `Content-Type`, `Server`, the connection headers, and the cookies last.
    Tiny,
}

/// How a response body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyLength {
    /// `Content-Length: n`.
    Exact(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Neither: the body ends when the connection closes.
    UntilClose,
}

/// A response before serialization.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub content_type: Option<&'static str>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Reason phrase instead of the standard one (2.0 reports errors there).
    pub reason: Option<String>,
    pub style: HeadStyle,
    /// Close the connection after this response whatever the request asked for.
    pub close: bool,
}

impl Response {
    fn new(status: u16, content_type: Option<&'static str>, body: Vec<u8>) -> Self {
        Response { status, content_type, headers: Vec::new(), body, reason: None, style: HeadStyle::Kestrel, close: false }
    }

    /// A JSON response.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, Some(JSON), body.into())
    }

    /// A response without a body (and without Content-Type).
    pub fn empty(status: u16) -> Self {
        Self::new(status, None, Vec::new())
    }

    /// A response with the given content type.
    pub fn typed(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, Some(content_type), body.into())
    }

    /// Adds a header.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Status line and headers (including Content-Length of the full body).
    pub fn head(&self, server: &str, date: &str, keep_alive: bool) -> Vec<u8> {
        self.head_framed(server, date, keep_alive, BodyLength::Exact(self.body.len() as u64))
    }

    /// Status line and headers for a body delimited by `length` (a body that runs until the
    /// connection closes also says `Connection: close`).
    pub fn head_framed(&self, server: &str, date: &str, keep_alive: bool, length: BodyLength) -> Vec<u8> {
        let keep_alive = keep_alive && length != BodyLength::UntilClose;
        let length = match length {
            BodyLength::Exact(n) => format!("Content-Length: {n}\r\n"),
            BodyLength::Chunked => "Transfer-Encoding: chunked\r\n".to_string(),
            BodyLength::UntilClose => String::new(),
        };
        let reason = self.reason.as_deref().unwrap_or_else(|| reason(self.status));
        let mut h = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        match self.style {
            HeadStyle::Kestrel => {
                h.push_str(&length);
                if let Some(ct) = self.content_type {
                    h.push_str(&format!("Content-Type: {ct}\r\n"));
                }
                h.push_str(&format!("Date: {date}\r\nServer: {server}\r\n"));
                for (k, v) in &self.headers {
                    h.push_str(&format!("{k}: {v}\r\n"));
                }
                if !keep_alive {
                    h.push_str("Connection: close\r\n");
                }
            }
            HeadStyle::Tiny => {
                for (k, v) in self.headers.iter().filter(|(k, _)| *k != "Set-Cookie") {
                    h.push_str(&format!("{k}: {v}\r\n"));
                }
                h.push_str(&format!("Date: {date}\r\n{length}"));
                if let Some(ct) = self.content_type {
                    h.push_str(&format!("Content-Type: {ct}\r\n"));
                }
                h.push_str(&format!("Server: {server}\r\n"));
                if keep_alive {
                    h.push_str("Keep-Alive: timeout=20, max=400\r\nConnection: Keep-Alive\r\n");
                } else {
                    h.push_str("Connection: close\r\n");
                }
                for (_, v) in self.headers.iter().filter(|(k, _)| *k == "Set-Cookie") {
                    h.push_str(&format!("Set-Cookie: {v}\r\n"));
                }
            }
        }
        h.push_str("\r\n");
        h.into_bytes()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}
