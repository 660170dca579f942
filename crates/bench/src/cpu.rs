//! The CPU a first `duplidesk collect` spends per stored row: the real release binary, as a
//! user runs it, against a test server in another process (its CPU is not counted).
//!
//! The whole process is measured (start-up, keychain probe, protocol detection, login, paging,
//! parsing, storing): user + system time from the child's own resource usage (`wait4`), divided
//! by the entries in the store afterwards.
use crate::Servers;
use duplidesk_core::store::{LogQuery, Store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const JOBS: u32 = 10;
const ROWS_PER_JOB: u32 = 5000;
const DEFAULT_RUNS: usize = 5;
const BUILD_HINT: &str = "build it first with `cargo build --release --bin duplidesk`, or give its path: \
     `cargo run --release -p duplidesk-bench -- cpu path/to/duplidesk`";

/// One run of the child.
struct Run {
    cpu: Duration,
    user: Duration,
    sys: Duration,
    wall: Duration,
    peak_rss_mb: f64,
    rows: u64,
}

impl Run {
    fn us_per_row(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.rows.max(1) as f64
    }
}

/// `cpu [BINARY] [--runs N]`.
pub fn run(args: &[String]) {
    let mut binary = None;
    let mut runs = DEFAULT_RUNS;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => runs = it.next().and_then(|n| n.parse().ok()).filter(|n| *n > 0).expect("--runs needs a positive number"),
            path => binary = Some(PathBuf::from(path)),
        }
    }
    let binary = binary.unwrap_or_else(default_binary);
    if !binary.is_file() {
        eprintln!("cpu: no duplidesk binary at {}: {BUILD_HINT}", binary.display());
        std::process::exit(2);
    }
    println!("cpu: measuring {} (after a change, rebuild it with `cargo build --release --bin duplidesk`)", binary.display());

    let servers = Servers::start(1, JOBS, ROWS_PER_JOB, 0);
    let port = servers.ports[0];
    let results: Vec<Run> = (0..runs)
        .map(|i| {
            let r = collect_once(&binary, port);
            println!(
                "  run {}: {:.1} µs CPU per row ({:.2} s user + {:.2} s sys, {} rows), wall {:.2} s, peak RSS {:.0} MB",
                i + 1,
                r.us_per_row(),
                r.user.as_secs_f64(),
                r.sys.as_secs_f64(),
                r.rows,
                r.wall.as_secs_f64(),
                r.peak_rss_mb
            );
            r
        })
        .collect();
    let median = |f: &dyn Fn(&Run) -> f64| {
        let mut v: Vec<f64> = results.iter().map(f).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    println!(
        "first `duplidesk collect`, {JOBS} jobs × {ROWS_PER_JOB} rows over HTTP: median {:.1} µs of CPU per stored row over {runs} runs \
         (target ≤ 20 µs); wall {:.2} s; peak RSS {:.0} MB",
        median(&Run::us_per_row),
        median(&|r| r.wall.as_secs_f64()),
        median(&|r| r.peak_rss_mb),
    );
}

/// `target/release/duplidesk`, beside this benchmark's own executable.
fn default_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let dir = exe.parent().expect("a folder");
    // `cargo run` runs target/release/duplidesk-bench; a test harness would run target/release/deps/…
    let dir = if dir.ends_with("deps") { dir.parent().unwrap_or(dir) } else { dir };
    dir.join(format!("duplidesk{}", std::env::consts::EXE_SUFFIX))
}

fn collect_once(binary: &Path, port: u16) -> Run {
    let data = tempfile::tempdir().unwrap();
    let err_path = data.path().join("stderr.txt");
    let err_file = std::fs::File::create(&err_path).unwrap();
    let start = Instant::now();
    // Reaped by `wait_with_usage` (wait4), which clippy cannot see.
    #[allow(clippy::zombie_processes)]
    let mut child = Command::new(binary)
        .args(["collect", "127.0.0.1", "--port", &port.to_string(), "--password-stdin", "--no-save-password"])
        .env("DUPLIDESK_DATA_DIR", data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(err_file)
        .spawn()
        .expect("start duplidesk");
    child.stdin.take().unwrap().write_all(format!("{}\n", crate::PASSWORD).as_bytes()).unwrap();
    let (status, usage) = wait_with_usage(child.id());
    let wall = start.elapsed();
    let err = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(status == 0, "duplidesk collect failed (wait status {status}): {err}");
    let rows = Store::open_in(data.path()).unwrap().count_logs(&LogQuery::default()).unwrap();
    assert_eq!(rows, u64::from(JOBS * ROWS_PER_JOB), "every row stored once");
    Run { cpu: usage.user + usage.sys, user: usage.user, sys: usage.sys, wall, peak_rss_mb: usage.max_rss_kb as f64 / 1024.0, rows }
}

struct Usage {
    user: Duration,
    sys: Duration,
    max_rss_kb: i64,
}

/// Waits for the child `pid` and returns its wait status and its own resource usage.
#[cfg(unix)]
fn wait_with_usage(pid: u32) -> (i32, Usage) {
    let mut status = 0;
    // SAFETY: plain system call on a zeroed, properly sized struct; `pid` is our own child,
    // which nothing else waits for (its `Child` handle is dropped without waiting).
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut ru) };
    assert_eq!(got, pid as libc::pid_t, "wait4: {}", std::io::Error::last_os_error());
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    (status, Usage { user: tv(ru.ru_utime), sys: tv(ru.ru_stime), max_rss_kb: ru.ru_maxrss as i64 })
}

#[cfg(not(unix))]
fn wait_with_usage(_pid: u32) -> (i32, Usage) {
    panic!("the cpu benchmark reads the child's resource usage with wait4 (Unix only)");
}
