//! `duplidesk servers` and `duplidesk import`.
use crate::args::{ImportArgs, ServersArgs};
use crate::output::{self, term};
use crate::{Outcome, EXIT_FAILED, EXIT_OK};
use duplidesk_core::import::{ImportSummary, ImportTarget};
use duplidesk_core::{Engine, Error};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct ServerJson<'a> {
    id: i64,
    name: &'a str,
    alias: Option<&'a str>,
    host: &'a str,
    port: u16,
    url: Option<&'a str>,
    protocol: Option<duplidesk_core::Protocol>,
    certificate_sha256: Option<&'a str>,
    machine_id: Option<&'a str>,
    version: Option<&'a str>,
    last_collect_at: Option<i64>,
    last_result: Option<LastResult<'a>>,
}

#[derive(Serialize)]
struct LastResult<'a> {
    ok: bool,
    error_code: Option<&'a str>,
    message: Option<&'a str>,
}

pub fn run(a: ServersArgs, engine: &Engine, runtime: &tokio::runtime::Runtime) -> Outcome {
    let mut out = io::stdout().lock();
    if let Some(key) = &a.remove {
        let server = runtime.block_on(engine.find_server(key))?;
        let removed = runtime.block_on(engine.delete_server(server.id))?;
        let s = &removed.server;
        writeln!(out, "Removed {} ({}:{}). Its log entries stay until logs are cleared.", term(s.display_name()), term(&s.host), s.port)?;
        for note in &removed.notes {
            writeln!(out, "{}", term(note))?;
        }
        return Ok(EXIT_OK);
    }
    let servers = runtime.block_on(engine.servers())?;
    if a.json {
        let list: Vec<ServerJson<'_>> = servers
            .iter()
            .map(|s| ServerJson {
                id: s.id,
                name: &s.name,
                alias: s.alias.as_deref(),
                host: &s.host,
                port: s.port,
                url: s.url.as_deref(),
                protocol: s.protocol,
                certificate_sha256: s.cert_sha256.as_deref(),
                machine_id: s.machine_id.as_deref(),
                version: s.version.as_deref(),
                last_collect_at: s.last_collect_at,
                last_result: s.last_ok.map(|ok| LastResult {
                    ok,
                    error_code: s.last_error_code.as_deref(),
                    message: s.last_error_message.as_deref(),
                }),
            })
            .collect();
        output::print_json(&mut out, &list)?;
    } else if servers.is_empty() {
        writeln!(out, "No server is configured yet. Collect from one: duplidesk collect HOST --password-stdin")?;
    } else {
        let rows: Vec<Vec<String>> = servers
            .iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    s.display_name().to_owned(),
                    s.url.clone().unwrap_or_else(|| format!("{}:{}", s.host, s.port)),
                    s.protocol.map_or("-".into(), |p| p.to_string()),
                    s.version.clone().unwrap_or_else(|| "-".into()),
                    match (s.last_ok, &s.last_error_code) {
                        (Some(true), _) => "ok".into(),
                        (Some(false), Some(code)) => code.clone(),
                        (Some(false), None) => "failed".into(),
                        (None, _) => "never collected".into(),
                    },
                ]
            })
            .collect();
        output::print_table(&mut out, &["ID", "NAME", "URL", "PROTOCOL", "VERSION", "LAST RESULT"], &rows)?;
    }
    Ok(EXIT_OK)
}

pub fn import(a: ImportArgs, engine: &Engine, runtime: &tokio::runtime::Runtime) -> Outcome {
    let target = match (&a.server, a.new_server) {
        (Some(key), _) => Some(ImportTarget::Server { id: runtime.block_on(engine.find_server(key))?.id }),
        (None, true) => Some(ImportTarget::NewServer),
        (None, false) => None,
    };
    let results = runtime.block_on(engine.import_files(a.files.clone(), target))?;
    let mut out = io::stdout().lock();
    let mut json = Vec::new();
    for (file, result) in a.files.iter().zip(&results) {
        match result {
            Ok(s) if a.json => json.push(serde_json::json!({"file": s.file, "ok": !s.needs_server, "summary": s})),
            Ok(s) if s.needs_server => output::print_error(&needs_server(s)),
            Ok(s) => {
                write!(out, "{}: {} — {} jobs, {} new, {} already stored", term(&s.file), term(&s.server), s.jobs, s.new, s.skipped)?;
                if s.invalid_rows > 0 {
                    write!(out, ", {} unreadable rows left out", s.invalid_rows)?;
                }
                writeln!(out)?
            }
            Err(e) if a.json => json.push(serde_json::json!({"file": file.display().to_string(), "ok": false, "error": e})),
            Err(e) => output::print_error(e),
        }
    }
    if a.json {
        output::print_json(&mut out, &serde_json::json!({ "files": json }))?;
    }
    let failed = results.iter().any(|r| r.as_ref().map_or(true, |s| s.needs_server));
    Ok(if failed { EXIT_FAILED } else { EXIT_OK })
}

fn needs_server(s: &ImportSummary) -> Error {
    Error::invalid_input(
        format!("{}: the file does not say which machine it came from (no machine-id), so nothing was imported.", s.file),
        format!("Say where it goes: --server NAME for a configured server, or --new-server for a new server named {}.", s.server),
    )
}
