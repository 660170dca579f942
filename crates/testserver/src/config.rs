//! Server configuration.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// The machine-id (install id) of the fixture server.
pub const FIXTURE_MACHINE_ID: &str = "66f5ffc7ff474a73a3c9cba4ac7bfb65";

/// Which backup jobs and log rows the server holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataSet {
    /// The recorded fixtures: jobs "1" (6 log rows), "2" and "3" (no rows).
    Fixture,
    /// `jobs` jobs ("1".."jobs") with `rows_per_job` rows each, generated lazily and
    /// deterministically from `seed`.
    Generated {
        /// Number of backup jobs.
        jobs: u32,
        /// Log rows per job (IDs `1..=rows_per_job`).
        rows_per_job: u32,
        /// Seed of the generator.
        seed: u64,
    },
    /// No jobs at all.
    Empty,
}

/// Transport security of the listening port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain HTTP.
    Plain,
    /// HTTPS with a self-signed leaf certificate.
    SelfSigned,
    /// HTTPS with a leaf signed by a generated "Duplicati Local CA" (see [`crate::TestServer::ca_pem`]).
    CaSigned,
}

/// What kind of server to emulate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Duplicati 2.1 (ASP.NET Kestrel, JWT login).
    Duplicati21,
    /// Duplicati 2.0.x: login answers 400 "Missing XSRF Token", `/` redirects to `/login.html`.
    Legacy20,
    /// Some other web server (nginx-like).
    NotDuplicati,
}

/// Everything [`crate::TestServer::start`] needs.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Login password (default "duplicati").
    pub password: String,
    /// `MachineName` in systeminfo (default "fileserver01").
    pub machine_name: String,
    /// machine-id option default value (32 lowercase hex).
    pub machine_id: String,
    /// `ServerVersion` (default "2.1.0.5").
    pub version: String,
    /// Jobs and log rows.
    pub data: DataSet,
    /// HTTP or HTTPS.
    pub tls: TlsMode,
    /// Server flavour.
    pub mode: Mode,
    /// Extra allowed Host names besides `localhost`, `127.0.0.1`, `[::1]`, `localhost.localdomain`
    /// and IP literals; `"*"` allows every host.
    pub allowed_hostnames: Vec<String>,
    /// Listen address (default 127.0.0.1:0, i.e. a free port).
    pub bind: SocketAddr,
    /// Delay added before every response.
    pub latency: Duration,
    /// Access token lifetime (default 15 min).
    pub token_lifetime: Duration,
    /// Render every generated row at start and serve pages from memory (≈ 9 KB a row), so a
    /// benchmark measures the client rather than the generator. Off by default.
    pub prerender: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            password: "duplicati".into(),
            machine_name: "fileserver01".into(),
            machine_id: FIXTURE_MACHINE_ID.into(),
            version: "2.1.0.5".into(),
            data: DataSet::Fixture,
            tls: TlsMode::Plain,
            mode: Mode::Duplicati21,
            allowed_hostnames: Vec::new(),
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            latency: Duration::ZERO,
            token_lifetime: Duration::from_secs(15 * 60),
            prerender: false,
        }
    }
}
