//! Fault injection shared between the test and the server thread.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How [`Faults::endless_body`] frames a body that never ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Transfer-Encoding: chunked`, chunks of at least 64 KiB, never the last chunk.
    Chunked,
    /// `Content-Length: n`: exactly `n` bytes follow (e.g. 10 GB), then the connection closes.
    ContentLength(u64),
    /// Neither header: the body runs until the connection closes (`Connection: close`).
    UntilClose,
}

/// What a log page fault answers (`Faults::loop_log_pages`, `Faults::grow_log_pages`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pages {
    /// The newest page whatever `offset` says.
    Loop,
    /// `pagesize` rows with IDs `first_id` (no offset) or `offset - 1` downwards.
    Grow { first_id: i64, same_content: bool },
}

/// What the server does with a TLS ClientHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hello {
    /// Abortive close (RST) without an answer.
    Reset,
    /// Reads the ClientHello and closes (FIN) without an answer.
    Close,
}

/// A fault applied to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer with this status instead of routing.
    Status(u16),
    /// Announce the full Content-Length, send half of the body, close.
    Truncate,
    /// 200 with a body that is not valid JSON.
    Malformed,
    /// Send the headers, then never finish the body.
    Stall,
    /// Close the TCP connection without a response (RST).
    Reset,
    /// 200 whose body never ends.
    Endless(Framing),
    /// A job log page that never lets a pager finish.
    Pages(Pages),
    /// This status with a body of `len` bytes of hostile text, as JSON `{"Error":…}` or text.
    HugeError { status: u16, len: usize, json: bool },
    /// The answer to a TLS ClientHello (the connection's first bytes).
    Hello(Hello),
}

impl Fault {
    /// Faults that replace routing entirely (the request has no side effects).
    pub(crate) fn before_routing(self) -> bool {
        matches!(self, Fault::Status(_) | Fault::Reset | Fault::HugeError { .. })
    }

    /// Faults applied to the routed response on its way out.
    pub(crate) fn after_routing(self) -> bool {
        matches!(self, Fault::Truncate | Fault::Stall | Fault::Malformed | Fault::Endless(_))
    }
}

#[derive(Debug)]
struct Rule {
    fault: Fault,
    remaining: u32,
    path_contains: Option<String>,
}

#[derive(Debug)]
struct State {
    latency: Duration,
    rules: Vec<Rule>,
    expire_after: Option<u32>,
    expire_epoch: u64,
}

/// Jobs whose dates are served out of range ([`Faults::bad_dates`]), shared with the store.
pub(crate) type JobSet = Arc<Mutex<Vec<String>>>;

/// Thread-safe fault switches of a running [`crate::TestServer`].
///
/// One-shot faults apply to the next `times` requests whose target (path and query) contains `path_contains`
/// (`None` = any request); several queued faults are consumed in the order they were added.
/// `u32::MAX` times is as good as "until [`Faults::clear`]".
#[derive(Debug)]
pub struct Faults {
    base_latency: Duration,
    state: Mutex<State>,
    bad_dates: JobSet,
}

impl Faults {
    pub(crate) fn new(base_latency: Duration) -> Self {
        Faults {
            base_latency,
            state: Mutex::new(State { latency: base_latency, rules: Vec::new(), expire_after: None, expire_epoch: 0 }),
            bad_dates: JobSet::default(),
        }
    }

    /// The job set [`Faults::bad_dates`] fills, for the store to read.
    pub(crate) fn bad_date_jobs(&self) -> JobSet {
        self.bad_dates.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, fault: Fault, times: u32, path_contains: Option<&str>) {
        if times > 0 {
            self.lock().rules.push(Rule { fault, remaining: times, path_contains: path_contains.map(str::to_owned) });
        }
    }

    /// Delay before every response from now on (replaces the configured latency).
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Answer `times` matching requests with status `code` (500 gets
    /// `{"Error":"An error occurred","Code":500}`, other codes an empty body).
    pub fn fail_with_status(&self, code: u16, times: u32, path_contains: Option<&str>) {
        self.push(Fault::Status(code), times, path_contains);
    }

    /// Send the full Content-Length but only half of the body, then close.
    pub fn truncate_body(&self, times: u32, path_contains: Option<&str>) {
        self.push(Fault::Truncate, times, path_contains);
    }

    /// Answer 200 with a body that is not JSON (the first half of the real body, or an HTML page).
    pub fn malformed_json(&self, times: u32, path_contains: Option<&str>) {
        self.push(Fault::Malformed, times, path_contains);
    }

    /// Send the headers and part of the body, then wait until the client gives up.
    pub fn stall_body(&self, times: u32, path_contains: Option<&str>) {
        self.push(Fault::Stall, times, path_contains);
    }

    /// Close the connection without a response (SO_LINGER 0 → RST).
    pub fn reset_connection(&self, times: u32, path_contains: Option<&str>) {
        self.push(Fault::Reset, times, path_contains);
    }

    /// Answer `times` matching requests with a 200 whose body never ends: a JSON array that
    /// opens like the real answer and repeats its items (`[` then `{"Backup":…},` over and
    /// over for `/api/v1/backups`; a log row after another for a job log; the whole object for
    /// an object answer; the fixture `/backups` items when the real answer is not a JSON 200).
    /// The body is streamed as fast as the client reads it from one prebuilt block of at
    /// least 64 KiB, so the server's memory stays flat however much the client reads. It
    /// ends only when the client closes the connection, the server stops, or, with
    /// [`Framing::ContentLength`], after the announced length.
    pub fn endless_body(&self, framing: Framing, times: u32, path_contains: Option<&str>) {
        self.push(Fault::Endless(framing), times, path_contains);
    }

    /// Answer `times` matching job log requests (`/api/v1/backup/{id}/log`, either API) with
    /// the job's newest page whatever `offset` asks for, so a pager that follows the lowest ID
    /// gets the same page again. The page is full (`pagesize` rows, default 100) only when
    /// the job has that many rows (e.g. [`crate::DataSet::Generated`]). Log requests that
    /// would not answer 200 with rows (unknown job, no database, sync job, locked database)
    /// are answered as usual and do not consume the fault.
    pub fn loop_log_pages(&self, times: u32, path_contains: Option<&str>) {
        self.push(Fault::Pages(Pages::Loop), times, path_contains);
    }

    /// Answer `times` matching job log requests with a full page (`pagesize` rows) whose IDs
    /// all lie below `offset`: `offset - 1`, `offset - 2`, … downwards, or from `first_id`
    /// down when the request has no offset. Every page brings new IDs, so a pager that only
    /// checks "below offset" never ends (IDs go on below 1 into negative numbers should it
    /// get there; a page stops short at `i64::MIN`). The rows are real rows of the job
    /// (valid result JSON, their own `OperationID` and `Timestamp`) under the new IDs: row
    /// `((id - 1) mod n) + 1` of the job's `n` rows, or, with `same_content`, its newest row
    /// every time. Same conditions as [`Faults::loop_log_pages`].
    pub fn grow_log_pages(&self, first_id: i64, same_content: bool, times: u32, path_contains: Option<&str>) {
        self.push(Fault::Pages(Pages::Grow { first_id, same_content }), times, path_contains);
    }

    /// Answer `times` matching requests with `status` and a `text/plain; charset=utf-8` body
    /// of exactly `len` bytes of [`crate::hostile_text`]: control characters, ANSI/OSC escape
    /// sequences, C1 controls and bidi overrides (valid UTF-8). Like
    /// [`Faults::fail_with_status`], the request never reaches the handler.
    pub fn oversized_error_text(&self, status: u16, len: usize, times: u32, path_contains: Option<&str>) {
        self.push(Fault::HugeError { status, len, json: false }, times, path_contains);
    }

    /// Like [`Faults::oversized_error_text`] but as Duplicati's error body,
    /// `{"Error":<text>,"Code":status}` (`application/json`), with the text JSON-escaped: the
    /// decoded `Error` string is [`crate::hostile_text`]`(len)`.
    pub fn oversized_error_json(&self, status: u16, len: usize, times: u32, path_contains: Option<&str>) {
        self.push(Fault::HugeError { status, len, json: true }, times, path_contains);
    }

    /// The next `times` connections that open with a TLS ClientHello (first byte 0x16) are
    /// reset (RST, SO_LINGER 0) without an answer, while connections that open with plain
    /// HTTP are served as usual, on an HTTPS server too (while such a fault is pending an
    /// HTTPS server also answers plain HTTP on its port): what a man-in-the-middle does to
    /// push a client from HTTPS to HTTP. Without the fault a plain port answers a ClientHello
    /// with 400 and an HTTPS port refuses plain HTTP.
    pub fn reset_client_hello(&self, times: u32) {
        self.push(Fault::Hello(Hello::Reset), times, None);
    }

    /// Like [`Faults::reset_client_hello`] but the server reads the ClientHello and closes the
    /// connection cleanly (FIN) without an answer.
    pub fn close_client_hello(&self, times: u32) {
        self.push(Fault::Hello(Hello::Close), times, None);
    }

    /// Serves job `backup_id`'s dates out of any sane range until [`Faults::clear`] (or
    /// [`Faults::good_dates`]). It changes what is served, for every row of the job, old and
    /// new, not what is stored: turned off, the job is as before. Log rows (both APIs) by
    /// row ID modulo 4, every `BeginTime`/`EndTime` in the result JSON, nested results too:
    ///
    /// - 0: `Timestamp` 99999999999999, `BeginTime` 9999-12-31T23:00:00Z, `EndTime`
    ///   9999-12-31T23:59:59Z;
    /// - 1: `Timestamp` 0, both times 0001-01-01T00:00:00Z (`DateTime.MinValue`);
    /// - 2: `Timestamp` -62135596800 (0001-01-01 in Unix seconds), `BeginTime`
    ///   0001-01-01T00:00:00Z, `EndTime` 9999-12-31T23:59:59Z;
    /// - 3: `Timestamp` as stored, `BeginTime` as stored, `EndTime` one day before `Timestamp`
    ///   (before `BeginTime`).
    ///
    /// `/backups`: `Schedule.Time` 9999-12-31T23:59:59Z and `LastRun` 9999-12-31T00:00:00Z
    /// (when the job has a schedule), every Metadata date (`Last*Date`, `Last*Started`,
    /// `Last*Finished`) 99991231T235959Z, with `LastBackupDate`, `LastBackupStarted` and
    /// `LastBackupFinished` added when missing; `serverstate`'s `ProposedSchedule` entry of
    /// the job 9999-12-31T23:59:59Z. The job need not exist yet.
    pub fn bad_dates(&self, backup_id: &str) {
        let mut jobs = self.bad_dates.lock().unwrap_or_else(|e| e.into_inner());
        if !jobs.iter().any(|j| j == backup_id) {
            jobs.push(backup_id.to_string());
        }
    }

    /// Ends [`Faults::bad_dates`] for one job.
    pub fn good_dates(&self, backup_id: &str) {
        self.bad_dates.lock().unwrap_or_else(|e| e.into_inner()).retain(|j| j != backup_id);
    }

    /// Every access token becomes invalid after `n` authorized requests (counted from now):
    /// the next request with it gets 401 `invalid_token`. Persistent until [`Faults::clear`].
    pub fn expire_tokens_after(&self, n: u32) {
        let mut s = self.lock();
        s.expire_after = Some(n);
        s.expire_epoch += 1;
    }

    /// Removes all faults (bad dates too) and restores the configured latency.
    pub fn clear(&self) {
        let mut s = self.lock();
        s.rules.clear();
        s.expire_after = None;
        s.expire_epoch += 1;
        s.latency = self.base_latency;
        self.bad_dates.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Whether a ClientHello fault is pending (connections are then sniffed).
    pub(crate) fn hello_pending(&self) -> bool {
        self.lock().rules.iter().any(|r| matches!(r.fault, Fault::Hello(_)))
    }

    pub(crate) fn latency(&self) -> Duration {
        self.lock().latency
    }

    /// The token use limit and the epoch it was set in.
    pub(crate) fn token_limit(&self) -> (Option<u32>, u64) {
        let s = self.lock();
        (s.expire_after, s.expire_epoch)
    }

    /// Consumes the first pending fault for `path` accepted by `filter`.
    pub(crate) fn take(&self, path: &str, filter: impl Fn(Fault) -> bool) -> Option<Fault> {
        let mut s = self.lock();
        let idx = s.rules.iter().position(|r| filter(r.fault) && r.path_contains.as_deref().is_none_or(|p| path.contains(p)))?;
        let rule = &mut s.rules[idx];
        let fault = rule.fault;
        rule.remaining -= 1;
        if rule.remaining == 0 {
            s.rules.remove(idx);
        }
        Some(fault)
    }
}
