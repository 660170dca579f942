//! The command-line grammar.
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "duplidesk",
    version,
    about = "Watch your Duplicati backups: collect their logs, list them, export them.",
    long_about = "Run without arguments to open the desktop app."
)]
pub struct Cli {
    /// Folder of the local store (default: the OS's application data folder)
    #[arg(long, global = true, env = "DUPLIDESK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Collect backup logs from Duplicati servers
    #[command(
        after_help = "Examples:\n  echo \"$PW\" | duplidesk collect 192.168.1.23,nas.local,[fd00::5] --password-stdin\n  duplidesk collect --all --json\n  duplidesk collect nas.local --save-json ~/Downloads"
    )]
    Collect(CollectArgs),
    /// List collected log entries, newest first
    #[command(
        after_help = "Examples:\n  duplidesk logs --from 2025-05-01 --to 2025-05-31 --status error,warning\n  duplidesk logs --server nas --limit 0 --csv > all.csv"
    )]
    Logs(LogsArgs),
    /// List configured servers, or remove one
    Servers(ServersArgs),
    /// Load collected JSON files (from --save-json or duplistatus) into the store
    Import(ImportArgs),
    /// Keep watching: collect every configured server at an interval and report what happens
    #[command(
        after_help = "Examples:\n  duplidesk watch                       # the app's interval (15 minutes by default)\n  duplidesk watch --interval 5m --json\n  duplidesk watch --once                # one pass, e.g. from cron"
    )]
    Watch(WatchArgs),
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Time between passes: 90s, 5m, 1h (default: the app's setting)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub interval: Option<std::time::Duration>,
    /// One pass over every server, then exit (1 if a server could not be collected); with
    /// --interval, only the servers whose interval has passed
    #[arg(long)]
    pub once: bool,
    /// One JSON object per line and event
    #[arg(long)]
    pub json: bool,
    /// Show no desktop notifications
    #[arg(long)]
    pub no_notify: bool,
}

/// `90s`, `5m`, `1h`, `2d`, or plain seconds; at least a second.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (number, unit) = s.find(|c: char| !c.is_ascii_digit()).map_or((s, ""), |i| s.split_at(i));
    let n: u64 = number.parse().map_err(|_| format!("\"{s}\" is not a duration: use e.g. 90s, 5m or 1h"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("\"{s}\": the unit must be s, m, h or d")),
    };
    if seconds == 0 {
        return Err("the interval must be at least 1s".into());
    }
    Ok(std::time::Duration::from_secs(seconds))
}

#[derive(Args, Debug)]
pub struct CollectArgs {
    /// One host or a comma-separated list (same port and password for all)
    #[arg(value_name = "HOSTS", conflicts_with = "all")]
    pub hosts: Option<String>,
    /// Collect from every configured server, with the passwords in the OS keychain
    #[arg(long)]
    pub all: bool,
    /// Port of the Duplicati web interface
    #[arg(long, default_value_t = 8200)]
    pub port: u16,
    /// Read the password from the first line of standard input
    #[arg(long)]
    pub password_stdin: bool,
    /// Save the collected data as JSON: a file, or a folder for [server]_collected_[time].json
    #[arg(long, value_name = "PATH")]
    pub save_json: Option<PathBuf>,
    /// Print one JSON document instead of a table
    #[arg(long)]
    pub json: bool,
    /// Hosts collected at the same time
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Seconds one request may take, body included
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub timeout: u64,
    /// Seconds to wait for a connection
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub connect_timeout: u64,
    /// Also trust certificates signed by this CA (PEM), e.g. Duplicati's local CA
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
    /// Accept a changed certificate whose SHA-256 fingerprint is exactly this one (as the
    /// certificate_changed error shows it; compare it with the server's first) and pin it
    #[arg(long, value_name = "SHA256")]
    pub trust_new_certificate: Option<String>,
    /// Do not save a typed password in the keychain
    #[arg(long)]
    pub no_save_password: bool,
    /// Allow plain HTTP for a host met for the first time that speaks no TLS (its password
    /// then travels unencrypted; not needed for 127.0.0.1 or a server collected over HTTP before)
    #[arg(long)]
    pub allow_http: bool,
    /// Seconds one host's whole collection may take
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub deadline: u64,
}

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// From this day (YYYY-MM-DD, local time) or instant (RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Up to and including this day (local time), or up to this instant (RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only these statuses: completed, warning, error, stopped, started, running, connection, info
    #[arg(long, value_name = "S,…", value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only this server (alias, name or host)
    #[arg(long, value_name = "NAME")]
    pub server: Option<String>,
    /// Only this backup job
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
    /// Only this operation type (Backup, Compact, Test, Restore, Repair, Delete, List, System…)
    #[arg(long = "type", value_name = "T")]
    pub op_type: Option<String>,
    /// Only entries whose message contains this text
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// How many entries (0 = all)
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Skip this many entries first
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
    /// Print a JSON array
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV
    #[arg(long)]
    pub csv: bool,
}

#[derive(Args, Debug)]
pub struct ServersArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Remove this server (alias, name, host or id); its logs stay
    #[arg(long, value_name = "NAME")]
    pub remove: Option<String>,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Files saved by `duplidesk collect --save-json` or by duplistatus
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// For files that name no machine-id: import into this configured server (name, alias,
    /// host or ID)
    #[arg(long, value_name = "SERVER", conflicts_with = "new_server")]
    pub server: Option<String>,
    /// For files that name no machine-id: import as a new server
    #[arg(long)]
    pub new_server: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}
