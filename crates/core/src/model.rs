//! Domain types shared by the engine's modules and its callers.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The status of a log entry, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// An operation result with `ParsedResult` Success.
    Completed,
    /// `ParsedResult` Warning, or Success with warnings.
    Warning,
    /// `ParsedResult` Error or Fatal.
    Error,
    /// Interrupted, or stopped by the user (a partial backup).
    Stopped,
    /// A task seen running on the server that was not running at the previous look.
    Started,
    /// A task still running past a threshold (one entry per threshold crossed).
    Running,
    /// A scheduled run that did not arrive by its planned time plus the tolerance (one entry
    /// per overdue episode).
    Overdue,
    /// A collection could not reach or log in to a server (one entry per failure episode).
    Connection,
    /// Housekeeping: a server reached again, logs cleared, an import done.
    Info,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Completed,
        Status::Warning,
        Status::Error,
        Status::Stopped,
        Status::Started,
        Status::Running,
        Status::Overdue,
        Status::Connection,
        Status::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::Warning => "warning",
            Status::Error => "error",
            Status::Stopped => "stopped",
            Status::Started => "started",
            Status::Running => "running",
            Status::Overdue => "overdue",
            Status::Connection => "connection",
            Status::Info => "info",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL.into_iter().find(|st| st.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            format!(
                "unknown status '{s}' (expected one of: completed, warning, error, stopped, started, running, overdue, connection, info)"
            )
        })
    }
}

/// How a server was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub enum Protocol {
    /// HTTPS with a certificate the system trusts.
    #[serde(rename = "https")]
    Https,
    /// HTTPS with a certificate trusted on first use and pinned by its SHA-256 fingerprint.
    #[serde(rename = "https-self-signed")]
    HttpsSelfSigned,
    /// Plain HTTP (only when the port does not speak TLS).
    #[serde(rename = "http")]
    Http,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Https => "https",
            Protocol::HttpsSelfSigned => "https-self-signed",
            Protocol::Http => "http",
        }
    }

    pub fn scheme(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            _ => "https",
        }
    }

    pub fn is_tls(self) -> bool {
        self != Protocol::Http
    }
}

impl FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "https" => Ok(Protocol::Https),
            "https-self-signed" => Ok(Protocol::HttpsSelfSigned),
            "http" => Ok(Protocol::Http),
            other => Err(format!("unknown protocol '{other}'")),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
