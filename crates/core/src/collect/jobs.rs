//! What a job's entry in the server's job list says besides its log: failures recorded only in
//! `Backup.Metadata`, the runs of sync jobs, and whether the log can hold anything new.
use crate::duplicati::wire::{Backup, ServerState};
use crate::model::Status;
use crate::monitor::{first_line, parse_timespan, NewEntry};
use crate::store::{JobRow, ServerRow};
use chrono::NaiveDateTime;

/// Entries derived from the job list use `remote_id` 0 (Duplicati's log row IDs start at 1)
/// and the event's time as `remote_timestamp`, so the store keeps each once.
pub(super) const METADATA_ROW_ID: i64 = 0;

/// How far from a failure recorded in the metadata a failed run in the log may be and still be
/// that failure: Duplicati writes the row, then the metadata, within seconds.
const EXPLAINED_WITHIN_S: i64 = 600;

/// A `Backup.Metadata` date (`yyyyMMdd'T'HHmmssK`, UTC; Library/Utility/Utility.cs
/// `SerializeDateTime`) as Unix seconds.
pub(super) fn metadata_date(backup: &Backup, key: &str) -> Option<i64> {
    let text = backup.metadata_str(key)?.trim_end_matches('Z');
    NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").ok().map(|t| t.and_utc().timestamp())
}

/// A failure the job's metadata records (`LastErrorDate`, `LastErrorMessage`) that is newer
/// than the last one dealt with. Duplicati records there failures that write no log row: a
/// missing or broken local database, errors of the runner (Library/RestAPI/Runner.cs
/// `UpdateMetadataError`; Library/Main/Controller.cs writes a row only when the database
/// exists).
pub(super) struct MetadataFailure {
    pub at: i64,
    pub message: String,
}

pub(super) fn new_metadata_failure(job: &JobRow, backup: &Backup) -> Option<MetadataFailure> {
    let at = metadata_date(backup, "LastErrorDate")?;
    if job.metadata_error_at.is_some_and(|seen| seen >= at) {
        return None;
    }
    let message = backup.metadata_str("LastErrorMessage").unwrap_or("The operation failed").to_owned();
    Some(MetadataFailure { at, message })
}

/// The `started` entry for a task seen running that was not at the previous look.
pub(super) fn started_entry(job: &JobRow, phase: Option<&str>, now: i64) -> NewEntry {
    let mut entry = NewEntry::system(Status::Started, now, format!("{} started", job.operation_type));
    entry.op_type = job.operation_type.clone();
    entry.details = serde_json::json!({ "Source": "serverstate.ActiveTask", "Phase": phase }).to_string();
    entry
}

/// The entry for a failure recorded only in the metadata.
pub(super) fn failure_entry(job: &JobRow, failure: &MetadataFailure, now: i64) -> NewEntry {
    let mut entry = NewEntry::system(Status::Error, failure.at, first_line(&failure.message, 300));
    entry.op_type = job.operation_type.clone();
    entry.remote_id = Some(METADATA_ROW_ID);
    entry.remote_timestamp = Some(failure.at);
    entry.errors = 1;
    entry.details = serde_json::json!({
        "Source": "Backup.Metadata",
        "Note": "Duplicati recorded this failure in the job's metadata; it wrote no log row for it.",
        "LastErrorDate": backup_metadata_text(failure.at),
        "LastErrorMessage": failure.message,
    })
    .to_string();
    entry.with_sane_date(now)
}

fn backup_metadata_text(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).map(|t| t.format("%Y%m%dT%H%M%SZ").to_string()).unwrap_or_default()
}

/// Whether the failure is a run already in the job's log (then it needs no entry of its own).
pub(super) fn explained_by_log(store: &crate::store::Store, job: &JobRow, failure: &MetadataFailure) -> crate::Result<bool> {
    store.failed_run_near(job.id, failure.at, EXPLAINED_WITHIN_S)
}

/// Whether the job list shows the job never ran (no run, no failure recorded). Duplicati 2.0
/// answers 500 for the log of such a job, whose database does not exist yet; 2.1+ answers `[]`.
pub(super) fn never_ran(backup: &Backup) -> bool {
    ["LastBackupStarted", "LastBackupFinished", "LastErrorDate", "LastCompactFinished", "LastRestoreFinished"]
        .iter()
        .all(|key| backup.metadata_str(key).is_none())
}

/// The last run of a sync job (Duplicati 2.3): sync jobs have no log, their runs are known
/// from `LastSync{Started,Finished,Duration}` (Library/RestAPI/Runner.cs
/// `UpdateMetadataLastSync`; failed syncs only set `LastErrorDate`).
pub(super) fn sync_run_entry(backup: &Backup, now: i64) -> Option<NewEntry> {
    let started = metadata_date(backup, "LastSyncStarted")?;
    let finished = metadata_date(backup, "LastSyncFinished");
    let duration = backup.metadata_str("LastSyncDuration").and_then(parse_timespan).or(finished.map(|f| (f - started) as f64));
    let mut entry = NewEntry::system(Status::Completed, started, "Sync completed");
    entry.op_type = "Sync".into();
    entry.remote_id = Some(METADATA_ROW_ID);
    entry.remote_timestamp = Some(started);
    entry.duration_s = duration;
    entry.details = serde_json::json!({
        "Source": "Backup.Metadata",
        "LastSyncStarted": backup.metadata_str("LastSyncStarted"),
        "LastSyncFinished": backup.metadata_str("LastSyncFinished"),
        "LastSyncDuration": backup.metadata_str("LastSyncDuration"),
    })
    .to_string();
    Some(entry.with_sane_date(now))
}

/// Whether the job's log can be left unread: the log was read to the end before, the job list
/// says the same about the job as then, the server's data update counter has not moved since
/// the last complete collection (Duplicati bumps it when an operation finishes,
/// Library/RestAPI/Runner.cs `UpdateMetadataBase`), and no task runs on it.
///
/// Not provable this way: the few operations that write a log row without bumping the counter
/// (from 2.2: browsing a folder, listing file versions, searching); their rows are read with
/// the next collection that has anything else to read.
pub(super) fn log_unchanged(server: &ServerRow, job: &JobRow, state_now: &str, serverstate: &ServerState, running: bool) -> bool {
    !running
        && job.cursor.pass_top.is_none()
        && job.log_state.as_deref() == Some(state_now)
        && server.data_update_id == Some(serverstate.last_data_update_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(metadata: serde_json::Value) -> Backup {
        serde_json::from_value(serde_json::json!({"ID": "1", "Name": "Docs", "Metadata": metadata})).unwrap()
    }

    #[test]
    fn metadata_dates_are_utc() {
        let b = backup(serde_json::json!({"LastErrorDate": "20250504T000327Z"}));
        assert_eq!(metadata_date(&b, "LastErrorDate"), Some(1746316800 + 207));
        assert_eq!(metadata_date(&b, "Missing"), None);
        assert_eq!(metadata_date(&backup(serde_json::json!({"LastErrorDate": "yesterday"})), "LastErrorDate"), None);
    }

    #[test]
    fn a_sync_run_comes_from_its_metadata() {
        let b = backup(serde_json::json!({
            "LastSyncStarted": "20250504T000000Z", "LastSyncFinished": "20250504T000130Z", "LastSyncDuration": "00:01:30"
        }));
        let e = sync_run_entry(&b, 1_800_000_000).unwrap();
        assert_eq!((e.status, e.op_type.as_str(), e.date, e.duration_s), (Status::Completed, "Sync", 1746316800, Some(90.0)));
        assert_eq!((e.remote_id, e.remote_timestamp), (Some(METADATA_ROW_ID), Some(1746316800)));
        assert!(sync_run_entry(&backup(serde_json::json!({})), 1_800_000_000).is_none(), "never synced");
    }
}
