//! What generated jobs look like and which operations their log rows record.

use super::rng::Rng;
use super::MB;
use crate::config::Version;

/// Static description of a generated job.
#[derive(Clone, Debug)]
pub(crate) struct JobProfile {
    /// 1-based job number (also the backup ID).
    pub number: u32,
    pub name: String,
    pub description: String,
    pub source: String,
    pub target_url: String,
    pub db_path: String,
    /// Weekly (one allowed day) instead of daily.
    pub weekly: bool,
    /// Files in the source folder before the first run.
    pub(crate) base_files: i64,
    /// Bytes in the source folder before the first run.
    pub(crate) base_size: i64,
    /// Assigned quota in bytes or -1.
    pub(super) quota: i64,
}

/// Job names and source folders; beyond the twelfth job the names repeat with a number.
const JOB_NAMES: [(&str, &str); 12] = [
    ("Documents", "/srv/documents"),
    ("Photos", "/volume1/photos"),
    ("Mail archive", "/var/mail"),
    ("Database dumps", "/var/backups/db"),
    ("Home folders", "/home"),
    ("Web server", "/var/www"),
    ("Accounting", "/srv/accounting"),
    ("VM images", "/var/lib/libvirt/images"),
    ("Source code", "/srv/git"),
    ("Nextcloud data", "/srv/nextcloud/data"),
    ("Configs", "/etc"),
    ("Music", "/volume1/music"),
];

impl JobProfile {
    /// The profile of job `number` for `seed`.
    pub fn new(seed: u64, number: u32) -> JobProfile {
        let mut rng = Rng::from(&[seed, u64::from(number), 0x6a6f62]);
        let idx = (number as usize - 1) % JOB_NAMES.len();
        let (base_name, source) = JOB_NAMES[idx];
        let round = (number as usize - 1) / JOB_NAMES.len();
        let name = if round == 0 { base_name.to_string() } else { format!("{base_name} {}", round + 1) };
        let slug: String = name.to_lowercase().replace(' ', "-");
        let target_url = match rng.range(0, 4) {
            0 => format!(
                "s3://acme-backups/{slug}?s3-server-name=s3.eu-central-1.amazonaws.com&s3-location-constraint=eu-central-1&s3-storage-class=&s3-client=aws&auth-username=AKIAEXAMPLEKEY{number:06}&auth-password=exampleSecret%2Fnot%2Breal{number}"
            ),
            1 => format!(
                "ssh://nas.example.lan:22/volume1/backup/{slug}?auth-username=duplicati&auth-password=secret-{number}&ssh-fingerprint=ssh-ed25519%20256%20SHA256%3AexampleFingerprint"
            ),
            2 => format!(
                "webdavs://cloud.example.com/remote.php/dav/files/backup/{slug}?auth-username=backup&auth-password=pa55-w0rd-{number}"
            ),
            _ => format!("b2://acme-b2/{slug}?auth-username=0051234567890{number}&auth-password=K005exampleSecret{number}"),
        };
        let letters: String = (0..10).map(|_| char::from(b'A' + rng.range(0, 26) as u8)).collect();
        JobProfile {
            number,
            description: if rng.chance(50) { format!("Backup of {source}") } else { String::new() },
            db_path: format!("/data/Duplicati/{letters}.sqlite"),
            weekly: rng.chance(30),
            base_files: rng.range(2_000, 150_000),
            base_size: rng.range(2_000, 600_000) * MB,
            quota: if rng.chance(20) { 4 * 1024 * MB } else { -1 },
            name,
            source: source.to_string(),
            target_url,
        }
    }
}

/// What a row describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Success,
    Warning,
    Error,
    Fatal,
    /// A `--run-script-before` exiting 3: warning, operation not run, `Interrupted`.
    Interrupted,
    /// A `--run-script-before` exiting 5: error, operation not run, `Interrupted` with
    /// `ParsedResult: "Error"` (`Library/Modules/Builtin/RunScript.cs`).
    ScriptAbort,
    UserStop,
    Compact,
    Test,
    Restore,
    Repair,
    Delete,
    List,
}

impl Kind {
    /// The mix of operations and outcomes a job's history shows under `version`.
    pub(super) fn choose(rng: &mut Rng, version: Version) -> Kind {
        if version.logs_every_operation() {
            return Self::choose_every_operation(rng);
        }
        match rng.range(0, 100) {
            0..=59 => Kind::Success,
            60..=69 => Kind::Warning,
            70..=74 => Kind::Error,
            75..=78 => Kind::Fatal,
            79..=80 => Kind::Interrupted,
            81..=82 => Kind::UserStop,
            83..=88 => Kind::Compact,
            89..=91 => Kind::Test,
            92..=93 => Kind::Restore,
            94..=95 => Kind::Repair,
            96..=97 => Kind::Delete,
            _ => Kind::List,
        }
    }

    /// From 2.1.2 every operation on an existing database writes a row, so browsing files
    /// (List), verifying (Test) and restores show up between the backups.
    fn choose_every_operation(rng: &mut Rng) -> Kind {
        match rng.range(0, 100) {
            0..=44 => Kind::Success,
            45..=52 => Kind::Warning,
            53..=56 => Kind::Error,
            57..=59 => Kind::Fatal,
            60..=61 => Kind::Interrupted,
            62..=63 => Kind::ScriptAbort,
            64..=65 => Kind::UserStop,
            66..=70 => Kind::Compact,
            71..=78 => Kind::Test,
            79..=83 => Kind::Restore,
            84..=85 => Kind::Repair,
            86..=87 => Kind::Delete,
            _ => Kind::List,
        }
    }

    /// True for rows of `MainOperation:"Backup"`.
    pub fn is_backup(self) -> bool {
        matches!(self, Kind::Success | Kind::Warning | Kind::Error | Kind::Fatal | Kind::Interrupted | Kind::ScriptAbort | Kind::UserStop)
    }

    /// True when the operation was aborted by a script (`Interrupted: true`).
    pub fn is_script_abort(self) -> bool {
        matches!(self, Kind::Interrupted | Kind::ScriptAbort)
    }
}
