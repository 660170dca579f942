//! `duplicati-testserver`: run the emulated Duplicati server by hand or for demos.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode, Version};

const USAGE: &str = "usage: duplicati-testserver [--port 8200] [--bind 127.0.0.1] [--password duplicati]
       [--version 2.0.8.1|2.1.0.5|2.1.2|2.2|2.3.1] [--tls plain|self-signed|ca]
       [--data fixture|generated|empty] [--jobs 5] [--rows 200] [--seed 1] [--sync-jobs 0]
       [--latency-ms 0] [--machine-name NAME] [--machine-id HEX] [--install-id HEX]
       [--allowed-hostnames a,b] [--agent-psk KEY]";

fn parse(args: &[String]) -> Result<ServerConfig, String> {
    let mut cfg = ServerConfig::default();
    let (mut port, mut bind): (u16, IpAddr) = (8200, IpAddr::from([127, 0, 0, 1]));
    let (mut data, mut jobs, mut rows, mut seed) = ("fixture".to_string(), 5u32, 200u32, 1u64);
    let mut machine_id = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("missing value for {flag}"))?;
        let bad = || format!("invalid value for {flag}: {value}");
        match flag.as_str() {
            "--port" => port = value.parse().map_err(|_| bad())?,
            "--bind" => bind = value.parse().map_err(|_| bad())?,
            "--password" => cfg.password = value.clone(),
            "--tls" => {
                cfg.tls = match value.as_str() {
                    "plain" => TlsMode::Plain,
                    "self-signed" => TlsMode::SelfSigned,
                    "ca" => TlsMode::CaSigned,
                    _ => return Err(bad()),
                }
            }
            "--data" => data = value.clone(),
            "--jobs" => jobs = value.parse().map_err(|_| bad())?,
            "--rows" => rows = value.parse().map_err(|_| bad())?,
            "--seed" => seed = value.parse().map_err(|_| bad())?,
            "--latency-ms" => cfg.latency = Duration::from_millis(value.parse().map_err(|_| bad())?),
            "--machine-name" => cfg.machine_name = value.clone(),
            "--machine-id" => machine_id = Some(value.clone()),
            "--install-id" => cfg.install_id = Some(value.clone()),
            "--version" => cfg.version = value.parse::<Version>()?,
            "--sync-jobs" => cfg.sync_jobs = value.parse().map_err(|_| bad())?,
            "--agent-psk" => cfg.agent_psk = Some(value.clone()),
            "--allowed-hostnames" => {
                cfg.allowed_hostnames = value.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    cfg.bind = SocketAddr::new(bind, port);
    cfg.data = match data.as_str() {
        "fixture" => DataSet::Fixture,
        "generated" => {
            // A machine-id that differs per seed, so several demo servers look distinct.
            cfg.machine_id = format!("{:016x}{:016x}", seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), seed ^ 0xD1B5_4A32_D192_ED03);
            DataSet::Generated { jobs, rows_per_job: rows, seed }
        }
        "empty" => DataSet::Empty,
        _ => return Err(format!("invalid value for --data: {data}")),
    };
    if let Some(id) = machine_id {
        cfg.machine_id = id;
    }
    Ok(cfg)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse(&args) {
        Ok(cfg) => cfg,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            eprintln!("{USAGE}");
            return if msg.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };
    let server = match TestServer::start(cfg) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start server: {e}");
            return ExitCode::FAILURE;
        }
    };
    match server.cert_sha256() {
        Some(fp) => println!("{} sha256={fp}", server.url()),
        None => println!("{}", server.url()),
    }
    let waited = tokio::runtime::Builder::new_current_thread().enable_all().build().map(|rt| rt.block_on(tokio::signal::ctrl_c()));
    if let Err(e) | Ok(Err(e)) = waited {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    server.shutdown();
    ExitCode::SUCCESS
}
