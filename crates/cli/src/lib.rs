//! Duplidesk's command line, run by the desktop binary when it gets arguments
//! (`duplidesk collect …`, `duplidesk logs …`). Argument parsing and output only: the work is
//! the engine's.
mod args;
mod collect_cmd;
mod logs_cmd;
mod output;
mod servers_cmd;

use args::{Cli, Command};
use clap::Parser;
use duplidesk_core::store::Store;
use duplidesk_core::Error;
use std::ffi::OsString;

/// Exit codes: every host and operation succeeded / something failed / the command line was wrong.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Runs the command line and returns the process exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let data_dir = cli.data_dir.clone().unwrap_or_else(duplidesk_core::default_data_dir);
    let result = match cli.command {
        Command::Collect(a) => collect_cmd::run(a, &data_dir),
        Command::Logs(a) => logs_cmd::run(a, &data_dir),
        Command::Servers(a) => servers_cmd::run(a, &data_dir),
        Command::Import(a) => servers_cmd::import(a, &data_dir),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            output::print_error(&e);
            if e.code == duplidesk_core::ErrorCode::InvalidInput {
                EXIT_USAGE
            } else {
                EXIT_FAILED
            }
        }
    }
}

fn open_store(data_dir: &std::path::Path) -> Result<Store, Error> {
    Store::open_in(data_dir)
}
