//! The Tauri commands of docs/commands.md, one file per concern. Each is thin: arguments →
//! engine call → `Result<T, duplidesk_core::Error>` (serialised as `{code, message, hint}`).
//! They are `async` so they run on the async runtime, never on the UI thread.
use tauri::{AppHandle, Emitter, Runtime};

pub mod app;
pub mod collect;
pub mod dashboard;
pub mod demo;
pub mod logs;
pub mod servers;

/// `collect://progress`: the engine's `Progress` as it is (`{kind, host, …}`).
pub const EVENT_PROGRESS: &str = "collect://progress";
/// `data://changed`: after any collection, import, edit, delete or clear.
pub const EVENT_DATA_CHANGED: &str = "data://changed";

/// Every command name; build.rs lists the same names for the ACL (`allow-<name>`).
#[macro_export]
macro_rules! app_invoke_handler {
    () => {
        tauri::generate_handler![
            $crate::commands::app::app_info,
            $crate::commands::app::set_language,
            $crate::commands::dashboard::dashboard,
            $crate::commands::dashboard::job_history,
            $crate::commands::logs::log_details,
            $crate::commands::logs::logs,
            $crate::commands::logs::clear_logs,
            $crate::commands::logs::import_files,
            $crate::commands::collect::collect,
            $crate::commands::collect::cancel_collect,
            $crate::commands::servers::test_connection,
            $crate::commands::servers::update_server,
            $crate::commands::servers::set_password,
            $crate::commands::servers::clear_password,
            $crate::commands::servers::retrust_server,
            $crate::commands::servers::delete_server,
            $crate::commands::demo::start_demo,
            $crate::commands::demo::remove_demo,
        ]
    };
}

/// Tells the UI the data changed and brings the tray icon up to date.
pub fn data_changed<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = app.emit(EVENT_DATA_CHANGED, ()) {
        eprintln!("duplidesk: could not emit {EVENT_DATA_CHANGED}: {e}");
    }
    crate::tray::refresh_status(app);
}
