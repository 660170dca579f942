//! Duplicati's serialisation of results: the Newtonsoft JSON of each result class (field
//! names and order as Duplicati writes them), its log lines and its size strings.

use crate::config::Version;
use crate::stj::{Escaping, JsonWriter};
use crate::timefmt::{self, Ticks, TICKS_PER_SEC};

/// Duplicati's `Utility.FormatSizeString`.
pub(super) fn size_str(bytes: i64) -> String {
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

/// A list of log lines with its real length (only the first 20 are serialized).
#[derive(Default)]
pub(super) struct Lines {
    all: Vec<String>,
}

impl Lines {
    fn add(&mut self, t: Ticks, level: &str, tag: &str, text: &str) {
        self.all.push(format!("{} - [{level}-{tag}]: {text}", timefmt::log_line_time(t)));
    }

    /// An `Information` line.
    pub fn info(&mut self, t: Ticks, tag: &str, text: &str) {
        self.add(t, "Information", tag, text);
    }

    /// A line whose text already holds `[Level-Tag-Id]: …`.
    pub fn raw(&mut self, t: Ticks, text: &str) {
        self.all.push(format!("{} - {text}", timefmt::log_line_time(t)));
    }

    /// The Started and Completed lines of one remote operation.
    pub fn backend(&mut self, t: Ticks, op: &str, file: &str, size: &str) {
        for phase in ["Started", "Completed"] {
            self.info(t, "Duplicati.Library.Main.BasicResults-BackendEvent", &format!("Backend event: {op} - {phase}: {file} ({size})"));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    fn stored(&self) -> &[String] {
        &self.all[..self.all.len().min(20)]
    }
}

/// Messages, warnings and errors of a result.
pub(super) type Logs<'a> = (&'a Lines, &'a Lines, &'a Lines);

/// `BackendStatistics` of a result.
#[derive(Clone)]
pub(super) struct Backend {
    pub remote_calls: i64,
    pub bytes_up: i64,
    pub bytes_down: i64,
    pub files_up: i64,
    pub files_down: i64,
    pub files_deleted: i64,
    pub known_count: i64,
    pub known_size: i64,
    pub last_backup: Option<Ticks>,
    pub list_count: i64,
    pub quota: i64,
    pub quota_error: bool,
    pub op: &'static str,
    pub begin: Ticks,
}

/// `CompactResults` numbers.
pub(super) struct Compact {
    pub deleted_count: i64,
    pub downloaded_count: i64,
    pub uploaded_count: i64,
    pub deleted_size: i64,
    pub downloaded_size: i64,
    pub uploaded_size: i64,
    pub begin: Ticks,
    pub end: Ticks,
}

/// The common tail of every result class.
pub(super) struct Tail<'a> {
    pub parsed: &'a str,
    pub interrupted: bool,
    pub begin: Ticks,
    pub end: Ticks,
    /// `None` for sub-results (lengths 0, lists null).
    pub lists: Option<Logs<'a>>,
}

/// One backup version as `ListResults` shows it.
pub(super) struct Fileset {
    pub version: i64,
    pub time: Ticks,
    pub file_count: i64,
    pub file_sizes: i64,
}

/// The numbers of a restore.
pub(super) struct Restore<'a> {
    pub files: i64,
    pub size: i64,
    pub folders: i64,
    /// Where the files went (`RestorePath`, 2.3).
    pub path: &'a str,
    /// Block volumes downloaded (`TotalVolumesAccessed`, 2.3).
    pub volumes: i64,
}

/// A version removed by a delete: its number and time.
pub(super) type DeletedSet = (i64, Ticks);

/// The values of a `BackupResults` besides its sub-results.
pub(super) struct Backup<'a> {
    /// In the order of [`BACKUP_COUNTERS`].
    pub counters: [i64; 18],
    /// `TimestampChangedFiles` (2.1.2+), written after `FilesWithError`.
    pub timestamp_changed: i64,
    pub partial: bool,
    pub compact: Option<&'a Compact>,
    /// `DeleteResults`: the removed version, if any, and when the delete ran.
    pub delete: Option<(Option<DeletedSet>, Ticks, Ticks)>,
    /// `TestResults`: the verified files and when the test ran.
    pub test: Option<(&'a [String], Ticks, Ticks)>,
}

/// The file and size counters at the top of `BackupResults`.
const BACKUP_COUNTERS: [&str; 18] = [
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

/// A date Duplicati stores with whole seconds, in server-local time.
fn local_seconds(t: Ticks) -> String {
    timefmt::iso_local(t - t % TICKS_PER_SEC)
}

/// Writes the result classes of one Duplicati version (`Library/Main/ResultClasses.cs` of its
/// tag; 2.0.8.1 and 2.1.0.5 serialise the same fields).
pub(super) struct ResultWriter {
    /// The full result version, e.g. `2.1.0.5 (2.1.0.5_stable_2025-03-04)`.
    version: String,
    v: Version,
}

impl ResultWriter {
    pub fn new(v: Version) -> Self {
        ResultWriter { version: v.result_version(), v }
    }

    /// 2.1.2 added `TimestampChangedFiles`, `KnownFilesets` and the restore's broken-file lists.
    fn since_2_1_2(&self) -> bool {
        self.v >= Version::V2_1_2
    }

    /// 2.3 added `LockResults`, `RemoteSynchronizationResults` and more restore counters.
    fn since_2_3(&self) -> bool {
        self.v >= Version::V2_3_1
    }

    fn top_level(cap: usize, body: impl FnOnce(&mut JsonWriter)) -> String {
        let mut w = JsonWriter::with_capacity(Escaping::Newtonsoft, cap);
        body(&mut w);
        w.finish()
    }

    /// The fields of `BasicResults` every result class ends with.
    fn tail(&self, w: &mut JsonWriter, t: &Tail<'_>, backend: &Backend) {
        w.kstr("ParsedResult", t.parsed).kbool("Interrupted", t.interrupted).kstr("Version", &self.version);
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
        w.key("BackendStatistics");
        self.backend(w, backend);
    }

    fn backend(&self, w: &mut JsonWriter, b: &Backend) {
        w.begin_obj();
        w.kint("RemoteCalls", b.remote_calls).kint("BytesUploaded", b.bytes_up).kint("BytesDownloaded", b.bytes_down);
        w.kint("FilesUploaded", b.files_up).kint("FilesDownloaded", b.files_down).kint("FilesDeleted", b.files_deleted);
        w.kint("FoldersCreated", 0).kint("RetryAttempts", 0).kint("UnknownFileSize", 0).kint("UnknownFileCount", 0);
        w.kint("KnownFileCount", b.known_count).kint("KnownFileSize", b.known_size);
        if self.since_2_1_2() {
            w.kint("KnownFilesets", b.list_count);
        }
        match b.last_backup {
            Some(t) => w.kstr("LastBackupDate", &local_seconds(t)),
            None => w.kstr("LastBackupDate", "0001-01-01T00:00:00"),
        };
        w.kint("BackupListCount", b.list_count).kint("TotalQuotaSpace", 0).kint("FreeQuotaSpace", 0);
        w.kint("AssignedQuotaSpace", b.quota).kbool("ReportedQuotaError", b.quota_error).kbool("ReportedQuotaWarning", false);
        w.kstr("MainOperation", b.op).kstr("ParsedResult", "Success").kbool("Interrupted", false).kstr("Version", &self.version);
        w.kstr("EndTime", "0001-01-01T00:00:00").kstr("BeginTime", &timefmt::iso_utc(b.begin)).kstr("Duration", "00:00:00");
        w.kint("MessagesActualLength", 0).kint("WarningsActualLength", 0).kint("ErrorsActualLength", 0);
        w.knull("Messages").knull("Warnings").knull("Errors");
        w.end_obj();
    }

    /// `null` or the value written by `body`.
    fn nullable<T>(w: &mut JsonWriter, value: Option<T>, body: impl FnOnce(&mut JsonWriter, T)) {
        match value {
            Some(v) => body(w, v),
            None => {
                w.null();
            }
        }
    }

    /// `BackupResults`.
    pub fn backup(&self, r: &Backup<'_>, tail: &Tail<'_>, backend: &Backend) -> String {
        Self::top_level(8192, |w| {
            w.begin_obj();
            for (name, v) in BACKUP_COUNTERS.iter().zip(r.counters) {
                w.kint(name, v);
                if *name == "FilesWithError" && self.since_2_1_2() {
                    w.kint("TimestampChangedFiles", r.timestamp_changed);
                }
            }
            w.kbool("PartialBackup", r.partial).kbool("Dryrun", false).kstr("MainOperation", "Backup");
            w.key("CompactResults");
            Self::nullable(w, r.compact, |w, c| self.compact_results(w, c, None, backend));
            w.knull("VacuumResults").key("DeleteResults");
            Self::nullable(w, r.delete, |w, (set, begin, end)| {
                let tail = Tail { parsed: "Success", interrupted: false, begin, end, lists: None };
                self.delete_results(w, set, r.compact, &tail, backend);
            });
            w.knull("RepairResults").key("TestResults");
            Self::nullable(w, r.test, |w, (files, begin, end)| {
                let tail = Tail { parsed: "Success", interrupted: false, begin, end, lists: None };
                self.test_results(w, files, &tail, backend);
            });
            if self.since_2_3() {
                w.knull("LockResults").key("RemoteSynchronizationResults").begin_arr().end_arr();
            }
            self.tail(w, tail, backend);
            w.end_obj();
        })
    }

    /// `CompactResults` (always successful).
    fn compact_results(&self, w: &mut JsonWriter, c: &Compact, lists: Option<Logs<'_>>, backend: &Backend) {
        w.begin_obj();
        w.kint("DeletedFileCount", c.deleted_count).kint("DownloadedFileCount", c.downloaded_count);
        w.kint("UploadedFileCount", c.uploaded_count).kint("DeletedFileSize", c.deleted_size);
        w.kint("DownloadedFileSize", c.downloaded_size).kint("UploadedFileSize", c.uploaded_size);
        w.kbool("Dryrun", false).knull("VacuumResults").kstr("MainOperation", "Compact");
        self.tail(w, &Tail { parsed: "Success", interrupted: false, begin: c.begin, end: c.end, lists }, backend);
        w.end_obj();
    }

    /// A compact run on its own.
    pub fn compact(&self, c: &Compact, lists: Logs<'_>, backend: &Backend) -> String {
        Self::top_level(4096, |w| self.compact_results(w, c, Some(lists), backend))
    }

    /// `DeleteResults`.
    fn delete_results(&self, w: &mut JsonWriter, set: Option<DeletedSet>, compact: Option<&Compact>, tail: &Tail<'_>, backend: &Backend) {
        w.begin_obj().kint("DeletedSetsActualLength", i64::from(set.is_some())).key("DeletedSets").begin_arr();
        if let Some((version, time)) = set {
            w.begin_obj().kint("Item1", version).kstr("Item2", &local_seconds(time)).end_obj();
        }
        w.end_arr().kbool("Dryrun", false).kstr("MainOperation", "Delete").key("CompactResults");
        Self::nullable(w, compact, |w, c| self.compact_results(w, c, None, backend));
        self.tail(w, tail, backend);
        w.end_obj();
    }

    /// A delete run on its own.
    pub fn delete(&self, set: DeletedSet, tail: &Tail<'_>, backend: &Backend) -> String {
        Self::top_level(4096, |w| self.delete_results(w, Some(set), None, tail, backend))
    }

    /// `TestResults` (at most 20 verifications are serialized).
    fn test_results(&self, w: &mut JsonWriter, files: &[String], tail: &Tail<'_>, backend: &Backend) {
        w.begin_obj().kstr("MainOperation", "Test").kint("VerificationsActualLength", files.len() as i64);
        w.key("Verifications").begin_arr();
        for f in files.iter().take(20) {
            w.begin_obj().kstr("Key", f).key("Value").begin_arr().end_arr().end_obj();
        }
        w.end_arr();
        self.tail(w, tail, backend);
        w.end_obj();
    }

    /// A test run on its own.
    pub fn test(&self, files: &[String], tail: &Tail<'_>, backend: &Backend) -> String {
        Self::top_level(4096, |w| self.test_results(w, files, tail, backend))
    }

    /// `RestoreResults`.
    pub fn restore(&self, r: &Restore<'_>, tail: &Tail<'_>, backend: &Backend) -> String {
        Self::top_level(4096, |w| {
            w.begin_obj();
            if self.since_2_1_2() {
                w.key("BrokenLocalFiles").begin_arr().end_arr().key("BrokenRemoteFiles").begin_arr().end_arr();
            }
            w.kint("RestoredFiles", r.files).kint("SizeOfRestoredFiles", r.size);
            if self.since_2_3() {
                w.kint("SizeOfRestoredData", r.size);
            }
            w.kint("RestoredFolders", r.folders);
            w.kint("RestoredSymlinks", 0)
                .kint("PatchedFiles", 0)
                .kint("DeletedFiles", 0)
                .kint("DeletedFolders", 0)
                .kint("DeletedSymlinks", 0);
            if self.since_2_3() {
                w.kint("UnmodifiedFiles", 0).kint("SizeOfUnmodifiedFiles", 0).kstr("RestorePath", r.path);
                // The cache-pressure counters have ShouldSerialize methods and stay out at 0.
                if r.volumes > 0 {
                    w.kint("TotalVolumesAccessed", r.volumes);
                }
            }
            w.kstr("MainOperation", "Restore").knull("RecreateDatabaseResults");
            self.tail(w, tail, backend);
            w.end_obj();
        })
    }

    /// `RepairResults`.
    pub fn repair(&self, tail: &Tail<'_>, backend: &Backend) -> String {
        Self::top_level(4096, |w| {
            w.begin_obj().kstr("MainOperation", "Repair").knull("RecreateDatabaseResults");
            self.tail(w, tail, backend);
            w.end_obj();
        })
    }

    /// `ListResults`: the versions and the matching files (`Path` and the size in each
    /// version, -1 where absent).
    pub fn list(&self, filesets: &[Fileset], files: &[(String, Vec<i64>)], tail: &Tail<'_>, backend: &Backend) -> String {
        let cap = 4096 + files.iter().map(|(p, s)| p.len() + 24 * s.len() + 24).sum::<usize>();
        Self::top_level(cap, |w| {
            w.begin_obj().kbool("EncryptedFiles", false).key("Filesets").begin_arr();
            for f in filesets {
                w.begin_obj().kint("Version", f.version);
                // `ListResultFileset.IsFullBackup` is an int (1 = full). The 2.1.0.5 profile keeps
                // writing `true` so the generated bytes recorded for it do not change.
                if self.v == Version::V2_1_0_5 {
                    w.kbool("IsFullBackup", true);
                } else {
                    w.kint("IsFullBackup", 1);
                }
                w.kstr("Time", &local_seconds(f.time));
                w.kint("FileCount", f.file_count).kint("FileSizes", f.file_sizes).end_obj();
            }
            w.end_arr().key("Files").begin_arr();
            for (path, sizes) in files {
                w.begin_obj().kstr("Path", path).key("Sizes").begin_arr();
                for size in sizes {
                    w.int(*size);
                }
                w.end_arr().end_obj();
            }
            w.end_arr().kstr("MainOperation", "List");
            self.tail(w, tail, backend);
            w.end_obj();
        })
    }
}
