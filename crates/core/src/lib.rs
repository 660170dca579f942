//! Duplidesk's engine: everything the desktop app and the command line share, with no Tauri
//! in it. See ARCHITECTURE.md at the repository root for the map.
pub mod collect;
pub mod connect;
pub mod dashboard;
pub mod dates;
pub mod duplicati;
pub mod error;
pub mod export;
pub mod hosts;
pub mod import;
pub mod logging;
pub mod logs_file;
pub mod model;
pub mod monitor;
pub mod net;
pub mod ops;
pub mod redact;
pub mod secrets;
pub mod store;
pub mod task;
pub mod text;
pub mod tls;
pub mod watch;

pub use error::{Error, ErrorCode, Result};
pub use model::{Protocol, Status};
pub use ops::Engine;

/// The default folder of the store: the OS's application data folder.
pub fn default_data_dir() -> std::path::PathBuf {
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("app.duplidesk")
}
