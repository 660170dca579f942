//! Duplidesk's command line, run by the desktop binary when it gets arguments
//! (`duplidesk collect …`, `duplidesk logs …`). Argument parsing and output only: every use case
//! is the engine's (`duplidesk_core::Engine`).
mod args;
mod collect_cmd;
mod logs_cmd;
mod output;
mod servers_cmd;
mod watch_cmd;

use args::{Cli, Command};
use clap::Parser;
use duplidesk_core::collect::CollectOptions;
use duplidesk_core::ops::{Keychain, Listener, Quiet};
use duplidesk_core::{Engine, Error, ErrorCode};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// Exit codes: every host and operation succeeded / something failed / the command line was wrong.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Why a command stopped early.
#[derive(Debug)]
enum Failure {
    /// The engine said no (or an argument was wrong): printed with its code and hint.
    Engine(Error),
    /// Writing the output failed; a closed pipe (`duplidesk logs | head -1`) ends quietly.
    Output(io::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Engine(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Output(e)
    }
}

type Outcome = Result<u8, Failure>;

/// Runs the command line and returns the process exit code.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // The log file (and, on the terminal, only errors that no output reports): after the
    // parse, so `--help` and `--version` leave no trace.
    duplidesk_core::logging::init(duplidesk_core::logging::Role::Cli, Some(tracing::level_filters::LevelFilter::ERROR));
    tracing::info!(command = cli.command.name(), "command started");
    let data_dir = cli.data_dir.clone().unwrap_or_else(duplidesk_core::default_data_dir);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            output::print_error(&Error::io("Could not start", e));
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let result = match cli.command {
        Command::Collect(a) => collect_cmd::run(a, &data_dir, &runtime),
        Command::Logs(a) => logs_cmd::run(a, &quiet_engine(&data_dir), &runtime),
        Command::Servers(a) => servers_cmd::run(a, &engine(&data_dir, Keychain::probe_os()), &runtime),
        Command::Import(a) => servers_cmd::import(a, &quiet_engine(&data_dir), &runtime),
        Command::Diagnostics => diagnostics(&engine(&data_dir, Keychain::probe_os()), &runtime),
        Command::Watch(a) => watch_cmd::run(a, &data_dir, &runtime),
    };
    let code = match result {
        Ok(code) => code,
        Err(Failure::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(Failure::Output(e)) => {
            eprintln!("error: could not write the output: {e}");
            EXIT_FAILED
        }
        Err(Failure::Engine(e)) => {
            tracing::warn!(code = %e.code, "command failed: {}", e.message);
            output::print_error(&e);
            if e.code == ErrorCode::InvalidInput {
                EXIT_USAGE
            } else {
                EXIT_FAILED
            }
        }
    };
    tracing::info!(exit = code, "command ended");
    ExitCode::from(code)
}

/// `duplidesk diagnostics`: the report the app's "Copy diagnostics" copies, less the app's
/// own components (Tauri, the web view).
fn diagnostics(engine: &Engine, runtime: &tokio::runtime::Runtime) -> Outcome {
    let d = runtime.block_on(engine.diagnostics(Vec::new()));
    let mut out = io::stdout().lock();
    for line in d.report.lines() {
        writeln!(out, "{}", output::term(line))?;
    }
    Ok(if d.store.error.is_some() { EXIT_FAILED } else { EXIT_OK })
}

/// An engine for a command that never reads a password.
fn quiet_engine(data_dir: &Path) -> Engine {
    engine(data_dir, Keychain::none("this command does not use the keychain"))
}

fn engine(data_dir: &Path, keychain: Keychain) -> Engine {
    Engine::new(data_dir.to_owned(), keychain, CollectOptions::default(), Arc::new(Quiet))
}

/// An engine that reports collection progress to `listener`.
fn collecting_engine(data_dir: &Path, options: CollectOptions, listener: Arc<dyn Listener>) -> Engine {
    Engine::new(data_dir.to_owned(), Keychain::probe_os(), options, listener)
}
