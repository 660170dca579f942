//! The one error type the engine returns: a stable machine-readable code, a sentence for the
//! user and a hint that says what to do. Commands and the CLI show these as they are; the cause
//! (an SQLite, I/O or HTTP error) is kept as the `source` for logs and debugging.
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// Stable error codes. Never rename a variant: scripts and the UI match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    DnsFailed,
    ConnectionRefused,
    Timeout,
    TlsError,
    /// A server met for the first time speaks only plain HTTP: the password would travel in
    /// clear, so the user must allow it first.
    PlainHttp,
    CertificateChanged,
    AuthFailed,
    HostRejected,
    NotDuplicati,
    UnsupportedVersion,
    ServerError,
    InvalidResponse,
    KeychainUnavailable,
    StoreError,
    IoError,
    Cancelled,
    /// Another collection is running; this one was not started.
    Busy,
    /// A server, job or entry that was named no longer exists.
    NotFound,
    /// The request itself is wrong (a bad host, an empty password…): the CLI's usage error.
    InvalidInput,
}

impl ErrorCode {
    /// Every code, in the order the README lists them.
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::DnsFailed,
        ErrorCode::ConnectionRefused,
        ErrorCode::Timeout,
        ErrorCode::TlsError,
        ErrorCode::PlainHttp,
        ErrorCode::CertificateChanged,
        ErrorCode::AuthFailed,
        ErrorCode::HostRejected,
        ErrorCode::NotDuplicati,
        ErrorCode::UnsupportedVersion,
        ErrorCode::ServerError,
        ErrorCode::InvalidResponse,
        ErrorCode::KeychainUnavailable,
        ErrorCode::StoreError,
        ErrorCode::IoError,
        ErrorCode::Cancelled,
        ErrorCode::Busy,
        ErrorCode::NotFound,
        ErrorCode::InvalidInput,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::DnsFailed => "dns_failed",
            ErrorCode::ConnectionRefused => "connection_refused",
            ErrorCode::Timeout => "timeout",
            ErrorCode::TlsError => "tls_error",
            ErrorCode::PlainHttp => "plain_http",
            ErrorCode::CertificateChanged => "certificate_changed",
            ErrorCode::AuthFailed => "auth_failed",
            ErrorCode::HostRejected => "host_rejected",
            ErrorCode::NotDuplicati => "not_duplicati",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::ServerError => "server_error",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::StoreError => "store_error",
            ErrorCode::IoError => "io_error",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Busy => "busy",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidInput => "invalid_input",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What caused an error, kept for logs; never shown as the message.
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

/// An engine error: `code` for machines, `message` and `hint` for people.
#[derive(Debug, Clone, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{message} [{code}]")]
#[ts(rename = "AppError")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub hint: String,
    #[serde(skip)]
    #[source]
    source: Option<Cause>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl PartialEq for Error {
    /// Two errors are equal when they say the same thing; the cause is not compared.
    fn eq(&self, other: &Self) -> bool {
        (self.code, &self.message, &self.hint) == (other.code, &other.message, &other.hint)
    }
}

impl Eq for Error {}

impl Error {
    /// An error with a sentence and a hint. Every error tells the user what to do: the hint is
    /// never empty.
    pub fn new(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Self {
        let (message, hint) = (message.into(), hint.into());
        debug_assert!(!message.is_empty() && !hint.is_empty(), "an error needs a message and a hint: {code} {message:?} {hint:?}");
        Error { code, message, hint, source: None }
    }

    /// Keeps `cause` as this error's source.
    pub fn caused_by(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(cause));
        self
    }

    pub fn store(detail: impl fmt::Display) -> Self {
        Error::new(
            ErrorCode::StoreError,
            format!("The local database could not be read or written: {detail}."),
            "Check that the data folder is writable and the disk is not full, then try again. Nothing already stored was lost.",
        )
    }

    /// The store at `path` has schema version `found`, above the `known` versions of this
    /// build: a newer Duplidesk made it. It is left as it is.
    pub fn newer_store(path: &std::path::Path, found: i64, known: i64) -> Self {
        Error::new(
            ErrorCode::StoreError,
            format!(
                "The local database {} was made by a newer version of Duplidesk (its schema version is {found}; this version knows up to {known}).",
                path.display()
            ),
            "Install that newer version of Duplidesk again to use it; this version left the file untouched. To start afresh with this version instead, move the data folder aside (nothing in it is deleted).",
        )
    }

    pub fn io(what: &str, cause: std::io::Error) -> Self {
        Error::new(ErrorCode::IoError, format!("{what}: {cause}."), "Check the path, its permissions and the free disk space.")
            .caused_by(cause)
    }

    pub fn invalid_response(host: &str, detail: impl fmt::Display) -> Self {
        Error::new(
            ErrorCode::InvalidResponse,
            format!("{host} sent a response that could not be read ({detail})."),
            "The server may be overloaded or a proxy cut the response; try again. If it persists, check the Duplicati server's log.",
        )
    }

    pub fn cancelled() -> Self {
        Error::new(
            ErrorCode::Cancelled,
            "The collection was cancelled.",
            "Everything collected before the cancel is kept; collect again to continue.",
        )
    }

    pub fn busy() -> Self {
        Error::new(ErrorCode::Busy, "A collection is already running.", "Wait for it to finish, or cancel it, then try again.")
    }

    /// A server the caller named by id is gone (deleted meanwhile, or never existed).
    pub fn server_not_found() -> Self {
        Error::new(ErrorCode::NotFound, "That server no longer exists.", "Reload the server list.")
    }

    pub fn invalid_input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidInput, message, hint)
    }

    pub fn keychain_unavailable(detail: impl fmt::Display) -> Self {
        Error::new(
            ErrorCode::KeychainUnavailable,
            format!("The system keychain could not be used ({detail})."),
            "Unlock or set up the keychain (on Linux a Secret Service such as GNOME Keyring or KWallet). Until then, type the password each time you collect; it is not saved anywhere.",
        )
    }

    /// No password is saved for `server` (a configured server or a host).
    pub fn no_password(server: &str) -> Self {
        Error::new(
            ErrorCode::AuthFailed,
            format!("No password is saved for {server}."),
            "Type the password (the Collect dialog, or --password-stdin); it is then saved in the system keychain.",
        )
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::store(&e).caused_by(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_all_listed() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
        let mut seen = std::collections::HashSet::new();
        assert!(ErrorCode::ALL.iter().all(|c| seen.insert(*c)), "ALL lists each code once");
    }

    #[test]
    fn the_cause_is_kept_as_the_source_and_not_serialized() {
        let cause = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let e = Error::io("Could not write x", cause);
        assert_eq!(std::error::Error::source(&e).map(|s| s.to_string()).as_deref(), Some("denied"));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json, serde_json::json!({"code": "io_error", "message": "Could not write x: denied.", "hint": e.hint}));
        assert_eq!(e.to_string(), "Could not write x: denied. [io_error]");
    }
}
