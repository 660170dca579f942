//! Backup jobs and their log rows: embedded fixtures and the lazy generator.

use crate::config::{DataSet, ServerConfig, FIXTURE_MACHINE_ID};
use crate::generator::{self, JobProfile, Kind, RowFacts, Segment};
use crate::stj::{self, stj_escape, Escaping, JsonWriter};
use crate::timefmt::{self, Ticks, TICKS_PER_SEC};
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

const HOUR: Ticks = 3600 * TICKS_PER_SEC;
const DAY: Ticks = 24 * HOUR;

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

/// `ServerVersionName` tag for a version, e.g. `2.1.0.5_stable_2025-03-04`.
pub fn version_tag(version: &str) -> String {
    if version == "2.1.0.5" {
        "2.1.0.5_stable_2025-03-04".to_string()
    } else {
        format!("{version}_stable")
    }
}

/// One backup job.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub id: String,
    profile: JobProfile,
    /// Bumped when the job DB is recreated; part of the generator seed.
    epoch: u32,
    /// Leading fixture rows (IDs 1..=len), only for fixture job 1 before recreation.
    fixture: Vec<&'static str>,
    segments: Vec<Segment>,
}

impl Job {
    /// Highest row ID (0 = no rows).
    pub fn max_id(&self) -> u64 {
        self.segments.last().map_or(self.fixture.len() as u64, |s| s.last)
    }

    fn segment(&self, id: u64) -> Option<&Segment> {
        self.segments.iter().find(|s| s.first <= id && id <= s.last)
    }

    fn facts(&self, seed: u64, id: u64) -> Option<RowFacts> {
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
}

/// All jobs of a server plus what the generated responses need.
pub(crate) struct Store {
    seed: u64,
    generated: bool,
    empty: bool,
    version: String,
    result_version: String,
    pub jobs: Vec<Job>,
    /// Bumped on every data change (`LastDataUpdateID`).
    pub data_version: u64,
    /// Rows rendered at start (`ServerConfig::prerender`), by (job, epoch, row ID).
    rendered: Option<Arc<RenderedRows>>,
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
        let tag = version_tag(&cfg.version);
        let mut store = Store {
            seed,
            generated,
            empty: cfg.data == DataSet::Empty,
            result_version: format!("{} ({tag})", cfg.version),
            version: cfg.version.clone(),
            jobs: Vec::new(),
            data_version: 1,
            rendered: None,
        };
        for n in 1..=jobs {
            let profile = JobProfile::new(seed, n);
            let mut job = Job { id: n.to_string(), profile, epoch: 0, fixture: Vec::new(), segments: Vec::new() };
            if generated && rows > 0 {
                let mut rng = generator::Rng::from(&[seed, u64::from(n), 0x74696d65]);
                let interval = rng.range(6 * HOUR, 24 * HOUR);
                let newest = start - rng.range(2 * HOUR, 6 * HOUR);
                let start_ts = newest - interval * i64::from(rows - 1) - interval / 4;
                job.segments.push(Segment { first: 1, last: u64::from(rows), start: start_ts, interval });
            } else if !generated && n == 1 {
                job.fixture = fixture_rows();
            }
            store.jobs.push(job);
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

    /// Appends `n` rows newer than the newest one, ending shortly before `now`.
    pub fn add_rows(&mut self, id: &str, n: u32, now: Ticks) -> bool {
        let seed = self.seed;
        let Some(job) = self.job_mut(id) else {
            return false;
        };
        if n == 0 {
            return true;
        }
        let after = job.newest_timestamp(seed).map_or(now - 30 * DAY, |s| s * TICKS_PER_SEC);
        let first = job.max_id() + 1;
        push_segment(job, first, n, after, now);
        self.data_version += 1;
        true
    }

    /// Replaces the job's rows by `rows` new ones with IDs from 1 and newer timestamps.
    pub fn recreate(&mut self, id: &str, rows: u32, now: Ticks) -> bool {
        let seed = self.seed;
        let Some(job) = self.job_mut(id) else {
            return false;
        };
        let after = job.newest_timestamp(seed).map_or(now - 30 * DAY, |s| s * TICKS_PER_SEC);
        job.epoch += 1;
        job.fixture.clear();
        job.segments.clear();
        if rows > 0 {
            push_segment(job, 1, rows, after, now);
        }
        self.data_version += 1;
        true
    }

    /// Everything needed to render pages of `job` without holding the store lock.
    pub fn page_builder(&self, job: Job) -> PageBuilder {
        PageBuilder { job, seed: self.seed, result_version: self.result_version.clone(), rendered: self.rendered.clone() }
    }

    /// `GET /api/v1/systeminfo` body.
    pub fn systeminfo(&self, cfg: &ServerConfig, now: Ticks) -> String {
        let mut s = fixtures::SYSTEMINFO.to_string();
        let subst = |s: &mut String, from: &str, to: &str| *s = s.replace(from, to);
        if self.generated || self.empty {
            subst(
                &mut s,
                "\"ServerTime\":\"2025-05-04T09:15:02.4483917+02:00\"",
                &format!("\"ServerTime\":\"{}\"", stj_escape(&timefmt::iso_local(now))),
            );
        }
        let name = stj_escape(&cfg.machine_name);
        subst(&mut s, "\"MachineName\":\"fileserver01\"", &format!("\"MachineName\":\"{name}\""));
        subst(&mut s, "\"DefaultValue\":\"fileserver01\"", &format!("\"DefaultValue\":\"{name}\""));
        subst(&mut s, FIXTURE_MACHINE_ID, &stj_escape(&cfg.machine_id));
        if self.version != "2.1.0.5" {
            let v = stj_escape(&self.version);
            subst(&mut s, "\"ServerVersion\":\"2.1.0.5\"", &format!("\"ServerVersion\":\"{v}\""));
            subst(&mut s, "\" - 2.1.0.5_stable_2025-03-04\"", &format!("\" - {}\"", stj_escape(&version_tag(&self.version))));
        }
        s
    }

    /// `GET /api/v1/backups` body.
    pub fn backups(&self, now: Ticks) -> String {
        if !self.generated {
            return if self.empty { "[]".into() } else { fixtures::BACKUPS.into() };
        }
        let mut w = JsonWriter::with_capacity(Escaping::Stj, 2048 * self.jobs.len());
        w.begin_arr();
        for job in &self.jobs {
            let p = &job.profile;
            w.begin_obj().key("Backup").begin_obj();
            w.kstr("ID", &job.id).kstr("Name", &p.name).kstr("Description", &p.description);
            w.key("Tags").begin_arr().end_arr();
            w.kstr("TargetURL", &p.target_url).kstr("DBPath", &p.db_path);
            w.knull("Sources").knull("Settings").knull("Filters");
            w.key("Metadata").begin_obj();
            self.metadata(&mut w, job);
            w.end_obj();
            w.kbool("IsTemporary", false).kbool("IsUnencryptedOrPassphraseStored", p.number % 3 == 0).end_obj();
            w.key("Schedule");
            match self.schedule(job, now) {
                Some(s) => {
                    let n: i64 = job.id.parse().unwrap_or(0);
                    w.begin_obj().kint("ID", n).key("Tags").begin_arr().str(&format!("ID={}", job.id)).end_arr();
                    w.kstr("Time", &timefmt::iso_utc(s.next)).kstr("Repeat", s.repeat);
                    w.kstr("LastRun", &timefmt::iso_utc(s.last)).kstr("Rule", &s.rule).key("AllowedDays").begin_arr();
                    for d in s.days {
                        w.str(&d[..3].to_lowercase()).str(d);
                    }
                    w.end_arr().end_obj();
                }
                None => {
                    w.null();
                }
            }
            w.end_obj();
        }
        w.end_arr();
        w.finish()
    }

    /// Newest rows matching `pred`, scanning at most `limit` rows down from the top.
    fn find_newest(&self, job: &Job, limit: u64, pred: impl Fn(&RowFacts) -> bool) -> Option<RowFacts> {
        let max = job.max_id();
        (max.saturating_sub(limit) + 1..=max).rev().filter_map(|id| job.facts(self.seed, id)).find(|f| pred(f))
    }

    fn metadata(&self, w: &mut JsonWriter, job: &Job) {
        let ok = |f: &RowFacts| matches!(f.kind, Kind::Success | Kind::Warning | Kind::Error);
        let Some(last) = self.find_newest(job, 200, ok) else {
            return;
        };
        let p = &job.profile;
        let round = |t: Ticks| t - t % TICKS_PER_SEC;
        let count = 10 + last.id % 25;
        let target = 4_000_000_000i64 + (last.id as i64) * 37_000_000 + i64::from(p.number) * 1_000_000_000;
        let source = target * 12;
        w.kstr("LastBackupDate", &timefmt::metadata_date(last.begin)).kstr("BackupListCount", &count.to_string());
        w.kstr("TotalQuotaSpace", "0").kstr("FreeQuotaSpace", "0").kstr("AssignedQuotaSpace", "-1");
        w.kstr("TargetFilesSize", &target.to_string()).kstr("TargetFilesCount", &(target / 26_000_000).to_string());
        w.kstr("TargetSizeString", &size_string(target)).kstr("SourceFilesSize", &source.to_string());
        w.kstr("SourceFilesCount", &(source / 2_400_000).to_string()).kstr("SourceSizeString", &size_string(source));
        w.kstr("LastBackupStarted", &timefmt::metadata_date(last.begin));
        w.kstr("LastBackupFinished", &timefmt::metadata_date(last.end));
        w.kstr("LastBackupDuration", &timefmt::timespan(last.end - last.begin));
        if let Some(c) = self.find_newest(job, 200, |f| f.kind == Kind::Compact) {
            w.kstr("LastCompactDuration", &timefmt::timespan(c.end - c.begin));
            w.kstr("LastCompactStarted", &timefmt::metadata_date(round(c.begin)));
            w.kstr("LastCompactFinished", &timefmt::metadata_date(round(c.end)));
        }
        if let Some(e) = self.find_newest(job, 200, |f| matches!(f.kind, Kind::Error | Kind::Fatal)) {
            w.kstr("LastErrorDate", &timefmt::metadata_date(e.end));
            let msg = if e.kind == Kind::Fatal { "The operation Backup has failed" } else { "Errors occurred during the backup" };
            w.kstr("LastErrorMessage", msg);
        }
    }

    fn schedule(&self, job: &Job, now: Ticks) -> Option<Schedule> {
        const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        let last = self.find_newest(job, 50, |f| f.kind.is_backup())?;
        let time_of_day = last.begin.rem_euclid(DAY) / HOUR * HOUR;
        let today = now - now.rem_euclid(DAY);
        let last_run = last.begin - last.begin.rem_euclid(HOUR);
        if job.profile.weekly {
            let day = timefmt::weekday_utc(last.begin) as usize;
            let mut next = today + time_of_day;
            while next <= now || timefmt::weekday_utc(next) as usize != day {
                next += DAY;
            }
            Some(Schedule { next, last: last_run, repeat: "1W", rule: format!("AllowedWeekDays={}", DAYS[day]), days: vec![DAYS[day]] })
        } else {
            let mut next = today + time_of_day;
            if next <= now {
                next += DAY;
            }
            Some(Schedule { next, last: last_run, repeat: "1D", rule: format!("AllowedWeekDays={}", DAYS.join(",")), days: DAYS.to_vec() })
        }
    }

    /// `GET /api/v1/serverstate` body.
    pub fn serverstate(&self, now: Ticks) -> String {
        if !self.generated {
            return if self.empty {
                r#"{"ActiveTask":null,"ProgramState":"Running","SchedulerQueueIds":[],"ProposedSchedule":[],"HasWarning":false,"HasError":false,"SuggestedStatusIcon":"Ready","EstimatedPauseEnd":"0001-01-01T00:00:00","LastEventID":1,"LastDataUpdateID":1,"LastNotificationUpdateID":0,"UpdatedVersion":null,"UpdaterState":"Waiting","UpdateDownloadLink":null,"UpdateDownloadProgress":0}"#.into()
            } else {
                fixtures::SERVERSTATE.into()
            };
        }
        let mut w = JsonWriter::with_capacity(Escaping::Stj, 512);
        w.begin_obj().knull("ActiveTask").kstr("ProgramState", "Running").key("SchedulerQueueIds").begin_arr().end_arr();
        w.key("ProposedSchedule").begin_arr();
        let (mut warn, mut err) = (false, false);
        for job in &self.jobs {
            if let Some(s) = self.schedule(job, now) {
                w.begin_obj().kstr("Item1", &job.id).kstr("Item2", &timefmt::iso_utc(s.next)).end_obj();
            }
            if let Some(f) = self.find_newest(job, 50, |f| f.kind.is_backup()) {
                warn |= matches!(f.kind, Kind::Warning | Kind::UserStop | Kind::Interrupted);
                err |= matches!(f.kind, Kind::Error | Kind::Fatal);
            }
        }
        w.end_arr().kbool("HasWarning", warn).kbool("HasError", err);
        let icon = if err {
            "ReadyError"
        } else if warn {
            "ReadyWarning"
        } else {
            "Ready"
        };
        w.kstr("SuggestedStatusIcon", icon).kstr("EstimatedPauseEnd", "0001-01-01T00:00:00");
        let dv = self.data_version as i64;
        w.kint("LastEventID", 40 + dv).kint("LastDataUpdateID", dv).kint("LastNotificationUpdateID", 0);
        w.knull("UpdatedVersion").kstr("UpdaterState", "Waiting").knull("UpdateDownloadLink").kint("UpdateDownloadProgress", 0);
        w.end_obj();
        w.finish()
    }

    /// `GET /api/v1/notifications` body (generated data sets have none).
    pub fn notifications(&self) -> String {
        if self.generated || self.empty {
            "[]".into()
        } else {
            fixtures::NOTIFICATIONS.into()
        }
    }
}

/// Renders log pages of one job (a snapshot taken under the store lock).
pub(crate) struct PageBuilder {
    job: Job,
    seed: u64,
    result_version: String,
    rendered: Option<Arc<RenderedRows>>,
}

impl PageBuilder {
    /// `GET /api/v1/backup/{id}/log` body: newest first, IDs below `offset` (exclusive).
    pub fn build(&self, offset: Option<i64>, pagesize: u32) -> String {
        let job = &self.job;
        let max = job.max_id();
        let top = match offset {
            Some(o) if o <= 1 => 0,
            Some(o) => (o as u64 - 1).min(max),
            None => max,
        };
        let bottom = top.saturating_sub(u64::from(pagesize)) + 1;
        if top == max && bottom == 1 && !job.fixture.is_empty() && job.segments.is_empty() {
            return fixtures::LOG_BACKUP1.to_string();
        }
        let mut out = String::with_capacity((top + 1 - bottom.min(top + 1)) as usize * 12_000 + 2);
        out.push('[');
        for rid in (bottom..=top).rev() {
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
                let msg = generator::Writer::new(&self.result_version).message(&job.profile, &f);
                let _ = write!(
                    out,
                    "{{\"ID\":{},\"OperationID\":{},\"Timestamp\":{},\"Type\":\"Result\",\"Message\":\"",
                    f.id,
                    f.operation_id,
                    f.timestamp()
                );
                stj::escape_into(out, &msg, Escaping::Stj);
                out.push_str("\",\"Exception\":{}}");
            }
            None => out.push_str(job.fixture[rid as usize - 1]),
        }
    }
}

struct Schedule {
    next: Ticks,
    last: Ticks,
    repeat: &'static str,
    rule: String,
    days: Vec<&'static str>,
}

fn push_segment(job: &mut Job, first: u64, n: u32, after: Ticks, now: Ticks) {
    let span = (now - 10 * 60 * TICKS_PER_SEC - after).max(i64::from(n) * TICKS_PER_SEC);
    let interval = (span / (i64::from(n) + 1)).max(TICKS_PER_SEC);
    job.segments.push(Segment { first, last: first + u64::from(n) - 1, start: after + interval, interval });
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
