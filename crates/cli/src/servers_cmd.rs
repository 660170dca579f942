//! `duplidesk servers` and `duplidesk import`.
use crate::args::{ImportArgs, ServersArgs};
use crate::output;
use crate::{open_store, EXIT_FAILED, EXIT_OK};
use duplidesk_core::secrets::{OsKeychain, SecretStore};
use duplidesk_core::{export, Error};
use serde::Serialize;
use std::path::Path;

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

pub fn run(a: ServersArgs, data_dir: &Path) -> Result<i32, Error> {
    let store = open_store(data_dir)?;
    if let Some(key) = &a.remove {
        let server = store.find_server(key)?.ok_or_else(|| {
            Error::invalid_input(format!("No server is called \"{key}\"."), "See the configured servers with: duplidesk servers")
        })?;
        store.delete_server(server.id)?;
        if let Err(e) = OsKeychain::new().delete(&server.secret_ref) {
            output::print_error(&e);
        }
        println!("Removed {} ({}:{}). Its log entries stay until logs are cleared.", server.display_name(), server.host, server.port);
        return Ok(EXIT_OK);
    }
    let servers = store.servers()?;
    if a.json {
        let list: Vec<ServerJson> = servers
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
        output::print_json(&list);
    } else if servers.is_empty() {
        println!("No server is configured yet. Collect from one: duplidesk collect HOST --password-stdin");
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
        output::print_table(&["ID", "NAME", "URL", "PROTOCOL", "VERSION", "LAST RESULT"], &rows);
    }
    Ok(EXIT_OK)
}

pub fn import(a: ImportArgs, data_dir: &Path) -> Result<i32, Error> {
    let mut store = open_store(data_dir)?;
    let mut results = Vec::new();
    let mut failed = false;
    for file in &a.files {
        match export::import(&mut store, file) {
            Ok(s) => {
                if !a.json {
                    println!("{}: {} — {} jobs, {} new, {} already stored", s.file, s.server, s.jobs, s.new, s.skipped);
                }
                results.push(serde_json::json!({"file": s.file, "ok": true, "summary": s}));
            }
            Err(e) => {
                failed = true;
                if !a.json {
                    output::print_error(&e);
                }
                results.push(serde_json::json!({"file": file.display().to_string(), "ok": false, "error": e}));
            }
        }
    }
    if a.json {
        output::print_json(&serde_json::json!({ "files": results }));
    }
    Ok(if failed { EXIT_FAILED } else { EXIT_OK })
}
