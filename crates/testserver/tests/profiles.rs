//! What differs between the 2.1+ releases on the wire: DTO fields, the rows each release
//! writes, failures outside the log, running tasks, sync jobs, identity and upgrades.

mod common;

use std::collections::HashSet;

use common::Client;
use duplicati_testserver::{DataSet, Operation, ServerConfig, TestServer, Version, FIXTURE_MACHINE_ID};
use serde_json::Value;

fn start(cfg: ServerConfig) -> (TestServer, Client) {
    let s = TestServer::start(cfg).unwrap();
    let mut c = Client::new(&s);
    c.login();
    (s, c)
}

fn generated(version: Version, jobs: u32, rows: u32) -> (TestServer, Client) {
    start(ServerConfig { version, data: DataSet::Generated { jobs, rows_per_job: rows, seed: 11 }, ..ServerConfig::default() })
}

fn messages(c: &Client, job: &str, query: &str) -> Vec<(Value, Value)> {
    let r = c.get(&format!("/api/v1/backup/{job}/log?{query}"));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json().as_array().unwrap().iter().map(|row| (row.clone(), serde_json::from_str(row["Message"].as_str().unwrap()).unwrap())).collect()
}

fn metadata(c: &Client, job: &str) -> serde_json::Map<String, Value> {
    let list = c.get("/api/v1/backups").json();
    let item = list.as_array().unwrap().iter().find(|i| i["Backup"]["ID"] == job).unwrap().clone();
    item["Backup"]["Metadata"].as_object().unwrap().clone()
}

#[test]
fn backup_fields_per_release() {
    let expected: [(Version, &[&str]); 4] = [
        (
            Version::V2_1_0_5,
            &[
                "ID",
                "Name",
                "Description",
                "Tags",
                "TargetURL",
                "DBPath",
                "Sources",
                "Settings",
                "Filters",
                "Metadata",
                "IsTemporary",
                "IsUnencryptedOrPassphraseStored",
            ],
        ),
        (
            Version::V2_1_2,
            &[
                "ID",
                "Name",
                "Description",
                "Tags",
                "TargetURL",
                "DBPath",
                "DBPathExists",
                "Sources",
                "Settings",
                "Filters",
                "Metadata",
                "IsTemporary",
                "IsUnencryptedOrPassphraseStored",
            ],
        ),
        (
            Version::V2_2,
            &[
                "ID",
                "ExternalID",
                "Name",
                "Description",
                "Tags",
                "TargetURL",
                "DBPath",
                "DBPathExists",
                "Sources",
                "Settings",
                "Filters",
                "Metadata",
                "IsTemporary",
                "IsUnencryptedOrPassphraseStored",
            ],
        ),
        (
            Version::V2_3_1,
            &[
                "ID",
                "ExternalID",
                "Name",
                "Description",
                "Tags",
                "TargetURL",
                "ConnectionStringID",
                "OperationType",
                "DBPath",
                "DBPathExists",
                "Sources",
                "Settings",
                "Filters",
                "Metadata",
                "IsTemporary",
                "IsUnencryptedOrPassphraseStored",
                "AdditionalTargetURLs",
            ],
        ),
    ];
    for (version, fields) in expected {
        let (_s, c) = start(ServerConfig { version, ..ServerConfig::default() });
        let list = c.get("/api/v1/backups").json();
        let b = list[0]["Backup"].as_object().unwrap();
        assert_eq!(b.keys().map(String::as_str).collect::<Vec<_>>(), fields, "{version}");
        let info = c.get("/api/v1/systeminfo").json();
        assert_eq!(info["ServerVersion"], version.number());
        assert_eq!(info["ServerVersionName"], format!(" - {}", version.tag()));
        if version >= Version::V2_1_2 {
            assert_eq!(list[0]["Backup"]["DBPathExists"], true, "job 1 has rows");
            assert_eq!(list[1]["Backup"]["DBPathExists"], false, "job 2 never ran");
            assert_eq!(info["ServerTimeZone"], "Europe/Berlin");
            assert!(info["APIExtensions"].as_array().unwrap().contains(&Value::from("v1:websocket")));
        }
        if version == Version::V2_3_1 {
            assert_eq!(list[0]["Backup"]["OperationType"], "Backup");
            assert_eq!(list[0]["Backup"]["ConnectionStringID"], -1);
            assert_eq!(info["LocalLicenseStatus"]["IsConfigured"], false);
        }
    }
}

#[test]
fn from_2_1_2_every_operation_writes_a_row() {
    let (_s, c) = generated(Version::V2_2, 1, 400);
    let rows = messages(&c, "1", "pagesize=500");
    let mut ops = HashSet::new();
    let (mut big_list, mut script_error) = (false, false);
    for (_, m) in &rows {
        assert_eq!(m["Version"], "2.2.0.0 (2.2.0.0_stable_2025-10-23)");
        ops.insert(m["MainOperation"].as_str().unwrap().to_string());
        if m["MainOperation"] == "List" {
            let files = m["Files"].as_array().unwrap();
            big_list |= files.len() >= 1000;
            assert_eq!(m["Filesets"][0]["IsFullBackup"], 1);
            if let Some(f) = files.first() {
                assert!(f["Path"].is_string() && f["Sizes"].is_array());
            }
        }
        if m["MainOperation"] == "Backup" {
            let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
            let at = keys.iter().position(|k| *k == "FilesWithError").unwrap();
            assert_eq!(keys[at + 1], "TimestampChangedFiles");
            assert!(m["BackendStatistics"]["KnownFilesets"].is_i64());
            assert!(m.get("LockResults").is_none(), "2.3 only");
            if m["Interrupted"] == true && m["ParsedResult"] == "Error" {
                script_error = true;
                let last = m["Errors"].as_array().unwrap().last().unwrap().as_str().unwrap().to_string();
                assert!(last.contains("RunScript-InvalidExitCode]: The script") && last.contains("exit code 5"), "{last}");
            }
        }
        if m["MainOperation"] == "Restore" {
            assert_eq!(m["BrokenLocalFiles"], serde_json::json!([]));
        }
    }
    for op in ["Backup", "List", "Test", "Restore", "Repair", "Compact", "Delete"] {
        assert!(ops.contains(op), "{op} missing: {ops:?}");
    }
    assert!(big_list, "some List rows list thousands of files");
    assert!(script_error, "a run-script exit 5: Error and Interrupted");
}

#[test]
fn add_operation_writes_what_the_release_logs() {
    let (s, c) = generated(Version::V2_1_0_5, 1, 5);
    assert!(!s.add_operation("1", Operation::List { files: 10 }), "2.1.0.5 writes no List row");
    assert!(s.add_operation("1", Operation::Restore));
    assert!(!s.add_operation("9", Operation::Backup));
    assert_eq!(messages(&c, "1", "pagesize=10")[0].1["MainOperation"], "Restore");

    let (s, c) = generated(Version::V2_3_1, 1, 5);
    assert!(s.add_operation("1", Operation::List { files: 4000 }));
    let rows = messages(&c, "1", "pagesize=10");
    let (row, m) = &rows[0];
    assert_eq!(row["ID"], 6);
    assert_eq!(m["MainOperation"], "List");
    assert_eq!(m["Files"].as_array().unwrap().len(), 4000);
    assert!(row["Message"].as_str().unwrap().len() > 200_000);

    assert!(s.add_operation("1", Operation::ScriptErrorAbort));
    assert!(s.add_operation("1", Operation::BackupStopped));
    let rows = messages(&c, "1", "pagesize=10");
    let stopped = &rows[0].1;
    assert_eq!(
        (stopped["ParsedResult"].as_str(), stopped["Interrupted"].as_bool(), stopped["PartialBackup"].as_bool()),
        (Some("Warning"), Some(false), Some(true))
    );
    assert!(stopped["Warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().ends_with("Cancellation was requested by user.")));
    let aborted = &rows[1].1;
    assert_eq!((aborted["ParsedResult"].as_str(), aborted["Interrupted"].as_bool()), (Some("Error"), Some(true)));
    assert_eq!(aborted["LockResults"], Value::Null);
    assert_eq!(aborted["RemoteSynchronizationResults"], serde_json::json!([]));
}

#[test]
fn failures_outside_the_log() {
    for version in [Version::V2_1_0_5, Version::V2_2, Version::V2_3_1] {
        let (s, c) = start(ServerConfig { version, ..ServerConfig::default() });
        let before = c.get("/api/v1/backup/1/log").text();
        let notifications = c.get("/api/v1/notifications").json().as_array().unwrap().len();
        assert!(s.fail_outside_log("1", "The database file is locked & unusable"));
        assert!(!s.fail_outside_log("7", "x"));
        assert_eq!(c.get("/api/v1/backup/1/log").text(), before, "no log row");
        let md = metadata(&c, "1");
        let date = md["LastErrorDate"].as_str().unwrap();
        assert!(date.len() == 16 && date.ends_with('Z') && &date[8..9] == "T", "{date}");
        assert_eq!(md["LastErrorMessage"], "The database file is locked & unusable");
        let list = c.get("/api/v1/notifications").json();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), notifications, "replaces the job's first notification");
        let n = list.last().unwrap();
        assert_eq!(
            (n["Type"].as_str(), n["BackupID"].as_str(), n["Title"].as_str()),
            (Some("Error"), Some("1"), Some("Error while running Documents"))
        );
        assert!(n["Exception"].as_str().unwrap().starts_with("System.Exception: The database file is locked"));
        let state = c.get("/api/v1/serverstate").json();
        assert_eq!((state["HasError"].as_bool(), state["SuggestedStatusIcon"].as_str()), (Some(true), Some("ReadyError")));
        let errors = c.get("/api/v1/logdata/log").json();
        let op = if version == Version::V2_3_1 { "BackupOrSync" } else { "Backup" };
        assert_eq!(errors[0]["Message"], format!("Failed while executing {op} \"Documents\" (id: 1)"));
        assert_eq!(errors[0]["BackupID"], 1);

        // A later successful run updates the backup keys and keeps the error.
        s.add_operation("1", Operation::Backup);
        let after = metadata(&c, "1");
        assert_ne!(after["LastBackupFinished"], md["LastBackupFinished"]);
        assert_eq!(after["LastErrorMessage"], "The database file is locked & unusable");
        assert_eq!(after["LastErrorDate"], md["LastErrorDate"]);
    }
}

#[test]
fn generated_jobs_record_runs_in_metadata_and_schedule() {
    let (s, c) = generated(Version::V2_3_1, 2, 30);
    let list = c.get("/api/v1/backups").json();
    let last_run = list[0]["Schedule"]["LastRun"].clone();
    let md = metadata(&c, "1");
    assert!(md.contains_key("TargetFilesetsCount"), "2.1.2+ write it");
    s.add_operation("1", Operation::Backup);
    let list = c.get("/api/v1/backups").json();
    assert_ne!(list[0]["Schedule"]["LastRun"], last_run);
    let md2 = metadata(&c, "1");
    assert_ne!(md2["LastBackupStarted"], md["LastBackupStarted"]);
    // A failed backup reaches Metadata only through the Runner's error path.
    s.add_operation("1", Operation::BackupFatal);
    let after = metadata(&c, "1");
    assert_eq!(after["LastBackupStarted"], md2["LastBackupStarted"]);
    assert!(after["LastErrorDate"].as_str() > md2.get("LastErrorDate").and_then(|v| v.as_str()));
    let msg = after["LastErrorMessage"].as_str().unwrap();
    assert!(["Found 2 files", "The remote server", "Connection refused"].iter().any(|p| msg.starts_with(p)), "{msg}");
    let n = c.get("/api/v1/notifications").json();
    assert_eq!(n.as_array().unwrap().last().unwrap()["Type"], "Error");
}

#[test]
fn running_tasks() {
    for version in [Version::V2_2, Version::V2_3_1] {
        let (s, c) = start(ServerConfig { version, ..ServerConfig::default() });
        let r = c.get("/api/v1/progressstate");
        assert_eq!((r.status, r.text().as_str()), (404, r#"{"Error":"No active backup","Code":404}"#));
        let md = metadata(&c, "1");
        let rows = c.get("/api/v1/backup/1/log").json().as_array().unwrap().len();

        assert!(s.start_task("1"));
        assert!(!s.start_task("2"), "one task at a time");
        let state = c.get("/api/v1/serverstate").json();
        assert_eq!(state["ActiveTask"], serde_json::json!({"Item1": 2, "Item2": "1"}));
        assert_eq!(state["SuggestedStatusIcon"], "Active");
        let p = c.get("/api/v1/progressstate").json();
        assert_eq!((p["BackupID"].as_str(), p["TaskID"].as_i64()), (Some("1"), Some(2)));
        assert!(p["ActiveTransfers"].is_array());
        let r = c.get("/api/v1/backup/1/log");
        if version == Version::V2_3_1 {
            assert_eq!(r.status, 400);
            let body = r.json();
            assert_eq!((body["Code"].as_i64(), body["HelpId"].as_str()), (Some(400), Some("DatabaseLocked")));
            assert!(body["Error"].as_str().unwrap().starts_with("The backup database is currently in use"));
            assert!(p.get("EstimatedTimeToCompletion").is_some());
        } else {
            assert_eq!(r.status, 200, "no database lock before 2.3.1");
        }
        assert_eq!(c.get("/api/v1/backup/2/log").status, 200, "other jobs are not locked");

        assert!(!s.finish_task("2"));
        assert!(s.finish_task("1"));
        let state = c.get("/api/v1/serverstate").json();
        assert_eq!(state["ActiveTask"], Value::Null);
        let p = c.get("/api/v1/progressstate").json();
        assert_eq!((p["Phase"].as_str(), p["TaskID"].as_i64()), (Some("Backup_Complete"), Some(2)), "the last task stays");
        let log = c.get("/api/v1/backup/1/log").json();
        assert_eq!(log.as_array().unwrap().len(), rows + 1);
        let m: Value = serde_json::from_str(log[0]["Message"].as_str().unwrap()).unwrap();
        assert_eq!((m["MainOperation"].as_str(), m["ParsedResult"].as_str()), (Some("Backup"), Some("Success")));
        let after = metadata(&c, "1");
        assert!(after["LastBackupFinished"].as_str() > md["LastBackupFinished"].as_str());
        assert!(s.start_task("2"), "the next task");
        assert_eq!(c.get("/api/v1/serverstate").json()["ActiveTask"]["Item1"], 3);
    }
}

#[test]
fn sync_jobs_in_2_3_1() {
    let cfg = ServerConfig {
        version: Version::V2_3_1,
        sync_jobs: 2,
        data: DataSet::Generated { jobs: 2, rows_per_job: 10, seed: 3 },
        ..ServerConfig::default()
    };
    let (s, c) = start(cfg.clone());
    let list = c.get("/api/v1/backups").json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    let sync = &list[2]["Backup"];
    assert_eq!((sync["ID"].as_str(), sync["OperationType"].as_str()), (Some("3"), Some("Sync")));
    assert_eq!(list[0]["Backup"]["OperationType"], "Backup");
    let md = sync["Metadata"].as_object().unwrap();
    assert_eq!(md.keys().map(String::as_str).collect::<Vec<_>>(), ["LastSyncDuration", "LastSyncStarted", "LastSyncFinished"]);
    let r = c.get("/api/v1/backup/3/log");
    assert_eq!((r.status, r.text().as_str()), (500, r#"{"Error":"An error occurred","Code":500}"#));
    assert!(s.start_task("3"));
    assert_eq!(c.get("/api/v1/progressstate").json()["Phase"], "Sync_ProcessingFiles");
    assert_eq!(c.get("/api/v1/backup/3/log").json()["HelpId"], "DatabaseLocked");
    assert!(s.finish_task("3"));
    assert_ne!(metadata(&c, "3")["LastSyncFinished"], md["LastSyncFinished"]);
    assert!(!s.add_operation("3", Operation::Backup), "no log in a sync database");

    let (_s, c) = start(ServerConfig { version: Version::V2_2, ..cfg });
    assert_eq!(c.get("/api/v1/backups").json().as_array().unwrap().len(), 2, "no sync jobs before 2.3");
}

#[test]
fn machine_id_and_upgrade() {
    let install = "a1".repeat(16);
    let machine = "b2".repeat(16);
    let cfg =
        ServerConfig { version: Version::V2_2, install_id: Some(install.clone()), machine_id: machine.clone(), ..ServerConfig::default() };
    let (s, c) = start(cfg);
    let id = |c: &Client| {
        let info = c.get("/api/v1/systeminfo").json();
        info["Options"].as_array().unwrap().iter().find(|o| o["Name"] == "machine-id").unwrap()["DefaultValue"].clone()
    };
    assert_eq!(id(&c), install.as_str());
    let before = c.get("/api/v1/backup/1/log").text();
    let port = s.port();

    s.upgrade(Version::V2_3_1);
    assert_eq!(s.version(), Version::V2_3_1);
    assert_eq!(s.port(), port);
    assert_eq!(c.get("/api/v1/systeminfo").json()["ServerVersion"], "2.3.1.0");
    assert_eq!(id(&c), machine.as_str(), "2.3.1 reports machineid.txt");
    assert_eq!(c.get("/api/v1/backup/1/log").text(), before, "same rows");
    assert_eq!(c.get("/api/v1/backups").json()[0]["Backup"]["OperationType"], "Backup");
    s.add_operation("1", Operation::Backup);
    let rows = messages(&c, "1", "");
    assert_eq!(rows[0].1["Version"], "2.3.1.0 (2.3.1.0_beta_2026-07-28)");
    assert_eq!(rows[1].1["Version"], "2.1.0.5 (2.1.0.5_stable_2025-03-04)", "older rows keep their writer");

    let (_s, c) = start(ServerConfig::default());
    assert_eq!(id(&c), FIXTURE_MACHINE_ID);
}

#[test]
fn agent_mode_requires_the_pre_shared_key() {
    let s = TestServer::start(ServerConfig { agent_psk: Some("k3y".into()), ..ServerConfig::default() }).unwrap();
    let mut c = Client::new(&s);
    let r = c.login_with("duplicati");
    assert_eq!((r.status, r.text().as_str(), r.header("Content-Type")), (403, "Invalid PreSharedKey", Some("text/plain")));
    assert_eq!(c.get("/api/v1/backups").status, 401, "authorization runs before the endpoint filters");
    assert_eq!(c.get("/health").status, 200);
    let body = serde_json::json!({"Password": "duplicati"}).to_string();
    let r = c
        .request("POST", "/api/v1/auth/login", &[("X-Duplicati-PreSharedKey", "k3y")], Some(("application/json", body.as_bytes())))
        .unwrap();
    assert_eq!(r.status, 200);
    c.token = Some(r.json()["AccessToken"].as_str().unwrap().to_string());
    assert_eq!(c.get("/api/v1/backups").text(), "Invalid PreSharedKey");
    let r = c.request("GET", "/api/v1/systeminfo", &[("X-Duplicati-PreSharedKey", "k3y")], None).unwrap();
    assert_eq!(r.json()["StartedBy"], "Agent");
}

#[test]
fn fixture_jobs_follow_recorded_runs() {
    let (s, c) = start(ServerConfig::default());
    let before = c.get("/api/v1/backups").json();
    let state = c.get("/api/v1/serverstate").json();
    s.add_rows("1", 2);
    assert!(c.get("/api/v1/serverstate").json()["LastDataUpdateID"].as_i64() > state["LastDataUpdateID"].as_i64());
    assert!(s.add_operation("1", Operation::Backup));
    let after = c.get("/api/v1/backups").json();
    let (b, a) = (&before[0], &after[0]);
    assert!(a["Backup"]["Metadata"]["LastBackupFinished"].as_str() > b["Backup"]["Metadata"]["LastBackupFinished"].as_str());
    assert!(a["Schedule"]["LastRun"].as_str() > b["Schedule"]["LastRun"].as_str());
    assert!(a["Schedule"]["Time"].as_str() > a["Schedule"]["LastRun"].as_str(), "the next run follows the last one");
    let state = c.get("/api/v1/serverstate").json();
    assert_eq!(state["ProposedSchedule"][0]["Item2"], a["Schedule"]["Time"]);
    // The keys the fixture recorded stay in their place; the error of 2 May stays too.
    let keys: Vec<&String> = a["Backup"]["Metadata"].as_object().unwrap().keys().collect();
    assert_eq!(keys.first().map(|k| k.as_str()), Some("LastBackupDate"));
    assert_eq!(a["Backup"]["Metadata"]["LastErrorDate"], "20250502T000002Z");
}
