//! Blocking work (SQLite, the keychain, files) runs on the blocking thread pool, never on the
//! async threads that serve the UI and the network.
use crate::error::{Error, ErrorCode, Result};

/// Runs `f` on the blocking pool, starting now; the returned future gives its result.
pub fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> impl std::future::Future<Output = Result<T>> + Send + 'static {
    let handle = tokio::task::spawn_blocking(f);
    async move {
        handle.await.map_err(|e| {
            Error::new(
                ErrorCode::IoError,
                format!("An internal task stopped unexpectedly ({e})."),
                "Try again. If it happens again, restart Duplidesk and report it.",
            )
        })?
    }
}
