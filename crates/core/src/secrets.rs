//! Server passwords live in the OS keychain (Secret Service, macOS Keychain, Windows Credential
//! Manager) and nowhere else. There is no silent fallback: without a keychain, callers are told
//! so and the user types the password each time.
use crate::error::{Error, ErrorCode, Result};
use crate::store::ServerRow;

/// The keychain service name: the app's identifier.
pub const SERVICE: &str = "app.duplidesk";

/// A place to keep server passwords, keyed by a server's `secret_ref`.
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<String>>;
    fn set(&self, account: &str, password: &str) -> Result<()>;
    /// Removes the entry; Ok when there was none.
    fn delete(&self, account: &str) -> Result<()>;
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
