//! Server passwords live in the OS keychain (Secret Service, macOS Keychain, Windows Credential
//! Manager) and nowhere else. There is no silent fallback: without a keychain, callers are told
//! so and the user types the password each time.
use crate::error::{Error, ErrorCode, Result};
use crate::store::ServerRow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The keychain service name: the app's identifier.
pub const SERVICE: &str = "app.duplidesk";

/// A place to keep server passwords, keyed by a server's `secret_ref`.
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<String>>;
    fn set(&self, account: &str, password: &str) -> Result<()>;
    /// Removes the entry; Ok when there was none.
    fn delete(&self, account: &str) -> Result<()>;
    /// Forgets what was remembered of the keychain (see [`Remembered`]), so the next read asks it.
    fn forget(&self) {}
}

/// A keychain whose reads are remembered for a while. Reading the OS keychain is costly (on
/// Linux each read opens a Secret Service session with a Diffie-Hellman exchange, about 10 ms
/// of CPU), and the background watch, the dashboard and the tray read every server's entry
/// every minute. What this process writes or deletes is known at once; a change made by another
/// process (the command line) is seen after `ttl`, or at the next read after [`SecretStore::forget`]
/// (the engine calls it when a server refuses a password). Only this process's memory holds
/// what is remembered, as it holds a password while it collects.
pub struct Remembered {
    inner: Arc<dyn SecretStore>,
    ttl: Duration,
    reads: Mutex<HashMap<String, (Instant, Option<String>)>>,
}

impl Remembered {
    pub fn new(inner: Arc<dyn SecretStore>, ttl: Duration) -> Remembered {
        Remembered { inner, ttl, reads: Mutex::default() }
    }

    fn reads(&self) -> MutexGuard<'_, HashMap<String, (Instant, Option<String>)>> {
        self.reads.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn remember(&self, account: &str, value: Option<String>) {
        self.reads().insert(account.to_owned(), (Instant::now(), value));
    }
}

impl SecretStore for Remembered {
    fn get(&self, account: &str) -> Result<Option<String>> {
        if let Some((_, value)) = self.reads().get(account).filter(|(at, _)| at.elapsed() < self.ttl) {
            return Ok(value.clone());
        }
        let value = self.inner.get(account)?;
        self.remember(account, value.clone());
        Ok(value)
    }

    fn set(&self, account: &str, password: &str) -> Result<()> {
        self.inner.set(account, password)?;
        self.remember(account, Some(password.to_owned()));
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<()> {
        self.inner.delete(account)?;
        self.remember(account, None);
        Ok(())
    }

    fn forget(&self) {
        self.reads().clear();
    }
}

/// The operating system's keychain.
pub struct OsKeychain {
    service: String,
}

impl OsKeychain {
    pub fn new() -> OsKeychain {
        OsKeychain::with_service(SERVICE)
    }

    /// A keychain under another service name (tests use their own).
    pub fn with_service(service: &str) -> OsKeychain {
        OsKeychain { service: service.to_owned() }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(unavailable)
    }
}

impl Default for OsKeychain {
    fn default() -> Self {
        OsKeychain::new()
    }
}

impl SecretStore for OsKeychain {
    fn get(&self, account: &str) -> Result<Option<String>> {
        match self.entry(account)?.get_password() {
            Ok(pw) => Ok(Some(pw)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, account: &str, password: &str) -> Result<()> {
        self.entry(account)?.set_password(password).map_err(unavailable)
    }

    fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

fn unavailable(e: keyring::Error) -> Error {
    Error::keychain_unavailable(&e).caused_by(e)
}

/// The password saved for a configured server (`label` names it in messages). Fails with
/// `keychain_unavailable` without a keychain, and `auth_failed` when none is saved.
pub fn saved_password(secrets: Option<&dyn SecretStore>, server: &ServerRow, label: &str) -> Result<String> {
    let secrets = secrets.ok_or_else(|| {
        Error::new(
            ErrorCode::KeychainUnavailable,
            format!("No system keychain is available to read the password of {label}."),
            "Type the password each time (--password-stdin, or the Collect dialog), or set up a keychain (GNOME Keyring, KWallet).",
        )
    })?;
    secrets.get(&server.secret_ref)?.ok_or_else(|| Error::no_password(label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A keychain in memory that counts its reads (another process may write to it).
    #[derive(Default)]
    struct Counted {
        entries: Mutex<HashMap<String, String>>,
        reads: AtomicUsize,
    }

    impl SecretStore for Counted {
        fn get(&self, account: &str) -> Result<Option<String>> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            Ok(self.entries.lock().unwrap().get(account).cloned())
        }
        fn set(&self, account: &str, password: &str) -> Result<()> {
            self.entries.lock().unwrap().insert(account.into(), password.into());
            Ok(())
        }
        fn delete(&self, account: &str) -> Result<()> {
            self.entries.lock().unwrap().remove(account);
            Ok(())
        }
    }

    #[test]
    fn reads_are_remembered_writes_known_at_once_and_others_changes_seen_after_a_while_or_a_forget() {
        let os = Arc::new(Counted::default());
        os.set("a", "one").unwrap();
        let kc = Remembered::new(os.clone(), Duration::from_millis(200));
        let reads = || os.reads.load(Ordering::SeqCst);
        assert_eq!(kc.get("a").unwrap().as_deref(), Some("one"));
        assert_eq!(kc.get("a").unwrap().as_deref(), Some("one"));
        assert_eq!(kc.get("b").unwrap(), None);
        assert_eq!(kc.get("b").unwrap(), None);
        assert_eq!(reads(), 2, "each entry read once, present or not");

        kc.set("b", "two").unwrap();
        kc.delete("a").unwrap();
        assert_eq!((kc.get("a").unwrap(), kc.get("b").unwrap().as_deref()), (None, Some("two")));
        assert_eq!(reads(), 2, "what this process wrote needs no read");

        // Another process changes an entry: seen after a forget, or after the time to live.
        os.set("b", "three").unwrap();
        assert_eq!(kc.get("b").unwrap().as_deref(), Some("two"));
        kc.forget();
        assert_eq!(kc.get("b").unwrap().as_deref(), Some("three"));
        os.set("b", "four").unwrap();
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(kc.get("b").unwrap().as_deref(), Some("four"));
    }
}
