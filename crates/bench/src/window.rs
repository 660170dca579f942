//! The Backup Logs page through the real window, on a store of 1,000,000 entries (release
//! build, driven through tauri-driver as the end-to-end tests are): how long after opening the
//! page its first rows are painted, the next page, a filter change, a search, the counter; and
//! the job charts drawn for 10,000 runs. Each figure is the median of several runs, measured in
//! the page from the click to the frame that shows the result. Run it through
//! `bash scripts/bench-app.sh window` (display, D-Bus, keychain).
//!
//! Where the time goes is printed too: the command alone (`logs`, `logs_count`) as the page
//! calls it (engine + serialisation + IPC), and the page's own share.
use duplidesk_core::monitor::{FileCounts, NewEntry};
use duplidesk_core::store::{JobCursor, JobInfo, NewServer};
use duplidesk_core::Status;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 9;

struct Driver {
    child: Child,
    base: String,
    http: reqwest::blocking::Client,
    session: String,
}

impl Driver {
    fn start(binary: &str, data: &std::path::Path) -> Driver {
        let port = free_port();
        let native = free_port();
        let child = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("DUPLIDESK_DATA_DIR", data)
            .env("LANG", "en_US.UTF-8")
            .env("LANGUAGE", "en")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver (installed by scripts/install-deps.sh --test)");
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(300)).build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(Instant::now() < deadline, "tauri-driver does not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut d = Driver { child, base, http, session: String::new() };
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": binary}}}});
        d.session = d.call("POST", "/session", caps)["sessionId"].as_str().expect("a session").to_owned();
        d
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if path == "/session" { format!("{}{path}", self.base) } else { format!("{}/session/{}{path}", self.base, self.session) };
        let req = if method == "GET" { self.http.get(url) } else { self.http.post(url).json(&body) };
        let v: Value = req.send().and_then(|r| r.json()).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(v["value"].get("error").is_none(), "{path}: {}", v["value"]);
        v["value"].clone()
    }

    /// Runs `script` as an async script (its last argument is the callback) and returns what it
    /// passes on.
    fn run(&self, script: &str) -> Value {
        self.call("POST", "/execute/async", json!({"script": script, "args": []}))
    }

    fn wait(&self, css: &str) {
        let script = format!(
            "const done = arguments[arguments.length - 1]; const end = Date.now() + 240000; \
             (function f() {{ if (document.querySelector({css:?})) done(true); else if (Date.now() > end) done(false); else setTimeout(f, 20); }})();"
        );
        assert_eq!(self.run(&script), json!(true), "{css} did not appear");
    }

    fn number(&self, script: &str) -> f64 {
        let v = self.run(script);
        v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Page helpers every measurement uses: `until(cond)` polls each frame; `painted()` resolves
/// after the frame that shows the change has been drawn (two animation frames).
const HELPERS: &str = "const done = arguments[arguments.length - 1]; \
    const until = (cond) => new Promise((ok, ko) => { const end = performance.now() + 120000; \
      (function f() { if (cond()) ok(); else if (performance.now() > end) ko(new Error('timeout')); else requestAnimationFrame(f); })(); }); \
    const painted = () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))); \
    const q = (css) => document.querySelector(css); \
    const firstId = () => q('[data-testid=logs-row]')?.dataset.logId; ";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn show(label: &str, v: Vec<f64>, target: Option<f64>) {
    let spread = format!("{:.0}–{:.0}", v.iter().cloned().fold(f64::INFINITY, f64::min), v.iter().cloned().fold(0.0, f64::max));
    let t = target.map(|t| format!(" (target ≤ {t:.0} ms)")).unwrap_or_default();
    println!("{label}: median {:.1} ms over {} runs, {spread} ms{t}", median(v.clone()), v.len());
}

/// Adds a server with one job of `runs` backups (one every 6 hours up to `now`).
fn add_big_job(store: &mut duplidesk_core::store::Store, runs: usize, now: i64) -> i64 {
    let server = store.insert_server(&NewServer { name: "big", host: "big", port: 8200, machine_id: None }).unwrap();
    let info = JobInfo {
        backup_id: "1".into(),
        name: "Ten thousand runs".into(),
        description: None,
        db_path: None,
        schedule_json: None,
        metadata_json: None,
        operation_type: "Backup".into(),
    };
    let job = store.upsert_job(server.id, &info).unwrap();
    let entries: Vec<NewEntry> = (0..runs)
        .map(|i| {
            let date = now - (runs - i) as i64 * 6 * 3600;
            let status = match i % 37 {
                0 => Status::Error,
                1 | 2 => Status::Warning,
                3 => Status::Stopped,
                _ => Status::Completed,
            };
            let wave = ((i as f64) / 90.0).sin();
            NewEntry {
                remote_id: Some(i as i64 + 1),
                remote_timestamp: Some(date),
                date,
                status,
                op_type: "Backup".into(),
                message: format!("run {i}"),
                duration_s: Some(600.0 + 240.0 * wave + (i % 13) as f64 * 7.0),
                size_bytes: Some(100_000_000_000 + i as i64 * 4_000_000),
                uploaded_bytes: Some(40_000_000 + (wave * 20_000_000.0) as i64),
                warnings: 0,
                errors: 0,
                files: Some(FileCounts { examined: 48_000 + i as i64, added: 40, modified: 30, deleted: 5 }),
                details: String::new(),
                details_cut_from: None,
            }
        })
        .collect();
    for chunk in entries.chunks(5000) {
        store.store_page(&job, "big", chunk, &JobCursor::default()).unwrap();
    }
    job.id
}

pub fn run(binary: &str) {
    let data = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (mut store, now) = crate::build_million(data.path());
    let big = add_big_job(&mut store, 10_000, now);
    let total = store.total_entries().unwrap();
    drop(store);
    println!("store of {total} entries built in {:.0} s", started.elapsed().as_secs_f64());

    let d = Driver::start(binary, data.path());
    d.wait("[data-testid=server-card]");

    // 1. Opening the page: click "Backup Logs" until its first rows are painted.
    let mut open = Vec::new();
    for _ in 0..RUNS {
        // The dashboard, settled (its timeline drawn, where the build has one).
        d.run(&format!(
            "{HELPERS} q('[data-testid=nav-dashboard]').click(); \
             until(() => q('[data-testid=server-card]') && (!q('[data-testid=status-timeline]') || q('[data-testid=status-timeline]').dataset.renderMs)) \
               .then(() => setTimeout(() => done(true), 300));"
        ));
        open.push(d.number(&format!(
            "{HELPERS} const t0 = performance.now(); q('[data-testid=nav-logs]').click(); \
             until(() => firstId() !== undefined).then(painted).then(() => done(performance.now() - t0));"
        )));
    }
    // An older build (before the counter, the search and the charts) is measured on what it has.
    let current = d.run("arguments[arguments.length - 1](!!document.querySelector('[data-testid=logs-counter]'));") == json!(true);
    // 2. The next page: click Next until the other rows are painted.
    let mut next = Vec::new();
    for _ in 0..RUNS {
        next.push(d.number(&format!(
            "{HELPERS} const before = firstId(); const t0 = performance.now(); q('[data-testid=logs-next]').click(); \
             until(() => firstId() !== before && !q('[data-testid=logs-table]').hasAttribute('aria-busy')).then(painted).then(() => done(performance.now() - t0));"
        )));
    }
    // 3. A filter change: the Error status on, then off again.
    let mut filter = Vec::new();
    let mut counted = Vec::new();
    for _ in 0..RUNS {
        let v = d.run(&format!(
            "{HELPERS} const before = firstId(); const c = q('[data-testid=logs-counter]') ?? q('[data-testid=logs-page-info]'); const was = c.textContent; \
             const t0 = performance.now(); q('[data-testid=logs-status-chip][data-status=error]').click(); \
             until(() => firstId() !== before && !q('[data-testid=logs-table]').hasAttribute('aria-busy')).then(painted).then(() => {{ \
               const rows = performance.now() - t0; \
               until(() => c.textContent !== was && !c.classList.contains('is-counting')).then(() => done([rows, performance.now() - t0])); }});"
        ));
        filter.push(v[0].as_f64().unwrap());
        counted.push(v[1].as_f64().unwrap());
        d.run(&format!(
            "{HELPERS} const before = firstId(); q('[data-testid=logs-status-chip][data-status=error]').click(); \
             until(() => firstId() !== before && !q('[data-testid=logs-table]').hasAttribute('aria-busy')).then(() => setTimeout(() => done(true), 200));"
        ));
    }
    // 4. A search (Enter applies it at once).
    let mut search = Vec::new();
    for word in if current { ["run 1", "run 2", "run 3", "run 4", "run 5"].as_slice() } else { &[] } {
        search.push(d.number(&format!(
            "{HELPERS} const i = q('[data-testid=logs-search]'); const before = firstId(); i.value = {word:?}; \
             const t0 = performance.now(); i.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}})); \
             until(() => firstId() !== before && !q('[data-testid=logs-table]').hasAttribute('aria-busy')).then(painted).then(() => done(performance.now() - t0));"
        )));
    }
    if current {
        d.run(&format!("{HELPERS} const i = q('[data-testid=logs-search]'); i.value = ''; i.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}})); setTimeout(() => done(true), 1500);"));
    }
    // Where the time goes: the commands alone, as the page calls them.
    let invoke = |cmd: &str, query: &str| {
        let mut v = Vec::new();
        for _ in 0..RUNS {
            v.push(d.number(&format!(
                "{HELPERS} const t0 = performance.now(); window.__TAURI__.core.invoke({cmd:?}, {{query: {query}}}).then(() => done(performance.now() - t0));"
            )));
        }
        v
    };
    let page = invoke("logs", "{limit: 100, offset: 0}");
    let page_error = invoke("logs", "{statuses: ['error'], limit: 100, offset: 0}");
    let counts = current.then(|| (invoke("logs_count", "{}"), invoke("logs_count", "{statuses: ['error']}")));

    println!("Backup Logs through the window, {total} entries (release build):");
    show("  first rows painted after opening the page", open, Some(50.0));
    show("  next page painted", next, Some(30.0));
    show("  filter change (Error on) painted", filter, Some(50.0));
    show("    … and its counter (page info before) shown", counted, None);
    if !search.is_empty() {
        show("  search (Enter) painted", search, None);
    }
    show("  command logs (100 rows: engine + serialisation + IPC)", page, None);
    show("  command logs, Error only", page_error, None);
    if let Some((all, error)) = counts {
        show("  command logs_count, no filter", all, None);
        show("  command logs_count, Error only", error, None);
    } else {
        return;
    }

    // 5. The job charts of 10,000 runs: open the job's history until its four charts are drawn.
    let mut charts = Vec::new();
    let mut drawn = Vec::new();
    let mut redraw = Vec::new();
    for _ in 0..5 {
        d.run(&format!("{HELPERS} q('[data-testid=nav-dashboard]').click(); until(() => q('[data-testid=job-row][data-job-id=\"{big}\"]')).then(() => setTimeout(() => done(true), 500));"));
        let v = d.run(&format!(
            "{HELPERS} const t0 = performance.now(); q('[data-testid=job-row][data-job-id=\"{big}\"]').click(); \
             until(() => q('[data-testid=job-charts]')?.dataset.renderMs).then(painted).then(() => {{ \
               const el = q('[data-testid=job-charts]'); const total = performance.now() - t0; \
               const wide = el.getBoundingClientRect(); const c = el.querySelector('.u-over'); \
               const t1 = performance.now(); let n = 0; \
               (function move() {{ const r = c.getBoundingClientRect(); \
                 c.dispatchEvent(new MouseEvent('mousemove', {{clientX: r.left + (n * 7) % r.width, clientY: r.top + r.height / 2, bubbles: true}})); \
                 if (++n < 60) requestAnimationFrame(move); else done([total, Number(el.dataset.renderMs), (performance.now() - t1) / 60, Number(el.dataset.points), wide.width]); }})(); }});"
        ));
        charts.push(v[0].as_f64().unwrap());
        drawn.push(v[1].as_f64().unwrap());
        redraw.push(v[2].as_f64().unwrap());
        assert_eq!(v[3].as_f64(), Some(10_000.0), "{v}");
        d.run("const done = arguments[arguments.length - 1]; document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); setTimeout(() => done(true), 500);");
    }
    println!("Job charts, 10,000 runs (4 charts):");
    show("  history opened to charts painted", charts, None);
    show("  uPlot drawing the four charts", drawn, None);
    show("  a frame while the pointer moves over them (cursor synced on all four)", redraw, Some(16.7));
    let timeline = d.number(&format!("{HELPERS} until(() => q('[data-testid=status-timeline]')?.dataset.renderMs).then(() => done(Number(q('[data-testid=status-timeline]').dataset.renderMs)));"));
    println!("Dashboard status timeline for its 1,001 jobs (51 charts): {timeline:.1} ms to draw");
}
