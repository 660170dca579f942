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
/// How many times the app is started to open Backup Logs the first time.
const STARTS: usize = 9;

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

/// Page helpers every measurement uses: `until(cond)` resolves as soon as the page's DOM meets
/// `cond` (a MutationObserver, not a poll); `painted()` after the next frame has been drawn;
/// `measure(act, cond)` gives `[ms until the page shows it (DOM and layout done), ms until
/// that frame is painted]`.
const HELPERS: &str = "const done = arguments[arguments.length - 1]; \
    const until = (cond) => new Promise((ok, ko) => { if (cond()) return ok(); const end = setTimeout(() => { mo.disconnect(); ko(new Error('timeout')); }, 120000); \
      const mo = new MutationObserver(() => { if (cond()) { mo.disconnect(); clearTimeout(end); ok(); } }); \
      mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true }); }); \
    const painted = () => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0))); \
    const q = (css) => document.querySelector(css); \
    const firstId = () => q('[data-testid=logs-row]')?.dataset.logId; \
    const idle = () => !q('[data-testid=logs-table]')?.hasAttribute('aria-busy'); \
    const measure = (act, cond) => { const t0 = performance.now(); act(); \
      return until(cond).then(() => { void document.body.offsetHeight; const dom = performance.now() - t0; \
        return painted().then(() => [dom, performance.now() - t0]); }); }; ";

fn pair(v: Value) -> (f64, f64) {
    (v[0].as_f64().unwrap_or_else(|| panic!("{v}")), v[1].as_f64().unwrap())
}

/// A measure as the page shows it (DOM and layout done) and as painted.
fn show2(label: &str, v: Vec<(f64, f64)>, target: f64) {
    let t = if target.is_finite() { format!(" (target ≤ {target:.0} ms)") } else { String::new() };
    println!(
        "{label}: in the page {:.1} ms, painted {:.1} ms{t} (medians of {} runs; painted {:.0}–{:.0} ms)",
        median(v.iter().map(|p| p.0).collect()),
        median(v.iter().map(|p| p.1).collect()),
        v.len(),
        v.iter().map(|p| p.1).fold(f64::INFINITY, f64::min),
        v.iter().map(|p| p.1).fold(0.0, f64::max)
    );
}

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
    let info = JobInfo::backup("1", "Ten thousand runs");
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

/// `keep`: a folder to build the store in once and reuse (to compare builds on the same data);
/// none = a temporary one.
pub fn run(binary: &str, keep: Option<&str>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let temp = tempfile::tempdir().unwrap();
    let data = keep.map(std::path::PathBuf::from).unwrap_or_else(|| temp.path().to_owned());
    let done_marker = data.join("bench-store-complete");
    let big = if done_marker.exists() {
        std::fs::read_to_string(&done_marker).unwrap().trim().parse().unwrap()
    } else {
        let started = Instant::now();
        let (mut store, now) = crate::build_million(&data);
        let big = add_big_job(&mut store, 10_000, now);
        println!("store built in {:.0} s", started.elapsed().as_secs_f64());
        std::fs::write(&done_marker, big.to_string()).unwrap();
        big
    };
    let total = duplidesk_core::store::Store::open_in(&data).unwrap().total_entries().unwrap();
    println!("store of {total} entries");

    // 0. The first opening after the app started, once per start: it runs on cold scripts,
    // fonts and store pages.
    let settle = "until(() => q('[data-testid=server-card]') && !q('[data-testid=status-timeline] .timeline-body[aria-busy]')) \
                  .then(() => setTimeout(() => done(true), 300));";
    let open_logs =
        format!("{HELPERS} measure(() => q('[data-testid=nav-logs]').click(), () => firstId() !== undefined && idle()).then(done);");
    // Ctrl+2, the page's shortcut, as the window gets it.
    let shortcut = format!(
        "{HELPERS} measure(() => window.dispatchEvent(new KeyboardEvent('keydown', {{key: '2', ctrlKey: true, bubbles: true}})), \
           () => firstId() !== undefined && idle()).then(done);"
    );
    let mut first_open = Vec::new();
    let mut first_open_pointed = Vec::new();
    let mut first_open_keyed = Vec::new();
    for start in 0..3 * STARTS {
        let d = Driver::start(binary, &data);
        d.wait("[data-testid=server-card]");
        d.run(&format!("{HELPERS} {settle}"));
        match start % 3 {
            0 => first_open.push(pair(d.run(&open_logs))),
            1 => {
                // As a mouse user does: the pointer reaches the link a moment before the click.
                d.run(&format!(
                    "{HELPERS} q('[data-testid=nav-logs]').dispatchEvent(new MouseEvent('mouseover', {{bubbles: true}})); setTimeout(() => done(true), 150);"
                ));
                first_open_pointed.push(pair(d.run(&open_logs)));
            }
            _ => {
                // As a keyboard user does: Ctrl goes down a moment before the 2.
                d.run(&format!(
                    "{HELPERS} window.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Control', ctrlKey: true, bubbles: true}})); setTimeout(() => done(true), 100);"
                ));
                first_open_keyed.push(pair(d.run(&shortcut)));
            }
        }
    }

    let d = Driver::start(binary, &data);
    d.wait("[data-testid=server-card]");

    // 1. Opening the page again: click "Backup Logs" until its first rows are painted. Builds
    // since the page is kept between visits find it with its rows as they were, or, after a
    // data change, ask for them again.
    let mut open = Vec::new();
    let mut open_changed = Vec::new();
    for run in 0..2 * RUNS {
        // The dashboard, settled (its timeline loaded, where the build has one).
        d.run(&format!("{HELPERS} q('[data-testid=nav-dashboard]').click(); {settle}"));
        let changed = run % 2 == 1;
        if changed {
            // A change the app is told of (`data://changed`) that leaves the rows as they are.
            d.run(&format!(
                "{HELPERS} window.__TAURI__.core.invoke('set_job_monitored', {{jobId: {big}, monitored: true}}) \
                   .then(() => setTimeout(() => done(true), 400));"
            ));
        }
        let v = pair(d.run(&open_logs));
        if changed {
            open_changed.push(v)
        } else {
            open.push(v)
        }
    }
    // An older build (before the counter, the search and the charts) is measured on what it has.
    let current = d.run("arguments[arguments.length - 1](!!document.querySelector('[data-testid=logs-counter]'));") == json!(true);
    // 2. The next page: click Next until the other rows are painted.
    let mut next = Vec::new();
    for _ in 0..RUNS {
        next.push(pair(d.run(&format!(
            "{HELPERS} const before = firstId(); measure(() => q('[data-testid=logs-next]').click(), () => firstId() !== before && idle()).then(done);"
        ))));
    }
    // 3. A filter change: the Error status on, then off again.
    let mut filter = Vec::new();
    let mut counted = Vec::new();
    for _ in 0..RUNS {
        let v = d.run(&format!(
            "{HELPERS} const before = firstId(); const c = q('[data-testid=logs-counter]') ?? q('[data-testid=logs-page-info]'); const was = c.textContent; \
             const t0 = performance.now(); \
             measure(() => q('[data-testid=logs-status-chip][data-status=error]').click(), () => firstId() !== before && idle()).then((m) => \
               until(() => c.textContent !== was && !c.classList.contains('is-counting')).then(() => done([m[0], m[1], performance.now() - t0])));"
        ));
        filter.push((v[0].as_f64().unwrap(), v[1].as_f64().unwrap()));
        counted.push(v[2].as_f64().unwrap());
        d.run(&format!(
            "{HELPERS} const before = firstId(); q('[data-testid=logs-status-chip][data-status=error]').click(); \
             until(() => firstId() !== before && !q('[data-testid=logs-table]').hasAttribute('aria-busy')).then(() => setTimeout(() => done(true), 200));"
        ));
    }
    // 4. A search (Enter applies it at once).
    let mut search = Vec::new();
    for word in if current { ["run 1", "run 2", "run 3", "run 4", "run 5"].as_slice() } else { &[] } {
        search.push(pair(d.run(&format!(
            "{HELPERS} const i = q('[data-testid=logs-search]'); const before = firstId(); i.value = {word:?}; \
             measure(() => i.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}})), () => firstId() !== before && idle()).then(done);"
        ))));
    }
    if current {
        d.run(&format!("{HELPERS} const i = q('[data-testid=logs-search]'); i.value = ''; i.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}})); setTimeout(() => done(true), 1500);"));
    }
    // Where the page's own time goes, on the page as it is: formatting 100 dates, swapping
    // in the rows it holds (style and layout included), laying the page out again.
    let parts = d.run(&format!(
        "{HELPERS} import('./js/format.js').then((f) => {{ \
           const tb = q('[data-testid=logs-table] tbody'); const rows = [...tb.children]; \
           let t0 = performance.now(); for (let i = 0; i < 100; i++) f.formatDateTime(1790000000 - i * 3600); const fmt = performance.now() - t0; \
           const clones = rows.map((r) => r.cloneNode(true)); \
           t0 = performance.now(); tb.replaceChildren(...clones); void document.body.offsetHeight; const swap = performance.now() - t0; \
           const el = q('.view-logs'); t0 = performance.now(); el.style.paddingRight = '1px'; void document.body.offsetHeight; const relayout = performance.now() - t0; \
           el.style.paddingRight = ''; void document.body.offsetHeight; \
           done([fmt, swap, relayout, document.getElementsByTagName('*').length, rows.filter((r) => r.dataset.testid === 'logs-row').length]); }});"
    ));
    println!(
        "  in the page: 100 dates formatted {:.1} ms; the {} rows in the table swapped in with style and layout {:.1} ms; the page laid out again {:.1} ms ({} elements)",
        parts[0].as_f64().unwrap_or(f64::NAN),
        parts[4],
        parts[1].as_f64().unwrap_or(f64::NAN),
        parts[2].as_f64().unwrap_or(f64::NAN),
        parts[3]
    );
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

    // What a frame costs here, with nothing to do (a virtual display paints in software).
    let frame = d.number(&format!(
        "{HELPERS} let n = 0; const t0 = performance.now(); (function f() {{ if (++n <= 30) requestAnimationFrame(f); else done((performance.now() - t0) / 30); }})();"
    ));
    println!("Backup Logs through the window, {total} entries (release build); an idle frame here takes {frame:.1} ms:");
    show2(&format!("  first rows after opening the page the first time since the app started ({STARTS} starts)"), first_open, 50.0);
    show2("    … the pointer on the link 150 ms before the click", first_open_pointed, 50.0);
    show2("    … Ctrl+2, Ctrl pressed 100 ms before the 2", first_open_keyed, 50.0);
    show2("  first rows after opening the page again", open, 50.0);
    show2("  first rows after opening the page again, the data changed meanwhile", open_changed, 50.0);
    show2("  next page", next, 30.0);
    show2("  filter change (Error on)", filter, 50.0);
    show("    … and its counter (page info before) shown", counted, None);
    if !search.is_empty() {
        show2("  search (Enter)", search, f64::INFINITY);
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
    let mut move_work = Vec::new();
    let mut one_word = Vec::new();
    for _ in 0..5 {
        d.run(&format!("{HELPERS} q('[data-testid=nav-dashboard]').click(); until(() => q('[data-testid=job-row][data-job-id=\"{big}\"]')).then(() => setTimeout(() => done(true), 500));"));
        let v = d.run(&format!(
            "{HELPERS} const t0 = performance.now(); q('[data-testid=job-row][data-job-id=\"{big}\"]').click(); \
             until(() => q('[data-testid=job-charts]')?.dataset.renderMs).then(painted).then(() => {{ \
               const el = q('[data-testid=job-charts]'); const total = performance.now() - t0; \
               const wide = el.getBoundingClientRect(); const c = el.querySelector('.u-over'); \
               const t1 = performance.now(); let n = 0; let work = 0; \
               (function move() {{ const r = c.getBoundingClientRect(); const w0 = performance.now(); \
                 c.dispatchEvent(new MouseEvent('mousemove', {{clientX: r.left + (n * 7) % r.width, clientY: r.top + r.height / 2, bubbles: true}})); \
                 void document.body.offsetHeight; work += performance.now() - w0; \
                 if (++n < 60) requestAnimationFrame(move); else floor([total, Number(el.dataset.renderMs), (performance.now() - t1) / 60, Number(el.dataset.points), wide.width, work / 60]); }})(); \
               const floor = (v) => {{ const ro = el.querySelector('.chart-readout'); let m = 0; const t2 = performance.now(); \
                 (function tick() {{ ro.textContent = 'run ' + (m % 10); if (++m < 60) requestAnimationFrame(tick); else done([...v, (performance.now() - t2) / 60]); }})(); }}; }});"
        ));
        charts.push(v[0].as_f64().unwrap());
        drawn.push(v[1].as_f64().unwrap());
        redraw.push(v[2].as_f64().unwrap());
        move_work.push(v[5].as_f64().unwrap());
        one_word.push(v[6].as_f64().unwrap());
        assert_eq!(v[3].as_f64(), Some(10_000.0), "{v}");
        d.run("const done = arguments[arguments.length - 1]; document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); setTimeout(() => done(true), 500);");
    }
    println!("Job charts, 10,000 runs (4 charts):");
    show("  history opened to charts painted", charts, None);
    show("  uPlot drawing the four charts", drawn, None);
    show("  a frame while the pointer moves over them (cursor synced on all four)", redraw, Some(16.7));
    show("    … of which the page's own work for a move (uPlot's handlers, style and layout)", move_work, None);
    show("  a frame that changes one word over them (what any visible change costs here)", one_word, None);
    // The timeline draws a chart when it comes near the view (builds before that drew all of
    // them at once): scrolled to, its first charts are drawn.
    let v = d.run(&format!(
        "{HELPERS} const tl = q('[data-testid=status-timeline]'); const lazy = tl.dataset.drawn !== undefined; \
         if (lazy) delete tl.dataset.renderMs; tl.scrollIntoView({{block: 'start'}}); \
         until(() => tl.dataset.renderMs).then(() => done([Number(tl.dataset.renderMs), \
           lazy ? Number(tl.dataset.drawn) : tl.querySelectorAll('canvas').length, tl.querySelectorAll('.timeline-server').length]));"
    ));
    let (ms, drawn, charts) = (v[0].as_f64().unwrap(), v[1].as_f64().unwrap(), v[2].as_f64().unwrap());
    println!("Dashboard status timeline, 1,001 jobs on {charts} charts: the {drawn} near the view drawn in {ms:.1} ms");
}
