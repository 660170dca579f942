//! Backup jobs, their log rows and the server's state: embedded fixtures, the lazy generator
//! and what happens on the server afterwards (runs, failures, tasks, upgrades).
//!
//! Wire bodies are written by `emit` (one writer per Duplicati release) and `sysinfo`.

use crate::config::{DataSet, ServerConfig, Version};
use crate::faults::{JobSet, Pages};
use crate::generator::{self, Forced, JobProfile, Kind, RowFacts, Segment};
use crate::hostile;
use crate::stj::{self, Escaping};
use crate::timefmt::{self, Ticks, TICKS_PER_SEC};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// Wire-exact fixture responses of a Duplicati 2.1.0.5 server.
pub mod fixtures {
    /// `POST /api/v1/auth/login` (200).
    pub const AUTH_LOGIN: &str = include_str!("../fixtures/auth_login.json");
    /// `GET /api/v1/systeminfo`.
    pub const SYSTEMINFO: &str = include_str!("../fixtures/systeminfo.json");
    /// `GET /api/v1/backups`.
    pub const BACKUPS: &str = include_str!("../fixtures/backups.json");
    /// `GET /api/v1/backup/1/log` (rows 6..1).
    pub const LOG_BACKUP1: &str = include_str!("../fixtures/log_backup1.json");
    /// Same rows as [`LOG_BACKUP1`] with `Message` parsed (not a wire response).
    pub const LOG_BACKUP1_DECODED: &str = include_str!("../fixtures/log_backup1.decoded.json");
    /// `GET /api/v1/serverstate`.
    pub const SERVERSTATE: &str = include_str!("../fixtures/serverstate.json");
    /// `GET /api/v1/notifications`.
    pub const NOTIFICATIONS: &str = include_str!("../fixtures/notifications.json");
}

pub(crate) const HOUR: Ticks = 3600 * TICKS_PER_SEC;
pub(crate) const DAY: Ticks = 24 * HOUR;

/// Fixture log rows of job 1 in ascending ID order (raw wire JSON objects).
fn fixture_rows() -> Vec<&'static str> {
    let body = fixtures::LOG_BACKUP1.trim_end();
    let inner = &body[1..body.len() - 1];
    // `{"ID":` cannot occur inside a string value (quotes are escaped as \u0022).
    let mut rows: Vec<&str> = Vec::new();
    let mut rest = inner;
    while let Some(pos) = rest[1..].find(",{\"ID\":") {
        rows.push(&rest[..pos + 1]);
        rest = &rest[pos + 2..];
    }
    rows.push(rest);
    rows.reverse();
    rows
}

/// Parses a fixture file (they are checked in and well-formed).
fn parse_fixture(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

/// A UTC time as the fixtures write it (`2025-05-05T00:00:00Z`).
fn parse_utc(s: &str) -> Ticks {
    chrono::DateTime::parse_from_rfc3339(s).map_or(0, |t| t.timestamp() * TICKS_PER_SEC + i64::from(t.timestamp_subsec_nanos() / 100))
}

/// A job's schedule (`ScheduleDto`).
#[derive(Clone, Debug)]
pub(crate) struct Schedule {
    pub id: i64,
    pub tags: Vec<String>,
    pub next: Ticks,
    pub last: Ticks,
    pub repeat: String,
    pub rule: String,
    pub days: Vec<String>,
}

/// A fixture job as `/backups` records it.
#[derive(Debug)]
pub(crate) struct FixtureJob {
    pub name: String,
    pub description: String,
    pub tags: Vec<String>,
    pub target_url: String,
    pub db_path: String,
    pub metadata: Vec<(String, String)>,
    pub unencrypted: bool,
    pub schedule: Option<Schedule>,
}

fn parse_fixture_jobs() -> Vec<FixtureJob> {
    let list = parse_fixture(fixtures::BACKUPS);
    let items = list.as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let b = &item["Backup"];
            let s = &item["Schedule"];
            let strings = |v: &Value| -> Vec<String> {
                v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default()
            };
            let schedule = s.is_object().then(|| Schedule {
                id: s["ID"].as_i64().unwrap_or(0),
                tags: strings(&s["Tags"]),
                next: parse_utc(s["Time"].as_str().unwrap_or_default()),
                last: parse_utc(s["LastRun"].as_str().unwrap_or_default()),
                repeat: str_of(s, "Repeat"),
                rule: str_of(s, "Rule"),
                // The wire doubles every day ("sat","Saturday"); keep the long names.
                days: strings(&s["AllowedDays"]).into_iter().skip(1).step_by(2).collect(),
            });
            FixtureJob {
                name: str_of(b, "Name"),
                description: str_of(b, "Description"),
                tags: strings(&b["Tags"]),
                target_url: str_of(b, "TargetURL"),
                db_path: str_of(b, "DBPath"),
                metadata: b["Metadata"]
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
                    .unwrap_or_default(),
                unencrypted: b["IsUnencryptedOrPassphraseStored"].as_bool().unwrap_or(false),
                schedule,
            }
        })
        .collect()
}

/// A notification (`NotificationDto`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub message: String,
    pub exception: String,
    pub backup_id: Option<String>,
    pub action: String,
    pub timestamp: Ticks,
    pub log_entry_id: Option<String>,
    pub message_id: Option<String>,
    pub log_tag: Option<String>,
}

fn parse_fixture_notifications() -> Vec<Notification> {
    let opt = |v: &Value| v.as_str().map(String::from);
    parse_fixture(fixtures::NOTIFICATIONS)
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|n| Notification {
            id: n["ID"].as_i64().unwrap_or(0),
            kind: str_of(n, "Type"),
            title: str_of(n, "Title"),
            message: str_of(n, "Message"),
            exception: str_of(n, "Exception"),
            backup_id: opt(&n["BackupID"]),
            action: str_of(n, "Action"),
            timestamp: parse_utc(n["Timestamp"].as_str().unwrap_or_default()),
            log_entry_id: opt(&n["LogEntryID"]),
            message_id: opt(&n["MessageID"]),
            log_tag: opt(&n["MessageLogTag"]),
        })
        .collect()
}

/// The recorded `/serverstate` values of the fixture server.
#[derive(Debug)]
pub(crate) struct FixtureState {
    pub proposed: Vec<(String, Ticks)>,
    pub has_warning: bool,
    pub has_error: bool,
    pub event_id: i64,
    pub data_id: i64,
    pub notification_id: i64,
}

fn parse_fixture_state() -> FixtureState {
    let s = parse_fixture(fixtures::SERVERSTATE);
    FixtureState {
        proposed: s["ProposedSchedule"]
            .as_array()
            .map(|a| a.iter().map(|p| (str_of(p, "Item1"), parse_utc(p["Item2"].as_str().unwrap_or_default()))).collect())
            .unwrap_or_default(),
        has_warning: s["HasWarning"].as_bool().unwrap_or(false),
        has_error: s["HasError"].as_bool().unwrap_or(false),
        event_id: s["LastEventID"].as_i64().unwrap_or(0),
        data_id: s["LastDataUpdateID"].as_i64().unwrap_or(0),
        notification_id: s["LastNotificationUpdateID"].as_i64().unwrap_or(0),
    }
}

/// A row of the server's `ErrorLog` table (`/api/v1/logdata/log`).
#[derive(Clone, Debug)]
pub(crate) struct ErrorLogEntry {
    pub backup_id: i64,
    pub message: String,
    pub exception: String,
    /// Unix seconds.
    pub timestamp: i64,
}

/// One backup job.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub id: String,
    pub profile: JobProfile,
    /// Bumped when the job DB is recreated; part of the generator seed.
    epoch: u32,
    /// Leading fixture rows (IDs 1..=len), only for fixture job 1 before recreation.
    fixture: Vec<&'static str>,
    segments: Vec<Segment>,
    /// The recorded `/backups` entry of a fixture job.
    pub recorded: Option<Arc<FixtureJob>>,
    /// A sync job (2.3): no `LogData` table, results only in Metadata and notifications.
    pub sync: bool,
    /// Metadata keys written by runs recorded on a fixture job, in the order Duplicati's
    /// Runner adds them (generated jobs derive their Metadata from their rows).
    pub overlay: Vec<(String, String)>,
    /// `LastErrorDate`/`LastErrorMessage` set by a failure outside the job log.
    pub outside_error: Option<(Ticks, String)>,
    /// `Schedule.LastRun` of the newest recorded run (fixture jobs).
    pub last_run: Option<Ticks>,
    /// The newest sync run (begin, end) of a sync job.
    pub last_sync: Option<(Ticks, Ticks)>,
    /// Whether the job's local database file exists (`DBPathExists`; no file → `/log` is `[]`).
    pub db_exists: bool,
}

impl Job {
    /// Highest row ID (0 = no rows).
    pub fn max_id(&self) -> u64 {
        self.segments.last().map_or(self.fixture.len() as u64, |s| s.last)
    }

    fn segment(&self, id: u64) -> Option<&Segment> {
        self.segments.iter().find(|s| s.first <= id && id <= s.last)
    }

    pub fn facts(&self, seed: u64, id: u64) -> Option<RowFacts> {
        self.segment(id).map(|s| generator::facts(seed, &self.profile, self.epoch, s, id))
    }

    /// Unix seconds of the newest row (fixture rows count too).
    fn newest_timestamp(&self, seed: u64) -> Option<i64> {
        let id = self.max_id();
        if id == 0 {
            return None;
        }
        match self.facts(seed, id) {
            Some(f) => Some(f.timestamp()),
            None => {
                let row = self.fixture[id as usize - 1];
                let ts = row.split("\"Timestamp\":").nth(1)?.split(',').next()?;
                ts.parse().ok()
            }
        }
    }

    /// The fixture row `id` as recorded (2.1.0.5 wire form), if it is one.
    pub fn fixture_row(&self, id: u64) -> Option<&'static str> {
        if self.segment(id).is_some() || id == 0 {
            return None;
        }
        self.fixture.get(id as usize - 1).copied()
    }

    /// True while only the recorded fixture rows are present.
    pub fn only_fixture_rows(&self) -> bool {
        !self.fixture.is_empty() && self.segments.is_empty()
    }
}

/// The running task (`serverstate.ActiveTask`).
#[derive(Clone, Debug)]
pub(crate) struct Task {
    pub id: i64,
    pub backup_id: String,
    pub started: Ticks,
    pub sync: bool,
}

/// What `/progressstate` reports: the running task, or the last one (Duplicati never clears
/// `GenerateProgressState` once a task ran, `Library/RestAPI/Runner.cs`).
#[derive(Clone, Debug)]
pub(crate) struct Progress {
    pub task: Task,
    /// When the task finished, `None` while it runs.
    pub finished: Option<Ticks>,
    pub total_files: i64,
    pub total_size: i64,
}

/// All jobs of a server plus what the generated responses need.
pub(crate) struct Store {
    seed: u64,
    pub generated: bool,
    pub empty: bool,
    /// The release the server currently emulates ([`crate::TestServer::upgrade`] changes it).
    pub version: Version,
    pub jobs: Vec<Job>,
    /// Bumped on every data change (`LastDataUpdateID`).
    pub data_version: u64,
    /// Rows rendered at start (`ServerConfig::prerender`), by (job, epoch, row ID).
    rendered: Option<Arc<RenderedRows>>,
    /// The recorded server state of the fixture data set.
    pub fixture_state: Option<FixtureState>,
    pub notifications: Vec<Notification>,
    next_notification_id: i64,
    /// Events recorded since start: runs, failures, task changes (`LastEventID`).
    pub events: i64,
    /// Data changes recorded since start (`LastDataUpdateID`, on top of `data_version`).
    pub data_events: i64,
    /// Notification changes since start (`LastNotificationUpdateID`).
    pub notification_events: i64,
    /// `UnackedError`/`UnackedWarning` raised by a notification since start.
    pub unacked_error: bool,
    pub unacked_warning: bool,
    pub task: Option<Task>,
    pub progress: Option<Progress>,
    next_task_id: i64,
    pub error_log: Vec<ErrorLogEntry>,
    /// Jobs served with out-of-range dates (`Faults::bad_dates`; the set is the fault's).
    pub bad_dates: JobSet,
}

type RenderedRows = HashMap<(String, u32, u64), String>;

impl Store {
    /// Builds the jobs for `cfg.data`, anchored at `start`.
    pub fn new(cfg: &ServerConfig, start: Ticks) -> Store {
        let (seed, jobs, rows, generated) = match cfg.data {
            DataSet::Fixture => (0, 3, 0, false),
            DataSet::Generated { jobs, rows_per_job, seed } => (seed, jobs, rows_per_job, true),
            DataSet::Empty => (0, 0, 0, false),
        };
        let fixture = cfg.data == DataSet::Fixture;
        let recorded = if fixture { parse_fixture_jobs() } else { Vec::new() };
        let notifications = if fixture { parse_fixture_notifications() } else { Vec::new() };
        let mut store = Store {
            seed,
            generated,
            empty: cfg.data == DataSet::Empty,
            version: cfg.version,
            jobs: Vec::new(),
            data_version: 1,
            rendered: None,
            fixture_state: fixture.then(parse_fixture_state),
            next_notification_id: notifications.iter().map(|n| n.id).max().unwrap_or(0) + 1,
            notifications,
            events: 0,
            data_events: 0,
            notification_events: 0,
            unacked_error: false,
            unacked_warning: false,
            task: None,
            progress: None,
            // Runner.RunnerTaskID starts at 1 and is incremented before use.
            next_task_id: 2,
            error_log: Vec::new(),
            bad_dates: JobSet::default(),
        };
        let mut recorded = recorded.into_iter().map(Arc::new);
        for n in 1..=jobs {
            let profile = JobProfile::new(seed, n);
            let mut job = Job {
                id: n.to_string(),
                profile,
                epoch: 0,
                fixture: Vec::new(),
                segments: Vec::new(),
                recorded: recorded.next(),
                sync: false,
                overlay: Vec::new(),
                outside_error: None,
                last_run: None,
                last_sync: None,
                db_exists: false,
            };
            if generated && rows > 0 {
                let mut rng = generator::Rng::from(&[seed, u64::from(n), 0x74696d65]);
                let interval = rng.range(6 * HOUR, 24 * HOUR);
                let newest = start - rng.range(2 * HOUR, 6 * HOUR);
                let start_ts = newest - interval * i64::from(rows - 1) - interval / 4;
                job.segments.push(Segment {
                    first: 1,
                    last: u64::from(rows),
                    start: start_ts,
                    interval,
                    version: cfg.version,
                    forced: None,
                });
            } else if !generated && n == 1 {
                job.fixture = fixture_rows();
            }
            job.db_exists = job.max_id() > 0;
            store.jobs.push(job);
        }
        if cfg.version.has_sync_jobs() && cfg.data != DataSet::Empty {
            for i in 1..=cfg.sync_jobs {
                let n = jobs + i;
                let mut rng = generator::Rng::from(&[seed, u64::from(n), 0x73796e63]);
                let begin = start - rng.range(2 * HOUR, 20 * HOUR);
                let end = begin + rng.range(20, 1_200) * TICKS_PER_SEC + rng.range(0, TICKS_PER_SEC);
                store.jobs.push(Job {
                    id: n.to_string(),
                    profile: JobProfile::new(seed, n),
                    epoch: 0,
                    fixture: Vec::new(),
                    segments: Vec::new(),
                    recorded: None,
                    sync: true,
                    overlay: Vec::new(),
                    outside_error: None,
                    last_run: None,
                    last_sync: Some((begin, end)),
                    db_exists: true,
                });
            }
        }
        if cfg.prerender {
            let mut rows = RenderedRows::new();
            for job in &store.jobs {
                let builder = store.page_builder(job.clone());
                for id in 1..=job.max_id() {
                    let mut text = String::new();
                    builder.push_row(&mut text, id);
                    rows.insert((job.id.clone(), job.epoch, id), text);
                }
            }
            store.rendered = Some(Arc::new(rows));
        }
        store
    }

    fn job_mut(&mut self, id: &str) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    /// A copy of the job (cheap: no rows are stored).
    pub fn job(&self, id: &str) -> Option<Job> {
        self.jobs.iter().find(|j| j.id == id).cloned()
    }

    /// Appends `n` rows newer than the newest one, ending shortly before `now`. Only the rows:
    /// [`Store::record_rows`] applies what Duplicati's Runner does after each run.
    pub fn add_rows(&mut self, id: &str, n: u32, now: Ticks) -> bool {
        let (seed, version) = (self.seed, self.version);
        let Some(job) = self.job_mut(id) else {
            return false;
        };
        if n == 0 {
            return true;
        }
        if job.sync {
            // A sync database has no LogData table.
            return false;
        }
        let after = job.newest_timestamp(seed).map_or(now - 30 * DAY, |s| s * TICKS_PER_SEC);
        let first = job.max_id() + 1;
        push_segment(job, first, n, after, now, version);
        job.db_exists = true;
        self.data_version += 1;
        true
    }

    /// Appends one row recording `kind` that ran from `begin` to `end`.
    pub fn add_forced_row(&mut self, id: &str, kind: Kind, begin: Ticks, end: Ticks, files: u32) -> Option<u64> {
        let version = self.version;
        let job = self.job_mut(id)?;
        if job.sync {
            return None;
        }
        let first = job.max_id() + 1;
        job.segments.push(Segment {
            first,
            last: first,
            start: begin,
            interval: TICKS_PER_SEC,
            version,
            forced: Some(Forced { kind, begin, end, files }),
        });
        job.db_exists = true;
        self.data_version += 1;
        Some(first)
    }

    /// Replaces the job's rows by `rows` new ones with IDs from 1 and newer timestamps.
    pub fn recreate(&mut self, id: &str, rows: u32, now: Ticks) -> bool {
        let (seed, version) = (self.seed, self.version);
        let Some(job) = self.job_mut(id) else {
            return false;
        };
        if job.sync {
            return false;
        }
        let after = job.newest_timestamp(seed).map_or(now - 30 * DAY, |s| s * TICKS_PER_SEC);
        job.epoch += 1;
        job.fixture.clear();
        job.segments.clear();
        if rows > 0 {
            push_segment(job, 1, rows, after, now, version);
        }
        job.db_exists = true;
        self.data_version += 1;
        true
    }

    /// Everything needed to render pages of `job` without holding the store lock.
    pub fn page_builder(&self, job: Job) -> PageBuilder {
        let bad_dates = self.has_bad_dates(&job.id);
        PageBuilder { job, seed: self.seed, rendered: self.rendered.clone(), bad_dates }
    }

    /// Whether job `id` is served with out-of-range dates.
    pub fn has_bad_dates(&self, id: &str) -> bool {
        self.bad_dates.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|j| j == id)
    }

    /// Newest rows matching `pred`, scanning at most `limit` rows down from `top`.
    fn find_newest_below(&self, job: &Job, top: u64, limit: u64, pred: impl Fn(&RowFacts) -> bool) -> Option<RowFacts> {
        (top.saturating_sub(limit) + 1..=top).rev().filter_map(|id| job.facts(self.seed, id)).find(|f| pred(f))
    }

    /// Newest rows matching `pred`, scanning at most `limit` rows down from the top.
    pub fn find_newest(&self, job: &Job, limit: u64, pred: impl Fn(&RowFacts) -> bool) -> Option<RowFacts> {
        self.find_newest_below(job, job.max_id(), limit, pred)
    }

    /// The job's `Backup.Metadata`, in the order Duplicati added the keys.
    pub fn metadata(&self, job: &Job) -> Vec<(String, String)> {
        let mut md = if let Some(rec) = &job.recorded {
            let mut md = rec.metadata.clone();
            for (k, v) in &job.overlay {
                set_key(&mut md, k, v.clone());
            }
            md
        } else if job.sync {
            sync_metadata(job)
        } else if self.version == Version::V2_1_0_5 {
            self.classic_metadata(job)
        } else {
            self.derived_metadata(job, job.max_id())
        };
        if let Some((at, msg)) = &job.outside_error {
            let newer =
                md.iter().find(|(k, _)| k == "LastErrorDate").is_none_or(|(_, v)| timefmt::metadata_date(*at).as_str() >= v.as_str());
            if newer {
                set_key(&mut md, "LastErrorDate", timefmt::metadata_date(*at));
                set_key(&mut md, "LastErrorMessage", msg.clone());
            }
        }
        md
    }

    /// The Metadata the 2.1.0.5 profile has always derived from its newest rows (kept as it
    /// is, its bytes are recorded in `golden.rs`).
    fn classic_metadata(&self, job: &Job) -> Vec<(String, String)> {
        let mut md = Vec::new();
        let ok = |f: &RowFacts| matches!(f.kind, Kind::Success | Kind::Warning | Kind::Error);
        let Some(last) = self.find_newest(job, 200, ok) else {
            return md;
        };
        let round = |t: Ticks| t - t % TICKS_PER_SEC;
        let mut add = |k: &str, v: String| md.push((k.to_string(), v));
        self.backup_keys(job, &last, false, &mut add);
        if let Some(c) = self.find_newest(job, 200, |f| f.kind == Kind::Compact) {
            add("LastCompactDuration", timefmt::timespan(c.end - c.begin));
            add("LastCompactStarted", timefmt::metadata_date(round(c.begin)));
            add("LastCompactFinished", timefmt::metadata_date(round(c.end)));
        }
        if let Some(e) = self.find_newest(job, 200, |f| matches!(f.kind, Kind::Error | Kind::Fatal)) {
            add("LastErrorDate", timefmt::metadata_date(e.end));
            let msg = if e.kind == Kind::Fatal { "The operation Backup has failed" } else { "Errors occurred during the backup" };
            add("LastErrorMessage", msg.into());
        }
        md
    }

    /// The keys `Runner.UpdateMetadata` writes for a finished backup `last`.
    fn backup_keys(&self, job: &Job, last: &RowFacts, filesets: bool, add: &mut impl FnMut(&str, String)) {
        let p = &job.profile;
        let count = 10 + last.id % 25;
        let target = 4_000_000_000i64 + (last.id as i64) * 37_000_000 + i64::from(p.number) * 1_000_000_000;
        let source = target * 12;
        add("LastBackupDate", timefmt::metadata_date(last.begin));
        add("BackupListCount", count.to_string());
        add("TotalQuotaSpace", "0".into());
        add("FreeQuotaSpace", "0".into());
        add("AssignedQuotaSpace", "-1".into());
        add("TargetFilesSize", target.to_string());
        add("TargetFilesCount", (target / 26_000_000).to_string());
        if filesets {
            add("TargetFilesetsCount", count.to_string());
        }
        add("TargetSizeString", size_string(target));
        add("SourceFilesSize", source.to_string());
        add("SourceFilesCount", (source / 2_400_000).to_string());
        add("SourceSizeString", size_string(source));
        add("LastBackupStarted", timefmt::metadata_date(last.begin));
        add("LastBackupFinished", timefmt::metadata_date(last.end));
        add("LastBackupDuration", timefmt::timespan(last.end - last.begin));
    }

    /// The Metadata Duplicati's Runner leaves after the rows up to `top`
    /// (`Library/RestAPI/Runner.cs` `UpdateMetadata`/`UpdateMetadataError`): backup keys from
    /// the newest backup that was not interrupted (a user stop counts, a script abort does not,
    /// a failed backup never reaches `UpdateMetadata`), `TargetFilesetsCount` from 2.1.2, the
    /// newest compact and restore, and the error of the newest failed run.
    fn derived_metadata(&self, job: &Job, top: u64) -> Vec<(String, String)> {
        let mut md = Vec::new();
        let round = |t: Ticks| t - t % TICKS_PER_SEC;
        let mut add = |k: &str, v: String| set_key(&mut md, k, v);
        let completed = |f: &RowFacts| matches!(f.kind, Kind::Success | Kind::Warning | Kind::Error | Kind::UserStop);
        if let Some(last) = self.find_newest_below(job, top, 200, completed) {
            self.backup_keys(job, &last, self.version >= Version::V2_1_2, &mut add);
        }
        if let Some(c) = self.find_newest_below(job, top, 200, |f| f.kind == Kind::Compact) {
            add("LastCompactDuration", timefmt::timespan(c.end - c.begin));
            add("LastCompactStarted", timefmt::metadata_date(round(c.begin)));
            add("LastCompactFinished", timefmt::metadata_date(round(c.end)));
        }
        if let Some(r) = self.find_newest_below(job, top, 200, |f| f.kind == Kind::Restore) {
            add("LastRestoreDuration", timefmt::timespan(r.end - r.begin));
            add("LastRestoreStarted", timefmt::metadata_date(round(r.begin)));
            add("LastRestoreFinished", timefmt::metadata_date(round(r.end)));
        }
        if let Some(e) = self.find_newest_below(job, top, 200, |f| f.kind == Kind::Fatal) {
            add("LastErrorDate", timefmt::metadata_date(e.end));
            add("LastErrorMessage", generator::fatal_error(&job.profile, &e).0);
        }
        md
    }

    /// The job's schedule: daily or weekly at the hour of its newest backup.
    pub fn schedule(&self, job: &Job, now: Ticks) -> Option<Schedule> {
        if let Some(rec) = &job.recorded {
            let mut s = rec.schedule.clone()?;
            if let Some(last) = job.last_run {
                // The scheduler moved on: the next run follows the newest one.
                let period = if s.repeat == "1W" { 7 * DAY } else { DAY };
                s.last = last;
                while s.next <= last.max(now) {
                    s.next += period;
                }
            }
            return Some(s);
        }
        const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        let begin = if job.sync { job.last_sync?.0 } else { self.find_newest(job, 50, |f| f.kind.is_backup())?.begin };
        let time_of_day = begin.rem_euclid(DAY) / HOUR * HOUR;
        let today = now - now.rem_euclid(DAY);
        let last_run = begin - begin.rem_euclid(HOUR);
        let n: i64 = job.id.parse().unwrap_or(0);
        let tags = vec![format!("ID={}", job.id)];
        if job.profile.weekly && !job.sync {
            let day = timefmt::weekday_utc(begin) as usize;
            let mut next = today + time_of_day;
            while next <= now || timefmt::weekday_utc(next) as usize != day {
                next += DAY;
            }
            let rule = format!("AllowedWeekDays={}", DAYS[day]);
            Some(Schedule { id: n, tags, next, last: last_run, repeat: "1W".into(), rule, days: vec![DAYS[day].into()] })
        } else {
            let mut next = today + time_of_day;
            if next <= now {
                next += DAY;
            }
            let rule = format!("AllowedWeekDays={}", DAYS.join(","));
            Some(Schedule {
                id: n,
                tags,
                next,
                last: last_run,
                repeat: "1D".into(),
                rule,
                days: DAYS.iter().map(|d| d.to_string()).collect(),
            })
        }
    }

    /// Whether the newest backup rows (within 50) leave a warning or an error.
    pub fn row_flags(&self) -> (bool, bool) {
        let (mut warn, mut err) = (false, false);
        for job in &self.jobs {
            if let Some(f) = self.find_newest(job, 50, |f| f.kind.is_backup()) {
                warn |= matches!(f.kind, Kind::Warning | Kind::UserStop | Kind::Interrupted);
                err |= matches!(f.kind, Kind::Error | Kind::Fatal | Kind::ScriptAbort);
            }
        }
        (warn, err)
    }

    // ---- What the server does after a run: Runner.UpdateMetadata*, notifications, ErrorLog.

    /// Registers a notification the way `Connection.RegisterNotification` does: the conflict
    /// handler's pick (`delete`) is removed, the new notification gets the next ID, and an
    /// error or warning raises `UnackedError`/`UnackedWarning`.
    fn notify(&mut self, mut n: Notification, delete: Option<i64>) {
        if let Some(id) = delete {
            self.notifications.retain(|x| x.id != id);
        }
        n.id = self.next_notification_id;
        self.next_notification_id += 1;
        match n.kind.as_str() {
            "Error" => self.unacked_error = true,
            "Warning" => self.unacked_warning = true,
            _ => {}
        }
        self.notifications.push(n);
        self.notification_events += 1;
        self.events += 1;
    }

    /// The job's first notification, which `UpdateMetadataError`'s conflict handler replaces.
    fn first_notification_of(&self, backup_id: &str) -> Option<&Notification> {
        self.notifications.iter().find(|x| x.backup_id.as_deref() == Some(backup_id))
    }

    /// A failure that never reaches the job log (`Runner.Run`'s catch: `LogError`, then
    /// `UpdateMetadataError`): ErrorLog row, `LastErrorDate`/`LastErrorMessage`, and an Error
    /// notification replacing the job's previous one.
    pub fn fail_outside_log(&mut self, id: &str, message: &str, now: Ticks) -> bool {
        let version = self.version;
        let Some(job) = self.job_mut(id) else {
            return false;
        };
        let now = now - now.rem_euclid(TICKS_PER_SEC);
        job.outside_error = Some((now, message.to_string()));
        let (name, backup_id) = (job_name(job), job.id.clone());
        let exception =
            format!("System.Exception: {message}\n   at Duplicati.Library.RestAPI.Runner.Run(IRunnerData data, Boolean fromQueue)");
        self.log_error(&backup_id, &name, &exception, now, version);
        self.data_events += 1;
        let delete = self.first_notification_of(&backup_id).map(|x| x.id);
        self.notify(
            Notification {
                id: 0,
                kind: "Error".into(),
                title: format!("Error while running {name}"),
                message: message.to_string(),
                exception,
                backup_id: Some(backup_id),
                action: "backup:show-log".into(),
                timestamp: now,
                log_entry_id: None,
                message_id: None,
                log_tag: None,
            },
            delete,
        );
        true
    }

    /// `LogError(backupid, "Failed while executing …", ex)` of a failed backup run. The
    /// operation is `DuplicatiOperation.Backup`, renamed `BackupOrSync` in 2.3.
    fn log_error(&mut self, backup_id: &str, name: &str, exception: &str, now: Ticks, version: Version) {
        let operation = if version >= Version::V2_3_1 { "BackupOrSync" } else { "Backup" };
        self.error_log.push(ErrorLogEntry {
            backup_id: backup_id.parse().unwrap_or(-1),
            message: format!("Failed while executing {operation} \"{name}\" (id: {backup_id})"),
            exception: exception.to_string(),
            timestamp: now.div_euclid(TICKS_PER_SEC),
        });
    }

    /// Applies Duplicati's Runner to the rows `from..=to` just written to job `id`: the
    /// Metadata of a fixture job, the notifications, the ErrorLog of failed runs, and the
    /// schedule's `LastRun`.
    pub fn record_rows(&mut self, id: &str, from: u64, to: u64) {
        let (seed, version) = (self.seed, self.version);
        let Some(job) = self.jobs.iter().find(|j| j.id == id).cloned() else {
            return;
        };
        for rid in from..=to {
            let Some(f) = job.facts(seed, rid) else {
                continue;
            };
            self.record_run(&job, &f, version);
        }
        if job.recorded.is_some() {
            let md = self.derived_metadata(&job, to);
            let last_backup =
                self.find_newest_below(&job, to, u64::MAX, |f| f.kind.is_backup()).map(|f| f.begin - f.begin.rem_euclid(HOUR));
            if let Some(j) = self.job_mut(id) {
                for (k, v) in md {
                    set_key(&mut j.overlay, &k, v);
                }
                if last_backup.is_some() {
                    j.last_run = last_backup;
                }
            }
        }
        self.data_events += 1;
        self.events += 1;
    }

    /// Runner's notification and error handling for one finished run.
    fn record_run(&mut self, job: &Job, f: &RowFacts, version: Version) {
        let name = job_name(job);
        let end = f.end - f.end.rem_euclid(TICKS_PER_SEC);
        let mut n = Notification {
            id: 0,
            kind: String::new(),
            title: String::new(),
            message: String::new(),
            exception: String::new(),
            backup_id: Some(job.id.clone()),
            action: "backup:show-log".into(),
            timestamp: end,
            log_entry_id: None,
            message_id: None,
            log_tag: None,
        };
        if f.kind == Kind::Fatal {
            // The Controller rethrows; Runner logs the error and calls UpdateMetadataError.
            let (msg, exc, help) = generator::fatal_error(&job.profile, f);
            let exception = format!("{exc}: {msg}");
            self.log_error(&job.id, &name, &exception, end, version);
            n.kind = "Error".into();
            n.title = format!("Error while running {name}");
            n.message = msg;
            n.exception = exception;
            n.message_id = help.map(String::from);
            let delete = self.first_notification_of(&job.id).map(|x| x.id);
            self.notify(n, delete);
            return;
        }
        let text = generator::message(&job.profile, f);
        let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let lines = |key: &str| -> Vec<String> {
            parsed[key].as_array().map(|a| a.iter().filter_map(|l| l.as_str().map(String::from)).collect()).unwrap_or_default()
        };
        let (warnings, errors) = (lines("Warnings"), lines("Errors"));
        if f.kind.is_backup() {
            if warnings.is_empty() && errors.is_empty() {
                // From 2.1.2 a clean backup dismisses the job's notifications.
                if version >= Version::V2_1_2 {
                    let before = self.notifications.len();
                    self.notifications.retain(|x| x.backup_id.as_deref() != Some(job.id.as_str()));
                    if self.notifications.len() != before {
                        self.notification_events += 1;
                    }
                }
                return;
            }
            let (kind, message) = if !errors.is_empty() {
                ("Error", if errors.len() == 1 { errors[0].clone() } else { format!("Encountered {} errors.", errors.len()) })
            } else {
                ("Warning", if warnings.len() == 1 { warnings[0].clone() } else { format!("Encountered {} warnings.", warnings.len()) })
            };
            n.kind = kind.into();
            n.title = format!("{kind} while running {name}");
            n.message = message;
            // Up to 2.1.0.5 the conflict handler deletes the job's first notification when it
            // is an Error; from 2.1.2 it keeps everything (`(n, a) => n`).
            let delete = match self.first_notification_of(&job.id) {
                Some(x) if version <= Version::V2_1_0_5 && x.kind == "Error" => Some(x.id),
                _ => None,
            };
            self.notify(n, delete);
        } else if !errors.is_empty() || !warnings.is_empty() {
            let (kind, message) = if !errors.is_empty() {
                ("Error", if errors.len() == 1 { format!("Error: {}", errors[0]) } else { format!("Got {} error(s)", errors.len()) })
            } else {
                (
                    "Warning",
                    if warnings.len() == 1 { format!("Warning: {}", warnings[0]) } else { format!("Got {} warning(s)", warnings.len()) },
                )
            };
            n.kind = kind.into();
            n.title = format!("{kind} while running {name}");
            n.message = message;
            n.log_tag = Some("backup:show-log".into());
            self.notify(n, None);
        }
    }

    // ---- Tasks.

    /// Starts a task on job `id` (`serverstate.ActiveTask`); false if the job is unknown or a
    /// task runs already.
    pub fn start_task(&mut self, id: &str, now: Ticks) -> bool {
        if self.task.is_some() {
            return false;
        }
        let task_id = self.next_task_id;
        let Some(job) = self.job_mut(id) else {
            return false;
        };
        // The run opens (and creates) the job database.
        job.db_exists = true;
        let sync = job.sync;
        let (total_files, total_size) = (job.profile.base_files, job.profile.base_size);
        self.next_task_id += 1;
        let task = Task { id: task_id, backup_id: id.to_string(), started: now, sync };
        self.progress = Some(Progress { task: task.clone(), finished: None, total_files, total_size });
        self.task = Some(task);
        self.events += 1;
        true
    }

    /// Finishes the running task of job `id` as a successful run; returns the row written
    /// (`None` for a sync job, which has no log).
    pub fn finish_task(&mut self, id: &str, now: Ticks) -> Result<Option<u64>, ()> {
        let task = match &self.task {
            Some(t) if t.backup_id == id => t.clone(),
            _ => return Err(()),
        };
        self.task = None;
        if let Some(p) = &mut self.progress {
            p.finished = Some(now);
        }
        self.events += 1;
        if task.sync {
            if let Some(job) = self.job_mut(id) {
                job.last_sync = Some((task.started, now));
            }
            self.data_events += 1;
            return Ok(None);
        }
        let row = self.add_forced_row(id, Kind::Success, task.started, now.max(task.started + TICKS_PER_SEC), 0);
        if let Some(rid) = row {
            self.record_rows(id, rid, rid);
        }
        Ok(row)
    }
}

/// The job's display name as Duplicati uses it in messages.
fn job_name(job: &Job) -> String {
    match &job.recorded {
        Some(r) => r.name.clone(),
        None if job.sync => format!("{} mirror", job.profile.name),
        None => job.profile.name.clone(),
    }
}

/// A sync job's Metadata: `Runner.UpdateMetadataLastSync` only (a `SyncResults` carries no
/// backend statistics, so the `Target*` keys are never written).
fn sync_metadata(job: &Job) -> Vec<(String, String)> {
    let Some((begin, end)) = job.last_sync else {
        return Vec::new();
    };
    vec![
        ("LastSyncDuration".into(), timefmt::timespan(end - begin)),
        ("LastSyncStarted".into(), timefmt::metadata_date(begin)),
        ("LastSyncFinished".into(), timefmt::metadata_date(end)),
    ]
}

/// Sets `key` like a .NET `Dictionary` indexer: in place if present, else appended.
fn set_key(md: &mut Vec<(String, String)>, key: &str, value: String) {
    match md.iter_mut().find(|(k, _)| k == key) {
        Some(entry) => entry.1 = value,
        None => md.push((key.to_string(), value)),
    }
}

/// Renders log pages of one job (a snapshot taken under the store lock).
pub(crate) struct PageBuilder {
    pub job: Job,
    seed: u64,
    rendered: Option<Arc<RenderedRows>>,
    /// Serve the rows with out-of-range dates (`Faults::bad_dates`).
    pub bad_dates: bool,
}

impl PageBuilder {
    /// The IDs `GET /api/v1/backup/{id}/log` returns: newest first, below `offset` (exclusive).
    pub fn ids(&self, offset: Option<i64>, pagesize: u32) -> std::ops::RangeInclusive<u64> {
        let max = self.job.max_id();
        let top = match offset {
            Some(o) if o <= 1 => 0,
            Some(o) => (o as u64 - 1).min(max),
            None => max,
        };
        let bottom = top.saturating_sub(u64::from(pagesize)) + 1;
        bottom..=top
    }

    /// `GET /api/v1/backup/{id}/log` body in the 2.1+ form (STJ, compact).
    pub fn build(&self, offset: Option<i64>, pagesize: u32) -> String {
        let job = &self.job;
        let range = self.ids(offset, pagesize);
        if self.bad_dates {
            return self.build_rows(range.rev().map(|rid| (rid as i64, rid)));
        }
        let (bottom, top) = (*range.start(), *range.end());
        if top == job.max_id() && bottom == 1 && job.only_fixture_rows() {
            return fixtures::LOG_BACKUP1.to_string();
        }
        let mut out = String::with_capacity((top + 1 - bottom.min(top + 1)) as usize * 12_000 + 2);
        out.push('[');
        for rid in range.rev() {
            if out.len() > 1 {
                out.push(',');
            }
            match self.rendered.as_ref().and_then(|r| r.get(&(job.id.clone(), job.epoch, rid))) {
                Some(text) => out.push_str(text),
                None => self.push_row(&mut out, rid),
            }
        }
        out.push(']');
        out
    }

    /// Appends the wire form of row `rid`.
    fn push_row(&self, out: &mut String, rid: u64) {
        let job = &self.job;
        match job.facts(self.seed, rid) {
            Some(f) => {
                let msg = generator::message(&job.profile, &f);
                write_row(out, f.id as i64, f.operation_id, f.timestamp(), &msg);
            }
            None => out.push_str(job.fixture[rid as usize - 1]),
        }
    }

    /// A 2.1+ page of `rows`, each `(ID written, row rendered)`, through
    /// [`PageBuilder::row_parts`]: with other IDs, or with the dates out of range.
    fn build_rows(&self, rows: impl Iterator<Item = (i64, u64)>) -> String {
        let mut out = String::from("[");
        for (id, rid) in rows {
            // The 2.1+ form keeps the fixture rows as 2.1.0.5 wrote them.
            let Some((_, op, ts, msg)) = self.row_parts(rid, Version::V2_1_0_5) else {
                continue;
            };
            if out.len() > 1 {
                out.push(',');
            }
            let (ts, msg) = if self.bad_dates { hostile::warp_row(id, ts, &msg) } else { (ts, msg) };
            write_row(&mut out, id, op, ts, &msg);
        }
        out.push(']');
        out
    }

    /// The body a log page fault answers with (`legacy`: in 2.0's form), `None` when the
    /// job has no rows.
    pub fn hostile_page(&self, pages: Pages, offset: Option<i64>, pagesize: u32, legacy: Option<Version>) -> Option<String> {
        let max = self.job.max_id();
        if max == 0 {
            return None;
        }
        let (first_id, same_content) = match pages {
            Pages::Loop => {
                return Some(match legacy {
                    Some(v) => self.build_legacy(None, pagesize, v),
                    None => self.build(None, pagesize),
                })
            }
            Pages::Grow { first_id, same_content } => (first_id, same_content),
        };
        let top = offset.map_or(first_id, |o| o.saturating_sub(1));
        let rows = (0..i64::from(pagesize)).map_while(|k| top.checked_sub(k)).map(|id| {
            let rid = if same_content { max } else { (i128::from(id) - 1).rem_euclid(i128::from(max)) as u64 + 1 };
            (id, rid)
        });
        Some(match legacy {
            Some(v) => self.build_legacy_rows(rows, v),
            None => self.build_rows(rows),
        })
    }

    /// Row `rid` as (ID, OperationID, Timestamp, Message), for the 2.0 form.
    pub fn row_parts(&self, rid: u64, version: Version) -> Option<(u64, u64, i64, String)> {
        let job = &self.job;
        if let Some(f) = job.facts(self.seed, rid) {
            return Some((f.id, f.operation_id, f.timestamp(), generator::message(&job.profile, &f)));
        }
        let row: Value = serde_json::from_str(job.fixture_row(rid)?).ok()?;
        // The recorded rows come from a 2.1.0.5 server; 2.0.8.1 writes the same result classes.
        let msg = str_of(&row, "Message").replace(&Version::V2_1_0_5.result_version(), &version.result_version());
        Some((row["ID"].as_u64()?, row["OperationID"].as_u64()?, row["Timestamp"].as_i64()?, msg))
    }
}

/// Appends a row in the 2.1+ wire form (STJ, `Exception` an empty object).
fn write_row(out: &mut String, id: i64, operation_id: u64, timestamp: i64, message: &str) {
    let _ = write!(out, "{{\"ID\":{id},\"OperationID\":{operation_id},\"Timestamp\":{timestamp},\"Type\":\"Result\",\"Message\":\"");
    stj::escape_into(out, message, Escaping::Stj);
    out.push_str("\",\"Exception\":{}}");
}

fn push_segment(job: &mut Job, first: u64, n: u32, after: Ticks, now: Ticks, version: Version) {
    let span = (now - 10 * 60 * TICKS_PER_SEC - after).max(i64::from(n) * TICKS_PER_SEC);
    let interval = (span / (i64::from(n) + 1)).max(TICKS_PER_SEC);
    job.segments.push(Segment { first, last: first + u64::from(n) - 1, start: after + interval, interval, version, forced: None });
}

/// `TargetSizeString`-style size ("4.50 GB").
fn size_string(bytes: i64) -> String {
    let gb = 1024f64 * 1024.0 * 1024.0;
    if bytes as f64 >= gb * 1024.0 {
        format!("{:.2} TB", bytes as f64 / (gb * 1024.0))
    } else {
        format!("{:.2} GB", bytes as f64 / gb)
    }
}
