//! Sessions kept between collections, so an unchanged server costs no password login (see
//! `duplicati::session`): in memory for this process, and in the OS keychain beside the
//! server's password so that separate command-line runs and app restarts reuse them too.
use crate::duplicati::Session;
use crate::secrets::SecretStore;
use crate::store::ServerRow;
use crate::task::blocking;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The keychain account of a server's session, beside its password's (`secret_ref`).
pub fn session_account(secret_ref: &str) -> String {
    format!("{secret_ref}.session")
}

#[derive(Default)]
pub struct Sessions {
    memory: Mutex<HashMap<i64, Session>>,
}

impl Sessions {
    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Session>> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The session kept for `server`, if any (from memory, else the keychain).
    pub async fn get(&self, server: &ServerRow, keychain: Option<Arc<dyn SecretStore>>) -> Option<Session> {
        if let Some(session) = self.memory().get(&server.id) {
            return Some(session.clone());
        }
        let keychain = keychain?;
        let account = session_account(&server.secret_ref);
        let text = blocking(move || keychain.get(&account)).await.ok().flatten()?;
        let session = Session::from_secret(&text)?;
        self.memory().insert(server.id, session.clone());
        Some(session)
    }

    /// Keeps `session` for `server`. Not being able to keep it in the keychain only costs a
    /// password login next time.
    pub async fn keep(&self, server: &ServerRow, session: Session, keychain: Option<Arc<dyn SecretStore>>) {
        self.memory().insert(server.id, session.clone());
        if let Some(keychain) = keychain {
            let account = session_account(&server.secret_ref);
            let _ = blocking(move || keychain.set(&account, &session.to_secret())).await;
        }
    }

    /// Forgets the session of `server` (the server turned it down, or the server is removed).
    pub async fn forget(&self, server: &ServerRow, keychain: Option<Arc<dyn SecretStore>>) {
        self.memory().remove(&server.id);
        if let Some(keychain) = keychain {
            let account = session_account(&server.secret_ref);
            let _ = blocking(move || keychain.delete(&account)).await;
        }
    }
}
