//! The wire bodies of the job and state endpoints, one shape per Duplicati release.
//!
//! 2.1+ answer with System.Text.Json (compact, names as declared in the DTOs of
//! `WebserverCore/Dto/*.cs` of each tag). 2.0.8.1 answers with Newtonsoft, indented, from
//! the server's own classes (`Server/WebServer/RESTMethods/*.cs`, `Server/Database/*.cs`).

use crate::config::Version;
use crate::data::{fixtures, Job, Notification, PageBuilder, Schedule, Store};
use crate::hostile;
use crate::stj::{Escaping, JsonWriter};
use crate::timefmt::{self, Ticks, TICKS_PER_SEC};

/// A writer in the JSON style of `version`.
pub(crate) fn writer(version: Version, cap: usize) -> JsonWriter {
    if version.is_legacy() {
        JsonWriter::indented(Escaping::Newtonsoft, cap)
    } else {
        JsonWriter::with_capacity(Escaping::Stj, cap)
    }
}

/// A float as the serializer of `version` writes it: STJ prints the shortest round-trip form
/// (`0`, `0.37`), Newtonsoft always keeps a fraction (`0.0`, `1.0`).
fn float(version: Version, v: f64) -> String {
    let s = format!("{v}");
    if version.is_legacy() && !s.contains('.') {
        format!("{s}.0")
    } else {
        s
    }
}

/// The recorded fixture file when `body` is what it records: the files end with a newline
/// the re-serialised body lacks, and an unchanged fixture server keeps serving them verbatim.
fn or_fixture(store: &Store, body: String, fixture: &'static str) -> String {
    if store.fixture_state.is_some() && store.version == Version::V2_1_0_5 && body == fixture.trim_end() {
        fixture.to_string()
    } else {
        body
    }
}

/// `{"Error":"…"}`: 2.0's `RequestInfo.ReportClientError` body.
pub(crate) fn legacy_error(message: &str) -> String {
    let mut w = writer(Version::V2_0_8_1, 64);
    w.begin_obj().kstr("Error", message).end_obj();
    w.finish()
}

impl Store {
    /// `GET /api/v1/backups` body.
    pub fn backups(&self, now: Ticks) -> String {
        let v = self.version;
        if self.jobs.is_empty() {
            return "[]".into();
        }
        let mut w = writer(v, 2048 * self.jobs.len());
        w.begin_arr();
        for job in &self.jobs {
            let unencrypted = match &job.recorded {
                Some(r) => r.unencrypted,
                None => job.profile.number % 3 == 0,
            };
            let mut schedule = self.schedule(job, now);
            if let Some(s) = schedule.as_mut().filter(|_| self.has_bad_dates(&job.id)) {
                hostile::warp_schedule(&mut s.next, &mut s.last);
            }
            w.begin_obj();
            if v.is_legacy() {
                // `Backups.AddOrUpdateBackupData` declares the flag, then Schedule, then Backup.
                w.kbool("IsUnencryptedOrPassphraseStored", unencrypted).key("Schedule");
                write_schedule(&mut w, schedule.as_ref(), v);
                w.key("Backup");
                self.write_backup(&mut w, job, unencrypted);
            } else {
                w.key("Backup");
                self.write_backup(&mut w, job, unencrypted);
                w.key("Schedule");
                write_schedule(&mut w, schedule.as_ref(), v);
            }
            w.end_obj();
        }
        w.end_arr();
        or_fixture(self, w.finish(), fixtures::BACKUPS)
    }

    /// One `Backup` object (`BackupDto` of the tag, or 2.0's `Database.Backup`).
    fn write_backup(&self, w: &mut JsonWriter, job: &Job, unencrypted: bool) {
        let v = self.version;
        let p = &job.profile;
        let (name, description, tags, target, db_path) = match &job.recorded {
            Some(r) => (r.name.clone(), r.description.clone(), r.tags.clone(), r.target_url.clone(), r.db_path.clone()),
            None if job.sync => (
                format!("{} mirror", p.name),
                format!("Mirror of {}", p.source),
                Vec::new(),
                p.target_url.replace("/backup/", "/mirror/"),
                p.db_path.replace(".sqlite", "-sync.sqlite"),
            ),
            None => (p.name.clone(), p.description.clone(), Vec::new(), p.target_url.clone(), p.db_path.clone()),
        };
        w.begin_obj().kstr("ID", &job.id);
        if v >= Version::V2_2 {
            w.knull("ExternalID");
        }
        w.kstr("Name", &name).kstr("Description", &description).key("Tags").begin_arr();
        for t in &tags {
            w.str(t);
        }
        w.end_arr().kstr("TargetURL", &target);
        if v >= Version::V2_3_1 {
            w.kint("ConnectionStringID", -1).kstr("OperationType", if job.sync { "Sync" } else { "Backup" });
        }
        w.kstr("DBPath", &db_path);
        if v >= Version::V2_1_2 {
            w.kbool("DBPathExists", job.db_exists);
        }
        w.knull("Sources").knull("Settings").knull("Filters");
        let mut metadata = self.metadata(job);
        if self.has_bad_dates(&job.id) {
            hostile::warp_metadata(&mut metadata);
        }
        w.key("Metadata").begin_obj();
        for (k, val) in metadata {
            w.kstr(&k, &val);
        }
        w.end_obj().kbool("IsTemporary", false);
        if !v.is_legacy() {
            w.kbool("IsUnencryptedOrPassphraseStored", unencrypted);
        }
        if v >= Version::V2_3_1 {
            w.key("AdditionalTargetURLs").begin_arr().end_arr();
        }
        w.end_obj();
    }

    /// The `LastEventID`, `LastDataUpdateID` and `LastNotificationUpdateID` counters.
    fn counters(&self) -> (i64, i64, i64) {
        let dv = self.data_version as i64;
        match &self.fixture_state {
            Some(f) => (f.event_id + self.events, f.data_id + self.data_events, f.notification_id + self.notification_events),
            None if self.generated => (40 + dv + self.events, dv + self.data_events, self.notification_events),
            None => (dv + self.events, dv + self.data_events, self.notification_events),
        }
    }

    /// `GET /api/v1/serverstate` body.
    pub fn serverstate(&self, now: Ticks) -> String {
        let v = self.version;
        // The recorded fixture schedule holds until a recorded run moves a job's schedule on.
        let mut proposed: Vec<(String, Ticks)> = match &self.fixture_state {
            Some(f) if self.jobs.iter().all(|j| j.last_run.is_none()) => f.proposed.clone(),
            _ => self.jobs.iter().filter_map(|j| self.schedule(j, now).map(|s| (j.id.clone(), s.next))).collect(),
        };
        for (id, next) in &mut proposed {
            if self.has_bad_dates(id) {
                *next = hostile::FAR_FUTURE;
            }
        }
        let (warn, err) = match &self.fixture_state {
            Some(f) => (f.has_warning, f.has_error),
            None if self.generated => self.row_flags(),
            None => (false, false),
        };
        let (warn, err) = (warn || self.unacked_warning, err || self.unacked_error);
        let icon = if self.task.is_some() {
            "Active"
        } else if err {
            "ReadyError"
        } else if warn {
            "ReadyWarning"
        } else {
            "Ready"
        };
        let (event_id, data_id, notification_id) = self.counters();
        let mut w = writer(v, 512);
        let active = |w: &mut JsonWriter| match &self.task {
            Some(t) => {
                w.begin_obj().kint("Item1", t.id).kstr("Item2", &t.backup_id).end_obj();
            }
            None => {
                w.null();
            }
        };
        let schedule = |w: &mut JsonWriter| {
            w.key("SchedulerQueueIds").begin_arr().end_arr().key("ProposedSchedule").begin_arr();
            for (id, next) in &proposed {
                w.begin_obj().kstr("Item1", id).kstr("Item2", &timefmt::iso_utc(*next)).end_obj();
            }
            w.end_arr();
        };
        w.begin_obj();
        if v.is_legacy() {
            // Serializable.ServerStatus @ 2.0.8.1, in its declaration order.
            w.kstr("ProgramState", "Running").knull("UpdatedVersion").kstr("UpdaterState", "Waiting").kbool("UpdateReady", false);
            w.key("UpdateDownloadProgress").raw(&float(v, 0.0)).key("ActiveTask");
            active(&mut w);
            schedule(&mut w);
            w.kbool("HasWarning", warn).kbool("HasError", err).kstr("SuggestedStatusIcon", icon);
            w.kstr("EstimatedPauseEnd", "0001-01-01T00:00:00");
            w.kint("LastEventID", event_id).kint("LastDataUpdateID", data_id).kint("LastNotificationUpdateID", notification_id);
        } else {
            w.key("ActiveTask");
            active(&mut w);
            w.kstr("ProgramState", "Running");
            schedule(&mut w);
            w.kbool("HasWarning", warn).kbool("HasError", err);
            w.kstr("SuggestedStatusIcon", icon).kstr("EstimatedPauseEnd", "0001-01-01T00:00:00");
            w.kint("LastEventID", event_id).kint("LastDataUpdateID", data_id).kint("LastNotificationUpdateID", notification_id);
            w.knull("UpdatedVersion").kstr("UpdaterState", "Waiting").knull("UpdateDownloadLink").kint("UpdateDownloadProgress", 0);
        }
        w.end_obj();
        or_fixture(self, w.finish(), fixtures::SERVERSTATE)
    }

    /// `GET /api/v1/notifications` body.
    pub fn notifications(&self) -> String {
        if self.notifications.is_empty() {
            return "[]".into();
        }
        let mut w = writer(self.version, 512 * self.notifications.len());
        w.begin_arr();
        for n in &self.notifications {
            write_notification(&mut w, n);
        }
        w.end_arr();
        or_fixture(self, w.finish(), fixtures::NOTIFICATIONS)
    }

    /// `GET /api/v1/progressstate` body, `None` before the first task (404 "No active backup").
    pub fn progressstate(&self, now: Ticks) -> Option<String> {
        let v = self.version;
        let p = self.progress.as_ref()?;
        let t = &p.task;
        let end = p.finished.unwrap_or(now);
        // A run counts its files for a minute and takes ten.
        let elapsed = (end - t.started).max(0);
        let counting = p.finished.is_none() && elapsed < 60 * TICKS_PER_SEC;
        let pct = if p.finished.is_some() { 100 } else { (elapsed * 100 / (600 * TICKS_PER_SEC)).min(95) };
        let done_files = p.total_files * pct / 100;
        let done_size = p.total_size * pct / 100;
        let phase = match (t.sync, p.finished.is_some()) {
            (false, false) => "Backup_ProcessingFiles",
            (false, true) => "Backup_Complete",
            (true, false) => "Sync_ProcessingFiles",
            (true, true) => "Sync_Complete",
        };
        let volume = format!("duplicati-b{:016x}{:016x}.dblock.zip.aes", t.started as u64, t.id as u64);
        let transferring = p.finished.is_none() && !counting;
        let mut w = writer(v, 1024);
        w.begin_obj().kstr("BackupID", &t.backup_id).kint("TaskID", t.id);
        w.kstr("BackendAction", if transferring { "Put" } else { "Get" });
        if transferring {
            w.kstr("BackendPath", &volume).kint("BackendFileSize", 52_428_800).kint("BackendFileProgress", 52_428_800 * pct / 100);
            w.kint("BackendSpeed", 8_912_345).kbool("BackendIsBlocking", false);
        } else {
            w.knull("BackendPath").kint("BackendFileSize", 0).kint("BackendFileProgress", 0).kint("BackendSpeed", -1);
            w.kbool("BackendIsBlocking", false);
        }
        if p.finished.is_none() && !counting {
            let file = format!(
                "{}/projects/2025/file-{:05}.pdf",
                self.job(&t.backup_id).map(|j| j.profile.source).unwrap_or_default(),
                done_files
            );
            w.kstr("CurrentFilename", &file).kint("CurrentFilesize", 1_048_576).kint("CurrentFileoffset", 524_288);
        } else {
            w.knull("CurrentFilename").kint("CurrentFilesize", 0).kint("CurrentFileoffset", 0);
        }
        w.kbool("CurrentFilecomplete", false).kstr("Phase", phase).key("OverallProgress").raw(&float(v, pct as f64 / 100.0));
        w.kint("ProcessedFileCount", done_files).kint("ProcessedFileSize", done_size);
        w.kint("TotalFileCount", p.total_files).kint("TotalFileSize", p.total_size).kbool("StillCounting", counting);
        if v >= Version::V2_1_2 {
            w.key("ActiveTransfers").begin_arr();
            if transferring {
                w.begin_obj().kstr("BackendAction", "Put").kstr("BackendPath", &volume).kint("BackendFileSize", 52_428_800);
                w.kint("BackendFileProgress", 52_428_800 * pct / 100).kint("BackendSpeed", 8_912_345).kbool("BackendIsBlocking", false);
                w.end_obj();
            }
            w.end_arr();
        }
        if v >= Version::V2_3_1 {
            w.kint("RemoteSyncDestinationIndex", 0).kint("RemoteSyncDestinationCount", 0);
            if p.finished.is_none() && !counting {
                let left = (600 * TICKS_PER_SEC - elapsed).max(0);
                w.kstr("EstimatedTimeToCompletion", &timefmt::timespan(left - left % TICKS_PER_SEC));
            } else {
                w.knull("EstimatedTimeToCompletion");
            }
        }
        w.end_obj();
        Some(w.finish())
    }

    /// `GET /api/v1/logdata/log` body: the server's ErrorLog, newest first, paged by
    /// `Timestamp` (exclusive), like the job log.
    pub fn error_log_page(&self, offset: Option<i64>, pagesize: u32) -> String {
        let v = self.version;
        let mut rows: Vec<_> = self.error_log.iter().filter(|e| offset.is_none_or(|o| e.timestamp < o)).collect();
        rows.reverse();
        rows.sort_by_key(|e| std::cmp::Reverse(e.timestamp));
        rows.truncate(pagesize as usize);
        if rows.is_empty() {
            return "[]".into();
        }
        let mut w = writer(v, 512 * rows.len());
        w.begin_arr();
        for e in rows {
            w.begin_obj().kint("BackupID", e.backup_id).kstr("Message", &e.message).kstr("Exception", &e.exception);
            w.kint("Timestamp", e.timestamp).end_obj();
        }
        w.end_arr();
        w.finish()
    }
}

/// One `Schedule` (`ScheduleDto`, or 2.0's `Database.Schedule`), or `null`.
fn write_schedule(w: &mut JsonWriter, s: Option<&Schedule>, v: Version) {
    let Some(s) = s else {
        w.null();
        return;
    };
    w.begin_obj().kint("ID", s.id).key("Tags").begin_arr();
    for t in &s.tags {
        w.str(t);
    }
    w.end_arr().kstr("Time", &timefmt::iso_utc(s.next)).kstr("Repeat", &s.repeat);
    w.kstr("LastRun", &timefmt::iso_utc(s.last)).kstr("Rule", &s.rule).key("AllowedDays").begin_arr();
    for d in &s.days {
        // 2.1+'s DayOfWeekStringEnumConverter writes the short name and then the long one;
        // 2.0's DayOfWeekConcerter only the short one.
        w.str(&d[..3].to_lowercase());
        if !v.is_legacy() {
            w.str(d);
        }
    }
    w.end_arr().end_obj();
}

fn write_notification(w: &mut JsonWriter, n: &Notification) {
    let opt = |w: &mut JsonWriter, k: &str, v: &Option<String>| {
        match v {
            Some(s) => w.kstr(k, s),
            None => w.knull(k),
        };
    };
    w.begin_obj().kint("ID", n.id).kstr("Type", &n.kind).kstr("Title", &n.title).kstr("Message", &n.message);
    w.kstr("Exception", &n.exception);
    opt(w, "BackupID", &n.backup_id);
    w.kstr("Action", &n.action).kstr("Timestamp", &timefmt::iso_utc(n.timestamp - n.timestamp % TICKS_PER_SEC));
    opt(w, "LogEntryID", &n.log_entry_id);
    opt(w, "MessageID", &n.message_id);
    opt(w, "MessageLogTag", &n.log_tag);
    w.end_obj();
}

impl PageBuilder {
    /// `GET /api/v1/backup/{id}/log` in 2.0's form: `LogData.DumpTable` rows serialised by
    /// Newtonsoft, indented, the NULL `Exception` column as `null`.
    pub fn build_legacy(&self, offset: Option<i64>, pagesize: u32, version: Version) -> String {
        self.build_legacy_rows(self.ids(offset, pagesize).rev().map(|rid| (rid as i64, rid)), version)
    }

    /// A 2.0 page of `rows`, each `(ID written, row rendered)`; with the dates out of range
    /// under `Faults::bad_dates`.
    pub(crate) fn build_legacy_rows(&self, rows: impl Iterator<Item = (i64, u64)>, version: Version) -> String {
        let rows: Vec<(i64, u64)> = rows.collect();
        if rows.is_empty() {
            return "[]".into();
        }
        let mut w = writer(version, rows.len() * 12_000);
        w.begin_arr();
        for (id, rid) in rows {
            if let Some((_, op, ts, msg)) = self.row_parts(rid, version) {
                let (ts, msg) = if self.bad_dates { hostile::warp_row(id, ts, &msg) } else { (ts, msg) };
                w.begin_obj().kint("ID", id).kint("OperationID", op as i64).kint("Timestamp", ts);
                w.kstr("Type", "Result").kstr("Message", &msg).knull("Exception").end_obj();
            }
        }
        w.end_arr();
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_follow_the_serializer() {
        assert_eq!(float(Version::V2_1_0_5, 0.0), "0");
        assert_eq!(float(Version::V2_0_8_1, 0.0), "0.0");
        assert_eq!(float(Version::V2_0_8_1, 1.0), "1.0");
        assert_eq!(float(Version::V2_3_1, 0.37), "0.37");
        assert_eq!(legacy_error("No active backup"), "{\n  \"Error\": \"No active backup\"\n}");
    }
}
