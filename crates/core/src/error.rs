//! The one error type the engine returns: a stable machine-readable code, a sentence for the
//! user and a hint that says what to do. Commands and the CLI show these as they are.
use serde::Serialize;
use std::fmt;

/// Stable error codes (see the design notes). Never rename a variant: scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    DnsFailed,
    ConnectionRefused,
    Timeout,
    TlsError,
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
    InvalidInput,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::DnsFailed => "dns_failed",
            ErrorCode::ConnectionRefused => "connection_refused",
            ErrorCode::Timeout => "timeout",
            ErrorCode::TlsError => "tls_error",
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
            ErrorCode::InvalidInput => "invalid_input",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An engine error: `code` for machines, `message` and `hint` for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub hint: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error { code, message: message.into(), hint: hint.into() }
    }

    pub fn store(detail: impl fmt::Display) -> Self {
        Error::new(
            ErrorCode::StoreError,
            format!("The local database could not be read or written: {detail}."),
            "Check that the data folder is writable and the disk is not full, then try again. Nothing already stored was lost.",
        )
    }

    pub fn io(what: &str, detail: impl fmt::Display) -> Self {
        Error::new(ErrorCode::IoError, format!("{what}: {detail}."), "Check the path, its permissions and the free disk space.")
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

    pub fn invalid_input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidInput, message, hint)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.message, self.code)
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::store(e)
    }
}
