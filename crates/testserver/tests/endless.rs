//! An endless body on the wire: the server streams hundreds of megabytes of a `/backups`
//! answer that never ends while its memory stays flat.
//!
//! The server runs in this process, so its memory is measured as the process's: a counting
//! global allocator gives the live heap bytes (every platform), and on Linux `VmRSS` from
//! `/proc/self/status` gives the resident size. The raw client reads into one fixed buffer
//! and keeps nothing, so what grows is the server's. This file holds a single test, so no
//! other test of the binary allocates meanwhile.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use common::{raw_request, Client, Conn};
use duplicati_testserver::{fixtures, Framing, ServerConfig, TestServer};

/// Counts the live heap bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The resident set size in bytes (Linux only).
fn rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A streaming decoder of `Transfer-Encoding: chunked` that fails on a last chunk.
enum Chunked {
    Size(Vec<u8>),
    Data(usize),
    DataEnd(usize),
}

impl Chunked {
    /// Feeds wire bytes; `sink` gets the body bytes.
    fn feed(&mut self, mut input: &[u8], sink: &mut impl FnMut(&[u8])) {
        while !input.is_empty() {
            let next = match self {
                Chunked::Size(line) => {
                    let b = input[0];
                    input = &input[1..];
                    if b != b'\n' {
                        line.push(b);
                        continue;
                    }
                    let text = std::str::from_utf8(line).unwrap().trim_end_matches('\r');
                    let n = usize::from_str_radix(text, 16).unwrap_or_else(|_| panic!("chunk size line {text:?}"));
                    assert!(n > 0, "the last chunk came: the body ended");
                    Chunked::Data(n)
                }
                Chunked::Data(left) => {
                    let k = (*left).min(input.len());
                    sink(&input[..k]);
                    input = &input[k..];
                    *left -= k;
                    if *left > 0 {
                        continue;
                    }
                    Chunked::DataEnd(0)
                }
                Chunked::DataEnd(seen) => {
                    assert_eq!(input[0], b"\r\n"[*seen], "chunk data ends with CRLF");
                    input = &input[1..];
                    *seen += 1;
                    if *seen < 2 {
                        continue;
                    }
                    Chunked::Size(Vec::new())
                }
            };
            *self = next;
        }
    }
}

#[test]
fn endless_chunked_body_streams_past_256_mb_in_flat_memory() {
    const TOTAL: usize = 256 << 20;
    const WARM_UP: usize = 16 << 20;
    let s = TestServer::start(ServerConfig::default()).unwrap();
    let mut c = Client::new(&s);
    c.login();
    s.faults().endless_body(Framing::Chunked, 1, Some("/api/v1/backups"));

    let mut conn = Conn::open(s.addr(), None).unwrap();
    let auth = format!("Bearer {}", c.token.as_deref().unwrap());
    conn.send(&raw_request("GET", "/api/v1/backups", &c.host, &[("Authorization", &auth)], None)).unwrap();
    let (head, rest) = conn.read_head().unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Transfer-Encoding"), Some("chunked"));
    assert_eq!(head.header("Content-Length"), None);
    assert_eq!(head.header("Content-Type"), Some("application/json; charset=utf-8"));
    assert_eq!(head.header("Server"), Some("Kestrel"));

    // The body is `[` and then the fixture's three items, each followed by a comma, forever.
    let items = fixtures::BACKUPS.trim();
    let mut period = items.as_bytes()[1..items.len() - 1].to_vec();
    period.push(b',');
    assert!(period.starts_with(br#"{"Backup":{"ID":"1","Name":"Documents""#));
    let mut body = 0usize;
    let mut check = |data: &[u8]| {
        let mut data = data;
        if body == 0 {
            assert_eq!(data[0], b'[');
            data = &data[1..];
            body = 1;
        }
        while !data.is_empty() {
            let at = (body - 1) % period.len();
            let k = (period.len() - at).min(data.len());
            assert!(data[..k] == period[at..at + k], "body byte {body} strays from the repeated items");
            data = &data[k..];
            body += k;
        }
    };

    let mut decoder = Chunked::Size(Vec::new());
    decoder.feed(&rest, &mut check);
    let mut buf = vec![0u8; 64 * 1024];
    let mut wire = rest.len();
    let mut baseline = None;
    let started = Instant::now();
    while wire < TOTAL {
        let n = conn.read(&mut buf).unwrap();
        assert!(n > 0, "the server closed the endless body after {wire} bytes");
        decoder.feed(&buf[..n], &mut check);
        wire += n;
        if baseline.is_none() && wire >= WARM_UP {
            let live = LIVE.load(Ordering::Relaxed);
            PEAK.store(live, Ordering::Relaxed);
            baseline = Some((live, rss()));
        }
    }
    let elapsed = started.elapsed();
    let (live0, rss0) = baseline.unwrap();
    let peak = PEAK.load(Ordering::Relaxed);
    let rss1 = rss();
    eprintln!(
        "{} MB in {elapsed:.2?}; live heap {} KB at {} MB, peak {} KB after; RSS {:?} KB -> {:?} KB",
        wire >> 20,
        live0 >> 10,
        WARM_UP >> 20,
        peak >> 10,
        rss0.map(|r| r >> 10),
        rss1.map(|r| r >> 10)
    );
    assert!(peak - live0 < 4 << 20, "the heap grew by {} KB while {} MB streamed", (peak - live0) >> 10, (wire - WARM_UP) >> 20);
    if let (Some(r0), Some(r1)) = (rss0, rss1) {
        assert!(r1.saturating_sub(r0) < 32 << 20, "RSS grew by {} KB", (r1 - r0) >> 10);
    }

    // The client leaves; the server goes on answering.
    drop(conn);
    assert_eq!(c.get("/api/v1/backups").status, 200);
}
