//! The generated data set: paging, message content, add_rows / recreate_job_db.

mod common;

use std::collections::{BTreeSet, HashSet};

use common::Client;
use duplicati_testserver::{DataSet, ServerConfig, TestServer};
use serde_json::Value;

fn generated(jobs: u32, rows: u32, seed: u64) -> (TestServer, Client) {
    let cfg = ServerConfig { data: DataSet::Generated { jobs, rows_per_job: rows, seed }, ..ServerConfig::default() };
    let server = TestServer::start(cfg).unwrap();
    let mut client = Client::new(&server);
    client.login();
    (server, client)
}

fn page(c: &Client, q: &str) -> Vec<Value> {
    let r = c.get(&format!("/api/v1/backup/1/log?{q}"));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json().as_array().unwrap().clone()
}

fn ids(rows: &[Value]) -> Vec<u64> {
    rows.iter().map(|r| r["ID"].as_u64().unwrap()).collect()
}

#[test]
fn paging_clamp_and_exclusive_offset() {
    let (s, c) = generated(2, 1500, 7);
    assert_eq!(page(&c, "pagesize=5").len(), 10);
    assert_eq!(page(&c, "pagesize=999").len(), 500);
    assert_eq!(page(&c, "").len(), 100);
    assert_eq!(ids(&page(&c, "pagesize=10"))[0], 1500);

    let mut seen = BTreeSet::new();
    let mut offset: Option<u64> = None;
    let mut sizes = Vec::new();
    loop {
        let q = match offset {
            Some(o) => format!("offset={o}&pagesize=500"),
            None => "pagesize=500".to_string(),
        };
        let rows = page(&c, &q);
        let page_ids = ids(&rows);
        assert!(page_ids.windows(2).all(|w| w[0] > w[1]), "newest first");
        sizes.push(rows.len());
        for id in &page_ids {
            assert!(seen.insert(*id), "duplicate id {id}");
        }
        if rows.len() < 500 {
            break;
        }
        offset = page_ids.last().copied();
    }
    assert_eq!(sizes, vec![500, 500, 500, 0]);
    assert_eq!(seen.len(), 1500);
    assert_eq!((*seen.first().unwrap(), *seen.last().unwrap()), (1, 1500));
    assert_eq!(s.stats().log_requests["1"], 8);
}

#[test]
fn rows_are_deterministic_and_well_formed() {
    let (_s, c) = generated(3, 400, 42);
    let (_s2, c2) = generated(3, 400, 42);
    let a = c.get("/api/v1/backup/2/log?pagesize=500");
    assert!(a.body == c.get("/api/v1/backup/2/log?pagesize=500").body, "pages are stable");
    // Timestamps are anchored at server start; everything else depends on the seed only.
    let shape = |v: &Value| -> Vec<(u64, u64, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let m: Value = serde_json::from_str(r["Message"].as_str().unwrap()).unwrap();
                (r["ID"].as_u64().unwrap(), r["OperationID"].as_u64().unwrap(), format!("{}/{}", m["MainOperation"], m["ParsedResult"]))
            })
            .collect()
    };
    assert_eq!(shape(&a.json()), shape(&c2.get("/api/v1/backup/2/log?pagesize=500").json()), "same seed, same rows");
    let text = a.text();
    assert!(text.is_ascii(), "STJ escapes all non-ASCII");
    assert!(!text.contains("\\\""), "quotes are written as \\u0022");

    let (mut ops, mut results) = (HashSet::new(), HashSet::new());
    let (mut interrupted, mut partial, mut fatal_line) = (false, false, false);
    let mut last_ts = i64::MAX;
    let mut last_op = u64::MAX;
    for row in a.json().as_array().unwrap() {
        let keys: Vec<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["ID", "OperationID", "Timestamp", "Type", "Message", "Exception"]);
        assert_eq!(row["Type"], "Result");
        assert_eq!(row["Exception"], serde_json::json!({}));
        let ts = row["Timestamp"].as_i64().unwrap();
        assert!(ts <= last_ts, "timestamps ascend with ID");
        last_ts = ts;
        let op = row["OperationID"].as_u64().unwrap();
        assert!(op < last_op);
        last_op = op;
        let msg: Value = serde_json::from_str(row["Message"].as_str().unwrap()).expect("Message is JSON");
        let m = msg.as_object().unwrap();
        let tail: Vec<&str> = m.keys().map(String::as_str).skip_while(|k| *k != "ParsedResult").collect();
        assert_eq!(
            tail,
            [
                "ParsedResult",
                "Interrupted",
                "Version",
                "EndTime",
                "BeginTime",
                "Duration",
                "MessagesActualLength",
                "WarningsActualLength",
                "ErrorsActualLength",
                "Messages",
                "Warnings",
                "Errors",
                "BackendStatistics"
            ]
        );
        assert_eq!(msg["Version"], "2.1.0.5 (2.1.0.5_stable_2025-03-04)");
        let end = msg["EndTime"].as_str().unwrap();
        assert!(end.len() >= 20 && end.ends_with('Z') && &end[10..11] == "T", "{end}");
        assert!(msg["Messages"].as_array().unwrap().len() <= 20);
        assert!(msg["MessagesActualLength"].as_u64().unwrap() >= msg["Messages"].as_array().unwrap().len() as u64);
        ops.insert(msg["MainOperation"].as_str().unwrap().to_string());
        results.insert(msg["ParsedResult"].as_str().unwrap().to_string());
        interrupted |= msg["Interrupted"] == true;
        if msg["PartialBackup"] == true {
            partial = true;
            let w = msg["Warnings"].as_array().unwrap();
            assert!(w.iter().any(|l| l.as_str().unwrap().ends_with("Cancellation was requested by user.")));
        }
        if msg["ParsedResult"] == "Fatal" {
            let last = msg["Errors"].as_array().unwrap().last().unwrap().as_str().unwrap().to_string();
            assert!(
                last.contains("[Error-Duplicati.Library.Main.Controller-FailedOperation]: The operation Backup has failed with error: ")
            );
            fatal_line = true;
        }
        if msg["MainOperation"] == "Backup" && msg["BackendStatistics"]["BytesUploaded"].as_i64().unwrap() > 0 {
            assert!(msg["SizeOfExaminedFiles"].as_i64().unwrap() > 0);
        }
    }
    for op in ["Backup", "Compact", "Test", "Restore", "Repair", "Delete", "List"] {
        assert!(ops.contains(op), "missing operation {op}: {ops:?}");
    }
    for r in ["Success", "Warning", "Error", "Fatal"] {
        assert!(results.contains(r), "missing result {r}");
    }
    assert!(interrupted && partial && fatal_line);
}

#[test]
fn backups_list_and_serverstate() {
    let (_s, c) = generated(4, 50, 3);
    let backups = c.get("/api/v1/backups").json();
    let list = backups.as_array().unwrap();
    assert_eq!(list.len(), 4);
    for (i, item) in list.iter().enumerate() {
        let b = &item["Backup"];
        assert_eq!(b["ID"], (i + 1).to_string());
        assert!(!b["Name"].as_str().unwrap().is_empty());
        assert!(b["TargetURL"].as_str().unwrap().contains("auth-password="));
        assert!(b["Metadata"]["LastBackupDate"].as_str().unwrap().ends_with('Z'));
        let s = &item["Schedule"];
        let days = s["AllowedDays"].as_array().unwrap();
        assert_eq!(days.len() % 2, 0, "doubled day names");
        assert!(["1D", "1W"].contains(&s["Repeat"].as_str().unwrap()));
        assert!(s["Rule"].as_str().unwrap().starts_with("AllowedWeekDays="));
    }
    let raw = c.get("/api/v1/backups").text();
    assert!(raw.contains("\\u0026auth-password="), "& is escaped like STJ does");
    let state = c.get("/api/v1/serverstate").json();
    assert_eq!(state["ProposedSchedule"].as_array().unwrap().len(), 4);
}

#[test]
fn add_rows_and_recreate_job_db() {
    let (s, c) = generated(2, 30, 5);
    let before = page(&c, "pagesize=10");
    let newest_ts = before[0]["Timestamp"].as_i64().unwrap();
    s.add_rows("1", 5);
    let after = page(&c, "pagesize=10");
    assert_eq!(ids(&after)[..6], [35, 34, 33, 32, 31, 30]);
    assert_eq!(after[5], before[0], "old rows unchanged");
    assert!(after[4]["Timestamp"].as_i64().unwrap() >= newest_ts);

    s.recreate_job_db("1", 12);
    let rec = page(&c, "pagesize=500");
    assert_eq!(ids(&rec), (1..=12).rev().collect::<Vec<_>>());
    assert!(rec[11]["Timestamp"].as_i64().unwrap() >= after[0]["Timestamp"].as_i64().unwrap(), "newer timestamps");
    s.recreate_job_db("1", 0);
    assert_eq!(c.get("/api/v1/backup/1/log").text(), "[]");

    // Fixture job 1 continues after its 6 recorded rows.
    let fs = TestServer::start(ServerConfig::default()).unwrap();
    let mut fc = Client::new(&fs);
    fc.login();
    fs.add_rows("1", 3);
    let rows = fc.get("/api/v1/backup/1/log").json();
    assert_eq!(ids(rows.as_array().unwrap()), vec![9, 8, 7, 6, 5, 4, 3, 2, 1]);
    fs.add_rows("3", 2);
    assert_eq!(fc.get("/api/v1/backup/3/log").json().as_array().unwrap().len(), 2);
}
