//! Watching while nobody looks: which servers a background pass collects (interval, back-off),
//! what the store then says about each job (still running past a threshold, overdue), and which
//! of the new entries deserve a desktop notification (once per problem, again only when it
//! changes). Pure decisions over the store at a given `now`, so every rule has a test with a
//! controlled clock; the loop that runs them is [`runner`], the use cases `ops::watch`.
pub mod runner;
pub mod schedule;

use crate::error::Result;
use crate::model::Status;
use crate::monitor::NewEntry;
use crate::store::{JobRow, LogEntryRow, ServerRow, Store};
use schedule::JobSchedule;
use serde::{Deserialize, Serialize};

/// How Duplidesk watches in the background (stored as one JSON setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct MonitorSettings {
    /// Minutes between background collections of every server; 0 turns them off.
    pub interval_min: u32,
    /// Minutes a scheduled run may be late before its job is overdue.
    pub overdue_tolerance_min: u32,
    /// Hours a task may run before it is reported as long-running…
    pub running_first_h: u32,
    /// …and again every so many hours after that.
    pub running_every_h: u32,
    pub notify: NotifySettings,
    /// Whether the user was already asked about starting at login (asked once, on first run).
    pub autostart_asked: bool,
}

impl Default for MonitorSettings {
    fn default() -> Self {
        MonitorSettings {
            interval_min: 15,
            overdue_tolerance_min: 60,
            running_first_h: 24,
            running_every_h: 12,
            notify: NotifySettings::default(),
            autostart_asked: false,
        }
    }
}

/// Which kinds of event show a desktop notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct NotifySettings {
    pub started: bool,
    pub stopped: bool,
    pub completed: bool,
    pub warning: bool,
    pub error: bool,
    pub connection: bool,
    pub running: bool,
    pub overdue: bool,
}

impl Default for NotifySettings {
    /// Problems on; the routine (a run starting, a run completing) off: a notification for
    /// every backup would teach users to ignore them.
    fn default() -> Self {
        NotifySettings {
            started: false,
            stopped: true,
            completed: false,
            warning: true,
            error: true,
            connection: true,
            running: true,
            overdue: true,
        }
    }
}

impl NotifySettings {
    fn wants(&self, status: Status) -> bool {
        match status {
            Status::Started => self.started,
            Status::Stopped => self.stopped,
            Status::Completed => self.completed,
            Status::Warning => self.warning,
            Status::Error => self.error,
            Status::Connection | Status::Info => self.connection,
            Status::Running => self.running,
            Status::Overdue => self.overdue,
        }
    }
}

/// The key of the monitor settings in the `settings` table.
pub const SETTINGS_KEY: &str = "monitor";

impl MonitorSettings {
    pub fn load(store: &Store) -> Result<MonitorSettings> {
        Ok(store.setting(SETTINGS_KEY)?.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default())
    }

    pub fn save(&self, store: &Store) -> Result<()> {
        store.set_setting(SETTINGS_KEY, &serde_json::to_string(self).unwrap_or_default())
    }

    /// Settings a user can have: an interval of at least a minute (or off), thresholds of at
    /// least an hour.
    pub fn sanitized(mut self) -> MonitorSettings {
        self.interval_min = self.interval_min.min(7 * 24 * 60);
        self.overdue_tolerance_min = self.overdue_tolerance_min.min(7 * 24 * 60);
        self.running_first_h = self.running_first_h.clamp(1, 24 * 30);
        self.running_every_h = self.running_every_h.clamp(1, 24 * 30);
        self
    }
}

/// The longest a failing server waits between background attempts.
pub const MAX_BACKOFF_S: i64 = 6 * 3600;

/// How often a server with a task running is looked at again (its progress on the dashboard),
/// whatever the interval.
pub const RUNNING_RECHECK_S: i64 = 60;

/// Whether a background pass at `now` collects `server`: its interval has passed since it was
/// last collected; after failures in a row the wait doubles each time (up to 6 h), so a server
/// that is down is not hammered and its connection entry is not repeated.
pub fn is_due(server: &ServerRow, now: i64, interval_s: i64) -> bool {
    let Some(last) = server.last_collect_at else { return true };
    let doublings = server.failures.saturating_sub(1).min(16);
    let wait = if server.failures == 0 { interval_s } else { interval_s.saturating_mul(1 << doublings).min(MAX_BACKOFF_S.max(interval_s)) };
    // A little early is on time: passes are spread with jitter.
    now - last >= wait - wait / 10
}

/// A job as the watch judges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JobWatch {
    /// The planned run the job is expected to have made by now, if it has a schedule.
    pub last_due: Option<i64>,
    /// The next planned run, if it has a schedule.
    pub next_due: Option<i64>,
    /// Since which planned run it is overdue (`None`: it is not).
    pub overdue_since: Option<i64>,
}

/// Judges a job at `now`: when runs were due and whether one arrived. A run has arrived when
/// the job's newest result ended, or Duplicati's scheduler started it (`LastRun`), or a task of
/// it was seen running, at or after the planned time (with a 10-minute allowance for clocks
/// that differ). A manual run counts when it happens after a planned time; it does not move
/// the schedule.
pub fn judge(job: &JobRow, offset_s: i32, last_run: Option<i64>, tolerance_s: i64, now: i64) -> JobWatch {
    let Some(schedule) = JobSchedule::from_json(job.schedule_json.as_deref()) else {
        return JobWatch { last_due: None, next_due: None, overdue_since: None };
    };
    let last_due = schedule.last_due(now - tolerance_s, offset_s);
    let next_due = schedule.first_after(now, offset_s);
    let evidence = [last_run, schedule.last_run, job.running_since].into_iter().flatten().max();
    let arrived = |due: i64| evidence.is_some_and(|e| e >= due - 600);
    let overdue_since = match last_due {
        Some(due) if job.present && job.monitored && !arrived(due) => {
            // The episode started at the first planned run missed since the evidence.
            Some(job.overdue_since.filter(|s| *s <= due && !arrived(*s)).unwrap_or(due))
        }
        _ => None,
    };
    JobWatch { last_due, next_due, overdue_since }
}

/// After a collection: records what the store now says about every job at `now`, as entries
/// (a `running` entry per long-running threshold crossed, an `overdue` entry when a job becomes
/// overdue). Returns how many entries were made.
pub fn evaluate(store: &mut Store, settings: &MonitorSettings, now: i64) -> Result<u64> {
    let servers = store.servers()?;
    let last_runs = store.last_run_dates()?;
    let tolerance = i64::from(settings.overdue_tolerance_min) * 60;
    let mut made = 0;
    for server in &servers {
        let offset = server.utc_offset_s.unwrap_or_else(local_offset);
        for job in store.jobs(server.id)? {
            if let Some(entry) = long_running(&job, settings, now) {
                store.store_job_entries(&job, &server.name, &[entry.0])?;
                store.set_running_alerted(job.id, Some(entry.1))?;
                made += 1;
            }
            let verdict = judge(&job, offset, last_runs.get(&job.id).copied(), tolerance, now);
            if verdict.overdue_since != job.overdue_since {
                if let (Some(due), None) = (verdict.overdue_since, job.overdue_since) {
                    store.store_job_entries(
                        &job,
                        &server.name,
                        &[overdue_entry(&job, due, tolerance, last_runs.get(&job.id).copied(), now)],
                    )?;
                    made += 1;
                }
                store.set_overdue_since(job.id, verdict.overdue_since)?;
            }
        }
    }
    Ok(made)
}

/// This computer's UTC offset, for a server that has not said its own.
fn local_offset() -> i32 {
    chrono::Local::now().offset().local_minus_utc()
}

/// A `running` entry when the job's task has crossed a threshold not reported yet (after the
/// first threshold, one every `running_every_h`): the highest one crossed, with that threshold.
fn long_running(job: &JobRow, settings: &MonitorSettings, now: i64) -> Option<(NewEntry, i64)> {
    let since = job.running_since?;
    let (first, every) = (i64::from(settings.running_first_h) * 3600, i64::from(settings.running_every_h) * 3600);
    let elapsed = now - since;
    if elapsed < first {
        return None;
    }
    let crossed = first + (elapsed - first) / every * every;
    if job.running_alerted_s.is_some_and(|a| a >= crossed) {
        return None;
    }
    let mut entry = NewEntry::system(Status::Running, now, format!("{} still running after {}", job.operation_type, hours(crossed)));
    entry.op_type = job.operation_type.clone();
    entry.details = serde_json::json!({ "RunningSince": since, "ThresholdSeconds": crossed }).to_string();
    Some((entry, crossed))
}

fn overdue_entry(job: &JobRow, due: i64, tolerance_s: i64, last_run: Option<i64>, now: i64) -> NewEntry {
    let when = chrono::DateTime::from_timestamp(due, 0).map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
    let mut entry = NewEntry::system(
        Status::Overdue,
        now,
        format!("{} overdue: a run was planned for {when} and none has arrived", job.operation_type),
    );
    entry.op_type = job.operation_type.clone();
    entry.details = serde_json::json!({
        "PlannedRun": due,
        "ToleranceSeconds": tolerance_s,
        "LastRun": last_run,
        "Schedule": job.schedule_json.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()),
    })
    .to_string();
    entry
}

/// `24 h`, `36 h`, `3 d 12 h`.
fn hours(seconds: i64) -> String {
    let h = seconds / 3600;
    match (h / 24, h % 24) {
        (0 | 1, _) => format!("{h} h"),
        (d, 0) => format!("{d} d"),
        (d, h) => format!("{d} d {h} h"),
    }
}

/// A desktop notification to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    pub status: Status,
    /// `server: job` (or the server alone), or for a summary how many.
    pub title: String,
    pub body: String,
    /// The entry a click opens; `None` for a summary (a click opens Backup Logs).
    pub entry_id: Option<i64>,
    /// For a summary: how many events on how many servers (front ends word it in their language).
    pub summary_of: Option<(u32, u32)>,
}

/// At most this many notifications from one pass; more become one summary.
pub const MAX_NOTICES: usize = 4;

/// The notifications for `entries` (made by one pass, oldest first): each kind as switched on,
/// a job's result only when it differs from what that job last notified (a job failing every
/// hour overnight notifies once), everything else once per event (the entries already are one
/// per episode or threshold). Every decision is remembered in the store.
pub fn notices(store: &Store, entries: &[LogEntryRow], settings: &NotifySettings, now: i64) -> Result<Vec<Notice>> {
    let mut out = Vec::new();
    for e in entries {
        let wanted = match e.status {
            Status::Completed | Status::Warning | Status::Error | Status::Stopped => {
                let Some(job) = e.job_id else { continue };
                let key = format!("job:{job}");
                let changed = store.notified(&key)?.as_deref() != Some(e.status.as_str());
                store.set_notified(&key, e.status.as_str(), now)?;
                changed
            }
            Status::Info => e.message.starts_with("Connection to "),
            _ => true,
        };
        if wanted && settings.wants(e.status) {
            let title = match &e.job {
                Some(job) => format!("{}: {job}", e.server),
                None => e.server.clone(),
            };
            out.push(Notice { status: e.status, title, body: e.message.clone(), entry_id: Some(e.id), summary_of: None });
        }
    }
    if out.len() > MAX_NOTICES {
        let servers: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.server.as_str()).collect();
        let worst = out.iter().map(|n| n.status).max_by_key(|s| severity(*s)).unwrap_or(Status::Info);
        let body = out.iter().take(3).map(|n| format!("{} — {}", n.title, n.body)).collect::<Vec<_>>().join("\n");
        return Ok(vec![Notice {
            status: worst,
            title: format!("{} events on {} servers", out.len(), servers.len()),
            body,
            entry_id: None,
            summary_of: Some((out.len() as u32, servers.len() as u32)),
        }]);
    }
    Ok(out)
}

fn severity(s: Status) -> u8 {
    match s {
        Status::Error | Status::Connection => 3,
        Status::Overdue | Status::Running | Status::Warning | Status::Stopped => 2,
        Status::Started | Status::Completed | Status::Info => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::JobCursor;

    const H: i64 = 3600;
    /// 2025-05-05T02:00:00Z, a Monday.
    const MONDAY_2AM: i64 = 1_746_410_400;

    fn job(schedule: serde_json::Value) -> JobRow {
        JobRow {
            id: 1,
            server_id: 1,
            backup_id: "1".into(),
            name: "Documents".into(),
            description: None,
            db_path: None,
            schedule_json: Some(schedule.to_string()),
            metadata_json: None,
            present: true,
            cursor: JobCursor::default(),
            operation_type: "Backup".into(),
            running_since: None,
            progress_json: None,
            metadata_error_at: None,
            log_state: None,
            monitored: true,
            running_alerted_s: None,
            overdue_since: None,
        }
    }

    fn daily() -> JobRow {
        // Planned daily at 02:00; Duplicati's scheduler last started it on Sunday.
        job(serde_json::json!({"Time": "2025-05-05T02:00:00Z", "Repeat": "1D", "LastRun": "2025-05-04T02:00:03Z", "Rule": ""}))
    }

    #[test]
    fn a_planned_run_that_does_not_arrive_within_the_tolerance_is_overdue() {
        let j = daily();
        let last_run = Some(MONDAY_2AM - 24 * H + 1800); // Sunday's run ended at 02:30
                                                         // Monday 02:59: within the hour's tolerance.
        assert_eq!(judge(&j, 0, last_run, H, MONDAY_2AM + 59 * 60).overdue_since, None);
        // Monday 03:01: Monday's run has not arrived.
        let v = judge(&j, 0, last_run, H, MONDAY_2AM + H + 60);
        assert_eq!(v.overdue_since, Some(MONDAY_2AM));
        assert_eq!(v.last_due, Some(MONDAY_2AM));
        assert_eq!(v.next_due, Some(MONDAY_2AM + 24 * H));
        // It arrives at 03:30.
        assert_eq!(judge(&j, 0, Some(MONDAY_2AM + 90 * 60), H, MONDAY_2AM + 2 * H).overdue_since, None);
        // Still missing on Wednesday: the episode started on Monday.
        let still = JobRow { overdue_since: Some(MONDAY_2AM), ..daily() };
        assert_eq!(judge(&still, 0, last_run, H, MONDAY_2AM + 50 * H).overdue_since, Some(MONDAY_2AM));
    }

    #[test]
    fn a_manual_run_counts_only_after_the_planned_time_and_does_not_move_the_schedule() {
        let j = daily();
        // A manual run on Monday at 01:00, before the planned 02:00: Monday's run is still due.
        let manual = Some(MONDAY_2AM - H);
        assert_eq!(judge(&j, 0, manual, H, MONDAY_2AM + 2 * H).overdue_since, Some(MONDAY_2AM));
        // A manual run at 10:00 after a missed 02:00: a backup was made since; not overdue…
        let late = Some(MONDAY_2AM + 8 * H);
        assert_eq!(judge(&j, 0, late, H, MONDAY_2AM + 9 * H).overdue_since, None);
        // …but Tuesday's planned run is still expected at 02:00.
        assert_eq!(judge(&j, 0, late, H, MONDAY_2AM + 27 * H).overdue_since, Some(MONDAY_2AM + 24 * H));
    }

    #[test]
    fn running_unwatched_absent_and_unscheduled_jobs_are_not_overdue() {
        let now = MONDAY_2AM + 5 * H;
        let running = JobRow { running_since: Some(MONDAY_2AM + 60), ..daily() };
        assert_eq!(judge(&running, 0, None, H, now).overdue_since, None, "its task runs");
        assert_eq!(judge(&JobRow { monitored: false, ..daily() }, 0, None, H, now).overdue_since, None);
        assert_eq!(judge(&JobRow { present: false, ..daily() }, 0, None, H, now).overdue_since, None);
        let manual = job(serde_json::json!(null));
        assert_eq!(judge(&manual, 0, None, H, now), JobWatch { last_due: None, next_due: None, overdue_since: None });
        // Duplicati's own LastRun (the scheduler started it) is proof enough.
        let started =
            job(serde_json::json!({"Time": "2025-05-06T02:00:00Z", "Repeat": "1D", "LastRun": "2025-05-05T02:00:01Z", "Rule": ""}));
        assert_eq!(judge(&started, 0, None, H, now).overdue_since, None);
    }

    #[test]
    fn a_failing_server_is_tried_less_often() {
        let server = |failures: u32| ServerRow {
            id: 1,
            secret_ref: String::new(),
            name: "nas".into(),
            alias: None,
            note: None,
            host: "nas".into(),
            port: 8200,
            url: None,
            protocol: None,
            cert_sha256: None,
            cert_is_issuer: false,
            machine_id: None,
            version: None,
            last_collect_at: Some(0),
            last_ok: Some(failures == 0),
            last_error_code: None,
            last_error_message: None,
            created_at: 0,
            systeminfo_at: None,
            data_update_id: None,
            utc_offset_s: None,
            failures,
        };
        let m = 60;
        assert!(is_due(&server(0), 15 * m, 15 * m));
        assert!(!is_due(&server(0), 10 * m, 15 * m));
        assert!(is_due(&server(1), 15 * m, 15 * m));
        assert!(!is_due(&server(2), 15 * m, 15 * m) && is_due(&server(2), 30 * m, 15 * m));
        assert!(!is_due(&server(3), 30 * m, 15 * m) && is_due(&server(3), 60 * m, 15 * m));
        assert!(is_due(&server(30), MAX_BACKOFF_S, 15 * m), "at most 6 h between attempts");
        assert!(is_due(&ServerRow { last_collect_at: None, ..server(0) }, 0, 15 * m), "never collected");
    }

    #[test]
    fn thresholds_are_crossed_once_each() {
        let settings = MonitorSettings::default();
        let j = JobRow { running_since: Some(0), ..daily() };
        assert!(long_running(&j, &settings, 23 * H).is_none());
        let (entry, crossed) = long_running(&j, &settings, 24 * H).unwrap();
        assert_eq!((entry.status, crossed, entry.message.as_str()), (Status::Running, 24 * H, "Backup still running after 24 h"));
        let alerted = JobRow { running_alerted_s: Some(24 * H), ..j.clone() };
        assert!(long_running(&alerted, &settings, 35 * H).is_none());
        assert_eq!(long_running(&alerted, &settings, 36 * H).unwrap().1, 36 * H);
        assert_eq!(long_running(&alerted, &settings, 84 * H).unwrap().0.message, "Backup still running after 3 d 12 h");
    }
}
