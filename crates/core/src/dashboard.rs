//! The dashboard read model: summary tiles, every server with its jobs, each job's last run,
//! recent statuses and next scheduled run; and the overall health the tray icon shows.
use crate::duplicati::wire::Schedule;
use crate::error::Result;
use crate::model::{Protocol, Status};
use crate::monitor::parse_utc;
use crate::secrets::SecretStore;
use crate::store::{setting_keys, LogEntryRow, ServerRow, Store};
use serde::Serialize;
use std::collections::HashMap;

/// How many recent statuses a job shows.
pub const RECENT_RUNS: u32 = 10;
/// A server not collected for this long counts as "not collected lately".
pub const STALE_AFTER_S: i64 = 24 * 3600;

#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub summary: Summary,
    pub servers: Vec<DashServer>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "DashboardSummary")]
pub struct Summary {
    pub servers: u64,
    /// Jobs the servers still list (`present`).
    pub jobs: u64,
    /// Present jobs whose last run ended in `error`.
    pub failed_last_runs: u64,
    /// Servers never collected, or last collected more than 24 h ago.
    pub not_collected_lately: u64,
    /// Watched jobs whose planned run has not arrived (see `watch::judge`).
    pub overdue: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Server")]
pub struct DashServer {
    pub id: i64,
    pub name: String,
    pub alias: Option<String>,
    pub display_name: String,
    pub note: Option<String>,
    pub host: String,
    pub port: u16,
    pub url: Option<String>,
    pub protocol: Option<Protocol>,
    pub cert_sha256: Option<String>,
    /// The pinned fingerprint is the issuing authority's (e.g. "Duplicati Local CA").
    pub cert_is_issuer: bool,
    pub version: Option<String>,
    pub last_collect_at: Option<i64>,
    pub last_ok: Option<bool>,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    pub is_demo: bool,
    /// Whether the keychain holds a password for it (false without a keychain); see
    /// [`Dashboard::fill_passwords`].
    pub has_password: bool,
    /// Whether collecting it needs a typed password: none is saved and it is not the demo
    /// (whose password the engine knows).
    pub needs_password: bool,
    pub jobs: Vec<DashJob>,
    #[serde(skip)]
    pub secret_ref: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Job")]
pub struct DashJob {
    pub id: i64,
    pub backup_id: String,
    pub name: String,
    pub description: Option<String>,
    /// False when the server no longer lists the job.
    pub present: bool,
    /// The next scheduled run (Unix seconds), when the job has a schedule.
    pub next_run: Option<i64>,
    /// Duplicati's repeat interval, e.g. `1D`, `1W`, `12h`.
    pub repeat: Option<String>,
    /// The job's newest run (a backup or a sync; listings, tests and other operations are in
    /// its history, not here).
    pub last: Option<LogEntryRow>,
    /// Statuses of the newest ≤ 10 runs, oldest → newest.
    pub recent: Vec<Status>,
    /// `Backup`, or `Sync` (a Duplicati 2.3 sync job, known from its metadata only).
    pub operation_type: String,
    /// The task of this job running on the server at the last collection.
    pub running: Option<RunningTask>,
    /// Whether the background watch reports it.
    pub monitored: bool,
    /// The planned run it missed, while it is overdue.
    pub overdue_since: Option<i64>,
}

/// A job's task seen running.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RunningTask {
    /// Since when it has been seen running (Unix seconds).
    pub since: i64,
    /// Duplicati's phase name (e.g. `Backup_ProcessingFiles`), when known.
    pub phase: Option<String>,
    /// 0..1, when known.
    pub progress: Option<f64>,
    /// It has run past the long-running threshold.
    pub long: bool,
}

impl RunningTask {
    fn of(since: Option<i64>, progress_json: Option<&str>, alerted: Option<i64>) -> Option<RunningTask> {
        let progress: Option<crate::duplicati::wire::ProgressState> = progress_json.and_then(|p| serde_json::from_str(p).ok());
        Some(RunningTask {
            since: since?,
            phase: progress.as_ref().map(|p| p.phase.clone()).filter(|p| !p.is_empty()),
            progress: progress.map(|p| p.overall_progress.clamp(0.0, 1.0)),
            long: alerted.is_some(),
        })
    }
}

/// What the tray icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Ok,
    Warning,
    Error,
}

/// The next run and repeat from a job's stored `Schedule` JSON. `0001-…` means none.
pub fn schedule_of(schedule_json: Option<&str>) -> (Option<i64>, Option<String>) {
    let Some(schedule) = schedule_json.and_then(|s| serde_json::from_str::<Schedule>(s).ok()) else {
        return (None, None);
    };
    let next = schedule
        .time
        .as_deref()
        .and_then(parse_utc)
        .map(|t| t.timestamp())
        .filter(|t| crate::monitor::sane_next_run(*t, crate::store::now_ts()));
    let repeat = schedule.repeat.filter(|r| !r.is_empty());
    (next, repeat)
}

fn server_view(s: ServerRow, demo_id: Option<i64>) -> DashServer {
    DashServer {
        display_name: s.display_name().to_owned(),
        is_demo: demo_id == Some(s.id),
        id: s.id,
        name: s.name,
        alias: s.alias,
        note: s.note,
        host: s.host,
        port: s.port,
        url: s.url,
        protocol: s.protocol,
        cert_sha256: s.cert_sha256,
        cert_is_issuer: s.cert_is_issuer,
        version: s.version,
        last_collect_at: s.last_collect_at,
        last_ok: s.last_ok,
        last_error_code: s.last_error_code,
        last_error_message: s.last_error_message,
        has_password: false,
        needs_password: demo_id != Some(s.id),
        jobs: Vec::new(),
        secret_ref: s.secret_ref,
    }
}

/// The demo server's id, if demo mode is on.
pub fn demo_server_id(store: &Store) -> Result<Option<i64>> {
    Ok(store.setting(setting_keys::DEMO_SERVER_ID)?.and_then(|v| v.parse().ok()))
}

/// Builds the dashboard at `now` (Unix seconds): four statements whatever the number of jobs.
pub fn dashboard(store: &Store, now: i64) -> Result<Dashboard> {
    let demo_id = demo_server_id(store)?;
    let mut servers: Vec<DashServer> = store.servers()?.into_iter().map(|s| server_view(s, demo_id)).collect();
    let index: HashMap<i64, usize> = servers.iter().enumerate().map(|(i, s)| (s.id, i)).collect();

    let mut recent: HashMap<i64, Vec<LogEntryRow>> = HashMap::new();
    for e in store.recent_runs_per_job(RECENT_RUNS)? {
        if let Some(job) = e.job_id {
            recent.entry(job).or_default().push(e); // newest first
        }
    }

    let mut summary = Summary { servers: servers.len() as u64, ..Summary::default() };
    for job in store.all_jobs()? {
        let Some(&i) = index.get(&job.server_id) else { continue };
        let entries = recent.remove(&job.id).unwrap_or_default();
        let (next_run, repeat) = schedule_of(job.schedule_json.as_deref());
        let statuses: Vec<Status> = entries.iter().rev().map(|e| e.status).collect();
        let last = entries.into_iter().next();
        if job.present {
            summary.jobs += 1;
            if last.as_ref().is_some_and(|l| l.status == Status::Error) {
                summary.failed_last_runs += 1;
            }
            if job.overdue_since.is_some() {
                summary.overdue += 1;
            }
        }
        servers[i].jobs.push(DashJob {
            id: job.id,
            backup_id: job.backup_id,
            name: job.name,
            description: job.description,
            present: job.present,
            next_run,
            repeat,
            last,
            recent: statuses,
            running: RunningTask::of(job.running_since, job.progress_json.as_deref(), job.running_alerted_s),
            operation_type: job.operation_type,
            monitored: job.monitored,
            overdue_since: job.overdue_since.filter(|_| job.monitored),
        });
    }
    summary.not_collected_lately = servers.iter().filter(|s| s.last_collect_at.is_none_or(|t| now - t > STALE_AFTER_S)).count() as u64;
    Ok(Dashboard { summary, servers })
}

impl Dashboard {
    /// Sets `has_password` from the keychain (all false without one; a failing read is false).
    pub fn fill_passwords(&mut self, secrets: Option<&dyn SecretStore>) {
        for s in &mut self.servers {
            s.fill_password(secrets);
        }
    }

    /// Worst of: a server whose last collection failed or a present job whose last run is an
    /// error → Error; a last run with warnings or stopped, an overdue job or a task running past
    /// its threshold → Warning; else Ok.
    pub fn health(&self) -> Health {
        let mut health = Health::Ok;
        for s in &self.servers {
            if s.last_ok == Some(false) {
                return Health::Error;
            }
            for j in s.jobs.iter().filter(|j| j.present) {
                if j.overdue_since.is_some() || j.running.as_ref().is_some_and(|r| r.long) {
                    health = Health::Warning;
                }
                match j.last.as_ref().map(|l| l.status) {
                    Some(Status::Error) => return Health::Error,
                    Some(Status::Warning | Status::Stopped) => health = Health::Warning,
                    _ => {}
                }
            }
        }
        health
    }
}

impl DashServer {
    pub fn fill_password(&mut self, secrets: Option<&dyn SecretStore>) {
        self.has_password = secrets.is_some_and(|k| matches!(k.get(&self.secret_ref), Ok(Some(_))));
        self.needs_password = !self.has_password && !self.is_demo;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        let (next, repeat) = schedule_of(Some(r#"{"Time":"2025-05-04T10:00:00Z","Repeat":"1D"}"#));
        assert_eq!(next, Some(1746352800));
        assert_eq!(repeat.as_deref(), Some("1D"));
        assert_eq!(schedule_of(Some(r#"{"Time":"0001-01-01T00:00:00Z","Repeat":""}"#)), (None, None));
        assert_eq!(schedule_of(None), (None, None));
        assert_eq!(schedule_of(Some("not json")), (None, None));
    }
}
