//! The Tauri commands of docs/commands.md, one file per concern. Each is a transport over the
//! engine: arguments → one `Engine` call → `Result<T, duplidesk_core::Error>` (serialised as
//! `{code, message, hint}`). They are `async`, so they never run on the UI thread.
pub mod app;
pub mod collect;
pub mod dashboard;
pub mod demo;
pub mod logs;
pub mod servers;
pub mod system;
pub mod watch;

/// `collect://progress`: the engine's `Progress` as it is (`{kind, host, …}`).
pub const EVENT_PROGRESS: &str = "collect://progress";
/// `data://changed`: after any collection, import, edit, delete or clear.
pub const EVENT_DATA_CHANGED: &str = "data://changed";
/// Payload: `true` when a collection starts (from the window, the tray or the demo), `false`
/// when it ends.
pub const EVENT_RUNNING: &str = "collect://running";

macro_rules! app_commands {
    ($($module:ident :: $command:ident),* $(,)?) => {
        /// Every command's name, as the UI invokes it.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($command)),*];

        /// Routes the UI's `invoke(name, args)` to the commands.
        pub fn invoke_handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$command),*]
        }
    };
}

include!("list.rs");
