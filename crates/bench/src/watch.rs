//! What watching costs: 100 test servers (in another process, not counted) configured with
//! their passwords in the keychain and monitored every minute, first by the desktop app (its
//! window open, WebKit processes included), then by `duplidesk watch` alone. For each, the
//! average CPU over the run as a share of one core and the memory (average and peak, sampled
//! every 5 s, as PSS so the libraries the app and its WebKit processes share count once), from
//! /proc. Needs a display, a D-Bus session and an unlocked keychain: run it through
//! `bash scripts/bench-watch.sh [MINUTES]` (10 by default).
use crate::Servers;
use duplidesk_core::store::Store;
use duplidesk_core::watch::MonitorSettings;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SERVERS: u32 = 100;
const SAMPLE: Duration = Duration::from_secs(5);

/// `watch-load BINARY [MINUTES]`.
pub fn run(args: &[String]) {
    let binary = args.first().expect("watch-load needs the path of the release binary");
    let minutes: u64 = args.get(1).map_or(10, |m| m.parse().expect("minutes"));
    let servers = Servers::start(SERVERS, 2, 20, 0);
    let data = tempfile::tempdir().unwrap();
    configure(binary, data.path(), &servers.ports);
    println!("watch: {SERVERS} test servers × 2 jobs, collected every minute, measured over {minutes} min");

    let app = Command::new(binary)
        .env("DUPLIDESK_DATA_DIR", data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the app");
    let figures = measure(app, minutes, data.path());
    println!("  desktop app (window open, with its WebKit processes): {figures} (target ≤ 2 % and ≤ 250 MB)");

    let watch = Command::new(binary)
        .args(["watch", "--no-notify"])
        .env("DUPLIDESK_DATA_DIR", data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start duplidesk watch");
    let figures = measure(watch, minutes, data.path());
    println!("  duplidesk watch: {figures} (target ≤ 1 % and ≤ 64 MB)");
}

/// The servers, added through the CLI as a user would (passwords into the keychain), and
/// background collection every minute.
fn configure(binary: &str, data: &Path, ports: &[u16]) {
    let hosts = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect::<Vec<_>>().join(",");
    let mut cli = Command::new(binary)
        .args(["collect", &hosts, "--password-stdin", "--allow-http"])
        .env("DUPLIDESK_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    cli.stdin.take().unwrap().write_all(format!("{}\n", crate::PASSWORD).as_bytes()).unwrap();
    assert!(cli.wait().unwrap().success(), "configure the servers through the CLI");
    let store = Store::open_in(data).unwrap();
    MonitorSettings { interval_min: 1, autostart_asked: true, ..MonitorSettings::default() }.save(&store).unwrap();
}

struct Figures {
    cpu_share: f64,
    rss_avg_mb: f64,
    rss_peak_mb: f64,
    fresh: usize,
    passes: u32,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "average CPU {:.2} % of one core, memory (PSS) average {:.0} MB, peak {:.0} MB ({} passes seen; {} of {SERVERS} servers collected in the last 2 minutes)",
            self.cpu_share * 100.0,
            self.rss_avg_mb,
            self.rss_peak_mb,
            self.passes,
            self.fresh
        )
    }
}

/// Lets `child` settle for 30 s, then samples it (and its descendants) for `minutes`.
fn measure(mut child: Child, minutes: u64, data: &Path) -> Figures {
    assert!(minutes >= 2, "measure at least 2 minutes");
    std::thread::sleep(Duration::from_secs(30));
    let tick = clock_ticks_per_second();
    let cpu_ticks = |pid: u32| std::iter::once(pid).chain(crate::app::descendants(pid)).map(cpu_ticks_of).sum::<u64>();
    // PSS: pages shared between the app and its WebKit processes (the same libraries) count once.
    let rss = |pid: u32| std::iter::once(pid).chain(crate::app::descendants(pid)).map(pss_mb).sum::<f64>();
    let start_cpu = cpu_ticks(child.id());
    let started = Instant::now();
    let until = started + Duration::from_secs(minutes * 60);
    let (mut sum, mut n, mut peak) = (0.0, 0u32, 0.0f64);
    let (mut passes, mut last_seen) = (0u32, newest_collection(data));
    while Instant::now() < until {
        std::thread::sleep(SAMPLE);
        assert!(child.try_wait().unwrap().is_none(), "the measured process exited");
        let r = rss(child.id());
        sum += r;
        n += 1;
        peak = peak.max(r);
        let newest = newest_collection(data);
        if newest > last_seen {
            passes += 1;
            last_seen = newest;
        }
    }
    let cpu_s = (cpu_ticks(child.id()) - start_cpu) as f64 / tick;
    let elapsed = started.elapsed().as_secs_f64();
    // Collected in the last two minutes: the watch kept going to the end.
    let fresh = collected_since(data, duplidesk_core::store::now_ts() - 120);
    let _ = child.kill();
    let _ = child.wait();
    std::thread::sleep(Duration::from_secs(1));
    Figures { cpu_share: cpu_s / elapsed, rss_avg_mb: sum / f64::from(n.max(1)), rss_peak_mb: peak, fresh, passes }
}

/// When the newest collection of any server was.
fn newest_collection(data: &Path) -> i64 {
    let store = Store::open_in(data).unwrap();
    store.servers().unwrap().iter().filter_map(|s| s.last_collect_at).max().unwrap_or(0)
}

/// How many servers were collected at or after `since` (Unix seconds): the watch really ran.
fn collected_since(data: &Path, since: i64) -> usize {
    let store = Store::open_in(data).unwrap();
    store.servers().unwrap().iter().filter(|s| s.last_collect_at.is_some_and(|t| t >= since)).count()
}

/// The proportional set size of `pid` (its RSS with each shared page divided among its users).
fn pss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Pss:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// utime + stime of `pid` in clock ticks (0 once it is gone).
fn cpu_ticks_of(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else { return 0 };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // After the command: state (3rd field of the line) … utime (14th) and stime (15th).
    field(11) + field(12)
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf reads a constant of the system.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}
