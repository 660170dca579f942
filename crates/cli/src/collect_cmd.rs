//! `duplidesk collect`.
use crate::args::CollectArgs;
use crate::output::{self, is_terminal_stderr, term};
use crate::{collecting_engine, Outcome, EXIT_FAILED, EXIT_OK};
use duplidesk_core::collect::{CollectOptions, HostSummary, Progress};
use duplidesk_core::connect::ConnectOptions;
use duplidesk_core::hosts::parse_hosts;
use duplidesk_core::ops::{CollectRequest, Listener, Quiet};
use duplidesk_core::{tls, Error, Protocol};
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn run(a: CollectArgs, data_dir: &Path, runtime: &tokio::runtime::Runtime) -> Outcome {
    if a.hosts.is_none() && !a.all {
        return Err(Error::invalid_input(
            "Name the hosts to collect, or pass --all for every configured server.",
            "For example: duplidesk collect nas.local --password-stdin, or duplidesk collect --all",
        )
        .into());
    }
    let options = CollectOptions {
        connect: ConnectOptions {
            connect_timeout: Duration::from_secs(a.connect_timeout.max(1)),
            request_timeout: Duration::from_secs(a.timeout.max(1)),
            extra_roots: read_ca_certs(a.ca_cert.as_deref())?,
            accept_fingerprint: None,
            allow_http: a.allow_http,
        },
        concurrency: usize::from(a.concurrency),
        keep_export: false,
        save_password: !a.no_save_password,
        host_deadline: Duration::from_secs(a.deadline.max(1)),
    };
    let listener: Arc<dyn Listener> = if !a.json && is_terminal_stderr() { Arc::new(ProgressLines::default()) } else { Arc::new(Quiet) };
    let engine = Arc::new(collecting_engine(data_dir, options, listener));

    let mut request = CollectRequest {
        hosts: a.hosts.clone(),
        port: Some(a.port),
        all: a.all,
        save_json: a.save_json.is_some(),
        password: if a.password_stdin { Some(read_password_line()?) } else { None },
        ..CollectRequest::default()
    };
    if let Some(path) = &a.save_json {
        check_save_path(path, &a, runtime, &engine)?;
    }
    // A typed password applies to every host collected: ask for one only for named hosts, never
    // for --all (it would replace each server's own saved password).
    let ask_for = a.hosts.as_deref().filter(|_| request.password.is_none() && io::stdin().is_terminal());
    if let Some(hosts) = ask_for {
        if runtime.block_on(engine.needs_password(&request))? {
            let prompt = format!("Duplicati password for {hosts}: ");
            request.password = Some(rpassword::prompt_password(prompt).map_err(|e| Error::io("Could not read the password", e))?);
        }
    }

    let mut summaries = runtime.block_on(async {
        let on_interrupt = engine.clone();
        let ctrl_c = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_interrupt.cancel_collection();
            }
        });
        let summaries = engine.collect(&request, a.trust_new_certificate.as_deref()).await;
        ctrl_c.abort();
        summaries
    })?;

    let mut saved = Vec::new();
    if let Some(path) = &a.save_json {
        for s in summaries.iter_mut() {
            let Some(data) = s.export.take() else { continue };
            match runtime.block_on(engine.save_export(data, path.clone())) {
                Ok(file) => saved.push(file),
                Err(e) => {
                    s.ok = false;
                    s.errors += 1;
                    s.error.get_or_insert(e);
                }
            }
        }
    }
    let mut out = io::stdout().lock();
    if a.json {
        output::print_json(&mut out, &serde_json::json!({ "hosts": summaries, "saved": saved }))?;
    } else {
        print_table(&mut out, &summaries)?;
        for f in &saved {
            writeln!(out, "Saved {}", f.display())?;
        }
    }
    Ok(if summaries.iter().all(|s| s.ok) { EXIT_OK } else { EXIT_FAILED })
}

fn read_ca_certs(path: Option<&Path>) -> Result<Vec<tls::CertificateDer<'static>>, Error> {
    let Some(path) = path else { return Ok(Vec::new()) };
    let pem = std::fs::read(path).map_err(|e| Error::io(&format!("Could not read {}", path.display()), e))?;
    let roots = tls::parse_pem_certs(&pem);
    if roots.is_empty() {
        return Err(Error::invalid_input(format!("{} holds no PEM certificate.", path.display()), "Give the CA certificate in PEM form."));
    }
    Ok(roots)
}

/// `--save-json` names a folder that exists, or one file for one host.
fn check_save_path(path: &Path, a: &CollectArgs, runtime: &tokio::runtime::Runtime, engine: &duplidesk_core::Engine) -> Result<(), Error> {
    if path.is_dir() {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
        return Err(Error::invalid_input(
            format!("The folder {} does not exist.", dir.display()),
            "Create it first or pick another path for --save-json.",
        ));
    }
    let hosts = match &a.hosts {
        Some(list) => parse_hosts(list, a.port)?.len(),
        None => runtime.block_on(engine.servers())?.len(),
    };
    if hosts > 1 {
        return Err(Error::invalid_input(
            "--save-json names one file, but several hosts are collected.",
            "Give a folder instead: one [server]_collected_[time].json is written per server.",
        ));
    }
    Ok(())
}

fn read_password_line() -> Result<String, Error> {
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line).map_err(|e| Error::io("Could not read the password from standard input", e))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Progress as lines on standard error (a terminal only); job lines at most every 250 ms.
#[derive(Default)]
struct ProgressLines {
    last_job_line: Mutex<Option<Instant>>,
}

impl Listener for ProgressLines {
    fn progress(&self, p: &Progress) {
        let line = match p {
            Progress::Started { host } => format!("{host}: connecting…"),
            Progress::Connected { host, server, protocol } => format!("{host}: connected to {} over {protocol}", term(server)),
            Progress::Job { host, job, rows } => {
                let mut last = self.last_job_line.lock().unwrap_or_else(|e| e.into_inner());
                if last.is_some_and(|t| t.elapsed() < Duration::from_millis(250)) {
                    return;
                }
                *last = Some(Instant::now());
                format!("{host}: {}: {rows} entries", term(job))
            }
            Progress::Finished { host, ok, new } => format!("{host}: {} ({new} new)", if *ok { "done" } else { "failed" }),
        };
        let _ = writeln!(io::stderr().lock(), "{line}");
    }
}

fn print_table(out: &mut impl Write, summaries: &[HostSummary]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            vec![
                s.host.clone(),
                s.server.as_ref().map_or("-".into(), |x| x.name.clone()),
                s.server.as_ref().map_or("-".into(), |x| x.protocol.to_string()),
                s.new.to_string(),
                s.skipped.to_string(),
                s.errors.to_string(),
                format!("{:.1}s", s.duration_ms as f64 / 1000.0),
                if s.ok { "ok".into() } else { s.error.as_ref().map_or("failed".into(), |e| e.code.to_string()) },
            ]
        })
        .collect();
    output::print_table(out, &["HOST", "SERVER", "PROTOCOL", "NEW", "SKIPPED", "ERRORS", "TIME", "RESULT"], &rows)?;
    for s in summaries {
        if let Some(server) = s.server.as_ref().filter(|x| x.protocol == Protocol::HttpsSelfSigned) {
            if let Some(fp) = &server.certificate_sha256 {
                writeln!(out, "{}: self-signed certificate pinned, SHA-256 {fp}", s.host)?;
            }
        }
        if let Some(e) = &s.error {
            writeln!(out, "{}: {}\n  hint: {}", s.host, term(&e.message), term(&e.hint))?;
        }
        for n in &s.notes {
            writeln!(out, "{}: {}", s.host, term(n))?;
        }
    }
    Ok(())
}
