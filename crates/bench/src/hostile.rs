//! What misbehaving servers cost a collection: the peak memory of a collect against a body
//! that never ends, and how long it takes to give up on a log that never ends. The servers run
//! in a child process (`serve-hostile MODE`), so the memory measured is the collector's own.
use crate::{peak_rss_mb, runtime, PASSWORD};
use duplicati_testserver::{DataSet, Framing, ServerConfig, TestServer};
use duplidesk_core::collect::{CancelFlag, CollectOptions, Collector, Progress, Target};
use duplidesk_core::hosts::HostSpec;
use duplidesk_core::store::Db;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Child mode: starts one server misbehaving as `mode` says, prints its port, serves until
/// stdin closes.
pub fn serve(mode: &str) {
    let rows = if mode == "endless" { 50 } else { 1000 };
    let server =
        TestServer::start(ServerConfig { data: DataSet::Generated { jobs: 1, rows_per_job: rows, seed: 1 }, ..ServerConfig::default() })
            .expect("start a test server");
    let faults = server.faults();
    match mode {
        "endless" => faults.endless_body(Framing::Chunked, u32::MAX, Some("/api/v1/backups")),
        "loop" => faults.loop_log_pages(u32::MAX, Some("/backup/1/log")),
        "grow" => faults.grow_log_pages(1 << 40, false, u32::MAX, Some("/backup/1/log")),
        other => panic!("unknown hostile mode {other}"),
    }
    println!("{}", server.port());
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

struct Hostile(Child, u16);

impl Hostile {
    fn start(mode: &str) -> Hostile {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["serve-hostile", mode])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn the server process");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Hostile(child, line.trim().parse().unwrap())
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

/// One collection of the server `mode` names, with the product's default options.
fn collect_from(mode: &str) -> (duplidesk_core::collect::HostSummary, Duration) {
    let server = Hostile::start(mode);
    let dir = tempfile::tempdir().unwrap();
    let collector =
        Collector::new(Db::open_in(dir.path()).unwrap(), None, CollectOptions { save_password: false, ..CollectOptions::default() });
    let target = Target { spec: HostSpec { host: "127.0.0.1".into(), port: server.1 }, password: Some(PASSWORD.into()) };
    let start = Instant::now();
    let summary = runtime().block_on(collector.collect(vec![target], Arc::new(|_: Progress| {}), &CancelFlag::default())).remove(0);
    (summary, start.elapsed())
}

pub fn run() {
    let before = peak_rss_mb();
    let (s, took) = collect_from("endless");
    let code = s.error.as_ref().map(|e| e.code.to_string()).unwrap_or_default();
    println!(
        "endless /api/v1/backups body: gave up after {:.2} s with {code}; peak RSS of the collecting process {:.0} MB \
         (before the collect {before:.0} MB; target ≤ 100 MB; was about 15,000 MB)",
        took.as_secs_f64(),
        peak_rss_mb()
    );

    let (s, took) = collect_from("loop");
    let code = s.error.as_ref().map(|e| e.code.to_string()).unwrap_or_default();
    println!(
        "log answering the same page whatever the offset: gave up after {:.3} s with {code}, {} rows kept (target ≤ 10 s; was never)",
        took.as_secs_f64(),
        s.new
    );

    let (s, took) = collect_from("grow");
    let code = s.error.as_ref().map(|e| e.code.to_string()).unwrap_or_default();
    println!(
        "log with new rows below every offset: gave up after {:.2} s with {code}, {} rows kept (target ≤ 10 s; was never, 415,000 rows in 10 s)",
        took.as_secs_f64(),
        s.new
    );
}
