//! Server configuration and the emulated Duplicati versions.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

/// The machine-id (install id) of the fixture server.
pub const FIXTURE_MACHINE_ID: &str = "66f5ffc7ff474a73a3c9cba4ac7bfb65";

/// The Duplicati release a server emulates: one profile per release line.
///
/// Each profile follows the Duplicati source of its tag: the web server (2.0's "Tiny
/// WebServer" or 2.1+'s Kestrel), login and tokens, the DTO fields, which operations write
/// log rows and the fields of the result classes inside them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// 2.0.8.1 beta (2024-05-07): the legacy web server with XSRF cookies and `/login.cgi`.
    V2_0_8_1,
    /// 2.1.0.5 stable (2025-03-04): Kestrel, JWT login answering `{AccessToken}`.
    #[default]
    V2_1_0_5,
    /// 2.1.2.0 beta (2025-08-20): every login creates a token family, refresh nonces, every
    /// operation writes a log row.
    V2_1_2,
    /// 2.2.0.0 stable (2025-10-23): adds `ExternalID` to backups.
    V2_2,
    /// 2.3.1.0 beta (2026-07-28): database locks, sync jobs, `machine-id` from `machineid.txt`.
    V2_3_1,
}

impl Version {
    /// Every profile, oldest first.
    pub const ALL: [Version; 5] = [Version::V2_0_8_1, Version::V2_1_0_5, Version::V2_1_2, Version::V2_2, Version::V2_3_1];

    /// `ServerVersion`, e.g. `2.1.0.5`.
    pub fn number(self) -> &'static str {
        match self {
            Version::V2_0_8_1 => "2.0.8.1",
            Version::V2_1_0_5 => "2.1.0.5",
            Version::V2_1_2 => "2.1.2.0",
            Version::V2_2 => "2.2.0.0",
            Version::V2_3_1 => "2.3.1.0",
        }
    }

    /// The release tag (`UpdaterManager.SelfVersion.Displayname`), e.g. `2.1.0.5_stable_2025-03-04`.
    pub fn tag(self) -> &'static str {
        match self {
            Version::V2_0_8_1 => "2.0.8.1_beta_2024-05-07",
            Version::V2_1_0_5 => "2.1.0.5_stable_2025-03-04",
            Version::V2_1_2 => "2.1.2.0_beta_2025-08-20",
            Version::V2_2 => "2.2.0.0_stable_2025-10-23",
            Version::V2_3_1 => "2.3.1.0_beta_2026-07-28",
        }
    }

    /// `ServerVersionType`: `Stable` or `Beta`.
    pub fn release_type(self) -> &'static str {
        match self {
            Version::V2_1_0_5 | Version::V2_2 => "Stable",
            Version::V2_0_8_1 | Version::V2_1_2 | Version::V2_3_1 => "Beta",
        }
    }

    /// `Version` inside result messages: `2.1.0.5 (2.1.0.5_stable_2025-03-04)`.
    pub fn result_version(self) -> String {
        format!("{} ({})", self.number(), self.tag())
    }

    /// True for the 2.0 web server (Tiny WebServer, XSRF, `/login.cgi`, Newtonsoft output).
    pub fn is_legacy(self) -> bool {
        self == Version::V2_0_8_1
    }

    /// From 2.1.2 every password login creates a token family and answers `RefreshNonce`
    /// (`WebserverCore/Services/LoginProvider.cs`).
    pub(crate) fn refresh_nonces(self) -> bool {
        self >= Version::V2_1_2
    }

    /// From 2.1.2 `Controller.RunAction` writes a log row after every operation on an existing
    /// local database (`Library/Main/Controller.cs`).
    pub(crate) fn logs_every_operation(self) -> bool {
        self >= Version::V2_1_2
    }

    /// From 2.3.1.0 the `machine-id` option reports `machineid.txt` instead of the install id
    /// (`Library/Main/Options.cs`, commit e64e1456).
    pub(crate) fn reports_machine_file(self) -> bool {
        self >= Version::V2_3_1
    }

    /// From 2.3.1.0 the log endpoint takes the job's database lock and fails while a task
    /// holds it (`WebserverCore/Services/DatabaseLockTracker.cs`).
    pub(crate) fn locks_database(self) -> bool {
        self >= Version::V2_3_1
    }

    /// Sync jobs (`Backup.OperationType == Sync`) exist from 2.3.
    pub(crate) fn has_sync_jobs(self) -> bool {
        self >= Version::V2_3_1
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.number())
    }
}

impl FromStr for Version {
    type Err = String;

    /// Accepts the full number (`2.2.0.0`) or its short form (`2.2`, `2.1.2`, `2.3.1`).
    fn from_str(s: &str) -> Result<Version, String> {
        let s = s.trim();
        Version::ALL
            .into_iter()
            .find(|v| {
                let n = v.number();
                n == s || n.trim_end_matches(".0") == s.trim_end_matches(".0")
            })
            .ok_or_else(|| format!("unknown Duplicati version {s} (known: 2.0.8.1, 2.1.0.5, 2.1.2, 2.2, 2.3.1)"))
    }
}

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
    /// HTTPS as `--configure-https` sets it up (2.3.1): an ECDSA P-256 "Duplicati Local CA"
    /// (10 years) signs a 90-day "Duplicati Server" leaf (see [`crate::TestServer::ca_pem`]).
    CaSigned,
}

/// What kind of server answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Duplicati, in the flavour of [`ServerConfig::version`].
    #[default]
    Duplicati,
    /// Some other web server (nginx-like).
    NotDuplicati,
}

/// Everything [`crate::TestServer::start`] needs.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Login password (default "duplicati"). Empty means none: 2.0 then lets every request in,
    /// 2.1+ rejects every login.
    pub password: String,
    /// `MachineName` in systeminfo (default "fileserver01").
    pub machine_name: String,
    /// The id in `machineid.txt` (32 lowercase hex). 2.3.1 reports it as the `machine-id`
    /// option's default.
    pub machine_id: String,
    /// The install id (`installation.txt`) that 2.0 to 2.3.0 report as `machine-id`. `None`
    /// means the same as [`ServerConfig::machine_id`]: Duplicati seeds `machineid.txt` from the
    /// install id, so the two differ only on some upgraded installs.
    pub install_id: Option<String>,
    /// The emulated release (default 2.1.0.5).
    pub version: Version,
    /// Jobs and log rows.
    pub data: DataSet,
    /// HTTP or HTTPS.
    pub tls: TlsMode,
    /// In [`TlsMode::CaSigned`], send the CA after the leaf in the handshake (default true).
    /// Duplicati hands Kestrel the CA and the leaf (`WebserverCore/DuplicatiWebserver.cs`); .NET
    /// keeps the self-signed root in the sent chain on Windows only and trims it on Linux and
    /// macOS, so `false` gives the Linux handshake.
    pub tls_send_ca: bool,
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
    /// Extra jobs with `OperationType: "Sync"` (2.3.1 only; ignored by older profiles). They
    /// follow the backup jobs, have a sync history in their Metadata and no `LogData` table.
    pub sync_jobs: u32,
    /// Agent mode (2.1+, 2.0 has no agent): the pre-shared key every `/api/*` request must
    /// carry in `X-Duplicati-PreSharedKey` (`WebserverCore/Middlewares/PreSharedKeyFilter.cs`).
    /// Requests without it get 403 text "Invalid PreSharedKey" once routing and authorization
    /// passed (protected routes without a token still answer 401 first). `None` (default) for
    /// a normal server.
    pub agent_psk: Option<String>,
}

impl ServerConfig {
    /// The id the `machine-id` option reports under `version`.
    pub fn reported_machine_id(&self, version: Version) -> &str {
        if version.reports_machine_file() {
            &self.machine_id
        } else {
            self.install_id.as_deref().unwrap_or(&self.machine_id)
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            password: "duplicati".into(),
            machine_name: "fileserver01".into(),
            machine_id: FIXTURE_MACHINE_ID.into(),
            install_id: None,
            version: Version::V2_1_0_5,
            data: DataSet::Fixture,
            tls: TlsMode::Plain,
            tls_send_ca: true,
            mode: Mode::Duplicati,
            allowed_hostnames: Vec::new(),
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            latency: Duration::ZERO,
            token_lifetime: Duration::from_secs(15 * 60),
            prerender: false,
            sync_jobs: 0,
            agent_psk: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_print() {
        for v in Version::ALL {
            assert_eq!(v.number().parse::<Version>(), Ok(v));
        }
        assert_eq!("2.2".parse::<Version>(), Ok(Version::V2_2));
        assert_eq!("2.1.2".parse::<Version>(), Ok(Version::V2_1_2));
        assert_eq!("2.3.1".parse::<Version>(), Ok(Version::V2_3_1));
        assert!("2.4".parse::<Version>().is_err());
        assert_eq!(Version::default(), Version::V2_1_0_5);
        assert_eq!(Version::V2_2.result_version(), "2.2.0.0 (2.2.0.0_stable_2025-10-23)");
        assert!(Version::V2_0_8_1 < Version::V2_3_1);
    }

    #[test]
    fn machine_id_follows_the_profile() {
        let cfg = ServerConfig { install_id: Some("a".repeat(32)), machine_id: "b".repeat(32), ..ServerConfig::default() };
        assert_eq!(cfg.reported_machine_id(Version::V2_2), "a".repeat(32));
        assert_eq!(cfg.reported_machine_id(Version::V2_3_1), "b".repeat(32));
        let same = ServerConfig::default();
        assert_eq!(same.reported_machine_id(Version::V2_0_8_1), FIXTURE_MACHINE_ID);
    }
}
