//! What the app keeps while it runs: the store, the keychain (if any), the running collection
//! and the demo server.
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use duplicati_testserver::TestServer;
use duplidesk_core::collect::{CancelFlag, SharedStore};
use duplidesk_core::secrets::{OsKeychain, SecretStore};
use duplidesk_core::store::Store;
use duplidesk_core::{Error, ErrorCode, Result};

/// Environment variable overriding the data folder (tests, portable installs).
pub const ENV_DATA_DIR: &str = "DUPLIDESK_DATA_DIR";
/// TEST-ONLY override: when set, "save JSON" writes straight into this folder (file name as
/// the dialog would propose) instead of opening the native save dialog, so automated tests
/// need not drive a GTK dialog. Not meant for users.
pub const ENV_SAVE_DIR: &str = "DUPLIDESK_SAVE_DIR";

pub struct AppState {
    pub data_dir: PathBuf,
    /// The open store, or why it could not be opened (shown by every command that needs it).
    store: std::result::Result<SharedStore, Error>,
    /// The OS keychain when it answered a probe; never an in-memory stand-in.
    pub secrets: Option<Arc<dyn SecretStore>>,
    /// Why there is no keychain.
    pub keychain_message: Option<String>,
    /// The cancel flag of the collection running now (one at a time).
    collecting: Mutex<Option<CancelFlag>>,
    /// The demo mode's Duplicati test server, while it runs.
    pub demo: Mutex<Option<TestServer>>,
    /// See [`ENV_SAVE_DIR`]: save JSON here instead of asking through the save dialog.
    pub save_dir: Option<PathBuf>,
}

/// Locks a mutex, ignoring poisoning (a panicked holder leaves consistent data here).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AppState {
    /// The app's state: data folder from `DUPLIDESK_DATA_DIR` or the OS default, the OS
    /// keychain if it works.
    pub fn from_env() -> AppState {
        let data_dir = std::env::var_os(ENV_DATA_DIR).map(PathBuf::from).unwrap_or_else(duplidesk_core::default_data_dir);
        let (secrets, message) = probe_keychain(OsKeychain::new());
        let mut state = AppState::new(data_dir, secrets, message);
        state.save_dir = std::env::var_os(ENV_SAVE_DIR).filter(|d| !d.is_empty()).map(PathBuf::from);
        state
    }

    /// A state over `data_dir`; `secrets: None` means no keychain (`keychain_message` says why).
    pub fn new(data_dir: PathBuf, secrets: Option<Arc<dyn SecretStore>>, keychain_message: Option<String>) -> AppState {
        let store = Store::open_in(&data_dir).map(|s| Arc::new(Mutex::new(s)));
        if let Err(e) = &store {
            eprintln!("duplidesk: the store could not be opened: {e}");
        }
        AppState { data_dir, store, secrets, keychain_message, collecting: Mutex::new(None), demo: Mutex::new(None), save_dir: None }
    }

    pub fn shared_store(&self) -> Result<SharedStore> {
        self.store.clone()
    }

    /// Runs `f` on the store (blocking; call from a blocking-safe context or keep it short).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let store = self.store.as_ref().map_err(Clone::clone)?;
        let mut guard = lock(store);
        f(&mut guard)
    }

    pub fn secrets_ref(&self) -> Option<&dyn SecretStore> {
        self.secrets.as_deref()
    }

    /// The keychain, or the `keychain_unavailable` error.
    pub fn keychain(&self) -> Result<&dyn SecretStore> {
        self.secrets.as_deref().ok_or_else(|| {
            Error::new(
                ErrorCode::KeychainUnavailable,
                format!(
                    "No system keychain is available{}.",
                    self.keychain_message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
                ),
                "Set up and unlock a keychain (on Linux GNOME Keyring or KWallet). Until then, type the password each time you collect; it is not saved anywhere.",
            )
        })
    }

    /// Marks a collection as running; the guard ends it. A second one is refused.
    pub fn begin_collection(&self) -> Result<CollectionGuard<'_>> {
        let mut slot = lock(&self.collecting);
        if slot.is_some() {
            return Err(Error::invalid_input("A collection is already running.", "Wait for it to finish, or cancel it."));
        }
        let flag = CancelFlag::default();
        *slot = Some(flag.clone());
        Ok(CollectionGuard { state: self, flag })
    }

    /// Cancels the running collection, if any.
    pub fn cancel_collection(&self) {
        if let Some(flag) = lock(&self.collecting).as_ref() {
            flag.cancel();
        }
    }

    pub fn is_collecting(&self) -> bool {
        lock(&self.collecting).is_some()
    }
}

/// While alive, a collection is running.
pub struct CollectionGuard<'a> {
    state: &'a AppState,
    pub flag: CancelFlag,
}

impl Drop for CollectionGuard<'_> {
    fn drop(&mut self) {
        *lock(&self.state.collecting) = None;
    }
}

/// Account name used to probe the keychain; never written.
const PROBE_ACCOUNT: &str = "duplidesk-probe";

/// The keychain if reading a (missing) entry works: Ok(None) or Ok(Some) = available;
/// an error = unavailable, with its message.
pub fn probe_keychain<S: SecretStore + 'static>(keychain: S) -> (Option<Arc<dyn SecretStore>>, Option<String>) {
    match keychain.get(PROBE_ACCOUNT) {
        Ok(_) => (Some(Arc::new(keychain)), None),
        Err(e) => {
            eprintln!("duplidesk: no keychain: {}", e.message);
            (None, Some(e.message))
        }
    }
}
