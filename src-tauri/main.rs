// A release build on Windows is a GUI program (no console window pops up with the app);
// in CLI mode it attaches to the console of the shell that started it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    duplidesk_app::memory::limit_arenas();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let in_background = args.len() == 2 && args[1] == duplidesk_app::BACKGROUND_ARG;
    if args.len() > 1 && !in_background {
        #[cfg(windows)]
        attach_parent_console();
        return duplidesk_cli::run(args);
    }
    #[cfg(target_os = "linux")]
    duplidesk_app::memory::lean_web_view();
    duplidesk_app::run(in_background);
    ExitCode::SUCCESS
}

/// Makes `println!`/`eprintln!` reach the terminal the CLI was started from. A no-op when the
/// process already has a console (debug builds) or was not started from one.
#[cfg(windows)]
fn attach_parent_console() {
    use windows_sys::Win32::System::Console::{AttachConsole, ATTACH_PARENT_PROCESS};
    // SAFETY: plain Win32 call without pointers; failure just means there is no parent console.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}
