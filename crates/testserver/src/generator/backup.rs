//! The simulated run of a backup: scan, upload, retention, compact and verification, or how
//! it failed or stopped early.

use super::profiles::Kind;
use super::results::Run;
use super::writers::{size_str, Backup, Compact, Lines, Tail};
use super::{HOUR, MB};
use crate::timefmt::Ticks;

impl Run<'_> {
    pub fn backup(&mut self) -> String {
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
        let interrupted = kind.is_script_abort();

        if interrupted {
            let script = self.rng.pick(&["/config/scripts/check-nas-mounted.sh", "/usr/local/bin/pre-backup.sh"]).to_string();
            if kind == Kind::ScriptAbort {
                // Exit code 5: "error, don't run" (Library/Modules/Builtin/RunScript.cs).
                errs.raw(e, &format!("[Error-Duplicati.Library.Modules.Builtin.RunScript-InvalidExitCode]: The script \"{script}\" returned with exit code 5: backup target is read-only"));
                msgs.info(e, "Duplicati.Library.Main.Controller-AbortOperation", "Aborting operation by request, requested result: Error");
                parsed = "Error";
            } else {
                warns.raw(e, &format!("[Warning-Duplicati.Library.Modules.Builtin.RunScript-InvalidExitCode]: The script \"{script}\" returned with exit code 3: /mnt/nas is not mounted"));
                msgs.info(
                    e,
                    "Duplicati.Library.Main.Controller-AbortOperation",
                    "Aborting operation by request, requested result: Warning",
                );
                parsed = "Warning";
            }
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
                let (msg, exc, missing) = self.fatal_error();
                for (ext, hex) in ["dblock", "dindex"].iter().zip(&missing) {
                    let letter = &ext[1..2];
                    warns.raw(e, &format!("[Warning-Duplicati.Library.Main.Operation.FilelistProcessor-MissingFile]: Missing file: duplicati-{letter}{hex}.{ext}.zip.aes"));
                }
                errs.raw(e, &format!("[Error-Duplicati.Library.Main.Controller-FailedOperation]: The operation Backup has failed with error: {msg}\n{exc}: {msg}"));
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
                    warns.raw(self.at(85, 100), "[Warning-Duplicati.Library.Main.Operation.BackupHandler-CancellationRequested]: Cancellation was requested by user.");
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
                                warns.raw(self.at(pct, 100), &text);
                            }
                            parsed = "Warning";
                        }
                        Kind::Error => {
                            if self.profile.quota > 0 || self.rng.chance(50) {
                                backend.quota = 4 * 1024 * MB;
                                backend.quota_error = true;
                                let used = 4 * 1024 * MB + self.rng.range(10 * MB, 900 * MB);
                                errs.raw(vt, &format!("[Error-Duplicati.Library.Main.Operation.FilelistProcessor-AssignedQuotaExceeded]: Assigned quota has been exceeded: Using {} of 4.00 GB", size_str(used)));
                            } else {
                                let file = format!("{}/{}", self.profile.source, "archive/big-export.tar");
                                errs.raw(self.at(30, 100), &format!("[Error-Duplicati.Library.Main.Operation.Backup.FileBlockProcessor.FileEntry-PathProcessingFailed]: Failed to process path: {file}\nIOException: Input/output error : '{file}'"));
                            }
                            parsed = "Error";
                        }
                        _ => {}
                    }
                }
            }
        }

        let delete = delete.map(|(set, begin, end)| (set.map(|t| (self.known().2 + 1, t)), begin, end));
        let results = Backup {
            counters,
            timestamp_changed: counters[2] / 5,
            partial,
            compact: compact.as_ref(),
            delete,
            test: test.as_ref().map(|(files, begin, end)| (files.as_slice(), *begin, *end)),
        };
        let tail = Tail { parsed, interrupted, begin: b, end: e, lists: Some((&msgs, &warns, &errs)) };
        self.json.backup(&results, &tail, &backend)
    }

    /// Why a backup failed: the exception message and type, and the missing files' ids when
    /// the remote check failed.
    pub fn fatal_error(&mut self) -> (String, &'static str, Vec<String>) {
        match self.rng.range(0, 3) {
            0 => {
                let missing = vec![self.rng.guid_hex(), self.rng.guid_hex()];
                (
                    "Found 2 files that are missing from the remote storage, please run repair".into(),
                    "RemoteListVerificationException",
                    missing,
                )
            }
            1 => ("The remote server returned an error: (503) Service Unavailable.".into(), "WebException", Vec::new()),
            _ => ("Connection refused (nas.example.lan:22)".into(), "SocketException", Vec::new()),
        }
    }

    /// One of the warnings a backup meets on the source side.
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
}
