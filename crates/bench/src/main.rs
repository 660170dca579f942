//! Benchmarks that print figures (run in release):
//!
//!     cargo run --release -p duplidesk-bench            # everything
//!     cargo run --release -p duplidesk-bench -- collect # first collect, re-collect, peak RSS
//!     cargo run --release -p duplidesk-bench -- requests # requests per unchanged collection, token families
//!     cargo run --release -p duplidesk-bench -- parallel
//!     cargo run --release -p duplidesk-bench -- query   # 1,000,000-entry store
//!     cargo run --release -p duplidesk-bench -- hostile # endless body (peak RSS), endless logs (time to give up)
//!     cargo run --release -p duplidesk-bench -- cpu     # µs of CPU per stored row of the real binary
//!     bash scripts/bench-app.sh                          # the desktop app (see app.rs)
//!     bash scripts/bench-watch.sh [MINUTES]              # 100 servers watched every minute (watch.rs)
//!
//! `cpu` runs the release binary `target/release/duplidesk` (build it first with
//! `cargo build --release --bin duplidesk`; or `-- cpu path/to/duplidesk [--runs N]`) as a user
//! would, `duplidesk collect 127.0.0.1 --port P --password-stdin --no-save-password` into an
//! empty store, and prints the child's user + system time per stored row, wall time and peak
//! RSS (median of 5 runs; see cpu.rs).
//!
//! The Duplicati test servers run in a child process (this same program with `serve`), so the
//! peak RSS measured is the collector's own.
use duplicati_testserver::{DataSet, ServerConfig, TestServer, Version};
use duplidesk_core::collect::{CancelFlag, CollectOptions, Collector, Progress, Target};
use duplidesk_core::hosts::HostSpec;
use duplidesk_core::monitor::{FileCounts, NewEntry};
use duplidesk_core::store::{Db, JobCursor, JobInfo, LogQuery, NewServer, Store};
use duplidesk_core::Status;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod app;
mod cpu;
mod hostile;
mod watch;
mod window;

const PASSWORD: &str = "duplicati";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("collect") => bench_collect(),
        Some("requests") => recollect_requests(),
        Some("parallel") => bench_parallel(),
        Some("query") => bench_query(),
        Some("hostile") => hostile::run(),
        Some("serve-hostile") => hostile::serve(args.get(1).map(String::as_str).unwrap_or_default()),
        Some("cpu") => cpu::run(&args[1..]),
        Some("watch-load") => watch::run(&args[1..]),
        Some("app") => app::run(args.get(1).map(String::as_str).expect("app needs the path of the release binary")),
        Some("window") => window::run(
            args.get(1).map(String::as_str).expect("window needs the path of the release binary"),
            args.get(2).map(String::as_str),
        ),
        None | Some("all") => {
            bench_collect();
            bench_parallel();
            bench_query();
            hostile::run();
        }
        Some(other) => {
            eprintln!("unknown benchmark {other}: use collect, requests, parallel, query, hostile, cpu, watch-load, app, window or all");
            std::process::exit(2);
        }
    }
}

/// Child mode: `serve COUNT JOBS ROWS LATENCY_MS` starts COUNT servers, prints their ports on
/// one line, and serves until stdin closes.
fn serve(args: &[String]) {
    let n: Vec<u64> = args.iter().map(|a| a.parse().expect("numbers")).collect();
    let (count, jobs, rows, latency) = (n[0], n[1] as u32, n[2] as u32, n[3]);
    let servers: Vec<TestServer> = (0..count)
        .map(|i| {
            TestServer::start(ServerConfig {
                data: DataSet::Generated { jobs, rows_per_job: rows, seed: i + 1 },
                machine_name: format!("bench{i:02}"),
                machine_id: format!("{:032x}", i + 1),
                latency: Duration::from_millis(latency),
                prerender: true,
                ..ServerConfig::default()
            })
            .expect("start a test server")
        })
        .collect();
    println!("{}", servers.iter().map(|s| s.port().to_string()).collect::<Vec<_>>().join(" "));
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

struct Servers {
    child: Child,
    ports: Vec<u16>,
}

impl Servers {
    fn start(count: u32, jobs: u32, rows: u32, latency_ms: u64) -> Servers {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["serve", &count.to_string(), &jobs.to_string(), &rows.to_string(), &latency_ms.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn the server process");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let ports = line.split_whitespace().map(|p| p.parse().unwrap()).collect();
        Servers { child, ports }
    }

    fn targets(&self) -> Vec<Target> {
        self.ports
            .iter()
            .map(|p| Target { spec: HostSpec { host: "127.0.0.1".into(), port: *p }, password: Some(PASSWORD.into()) })
            .collect()
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn collector(dir: &std::path::Path) -> Collector {
    Collector::new(Db::open_in(dir).unwrap(), None, CollectOptions { save_password: false, ..CollectOptions::default() })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn bench_collect() {
    let servers = Servers::start(1, 10, 5000, 0);
    let dir = tempfile::tempdir().unwrap();
    let c = collector(dir.path());
    let rt = runtime();
    let rss_before = peak_rss_mb();
    let start = Instant::now();
    let s = rt.block_on(c.collect(servers.targets(), Arc::new(|_: Progress| {}), &CancelFlag::default())).remove(0);
    let secs = start.elapsed().as_secs_f64();
    assert!(s.ok, "{s:?}");
    println!(
        "first collect, 10 jobs × 5,000 rows: {} entries in {secs:.2} s = {:.0} entries/s (target ≥ 20,000)",
        s.new,
        s.new as f64 / secs
    );
    println!("peak RSS of the collecting process: {:.0} MB (before the collect {:.0} MB; target ≤ 200 MB)", peak_rss_mb(), rss_before);

    let start = Instant::now();
    let again = rt.block_on(c.collect(servers.targets(), Arc::new(|_: Progress| {}), &CancelFlag::default())).remove(0);
    assert!(again.ok && again.new == 0, "{again:?}");
    println!("re-collect of the unchanged server: {} new in {:.0} ms", again.new, start.elapsed().as_secs_f64() * 1000.0);
    recollect_requests();
}

/// Requests an unchanged re-collect makes, counted by an in-process test server (the count
/// does not depend on how many rows a job has, past one page), per Duplicati release; and the
/// token families (password logins that leave a row on the server) of 100 collections.
fn recollect_requests() {
    let rt = runtime();
    let targets = |server: &TestServer| {
        vec![Target { spec: HostSpec { host: "127.0.0.1".into(), port: server.port() }, password: Some(PASSWORD.into()) }]
    };
    let collect = |c: &Collector, server: &TestServer| {
        let s = rt.block_on(c.collect(targets(server), Arc::new(|_: Progress| {}), &CancelFlag::default())).remove(0);
        assert!(s.ok, "{s:?}");
    };
    for version in Version::ALL {
        let server = TestServer::start(ServerConfig {
            version,
            data: DataSet::Generated { jobs: 10, rows_per_job: 600, seed: 1 },
            ..ServerConfig::default()
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let c = collector(dir.path());
        collect(&c, &server);
        let first = server.stats().total_requests;
        server.reset_stats();
        collect(&c, &server);
        let st = server.stats();
        let mut paths: Vec<String> = st.paths.iter().map(|(p, n)| format!("{p} ×{n}")).collect();
        paths.sort();
        println!(
            "Duplicati {version}, 10 jobs: first collect {first} requests; unchanged re-collect {} requests (target ≤ 3; was 13): {}",
            st.total_requests,
            paths.join(", ")
        );
    }

    // 100 collections of an unchanged 2.1.2 server, access tokens expiring every few requests,
    // each collection by a new collector that shares the process's kept sessions (as the app
    // and the background monitor do; separate command-line runs share them through the
    // keychain).
    let server = TestServer::start(ServerConfig {
        version: Version::V2_1_2,
        data: DataSet::Generated { jobs: 3, rows_per_job: 50, seed: 2 },
        ..ServerConfig::default()
    })
    .unwrap();
    server.faults().expire_tokens_after(4);
    let dir = tempfile::tempdir().unwrap();
    let sessions = Arc::new(duplidesk_core::collect::Sessions::default());
    for _ in 0..100 {
        collect(&collector(dir.path()).with_sessions(sessions.clone()), &server);
    }
    let st = server.stats();
    println!(
        "100 collections of an unchanged Duplicati 2.1.2 server: {} token families created (target ≤ 1; was 100), {} password logins, {} refreshes",
        st.token_families, st.logins, st.refreshes
    );
}

fn bench_parallel() {
    let rt = runtime();
    let time_of = |count: u32| {
        let servers = Servers::start(count, 2, 50, 100);
        let dir = tempfile::tempdir().unwrap();
        let c = collector(dir.path());
        let start = Instant::now();
        let results = rt.block_on(c.collect(servers.targets(), Arc::new(|_: Progress| {}), &CancelFlag::default()));
        let secs = start.elapsed().as_secs_f64();
        assert!(results.iter().all(|r| r.ok), "{results:?}");
        secs
    };
    let one = time_of(1);
    let fifty = time_of(50);
    println!("50 servers with 100 ms latency each: {fifty:.2} s; one server alone: {one:.2} s; ratio {:.2}× (target ≤ 2×)", fifty / one);
}

/// The benchmarks' store of 1,000,000 entries: 50 servers × 20 jobs × 1,000 runs over three
/// years, 92 % completed. Returns the store and the "now" its dates end at.
pub fn build_million(dir: &std::path::Path) -> (Store, i64) {
    let mut store = Store::open_in(dir).unwrap();
    let (servers, jobs_per_server, per_job) = (50, 20, 1000);
    let now = 1_790_000_000i64;
    let span = 3 * 365 * 86400i64;
    let mut n = 0u64;
    for s in 0..servers {
        let name = format!("server{s:02}");
        let server = store.insert_server(&NewServer { name: &name, host: &name, port: 8200, machine_id: None }).unwrap();
        for j in 0..jobs_per_server {
            let job = store.upsert_job(server.id, &JobInfo::backup(j.to_string(), format!("Job {j}"))).unwrap();
            let entries: Vec<NewEntry> = (0..per_job)
                .map(|i| {
                    n += 1;
                    let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54; // 0..1023
                    let status = match h {
                        0..=869 => Status::Completed,
                        870..=949 => Status::Warning,
                        950..=1004 => Status::Error,
                        _ => Status::Stopped,
                    };
                    let date = now - span + (i as i64 * span / per_job as i64) + (s * 97 + j * 13) as i64;
                    NewEntry {
                        remote_id: Some(i as i64 + 1),
                        remote_timestamp: Some(date + 200),
                        date,
                        status,
                        op_type: "Backup".into(),
                        message: "48211 files examined (110.6 GB): 61 added, 36 modified, 4 deleted; 50.0 MB uploaded".into(),
                        duration_s: Some(207.5),
                        size_bytes: Some(118_734_552_181),
                        uploaded_bytes: Some(52_471_123),
                        warnings: 0,
                        errors: 0,
                        files: Some(FileCounts { examined: 48211, added: 61, modified: 36, deleted: 4 }),
                        details: String::new(),
                        details_cut_from: None,
                    }
                })
                .collect();
            store.store_page(&job, &name, &entries, &JobCursor::default()).unwrap();
        }
    }
    (store, now)
}

fn bench_query() {
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let (store, now) = build_million(dir.path());
    println!("store of {} entries built in {:.1} s", store.total_entries().unwrap(), start.elapsed().as_secs_f64());
    let query = LogQuery {
        from: Some(now - 90 * 86400),
        to: Some(now),
        statuses: vec![Status::Error, Status::Warning],
        limit: Some(100),
        ..LogQuery::default()
    };
    let page = median_ms(21, || {
        let rows = store.query_logs(&query).unwrap();
        assert_eq!(rows.len(), 100);
    });
    let total = store.count_logs(&query).unwrap();
    let count = median_ms(21, || {
        store.count_logs(&query).unwrap();
    });
    let unfiltered = median_ms(21, || {
        store.count_logs(&LogQuery::default()).unwrap();
    });
    let broad = LogQuery {
        from: Some(now - 365 * 86400),
        to: Some(now),
        statuses: vec![Status::Completed],
        limit: Some(100),
        ..LogQuery::default()
    };
    let broad_total = store.count_logs(&broad).unwrap();
    let broad_page = median_ms(21, || {
        store.query_logs(&broad).unwrap();
    });
    let broad_count = median_ms(21, || {
        store.count_logs(&broad).unwrap();
    });
    println!("logs first page (100 rows, last 90 days, error+warning) on 1,000,000 entries: median {page:.2} ms (target ≤ 25 ms)");
    println!(
        "total count of that filter ({total} entries): median {count:.2} ms (target ≤ 100 ms); unfiltered count: median {unfiltered:.2} ms"
    );
    println!("broad filter (completed, last 365 days, {broad_total} entries): first page median {broad_page:.2} ms, count median {broad_count:.2} ms");
}

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(|a, b| a.total_cmp(b));
    times[runs / 2]
}
