//! The use cases, written once for every front end. The desktop shell's commands, the tray and
//! the command line are transports over [`Engine`]: arguments → one engine call → a typed
//! result or an [`Error`]. Nothing here knows about Tauri or the terminal.
//!
//! One file per group of use cases: `collect` (collect, cancel, re-trust), `servers` (test
//! connection, edit, passwords, delete), `logs` (dashboard, Backup Logs, details, clear),
//! `files` (import, export), `certificates` (authorities the user trusts), `demo` (the demo
//! server), `settings` (language, status).
mod certificates;
mod collect;
mod demo;
mod files;
mod logs;
mod servers;
mod settings;
mod watch;

pub use collect::CollectRequest;
pub use demo::{DEMO_MACHINE_NAME, DEMO_PASSWORD};
pub use logs::{ClearOptions, Cleared, Exported, LogsCount, LogsPage, LogsQuery};
pub use servers::{RemovedServer, TestRequest, TestResult};
pub use settings::{DemoStatus, KeychainStatus, Status, LANGUAGES};
pub use watch::{MonitoredJob, PassReport};

use crate::collect::{CancelFlag, CollectOptions, Progress, Sessions};
use crate::error::{Error, ErrorCode, Result};
use crate::secrets::SecretStore;
use crate::store::{setting_keys, Db, ServerRow};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// What happens in the engine that a front end may want to show as it happens.
pub trait Listener: Send + Sync + 'static {
    /// A collection made progress (any collection: the window's, the tray's, the demo's).
    fn progress(&self, _progress: &Progress) {}
    /// Stored data changed: after any collection, import, edit, delete or clear.
    fn data_changed(&self) {}
    /// A collection started (`true`) or ended (`false`): front ends offer Cancel meanwhile.
    fn collecting(&self, _running: bool) {}
    /// The background watch decided on a desktop notification.
    fn notify(&self, _notice: &crate::watch::Notice) {}
}

/// A listener that ignores everything.
pub struct Quiet;
impl Listener for Quiet {}

/// The OS keychain as the engine found it.
pub struct Keychain {
    /// The keychain when it answered; never an in-memory stand-in.
    pub store: Option<Arc<dyn SecretStore>>,
    /// Why there is none.
    pub problem: Option<String>,
}

impl Keychain {
    /// The OS keychain if reading a (missing) entry works, else none and why.
    pub fn probe_os() -> Keychain {
        let mut keychain = Keychain::probe(crate::secrets::OsKeychain::new());
        keychain.store = keychain.store.map(|os| Arc::new(crate::secrets::Remembered::new(os, KEYCHAIN_MEMORY)) as Arc<dyn SecretStore>);
        keychain
    }

    pub fn probe<S: SecretStore + 'static>(keychain: S) -> Keychain {
        match keychain.get(PROBE_ACCOUNT) {
            Ok(_) => Keychain { store: Some(Arc::new(keychain)), problem: None },
            Err(e) => Keychain { store: None, problem: Some(e.message) },
        }
    }

    /// No keychain, for the stated reason.
    pub fn none(problem: impl Into<String>) -> Keychain {
        Keychain { store: None, problem: Some(problem.into()) }
    }
}

/// How long a keychain read is remembered (see `secrets::Remembered`).
const KEYCHAIN_MEMORY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Account name used to probe the keychain; never written.
const PROBE_ACCOUNT: &str = "duplidesk-probe";

/// Everything the use cases share: the store, the keychain, the running collection, the demo.
pub struct Engine {
    data_dir: PathBuf,
    /// The open store, or why it could not be opened (every use case that needs it says so).
    db: std::result::Result<Db, Error>,
    keychain: Keychain,
    collect_options: CollectOptions,
    listener: Arc<dyn Listener>,
    /// The collection running now (one at a time).
    running: Mutex<Option<RunningSlot>>,
    /// Wakes whoever waits for the running collection to end (a user's collection that
    /// cancelled a background one).
    slot_freed: tokio::sync::Notify,
    /// Wakes the background loop when its settings change.
    watch_changed: tokio::sync::Notify,
    /// The stored language choice, read once and kept up to date by `set_language`.
    language: Mutex<Option<String>>,
    /// Logins kept between collections (memory and keychain).
    sessions: Arc<Sessions>,
    demo: Mutex<Option<duplicati_testserver::TestServer>>,
}

/// The collection running now: how to cancel it, and whether it is a background pass (which
/// gives way to a collection the user starts).
struct RunningSlot {
    cancel: CancelFlag,
    background: bool,
}

/// Locks a mutex, ignoring poisoning (a panicked holder leaves consistent data here).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Engine {
    /// The engine over the store in `data_dir` (opened now; a failure is kept and reported by
    /// every use case that needs the store). `collect_options` apply to every collection.
    pub fn new(data_dir: PathBuf, keychain: Keychain, collect_options: CollectOptions, listener: Arc<dyn Listener>) -> Engine {
        let db = Db::open_in(&data_dir);
        let language = db.as_ref().ok().and_then(|db| db.read_now(|s| s.setting(setting_keys::LANGUAGE)).ok().flatten());
        Engine {
            data_dir,
            db,
            keychain,
            collect_options,
            listener,
            running: Mutex::new(None),
            slot_freed: tokio::sync::Notify::new(),
            watch_changed: tokio::sync::Notify::new(),
            language: Mutex::new(language),
            sessions: Arc::default(),
            demo: Mutex::new(None),
        }
    }

    /// The store, or why it could not be opened.
    pub fn db(&self) -> Result<&Db> {
        self.db.as_ref().map_err(Clone::clone)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The keychain, or `keychain_unavailable` saying why there is none.
    pub fn keychain(&self) -> Result<Arc<dyn SecretStore>> {
        self.keychain.store.clone().ok_or_else(|| {
            Error::new(
                ErrorCode::KeychainUnavailable,
                match &self.keychain.problem {
                    Some(why) => format!("No system keychain is available ({why})."),
                    None => "No system keychain is available.".to_owned(),
                },
                "Set up and unlock a keychain (on Linux GNOME Keyring or KWallet). Until then, type the password each time you collect; it is not saved anywhere.",
            )
        })
    }

    fn secrets(&self) -> Option<Arc<dyn SecretStore>> {
        self.keychain.store.clone()
    }

    /// A configured server by id, or `not_found`.
    async fn server(&self, id: i64) -> Result<ServerRow> {
        self.db()?.read(move |s| s.server(id)).await?.ok_or_else(Error::server_not_found)
    }

    fn data_changed(&self) {
        self.listener.data_changed();
    }
}
