//! `duplidesk watch`: the background watch without a desktop. Each pass collects the servers
//! that are due, judges every job and prints one line (or, with `--json`, one JSON object) per
//! entry it made; notifications go to the desktop where a session has a notification service.
//! SIGINT or SIGTERM ends it; a pass in progress is cancelled and what it stored stays stored.
use crate::args::WatchArgs;
use crate::output::{self, term};
use crate::{Outcome, EXIT_FAILED, EXIT_OK};
use duplidesk_core::collect::{CancelFlag, CollectOptions};
use duplidesk_core::ops::{Keychain, Listener, PassReport};
use duplidesk_core::store::now_ts;
use duplidesk_core::watch::{runner, Notice};
use duplidesk_core::{Engine, Result};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

pub fn run(a: WatchArgs, data_dir: &Path, runtime: &tokio::runtime::Runtime) -> Outcome {
    let listener: Arc<dyn Listener> = Arc::new(Desktop { enabled: !a.no_notify && notifications_possible() });
    let engine = Arc::new(Engine::new(data_dir.to_owned(), Keychain::probe_os(), CollectOptions::default(), listener));
    let interval = a.interval;
    if a.once {
        // Whoever runs `--once` (cron, a timer) sets the pace: every server is collected,
        // unless `--interval` asks for only those whose interval has passed.
        let report = runtime.block_on(engine.watch_pass(now_ts(), Some(interval.map_or(0, |i| i.as_secs() as i64))))?;
        print_report(&report, a.json)?;
        return Ok(if report.hosts.iter().all(|h| h.ok) { EXIT_OK } else { EXIT_FAILED });
    }
    let stop = CancelFlag::default();
    let json = a.json;
    runtime.block_on(async {
        let on_signal = stop.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            on_signal.cancel();
        });
        // Output that nobody reads any more (a closed pipe) ends the watch like a signal.
        let on_closed = stop.clone();
        runner::run(engine.clone(), interval, stop, |result: Result<PassReport>| match result {
            Ok(report) => {
                if print_report(&report, json).is_err() {
                    on_closed.cancel();
                }
            }
            Err(e) => output::print_error(&e),
        })
        .await;
    });
    Ok(EXIT_OK)
}

/// SIGINT (Ctrl+C) or, on Unix, SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// One line per entry the pass made (`--json`: one JSON object per line), and a line per
/// host that could not be collected.
fn print_report(report: &PassReport, json: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for e in &report.entries {
        if json {
            let line = serde_json::json!({
                "event": "entry", "id": e.id, "date": rfc3339(e.date), "status": e.status, "type": e.op_type,
                "server": e.server, "job": e.job, "message": e.message,
            });
            writeln!(out, "{line}")?;
        } else {
            let job = e.job.as_deref().map(|j| format!(" / {}", term(j))).unwrap_or_default();
            writeln!(out, "{} {:<10} {}{job}: {}", rfc3339(e.date), e.status.as_str(), term(&e.server), term(&e.message))?;
        }
    }
    for h in report.hosts.iter().filter(|h| !h.ok) {
        let Some(error) = &h.error else { continue };
        if json {
            writeln!(out, "{}", serde_json::json!({"event": "host_failed", "host": h.host, "error": error}))?;
        } else {
            writeln!(out, "{} {:<10} {}: {}", rfc3339(now_ts()), "failed", h.host, term(&error.message))?;
        }
    }
    if report.busy {
        if json {
            writeln!(out, "{}", serde_json::json!({"event": "busy"}))?;
        } else {
            writeln!(out, "{} another collection is running; this pass collected nothing", rfc3339(now_ts()))?;
        }
    }
    out.flush()
}

fn rfc3339(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default()
}

/// Desktop notifications where they can be shown: never fatal, never waited for long.
struct Desktop {
    enabled: bool,
}

impl Listener for Desktop {
    fn notify(&self, notice: &Notice) {
        if !self.enabled {
            return;
        }
        let (title, body) = (notice.title.clone(), notice.body.clone());
        let _ = std::thread::Builder::new().name("duplidesk-notify".into()).spawn(move || {
            let _ = notify_rust::Notification::new().appname("Duplidesk").summary(&title).body(&body).show();
        });
    }
}

/// A notification service can answer: on Linux a session bus exists; elsewhere the OS's.
fn notifications_possible() -> bool {
    if cfg!(target_os = "linux") {
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
    } else {
        true
    }
}
