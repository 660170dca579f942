//! `duplidesk collect`.
use crate::args::CollectArgs;
use crate::output::{self, is_terminal_stderr};
use crate::{open_store, EXIT_FAILED, EXIT_OK};
use duplidesk_core::collect::{CancelFlag, CollectOptions, Collector, HostSummary, Progress, ProgressFn, Target};
use duplidesk_core::connect::ConnectOptions;
use duplidesk_core::hosts::parse_hosts;
use duplidesk_core::secrets::{OsKeychain, SecretStore};
use duplidesk_core::{export, tls, Error};
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn run(a: CollectArgs, data_dir: &Path) -> Result<i32, Error> {
    let store = open_store(data_dir)?;
    let mut extra_roots = Vec::new();
    if let Some(path) = &a.ca_cert {
        let pem = std::fs::read(path).map_err(|e| Error::io(&format!("Could not read {}", path.display()), e))?;
        extra_roots = tls::parse_pem_certs(&pem);
        if extra_roots.is_empty() {
            return Err(Error::invalid_input(
                format!("{} holds no PEM certificate.", path.display()),
                "Give the CA certificate in PEM form.",
            ));
        }
    }
    let options = CollectOptions {
        connect: ConnectOptions {
            connect_timeout: Duration::from_secs(a.connect_timeout.max(1)),
            request_timeout: Duration::from_secs(a.timeout.max(1)),
            extra_roots,
            trust_new_certificate: a.trust_new_certificate,
        },
        concurrency: a.concurrency as usize,
        keep_export: a.save_json.is_some(),
        save_password: !a.no_save_password,
    };
    if let Some(p) = &a.save_json {
        let dir = if p.is_dir() { Some(p.as_path()) } else { p.parent().filter(|d| !d.as_os_str().is_empty()) };
        if let Some(d) = dir.filter(|d| !d.is_dir()) {
            return Err(Error::invalid_input(
                format!("The folder {} does not exist.", d.display()),
                "Create it first or pick another path for --save-json.",
            ));
        }
    }

    let secrets: Arc<dyn SecretStore> = Arc::new(OsKeychain::new());
    let password = if a.password_stdin { Some(read_password_line()?) } else { None };
    let targets: Vec<Target> = if a.all {
        let servers = store.servers()?;
        if servers.is_empty() {
            return Err(Error::invalid_input(
                "No server is configured yet.",
                "Collect from a host first: duplidesk collect HOST --password-stdin",
            ));
        }
        servers
            .into_iter()
            .map(|s| Target { spec: duplidesk_core::hosts::HostSpec { host: s.host, port: s.port }, password: password.clone() })
            .collect()
    } else {
        let specs = parse_hosts(a.hosts.as_deref().unwrap_or_default(), a.port)?;
        let mut password = password;
        if password.is_none() && std::io::stdin().is_terminal() && needs_password(&store, &*secrets, &specs) {
            password = Some(
                rpassword::prompt_password(format!("Duplicati password for {}: ", a.hosts.as_deref().unwrap_or_default()))
                    .map_err(|e| Error::io("Could not read the password", e))?,
            );
        }
        specs.into_iter().map(|spec| Target { spec, password: password.clone() }).collect()
    };
    if a.save_json.is_some() && a.save_json.as_ref().is_some_and(|p| !p.is_dir()) && targets.len() > 1 {
        return Err(Error::invalid_input(
            "--save-json names one file, but several hosts are collected.",
            "Give a folder instead: one [server]_collected_[time].json is written per server.",
        ));
    }

    let collector = Collector::new(Arc::new(Mutex::new(store)), Some(secrets), options);
    let progress: ProgressFn = if !a.json && is_terminal_stderr() { Arc::new(progress_printer()) } else { Arc::new(|_| {}) };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| Error::io("Could not start", e))?;
    let cancel = CancelFlag::default();
    let mut summaries = runtime.block_on(async {
        let c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                c.cancel();
            }
        });
        collector.collect(targets, progress, &cancel).await
    });

    let mut saved = Vec::new();
    if let Some(path) = &a.save_json {
        for s in summaries.iter_mut() {
            if let Some(data) = s.export.take() {
                match export::write(&data, path) {
                    Ok(file) => saved.push(file),
                    Err(e) => {
                        s.ok = false;
                        s.errors += 1;
                        s.error.get_or_insert(e);
                    }
                }
            }
        }
    }
    if a.json {
        output::print_json(&serde_json::json!({ "hosts": summaries, "saved": saved }));
    } else {
        print_table(&summaries);
        for f in &saved {
            println!("Saved {}", f.display());
        }
    }
    Ok(if summaries.iter().all(|s| s.ok) { EXIT_OK } else { EXIT_FAILED })
}

fn read_password_line() -> Result<String, Error> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| Error::io("Could not read the password from standard input", e))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// True when some host has no password saved in the keychain.
fn needs_password(store: &duplidesk_core::store::Store, secrets: &dyn SecretStore, specs: &[duplidesk_core::hosts::HostSpec]) -> bool {
    specs.iter().any(|spec| match store.server_by_address(&spec.host, spec.port) {
        Ok(Some(server)) => !matches!(secrets.get(&server.secret_ref), Ok(Some(_))),
        _ => true,
    })
}

fn progress_printer() -> impl Fn(Progress) + Send + Sync {
    let last = Mutex::new(std::time::Instant::now());
    move |p| {
        let line = match &p {
            Progress::Started { host } => format!("{host}: connecting…"),
            Progress::Connected { host, server, protocol } => format!("{host}: connected to {server} over {protocol}"),
            Progress::Job { host, job, rows } => {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed() < Duration::from_millis(250) {
                    return;
                }
                *last = std::time::Instant::now();
                format!("{host}: {job}: {rows} entries")
            }
            Progress::Finished { host, ok, new } => format!("{host}: {} ({new} new)", if *ok { "done" } else { "failed" }),
        };
        eprintln!("{line}");
    }
}

fn print_table(summaries: &[HostSummary]) {
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
    output::print_table(&["HOST", "SERVER", "PROTOCOL", "NEW", "SKIPPED", "ERRORS", "TIME", "RESULT"], &rows);
    for s in summaries {
        if let Some(server) = &s.server {
            if let Some(fp) = &server.certificate_sha256 {
                if server.protocol == duplidesk_core::Protocol::HttpsSelfSigned {
                    println!("{}: self-signed certificate pinned, SHA-256 {fp}", s.host);
                }
            }
        }
        if let Some(e) = &s.error {
            println!("{}: {}\n  hint: {}", s.host, e.message, e.hint);
        }
        for n in &s.notes {
            println!("{}: {n}", s.host);
        }
    }
}
