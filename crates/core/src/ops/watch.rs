//! Watching in the background: the settings, one pass (collect the servers that are due, judge
//! every job, notify), the Backup Monitoring page's view of every job, and its switches.
use super::Engine;
use crate::collect::HostSummary;
use crate::error::{Error, Result};
use crate::secrets;
use crate::store::{now_ts, LogEntryRow};
use crate::task::blocking;
use crate::watch::{self, JobWatch, MonitorSettings, Notice};
use serde::Serialize;

/// What one background pass did.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PassReport {
    /// The servers collected (those due; the others wait for their interval or back-off).
    pub hosts: Vec<HostSummary>,
    /// Another collection was running (the user's): this pass collected nothing.
    pub busy: bool,
    /// The entries the pass made, oldest first.
    pub entries: Vec<LogEntryRow>,
    /// The notifications it decided on (already handed to the listener).
    pub notices: Vec<Notice>,
}

/// A job as the Backup Monitoring page shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MonitoredJob {
    pub job_id: i64,
    pub job: String,
    pub server_id: i64,
    pub server: String,
    pub operation_type: String,
    /// Duplicati's repeat (`1D`, `1W`, `12h`), `None` for a job run by hand.
    pub repeat: Option<String>,
    /// Roughly how long between runs, in seconds.
    pub interval_s: Option<i64>,
    #[serde(flatten)]
    #[ts(flatten)]
    pub watch: JobWatch,
    /// When its newest run ended.
    pub last_run: Option<i64>,
    /// Since when a task of it has been seen running.
    pub running_since: Option<i64>,
    pub monitored: bool,
    /// When its server was last collected (checked), successfully or not.
    pub server_checked_at: Option<i64>,
}

impl Engine {
    pub async fn monitor_settings(&self) -> Result<MonitorSettings> {
        self.db()?.read(MonitorSettings::load).await
    }

    /// Saves the settings; the background loop picks them up at once.
    pub async fn set_monitor_settings(&self, settings: MonitorSettings) -> Result<MonitorSettings> {
        let settings = settings.sanitized();
        let saved = settings.clone();
        self.db()?.write(move |s| saved.save(s)).await?;
        self.watch_changed.notify_waiters();
        Ok(settings)
    }

    /// Resolves when the monitor settings change.
    pub async fn watch_settings_changed(&self) {
        self.watch_changed.notified().await;
    }

    /// Watches a job or not (not watched: never overdue, no notification for it).
    pub async fn set_job_monitored(&self, job_id: i64, monitored: bool) -> Result<()> {
        let found = self.db()?.write(move |s| s.set_job_monitored(job_id, monitored)).await?;
        if !found {
            return Err(Error::new(crate::ErrorCode::NotFound, "That job no longer exists.", "Collect its server again to list its jobs."));
        }
        self.data_changed();
        Ok(())
    }

    /// Every job the servers list, judged at `now`, for the Backup Monitoring page.
    pub async fn monitoring(&self, now: i64) -> Result<Vec<MonitoredJob>> {
        let settings = self.monitor_settings().await?;
        let tolerance = i64::from(settings.overdue_tolerance_min) * 60;
        self.db()?
            .read(move |s| {
                let last_runs = s.last_run_dates()?;
                let mut out = Vec::new();
                for server in s.servers()? {
                    let offset = server.utc_offset_s.unwrap_or_else(|| chrono::Local::now().offset().local_minus_utc());
                    for job in s.jobs(server.id)?.into_iter().filter(|j| j.present) {
                        let last_run = last_runs.get(&job.id).copied();
                        let schedule = watch::schedule::JobSchedule::from_json(job.schedule_json.as_deref());
                        out.push(MonitoredJob {
                            job_id: job.id,
                            server_id: server.id,
                            server: server.display_name().to_owned(),
                            operation_type: job.operation_type.clone(),
                            repeat: crate::dashboard::schedule_of(job.schedule_json.as_deref()).1,
                            interval_s: schedule.map(|s| s.repeat.approx_seconds()),
                            watch: watch::judge(&job, offset, last_run, tolerance, now),
                            last_run,
                            running_since: job.running_since,
                            monitored: job.monitored,
                            server_checked_at: server.last_collect_at,
                            job: job.name,
                        });
                    }
                }
                Ok(out)
            })
            .await
    }

    /// One background pass at `now`: collects the servers that are due and have a saved
    /// password (a server that keeps failing waits longer each time; one with a task running
    /// is looked at every minute, for its progress), judges every job, and
    /// hands the notifications it decides on to the listener. Gives way to the user: while
    /// another collection runs it collects nothing, and a collection the user starts cancels
    /// it. `interval_s` replaces the settings' interval.
    pub async fn watch_pass(&self, now: i64, interval_s: Option<i64>) -> Result<PassReport> {
        let settings = self.monitor_settings().await?;
        let interval = interval_s.unwrap_or(i64::from(settings.interval_min.max(1)) * 60);
        let db = self.db()?.clone();
        let watermark = db.read(|s| s.last_entry_id()).await?;
        let demo = self.demo_server_id().await?;
        let servers = self.servers().await?;
        let running = db.read(|s| s.servers_with_running_jobs()).await?;
        let secrets = self.secrets();
        let due: Vec<i64> = blocking(move || {
            Ok(servers
                .iter()
                .filter(|s| watch::is_due(s, now, interval) || (running.contains(&s.id) && watch::is_due(s, now, watch::RUNNING_RECHECK_S)))
                .filter(|s| demo == Some(s.id) || secrets::saved_password(secrets.as_deref(), s, s.display_name()).is_ok())
                .map(|s| s.id)
                .collect())
        })
        .await?;

        let mut report = PassReport::default();
        if !due.is_empty() {
            let request = super::CollectRequest { server_ids: Some(due.clone()), ..super::CollectRequest::default() };
            match self.collect_in_background(&request).await {
                Ok(hosts) => report.hosts = hosts,
                Err(e) if e.code == crate::ErrorCode::Busy => report.busy = true,
                Err(e) => return Err(e),
            }
            // When each server was checked, on the pass's clock (the next pass's back-off
            // counts from it).
            if !report.busy {
                db.write(move |s| due.iter().try_for_each(|id| s.set_checked_at(*id, now))).await?;
            }
        }
        let judged = settings.clone();
        db.write(move |s| watch::evaluate(s, &judged, now)).await?;
        report.entries = db.read(move |s| s.entries_after(watermark, 10_000)).await?;
        let (entries, notify) = (report.entries.clone(), settings.notify);
        report.notices = db.write(move |s| watch::notices(s, &entries, &notify, now)).await?;
        for notice in &report.notices {
            self.listener.notify(notice);
        }
        if !report.entries.is_empty() {
            self.data_changed();
        }
        // Only memory: the pass's work is done whatever this says.
        db.release_memory().await.ok();
        Ok(report)
    }

    /// The entry a notification is about (gone when the logs were cleared since).
    pub async fn notified_entry(&self, id: i64) -> Result<Option<LogEntryRow>> {
        self.db()?.read(move |s| s.entry(id)).await
    }

    /// "Check now": a pass at the current time that collects every server with a saved
    /// password at once, whatever its interval or back-off.
    pub async fn check_now(&self) -> Result<PassReport> {
        self.watch_pass(now_ts(), Some(0)).await
    }
}
