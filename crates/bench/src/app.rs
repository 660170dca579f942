//! The desktop app's figures: cold start to a painted window, and the idle RSS after a
//! collection of 50,000 entries. Needs a display, a D-Bus session and an unlocked keychain:
//! run it through `bash scripts/bench-app.sh`.
use duplicati_testserver::{DataSet, ServerConfig, TestServer};
use duplidesk_core::store::{LogQuery, Store};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "duplicati";
const MACHINE_ID: &str = "0000000000000000000000000000beef";

pub fn run(binary: &str) {
    let data = tempfile::tempdir().unwrap();
    let starts: Vec<f64> = (0..5).map(|_| cold_start(binary, data.path())).collect();
    let mut sorted = starts.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    println!(
        "app cold start to a painted window: median {:.2} s over {} runs ({}) (target ≤ 1.5 s)",
        sorted[sorted.len() / 2],
        starts.len(),
        starts.iter().map(|s| format!("{s:.2}")).collect::<Vec<_>>().join(", ")
    );
    idle_rss_after_collect(binary);
}

fn spawn_app(binary: &str, data: &Path) -> Child {
    Command::new(binary).env("DUPLIDESK_DATA_DIR", data).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start the app")
}

fn quit(mut app: Child) {
    let _ = app.kill();
    let _ = app.wait();
    // Let WebKit's helper processes go before the next start.
    std::thread::sleep(Duration::from_millis(500));
}

fn output(cmd: &mut Command) -> String {
    cmd.output().map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default()
}

/// Seconds from spawning the app until its window shows the UI (more than a few colors).
fn cold_start(binary: &str, data: &Path) -> f64 {
    let started = Instant::now();
    let app = spawn_app(binary, data);
    let deadline = started + Duration::from_secs(30);
    let secs = loop {
        assert!(Instant::now() < deadline, "the window did not paint");
        let ids = output(Command::new("xdotool").args(["search", "--onlyvisible", "--name", "^Duplidesk$"]));
        if let Some(id) = ids.split_whitespace().next() {
            let colors = output(Command::new("convert").args([&format!("x:{id}"), "-format", "%k", "info:"]));
            if colors.trim().parse::<u32>().unwrap_or(0) > 16 {
                break started.elapsed().as_secs_f64();
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    quit(app);
    secs
}

/// Configures a server (through the CLI, which keeps the password in the keychain), then lets
/// the app collect 10 jobs × 5,000 rows from it with the tray's Quick collect, waits until the
/// app is idle and reads the resident memory of the app and of its WebKit processes.
fn idle_rss_after_collect(binary: &str) {
    let data = tempfile::tempdir().unwrap();
    let empty = TestServer::start(ServerConfig { data: DataSet::Empty, machine_id: MACHINE_ID.into(), ..ServerConfig::default() }).unwrap();
    let port = empty.port();
    let mut cli = Command::new(binary)
        .args(["collect", "127.0.0.1", "--port", &port.to_string(), "--password-stdin", "--json"])
        .env("DUPLIDESK_DATA_DIR", data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    cli.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    assert!(cli.wait().unwrap().success(), "configure the server through the CLI");
    drop(empty);
    let full = TestServer::start(ServerConfig {
        data: DataSet::Generated { jobs: 10, rows_per_job: 5000, seed: 1 },
        machine_id: MACHINE_ID.into(),
        bind: SocketAddr::from(([127, 0, 0, 1], port)),
        prerender: true,
        ..ServerConfig::default()
    })
    .unwrap();

    let app = spawn_app(binary, data.path());
    std::thread::sleep(Duration::from_secs(3));
    let started = Instant::now();
    click_tray_item("Quick collect");
    let count = || Store::open_in(data.path()).ok().and_then(|s| s.count_logs(&LogQuery::default()).ok()).unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(120);
    while count() < 50_000 {
        assert!(Instant::now() < deadline, "the app did not collect 50,000 entries ({})", count());
        std::thread::sleep(Duration::from_millis(200));
    }
    let took = started.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(5));
    let main = rss_mb(app.id());
    let children: f64 = descendants(app.id()).into_iter().map(rss_mb).sum();
    println!("app collect of 50,000 entries (tray Quick collect): {took:.1} s");
    println!(
        "app idle RSS after it: {main:.0} MB for the app process (target ≤ 250 MB); {:.0} MB with its WebKit processes",
        main + children
    );
    drop(full);
    quit(app);
}

pub fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

pub fn descendants(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut frontier = vec![pid];
    while let Some(p) = frontier.pop() {
        let children = std::fs::read_to_string(format!("/proc/{p}/task/{p}/children")).unwrap_or_default();
        for c in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            out.push(c);
            frontier.push(c);
        }
    }
    out
}

/// Clicks a tray menu item over D-Bus, as a desktop shell does (com.canonical.dbusmenu).
fn click_tray_item(label: &str) {
    let names = output(Command::new("gdbus").args([
        "call",
        "--session",
        "-d",
        "org.freedesktop.DBus",
        "-o",
        "/org/freedesktop/DBus",
        "-m",
        "org.freedesktop.DBus.ListNames",
    ]));
    for name in names.split('\'').filter(|n| n.starts_with(':')) {
        let tree = output(Command::new("gdbus").args(["introspect", "--session", "-d", name, "-o", "/org/ayatana/NotificationItem", "-r"]));
        let Some(path) = tree.split_whitespace().find(|w| w.starts_with("/org/ayatana/NotificationItem/") && w.ends_with("/Menu")) else {
            continue;
        };
        let layout = output(Command::new("gdbus").args([
            "call",
            "--session",
            "-d",
            name,
            "-o",
            path,
            "-m",
            "com.canonical.dbusmenu.GetLayout",
            "--",
            "0",
            "-1",
            "[]",
        ]));
        let at = layout.find(&format!("'label': <'{label}'>")).expect("tray item");
        let id: String = layout[..at].rsplit("<(").next().unwrap().chars().take_while(|c| c.is_ascii_digit()).collect();
        let ok = Command::new("gdbus")
            .args([
                "call",
                "--session",
                "-d",
                name,
                "-o",
                path,
                "-m",
                "com.canonical.dbusmenu.Event",
                "--",
                &id,
                "clicked",
                "<int32 0>",
                "0",
            ])
            .status()
            .unwrap();
        assert!(ok.success());
        return;
    }
    panic!("no tray menu on the session bus");
}
