//! Deterministic generator of Duplicati job-log rows (result JSON in Newtonsoft form).
//!
//! Every row is computed from `(seed, job, epoch, id)` alone, so pages are produced on
//! demand and nothing but a few numbers per job is kept in memory.

use crate::stj::{Escaping, JsonWriter};
use crate::timefmt::{self, Ticks, TICKS_PER_SEC};

const MB: i64 = 1024 * 1024;
const HOUR: Ticks = 3600 * TICKS_PER_SEC;

/// Small deterministic PRNG (splitmix64).
#[derive(Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded from several values.
    pub fn from(parts: &[u64]) -> Rng {
        let mut h = 0x9E37_79B9_7F4A_7C15u64;
        for p in parts {
            h = mix(h ^ p.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        }
        Rng(h)
    }

    /// Next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `lo..hi` (returns `lo` when the range is empty).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next() % (hi - lo) as u64) as i64
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    /// 32 lowercase hex digits (a .NET `Guid.ToString("N")`).
    pub fn guid_hex(&mut self) -> String {
        format!("{:016x}{:016x}", self.next(), self.next())
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

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
    base_files: i64,
    base_size: i64,
    /// Assigned quota in bytes or -1.
    quota: i64,
}

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
    Interrupted,
    UserStop,
    Compact,
    Test,
    Restore,
    Repair,
    Delete,
    List,
}

impl Kind {
    fn choose(rng: &mut Rng) -> Kind {
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

    /// True for rows of `MainOperation:"Backup"`.
    pub fn is_backup(self) -> bool {
        matches!(self, Kind::Success | Kind::Warning | Kind::Error | Kind::Fatal | Kind::Interrupted | Kind::UserStop)
    }
}

/// A run of consecutive row IDs spaced `interval` apart, starting at `start`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    pub first: u64,
    pub last: u64,
    pub start: Ticks,
    pub interval: Ticks,
}

/// The cheap facts of one row (no message text).
#[derive(Clone, Debug)]
pub(crate) struct RowFacts {
    pub id: u64,
    pub operation_id: u64,
    pub kind: Kind,
    pub begin: Ticks,
    pub end: Ticks,
    seed: u64,
    epoch: u32,
}

impl RowFacts {
    /// Unix seconds written to the `Timestamp` column (≈ EndTime).
    pub fn timestamp(&self) -> i64 {
        self.end.div_euclid(TICKS_PER_SEC) + 1
    }

    fn rng(&self, job: u32, salt: u64) -> Rng {
        Rng::from(&[self.seed, u64::from(job), u64::from(self.epoch), self.id, salt])
    }
}

/// Computes the facts of row `id` of a job (which must lie inside `seg`).
pub(crate) fn facts(seed: u64, profile: &JobProfile, epoch: u32, seg: &Segment, id: u64) -> RowFacts {
    let mut rng = Rng::from(&[seed, u64::from(profile.number), u64::from(epoch), id, 1]);
    let kind = Kind::choose(&mut rng);
    let slot = seg.start + (id - seg.first) as i64 * seg.interval;
    let jitter_max = (seg.interval / 4).min(90 * TICKS_PER_SEC);
    let begin = slot + rng.range(0, jitter_max.max(1)) + rng.range(0, TICKS_PER_SEC);
    let dur = match kind {
        Kind::Fatal | Kind::Interrupted => rng.range(2, 15) * TICKS_PER_SEC,
        Kind::UserStop => rng.range(60, 900) * TICKS_PER_SEC,
        Kind::Repair | Kind::Delete | Kind::List => rng.range(5, 120) * TICKS_PER_SEC,
        _ => rng.range(30, 1_800) * TICKS_PER_SEC,
    } + rng.range(0, TICKS_PER_SEC);
    let dur = dur.min((seg.interval / 2).max(TICKS_PER_SEC / 10));
    RowFacts { id, operation_id: id + id * 3 / 8 + u64::from(epoch) * 7, kind, begin, end: begin + dur, seed, epoch }
}

/// Duplicati's `Utility.FormatSizeString`.
fn size_str(bytes: i64) -> String {
    let b = bytes as f64;
    let kb = 1024f64;
    if b >= kb.powi(4) {
        format!("{:.2} TB", b / kb.powi(4))
    } else if b >= kb.powi(3) {
        format!("{:.2} GB", b / kb.powi(3))
    } else if b >= kb.powi(2) {
        format!("{:.2} MB", b / kb.powi(2))
    } else if b >= kb {
        format!("{:.2} KB", b / kb)
    } else {
        format!("{bytes} bytes")
    }
}

/// Lists of log lines with their real length (only the first 20 are serialized).
#[derive(Default)]
struct Lines {
    all: Vec<String>,
}

impl Lines {
    fn add(&mut self, t: Ticks, level: &str, tag: &str, text: &str) {
        self.all.push(format!("{} - [{level}-{tag}]: {text}", timefmt::log_line_time(t)));
    }
    fn backend(&mut self, t: Ticks, op: &str, file: &str, size: &str) {
        for phase in ["Started", "Completed"] {
            self.add(
                t,
                "Information",
                "Duplicati.Library.Main.BasicResults-BackendEvent",
                &format!("Backend event: {op} - {phase}: {file} ({size})"),
            );
        }
    }
    fn stored(&self) -> &[String] {
        &self.all[..self.all.len().min(20)]
    }
}

/// `BackendStatistics` of a result.
#[derive(Clone)]
struct Backend {
    remote_calls: i64,
    bytes_up: i64,
    bytes_down: i64,
    files_up: i64,
    files_down: i64,
    files_deleted: i64,
    known_count: i64,
    known_size: i64,
    last_backup: Option<Ticks>,
    list_count: i64,
    quota: i64,
    quota_error: bool,
    op: &'static str,
    begin: Ticks,
}

/// The common tail of every result class.
struct Tail<'a> {
    parsed: &'a str,
    interrupted: bool,
    begin: Ticks,
    end: Ticks,
    /// `None` for sub-results (lengths 0, lists null).
    lists: Option<(&'a Lines, &'a Lines, &'a Lines)>,
}

/// Writes row messages for one version string.
pub(crate) struct Writer<'a> {
    version: &'a str,
}

impl<'a> Writer<'a> {
    /// `version` is the full result version, e.g. `2.1.0.5 (2.1.0.5_stable_2025-03-04)`.
    pub fn new(version: &'a str) -> Self {
        Writer { version }
    }

    fn tail(&self, w: &mut JsonWriter, t: &Tail, backend: Option<&Backend>) {
        w.kstr("ParsedResult", t.parsed).kbool("Interrupted", t.interrupted).kstr("Version", self.version);
        w.kstr("EndTime", &timefmt::iso_utc(t.end)).kstr("BeginTime", &timefmt::iso_utc(t.begin));
        w.kstr("Duration", &timefmt::timespan(t.end - t.begin));
        match t.lists {
            Some((m, wa, e)) => {
                w.kint("MessagesActualLength", m.all.len() as i64)
                    .kint("WarningsActualLength", wa.all.len() as i64)
                    .kint("ErrorsActualLength", e.all.len() as i64);
                w.kstr_list("Messages", Some(m.stored())).kstr_list("Warnings", Some(wa.stored())).kstr_list("Errors", Some(e.stored()));
            }
            None => {
                w.kint("MessagesActualLength", 0).kint("WarningsActualLength", 0).kint("ErrorsActualLength", 0);
                w.knull("Messages").knull("Warnings").knull("Errors");
            }
        }
        if let Some(b) = backend {
            w.key("BackendStatistics");
            self.backend(w, b);
        }
    }

    fn backend(&self, w: &mut JsonWriter, b: &Backend) {
        w.begin_obj();
        w.kint("RemoteCalls", b.remote_calls).kint("BytesUploaded", b.bytes_up).kint("BytesDownloaded", b.bytes_down);
        w.kint("FilesUploaded", b.files_up).kint("FilesDownloaded", b.files_down).kint("FilesDeleted", b.files_deleted);
        w.kint("FoldersCreated", 0).kint("RetryAttempts", 0).kint("UnknownFileSize", 0).kint("UnknownFileCount", 0);
        w.kint("KnownFileCount", b.known_count).kint("KnownFileSize", b.known_size);
        match b.last_backup {
            Some(t) => w.kstr("LastBackupDate", &timefmt::iso_local(t - t % TICKS_PER_SEC)),
            None => w.kstr("LastBackupDate", "0001-01-01T00:00:00"),
        };
        w.kint("BackupListCount", b.list_count).kint("TotalQuotaSpace", 0).kint("FreeQuotaSpace", 0);
        w.kint("AssignedQuotaSpace", b.quota).kbool("ReportedQuotaError", b.quota_error).kbool("ReportedQuotaWarning", false);
        w.kstr("MainOperation", b.op).kstr("ParsedResult", "Success").kbool("Interrupted", false).kstr("Version", self.version);
        w.kstr("EndTime", "0001-01-01T00:00:00").kstr("BeginTime", &timefmt::iso_utc(b.begin)).kstr("Duration", "00:00:00");
        w.kint("MessagesActualLength", 0).kint("WarningsActualLength", 0).kint("ErrorsActualLength", 0);
        w.knull("Messages").knull("Warnings").knull("Errors");
        w.end_obj();
    }

    /// The result JSON (Newtonsoft form) of a row.
    pub fn message(&self, profile: &JobProfile, f: &RowFacts) -> String {
        let mut g = Gen { rng: f.rng(profile.number, 2), profile, f, w: self };
        g.build()
    }
}

struct Gen<'a> {
    rng: Rng,
    profile: &'a JobProfile,
    f: &'a RowFacts,
    w: &'a Writer<'a>,
}

struct Volume {
    block: String,
    index: String,
    size: i64,
    index_size: i64,
}

/// `CompactResults` numbers.
struct Compact {
    deleted_count: i64,
    downloaded_count: i64,
    uploaded_count: i64,
    deleted_size: i64,
    downloaded_size: i64,
    uploaded_size: i64,
    begin: Ticks,
    end: Ticks,
}

impl<'a> Gen<'a> {
    fn build(&mut self) -> String {
        match self.f.kind {
            k if k.is_backup() => self.backup(),
            Kind::Compact => self.standalone_compact(),
            Kind::Test => self.standalone_test(),
            Kind::Restore => self.standalone_restore(),
            Kind::Repair => self.standalone_repair(),
            Kind::Delete => self.standalone_delete(),
            _ => self.standalone_list(),
        }
    }

    /// Time at fraction `num/den` of the run.
    fn at(&self, num: i64, den: i64) -> Ticks {
        self.f.begin + (self.f.end - self.f.begin) * num / den.max(1)
    }

    fn volume(&mut self, full: bool) -> Volume {
        let hex = self.rng.guid_hex();
        let size = if full { 50 * MB - self.rng.range(0, MB / 2) } else { self.rng.range(MB, 45 * MB) };
        Volume {
            block: format!("duplicati-b{hex}.dblock.zip.aes"),
            index: format!("duplicati-i{hex}.dindex.zip.aes"),
            size,
            index_size: size / 1300 + self.rng.range(0, 4096),
        }
    }

    fn dlist_name(t: Ticks) -> String {
        format!("duplicati-{}.dlist.zip.aes", timefmt::metadata_date(t))
    }

    fn known(&self) -> (i64, i64, i64) {
        let id = self.f.id as i64;
        let count = 120 + (id % 90) + self.profile.base_size / (60 * MB);
        let size = self.profile.base_size / 24 + id * 3 * MB;
        let versions = 8 + id % 25;
        (count, size, versions)
    }

    fn backend(&self, op: &'static str, up: (i64, i64), down: (i64, i64), deleted: i64) -> Backend {
        let (known_count, known_size, versions) = self.known();
        Backend {
            remote_calls: 1 + up.0 + down.0 + deleted + 1,
            bytes_up: up.1,
            bytes_down: down.1,
            files_up: up.0,
            files_down: down.0,
            files_deleted: deleted,
            known_count,
            known_size,
            last_backup: Some(self.f.begin),
            list_count: versions,
            quota: self.profile.quota,
            quota_error: false,
            op,
            begin: self.f.begin + 700,
        }
    }

    fn line(&self, l: &mut Lines, t: Ticks, tag: &str, text: &str) {
        l.add(t, "Information", tag, text);
    }

    fn starting(&self, l: &mut Lines, op: &str) {
        self.line(l, self.f.begin, "Duplicati.Library.Main.Controller-StartingOperation", &format!("The operation {op} has started"));
    }

    fn list_lines(&mut self, l: &mut Lines, t: Ticks) {
        let n = self.known().0 + self.rng.range(-3, 3);
        let tag = "Duplicati.Library.Main.BasicResults-BackendEvent";
        self.line(l, t, tag, "Backend event: List - Started:  ()");
        self.line(l, t, tag, &format!("Backend event: List - Completed:  ({n} bytes)"));
    }

    /// Files checked after a run (dlist, dindex, dblock) and their total size.
    fn verification(&mut self, vols: &[Volume]) -> (Vec<String>, i64) {
        let mut files = vec![Self::dlist_name(self.f.begin)];
        let mut bytes = 1_400_000 + self.rng.range(0, 90_000);
        if let Some(v) = vols.first() {
            files.push(v.index.clone());
            files.push(v.block.clone());
            bytes += v.index_size + v.size;
        }
        (files, bytes)
    }

    fn test_results(
        &self,
        w: &mut JsonWriter,
        files: &[String],
        begin: Ticks,
        end: Ticks,
        backend: &Backend,
        lists: Option<(&Lines, &Lines, &Lines)>,
    ) {
        w.begin_obj().kstr("MainOperation", "Test").kint("VerificationsActualLength", files.len() as i64);
        w.key("Verifications").begin_arr();
        for f in files.iter().take(20) {
            w.begin_obj().kstr("Key", f).key("Value").begin_arr().end_arr().end_obj();
        }
        w.end_arr();
        self.w.tail(w, &Tail { parsed: "Success", interrupted: false, begin, end, lists }, Some(backend));
        w.end_obj();
    }

    fn compact_results(&self, w: &mut JsonWriter, c: &Compact, backend: &Backend, parsed: &str, lists: Option<(&Lines, &Lines, &Lines)>) {
        w.begin_obj();
        w.kint("DeletedFileCount", c.deleted_count).kint("DownloadedFileCount", c.downloaded_count);
        w.kint("UploadedFileCount", c.uploaded_count).kint("DeletedFileSize", c.deleted_size);
        w.kint("DownloadedFileSize", c.downloaded_size).kint("UploadedFileSize", c.uploaded_size);
        w.kbool("Dryrun", false).knull("VacuumResults").kstr("MainOperation", "Compact");
        self.w.tail(w, &Tail { parsed, interrupted: false, begin: c.begin, end: c.end, lists }, Some(backend));
        w.end_obj();
    }

    fn compact_numbers(&mut self, begin: Ticks, end: Ticks) -> Compact {
        let downloaded_count = self.rng.range(1, 5);
        let downloaded_size = downloaded_count * (35 * MB + self.rng.range(0, 15 * MB));
        Compact {
            deleted_count: downloaded_count + self.rng.range(1, 4),
            downloaded_count,
            uploaded_count: 2,
            deleted_size: downloaded_size + self.rng.range(0, 30 * MB),
            downloaded_size,
            uploaded_size: downloaded_size / 3,
            begin,
            end,
        }
    }

    fn retention(&mut self, l: &mut Lines, t: Ticks, deleted: Option<Ticks>) {
        let tag = "Duplicati.Library.Main.Operation.DeleteHandler:RetentionPolicy";
        self.line(l, t, &format!("{tag}-StartCheck"), "Start checking if backups can be removed");
        self.line(
            l,
            t,
            &format!("{tag}-FramesAndIntervals"),
            "Time frames and intervals pairs: 7.00:00:00 / 1.00:00:00, 28.00:00:00 / 7.00:00:00, 365.00:00:00 / 31.00:00:00",
        );
        let day = 24 * HOUR;
        let list: Vec<String> = (1..4).map(|d| timefmt::us_local(self.f.begin - d * day - self.f.begin % TICKS_PER_SEC)).collect();
        self.line(l, t, &format!("{tag}-BackupList"), &format!("Backups to consider: {}", list.join(", ")));
        let del = deleted.map(timefmt::us_local).unwrap_or_default();
        self.line(l, t, &format!("{tag}-BackupsToDelete"), &format!("Backups outside of all time frames and thus getting deleted: {del}"));
        self.line(l, t, &format!("{tag}-AllBackupsToDelete"), &format!("All backups to delete: {del}"));
        if deleted.is_some() {
            self.line(l, t, "Duplicati.Library.Main.Operation.DeleteHandler-DeleteRemoteFileset", "Deleting 1 remote fileset(s) ...");
        } else {
            self.line(l, t, "Duplicati.Library.Main.Operation.DeleteHandler-DeleteResults", "No remote filesets were deleted");
        }
    }

    fn warning_text(&mut self) -> String {
        let src = &self.profile.source;
        let file = format!(
            "{src}/{}",
            self.rng.pick(&["report-2025.xlsx", "db/current.mdf", "mail/inbox.lock", "tmp/cache.bin", "Übersicht & Notizen.odt"])
        );
        match self.rng.range(0, 3) {
            0 => format!("[Warning-Duplicati.Library.Main.Operation.Backup.FileBlockProcessor.FileEntry-PathProcessingFailed]: Failed to process path: {file}\nIOException: Sharing violation on path {file}"),
            1 => format!("[Warning-Duplicati.Library.Main.Operation.Backup.FileEnumerationProcess-FileAccessError]: Error reported while accessing file: {src}/private/\nUnauthorizedAccessException: Access to the path '{src}/private' is denied."),
            _ => format!("[Warning-Duplicati.Library.Main.Operation.Backup.MetadataGenerator.Metadata-MetadataProcessFailed]: Failed to process metadata for \"{file}\", storing empty metadata\nIOException: Input/output error"),
        }
    }

    /// Adds a warning or error line whose text already holds `[Level-Tag-Id]: …`.
    fn raw_line(l: &mut Lines, t: Ticks, text: &str) {
        l.all.push(format!("{} - {text}", timefmt::log_line_time(t)));
    }

    fn backup(&mut self) -> String {
        let kind = self.f.kind;
        let (b, e) = (self.f.begin, self.f.end);
        let (mut msgs, mut warns, mut errs) = (Lines::default(), Lines::default(), Lines::default());
        let mut counters = [0i64; 18];
        let mut partial = false;
        let mut parsed = "Success";
        let mut backend;
        let mut delete: Option<(Option<Ticks>, Ticks, Ticks)> = None;
        let mut compact: Option<Compact> = None;
        let mut test: Option<(Vec<String>, Ticks, Ticks)> = None;
        let interrupted = kind == Kind::Interrupted;

        if interrupted {
            let script = self.rng.pick(&["/config/scripts/check-nas-mounted.sh", "/usr/local/bin/pre-backup.sh"]).to_string();
            Self::raw_line(&mut warns, e, &format!("[Warning-Duplicati.Library.Modules.Builtin.RunScript-InvalidExitCode]: The script \"{script}\" returned with exit code 3: /mnt/nas is not mounted"));
            self.line(
                &mut msgs,
                e,
                "Duplicati.Library.Main.Controller-AbortOperation",
                "Aborting operation by request, requested result: Warning",
            );
            parsed = "Warning";
            backend = self.backend("Backup", (0, 0), (0, 0), 0);
            backend.known_count = 0;
            backend.known_size = 0;
            backend.last_backup = None;
            backend.list_count = 0;
        } else {
            self.starting(&mut msgs, "Backup");
            self.list_lines(&mut msgs, self.at(1, 100));
            if kind == Kind::Fatal {
                backend = self.backend("Backup", (0, 0), (0, 0), 0);
                backend.last_backup = Some(b - 24 * HOUR);
                let (msg, exc) = match self.rng.range(0, 3) {
                    0 => {
                        for ext in ["dblock", "dindex"] {
                            let hex = self.rng.guid_hex();
                            let letter = &ext[1..2];
                            Self::raw_line(&mut warns, e, &format!("[Warning-Duplicati.Library.Main.Operation.FilelistProcessor-MissingFile]: Missing file: duplicati-{letter}{hex}.{ext}.zip.aes"));
                        }
                        ("Found 2 files that are missing from the remote storage, please run repair", "RemoteListVerificationException")
                    }
                    1 => ("The remote server returned an error: (503) Service Unavailable.", "WebException"),
                    _ => ("Connection refused (nas.example.lan:22)", "SocketException"),
                };
                Self::raw_line(&mut errs, e, &format!("[Error-Duplicati.Library.Main.Controller-FailedOperation]: The operation Backup has failed with error: {msg}\n{exc}: {msg}"));
                parsed = "Fatal";
            } else {
                // Scan, upload volumes, dlist.
                let id = self.f.id as i64;
                let examined = self.profile.base_files + id * 3 + self.rng.range(0, 50);
                let size_examined = self.profile.base_size + id * 4 * MB + self.rng.range(0, MB);
                let modified = self.rng.range(0, 80);
                let added = self.rng.range(0, 70);
                let size_modified = modified * self.rng.range(100_000, 2_000_000);
                let size_added = added * self.rng.range(20_000, 600_000);
                let opened = modified + added + self.rng.range(0, 30);
                counters = [
                    self.rng.range(0, 8),
                    0,
                    modified,
                    examined,
                    opened,
                    added,
                    size_modified,
                    size_added,
                    size_examined,
                    size_modified + size_added + self.rng.range(0, 10 * MB),
                    0,
                    self.rng.range(0, 4),
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                ];
                let mut vols = Vec::new();
                let mut remaining = (size_added + size_modified / 3).max(MB);
                while remaining > 0 && vols.len() < 6 {
                    let full = remaining > 50 * MB;
                    vols.push(self.volume(full));
                    remaining -= 50 * MB;
                }
                if kind == Kind::UserStop {
                    vols.truncate(1);
                    partial = true;
                    counters[3] /= 3;
                    counters[8] /= 3;
                }
                let n = vols.len() as i64;
                let mut up_bytes = 0;
                for (i, v) in vols.iter().enumerate() {
                    let t = self.at(60 + i as i64 * 20 / n, 100);
                    msgs.backend(t, "Put", &v.block, &size_str(v.size));
                    msgs.backend(t, "Put", &v.index, &size_str(v.index_size));
                    up_bytes += v.size + v.index_size;
                }
                let dlist_size = 1_300_000 + self.rng.range(0, 200_000) + examined * 2;
                msgs.backend(self.at(82, 100), "Put", &Self::dlist_name(b), &size_str(dlist_size));
                up_bytes += dlist_size;
                let up = (2 * n + 1, up_bytes);

                if kind == Kind::UserStop {
                    Self::raw_line(&mut warns, self.at(85, 100), "[Warning-Duplicati.Library.Main.Operation.BackupHandler-CancellationRequested]: Cancellation was requested by user.");
                    parsed = "Warning";
                    backend = self.backend("Backup", up, (0, 0), 0);
                } else {
                    // Retention, maybe compact, verification.
                    let del_t = self.at(84, 100);
                    let deleted_set = self.rng.chance(25).then(|| b - 31 * 24 * HOUR);
                    self.retention(&mut msgs, del_t, deleted_set);
                    let mut deleted_files = 0;
                    if deleted_set.is_some() {
                        let t = self.at(86, 100);
                        msgs.backend(t, "Delete", &Self::dlist_name(b - 31 * 24 * HOUR), &size_str(dlist_size - 20_000));
                        deleted_files = 1;
                        if self.rng.chance(50) {
                            let c = self.compact_numbers(self.at(87, 100), self.at(90, 100));
                            deleted_files += c.deleted_count;
                            compact = Some(c);
                        }
                    }
                    delete = self.rng.chance(70).then_some((deleted_set, del_t, self.at(91, 100)));
                    if deleted_set.is_some() && delete.is_none() {
                        delete = Some((deleted_set, del_t, self.at(91, 100)));
                    }
                    let vt = self.at(93, 100);
                    self.list_lines(&mut msgs, vt);
                    let (files, down_bytes) = self.verification(&vols);
                    for f in &files {
                        msgs.backend(vt, "Get", f, &size_str(down_bytes / files.len() as i64));
                    }
                    test = Some((files, vt, self.at(99, 100)));
                    let mut down = (3, down_bytes);
                    if let Some(c) = &compact {
                        down = (down.0 + c.downloaded_count, down.1 + c.downloaded_size);
                    }
                    backend = self.backend("Backup", up, down, deleted_files);
                    match kind {
                        Kind::Warning => {
                            for _ in 0..self.rng.range(1, 4) {
                                let text = self.warning_text();
                                let pct = self.rng.range(5, 50);
                                Self::raw_line(&mut warns, self.at(pct, 100), &text);
                            }
                            parsed = "Warning";
                        }
                        Kind::Error => {
                            if self.profile.quota > 0 || self.rng.chance(50) {
                                backend.quota = 4 * 1024 * MB;
                                backend.quota_error = true;
                                let used = 4 * 1024 * MB + self.rng.range(10 * MB, 900 * MB);
                                Self::raw_line(&mut errs, vt, &format!("[Error-Duplicati.Library.Main.Operation.FilelistProcessor-AssignedQuotaExceeded]: Assigned quota has been exceeded: Using {} of 4.00 GB", size_str(used)));
                            } else {
                                let file = format!("{}/{}", self.profile.source, "archive/big-export.tar");
                                Self::raw_line(&mut errs, self.at(30, 100), &format!("[Error-Duplicati.Library.Main.Operation.Backup.FileBlockProcessor.FileEntry-PathProcessingFailed]: Failed to process path: {file}\nIOException: Input/output error : '{file}'"));
                            }
                            parsed = "Error";
                        }
                        _ => {}
                    }
                }
            }
        }

        let mut w = JsonWriter::with_capacity(Escaping::Newtonsoft, 8192);
        w.begin_obj();
        const NAMES: [&str; 18] = [
            "DeletedFiles",
            "DeletedFolders",
            "ModifiedFiles",
            "ExaminedFiles",
            "OpenedFiles",
            "AddedFiles",
            "SizeOfModifiedFiles",
            "SizeOfAddedFiles",
            "SizeOfExaminedFiles",
            "SizeOfOpenedFiles",
            "NotProcessedFiles",
            "AddedFolders",
            "TooLargeFiles",
            "FilesWithError",
            "ModifiedFolders",
            "ModifiedSymlinks",
            "AddedSymlinks",
            "DeletedSymlinks",
        ];
        for (name, v) in NAMES.iter().zip(counters) {
            w.kint(name, v);
        }
        w.kbool("PartialBackup", partial).kbool("Dryrun", false).kstr("MainOperation", "Backup");
        w.key("CompactResults");
        match &compact {
            Some(c) => self.compact_results(&mut w, c, &backend, "Success", None),
            None => {
                w.null();
            }
        }
        w.knull("VacuumResults").key("DeleteResults");
        match &delete {
            Some((set, db, de)) => {
                w.begin_obj().kint("DeletedSetsActualLength", i64::from(set.is_some())).key("DeletedSets").begin_arr();
                if let Some(t) = set {
                    let version = self.known().2 + 1;
                    w.begin_obj().kint("Item1", version).kstr("Item2", &timefmt::iso_local(*t - t % TICKS_PER_SEC)).end_obj();
                }
                w.end_arr().kbool("Dryrun", false).kstr("MainOperation", "Delete").key("CompactResults");
                match &compact {
                    Some(c) => self.compact_results(&mut w, c, &backend, "Success", None),
                    None => {
                        w.null();
                    }
                }
                self.w.tail(&mut w, &Tail { parsed: "Success", interrupted: false, begin: *db, end: *de, lists: None }, Some(&backend));
                w.end_obj();
            }
            None => {
                w.null();
            }
        }
        w.knull("RepairResults").key("TestResults");
        match &test {
            Some((files, tb, te)) => self.test_results(&mut w, files, *tb, *te, &backend, None),
            None => {
                w.null();
            }
        }
        let lists = (&msgs, &warns, &errs);
        self.w.tail(&mut w, &Tail { parsed, interrupted, begin: b, end: e, lists: Some(lists) }, Some(&backend));
        w.end_obj();
        w.finish()
    }

    fn standalone_compact(&mut self) -> String {
        let (b, e) = (self.f.begin, self.f.end);
        let c = self.compact_numbers(b, e);
        let mut msgs = Lines::default();
        self.starting(&mut msgs, "Compact");
        self.line(
            &mut msgs,
            self.at(1, 100),
            "Duplicati.Library.Main.Database.LocalDeleteDatabase-CompactReason",
            &format!("Compacting because there are {} fully deletable volume(s)", c.deleted_count - c.downloaded_count),
        );
        self.list_lines(&mut msgs, self.at(2, 100));
        for i in 0..c.downloaded_count {
            let v = self.volume(false);
            msgs.backend(self.at(10 + i * 10, 100), "Get", &v.block, &size_str(c.downloaded_size / c.downloaded_count));
        }
        let v = self.volume(false);
        msgs.backend(self.at(70, 100), "Put", &v.block, &size_str(c.uploaded_size));
        msgs.backend(self.at(80, 100), "Put", &v.index, &size_str(v.index_size));
        for i in 0..c.deleted_count {
            let v = self.volume(false);
            msgs.backend(self.at(85 + i, 100), "Delete", &v.block, &size_str(c.deleted_size / c.deleted_count));
        }
        let mut backend =
            self.backend("Compact", (2, c.uploaded_size + v.index_size), (c.downloaded_count, c.downloaded_size), c.deleted_count);
        backend.last_backup = Some(b - b % (24 * HOUR));
        let (warns, errs) = (Lines::default(), Lines::default());
        let mut w = JsonWriter::with_capacity(Escaping::Newtonsoft, 4096);
        self.compact_results(&mut w, &c, &backend, "Success", Some((&msgs, &warns, &errs)));
        w.finish()
    }

    fn simple_tail(&self, w: &mut JsonWriter, msgs: &Lines, warns: &Lines, errs: &Lines, backend: &Backend) {
        let parsed = if !errs.all.is_empty() {
            "Error"
        } else if !warns.all.is_empty() {
            "Warning"
        } else {
            "Success"
        };
        let tail = Tail { parsed, interrupted: false, begin: self.f.begin, end: self.f.end, lists: Some((msgs, warns, errs)) };
        self.w.tail(w, &tail, Some(backend));
    }

    fn standalone_test(&mut self) -> String {
        let mut msgs = Lines::default();
        self.starting(&mut msgs, "Test");
        self.list_lines(&mut msgs, self.at(2, 100));
        let vols = [self.volume(true)];
        let (files, bytes) = self.verification(&vols);
        for f in &files {
            msgs.backend(self.at(50, 100), "Get", f, &size_str(bytes / 3));
        }
        let mut warns = Lines::default();
        if self.rng.chance(20) {
            Self::raw_line(
                &mut warns,
                self.at(95, 100),
                &format!(
                    "[Warning-Duplicati.Library.Main.Operation.TestHandler-FaultyFile]: Failed to verify file {}: hash mismatch",
                    files[2]
                ),
            );
        }
        let backend = self.backend("Test", (0, 0), (3, bytes), 0);
        let mut w = JsonWriter::with_capacity(Escaping::Newtonsoft, 4096);
        w.begin_obj().kstr("MainOperation", "Test").kint("VerificationsActualLength", files.len() as i64);
        w.key("Verifications").begin_arr();
        for f in &files {
            w.begin_obj().kstr("Key", f).key("Value").begin_arr().end_arr().end_obj();
        }
        w.end_arr();
        self.simple_tail(&mut w, &msgs, &warns, &Lines::default(), &backend);
        w.end_obj();
        w.finish()
    }

    fn standalone_restore(&mut self) -> String {
        let mut msgs = Lines::default();
        self.starting(&mut msgs, "Restore");
        self.list_lines(&mut msgs, self.at(2, 100));
        let files = self.rng.range(1, 400);
        let size = files * self.rng.range(10_000, 3_000_000);
        let vols: Vec<Volume> = (0..(size / (50 * MB) + 1).min(5)).map(|_| self.volume(true)).collect();
        let mut down = 0;
        for (i, v) in vols.iter().enumerate() {
            msgs.backend(self.at(10 + i as i64 * 10, 100), "Get", &v.block, &size_str(v.size));
            down += v.size;
        }
        self.line(
            &mut msgs,
            self.at(98, 100),
            "Duplicati.Library.Main.Operation.RestoreHandler-RestoreCompleted",
            &format!("Restored {files} files to {}/restore", self.profile.source),
        );
        let backend = self.backend("Restore", (0, 0), (vols.len() as i64, down), 0);
        let mut w = JsonWriter::with_capacity(Escaping::Newtonsoft, 4096);
        w.begin_obj().kint("RestoredFiles", files).kint("SizeOfRestoredFiles", size).kint("RestoredFolders", self.rng.range(0, 20));
        w.kint("RestoredSymlinks", 0).kint("PatchedFiles", 0).kint("DeletedFiles", 0).kint("DeletedFolders", 0).kint("DeletedSymlinks", 0);
        w.kstr("MainOperation", "Restore").knull("RecreateDatabaseResults");
        self.simple_tail(&mut w, &msgs, &Lines::default(), &Lines::default(), &backend);
        w.end_obj();
        w.finish()
    }

    fn standalone_repair(&mut self) -> String {
        let mut msgs = Lines::default();
        self.starting(&mut msgs, "Repair");
        self.list_lines(&mut msgs, self.at(5, 100));
        let v = self.volume(false);
        msgs.backend(self.at(50, 100), "Put", &v.index, &size_str(v.index_size));
        let backend = self.backend("Repair", (1, v.index_size), (0, 0), 0);
        let mut w = JsonWriter::with_capacity(Escaping::Newtonsoft, 4096);
        w.begin_obj().kstr("MainOperation", "Repair").knull("RecreateDatabaseResults");
        self.simple_tail(&mut w, &msgs, &Lines::default(), &Lines::default(), &backend);
        w.end_obj();
        w.finish()
    }

    fn standalone_delete(&mut self) -> String {
        let mut msgs = Lines::default();
        self.starting(&mut msgs, "Delete");
        self.list_lines(&mut msgs, self.at(5, 100));
        let old = self.f.begin - 40 * 24 * HOUR;
        self.retention(&mut msgs, self.at(10, 100), Some(old));
        msgs.backend(self.at(50, 100), "Delete", &Self::dlist_name(old), &size_str(1_350_000));
        let backend = self.backend("Delete", (0, 0), (0, 0), 1);
        let mut w = JsonWriter::with_capacity(Escaping::Newtonsoft, 4096);
        w.begin_obj().kint("DeletedSetsActualLength", 1).key("DeletedSets").begin_arr();
        w.begin_obj().kint("Item1", self.known().2 + 1).kstr("Item2", &timefmt::iso_local(old - old % TICKS_PER_SEC)).end_obj();
        w.end_arr().kbool("Dryrun", false).kstr("MainOperation", "Delete").knull("CompactResults");
        self.simple_tail(&mut w, &msgs, &Lines::default(), &Lines::default(), &backend);
        w.end_obj();
        w.finish()
    }

    fn standalone_list(&mut self) -> String {
        let mut msgs = Lines::default();
        self.starting(&mut msgs, "List");
        let (_, _, versions) = self.known();
        let backend = self.backend("List", (0, 0), (0, 0), 0);
        let mut w = JsonWriter::with_capacity(Escaping::Newtonsoft, 4096);
        w.begin_obj().kbool("EncryptedFiles", false).key("Filesets").begin_arr();
        for v in 0..versions.min(5) {
            let t = self.f.begin - (v + 1) * 24 * HOUR;
            w.begin_obj().kint("Version", v).kbool("IsFullBackup", true).kstr("Time", &timefmt::iso_local(t - t % TICKS_PER_SEC));
            w.kint("FileCount", self.profile.base_files - v * 3).kint("FileSizes", self.profile.base_size - v * MB).end_obj();
        }
        w.end_arr().key("Files").begin_arr().end_arr().kstr("MainOperation", "List");
        self.simple_tail(&mut w, &msgs, &Lines::default(), &Lines::default(), &backend);
        w.end_obj();
        w.finish()
    }
}
