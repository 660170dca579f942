//! The command line, run as the real `duplidesk` binary against the project's Duplicati test
//! server, with real store files and (for `--all`) the real OS keychain.
use duplicati_testserver::{DataSet, ServerConfig, TestServer, TlsMode};
use duplidesk_core::store::{LogQuery, Store};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_duplidesk");

fn run(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("DUPLIDESK_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\nstderr: {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

fn count(data: &Path) -> u64 {
    Store::open_in(data).unwrap().count_logs(&LogQuery::default()).unwrap()
}

fn start(data: DataSet, tls: TlsMode) -> TestServer {
    TestServer::start(ServerConfig { data, tls, ..ServerConfig::default() }).unwrap()
}

#[test]
fn collect_prints_the_documented_json_and_exit_codes() {
    let server = start(DataSet::Fixture, TlsMode::SelfSigned);
    let dir = tempfile::tempdir().unwrap();
    let port = server.port().to_string();
    let hosts = "127.0.0.1,no-such-host.invalid";
    let out =
        run(dir.path(), &["collect", hosts, "--port", &port, "--password-stdin", "--json", "--no-save-password"], Some("duplicati\n"));
    assert_eq!(out.status.code(), Some(1), "one host failed → 1");
    let doc = json(&out);
    let hosts = doc["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 2);
    let ok = &hosts[0];
    assert_eq!(ok["host"], format!("127.0.0.1:{port}"));
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["new"], 6);
    for key in ["skipped", "errors", "duration_ms"] {
        assert!(ok[key].is_u64(), "{key}");
    }
    let server_json = &ok["server"];
    for key in ["id", "name", "machine_id", "url", "protocol", "certificate_sha256", "version"] {
        assert!(server_json.get(key).is_some(), "server.{key} missing: {server_json}");
    }
    assert_eq!(server_json["protocol"], "https-self-signed");
    assert_eq!(server_json["certificate_sha256"].as_str(), server.cert_sha256().as_deref());
    let bad = &hosts[1];
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["error"]["code"], "dns_failed");
    assert!(bad["error"]["message"].as_str().unwrap().contains("no-such-host.invalid"));
    assert!(!bad["error"]["hint"].as_str().unwrap().is_empty());

    let again = run(
        dir.path(),
        &["collect", "127.0.0.1", "--port", &port, "--password-stdin", "--json", "--no-save-password"],
        Some("duplicati\n"),
    );
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(json(&again)["hosts"][0]["new"], 0);

    // The table form names the protocol and the pinned fingerprint.
    let table = run(dir.path(), &["collect", "127.0.0.1", "--port", &port, "--password-stdin", "--no-save-password"], Some("duplicati\n"));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("https-self-signed") && text.contains(&server.cert_sha256().unwrap()), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let no_hosts = run(dir.path(), &["collect"], None);
    assert_eq!(no_hosts.status.code(), Some(2));
    let said = String::from_utf8_lossy(&no_hosts.stderr);
    assert!(said.contains("invalid_input") && said.contains("--all"), "collect without hosts says what to pass: {said}");
    assert_eq!(run(dir.path(), &["collect", "a", "--all"], None).status.code(), Some(2));
    assert_eq!(run(dir.path(), &["logs", "--status", "nonsense"], None).status.code(), Some(2));
    assert_eq!(run(dir.path(), &["logs", "--from", "yesterday"], None).status.code(), Some(2));
    assert_eq!(run(dir.path(), &["frobnicate"], None).status.code(), Some(2));
    let help = run(dir.path(), &["--help"], None);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("collect"));
}

#[test]
fn logs_and_servers_list_what_was_collected() {
    let server = start(DataSet::Fixture, TlsMode::Plain);
    let dir = tempfile::tempdir().unwrap();
    let port = server.port().to_string();
    let out = run(dir.path(), &["collect", "127.0.0.1", "--port", &port, "--password-stdin", "--no-save-password"], Some("duplicati\n"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let all = json(&run(dir.path(), &["logs", "--json", "--limit", "0"], None));
    let rows = all.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    let first = &rows[0];
    for key in ["id", "date", "status", "type", "server", "job", "message", "duration_s"] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert!(chrono::DateTime::parse_from_rfc3339(first["date"].as_str().unwrap()).is_ok());
    assert_eq!(first["server"], "fileserver01");

    let errors = json(&run(dir.path(), &["logs", "--json", "--status", "error,warning"], None));
    assert_eq!(errors.as_array().unwrap().len(), 3);
    let compact = json(&run(dir.path(), &["logs", "--json", "--type", "Compact", "--job", "Documents", "--server", "fileserver01"], None));
    assert_eq!(compact.as_array().unwrap().len(), 1);
    let limited = json(&run(dir.path(), &["logs", "--json", "--limit", "2", "--offset", "1"], None));
    assert_eq!(limited.as_array().unwrap().len(), 2);
    assert_eq!(limited[0]["id"], rows[1]["id"]);

    // --to includes that whole (local) day: the fixture's last run began 2025-05-04 00:00 UTC.
    let day = chrono_day(rows[0]["date"].as_str().unwrap());
    let same_day = json(&run(dir.path(), &["logs", "--json", "--from", &day, "--to", &day], None));
    assert!(same_day.as_array().unwrap().iter().any(|r| r["id"] == rows[0]["id"]));

    let csv = run(dir.path(), &["logs", "--csv", "--limit", "0"], None);
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.starts_with("id,date,status,type,server,job,duration_s,message,"), "the first columns as they always were: {csv}");
    assert_eq!(csv.lines().count(), 7);

    let servers = json(&run(dir.path(), &["servers", "--json"], None));
    let s = &servers[0];
    assert_eq!(s["name"], "fileserver01");
    assert_eq!(s["protocol"], "http");
    assert_eq!(s["url"], format!("http://127.0.0.1:{port}"));
    assert_eq!(s["last_result"]["ok"], true);
}

/// The local calendar day (YYYY-MM-DD) of an RFC 3339 date with offset, as printed by `logs`.
fn chrono_day(rfc3339: &str) -> String {
    rfc3339[..10].to_owned()
}

#[test]
fn save_json_writes_redacted_files_that_import_back() {
    let server = TestServer::start(ServerConfig { password: "s3cret-pw".into(), ..ServerConfig::default() }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let port = server.port().to_string();
    let out = run(
        dir.path(),
        &[
            "collect",
            "127.0.0.1",
            "--port",
            &port,
            "--password-stdin",
            "--no-save-password",
            "--save-json",
            out_dir.path().to_str().unwrap(),
        ],
        Some("s3cret-pw\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let files: Vec<_> = std::fs::read_dir(out_dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    let re_ok = name.starts_with("fileserver01_collected_")
        && name.ends_with(".json")
        && name.len() == "fileserver01_collected_2025-05-04T09:15:02.json".len();
    assert!(re_ok, "{name}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(doc["system_info"]["MachineName"] == "fileserver01");
    assert_eq!(doc["backups"].as_array().unwrap().len(), 3);
    assert_eq!(doc["backup_logs"]["1"].as_array().unwrap().len(), 6);
    assert!(!text.contains("exampleSecretKey") && !text.contains("example-pass") && !text.contains("s3cret-pw"), "credentials redacted");

    let fresh = tempfile::tempdir().unwrap();
    let imported = run(fresh.path(), &["import", files[0].to_str().unwrap(), "--json"], None);
    assert_eq!(imported.status.code(), Some(0), "{}", String::from_utf8_lossy(&imported.stderr));
    assert_eq!(json(&imported)["files"][0]["summary"]["new"], 6);
    assert_eq!(count(fresh.path()), 6 + 1, "six entries and the import's info entry");
    let again = run(fresh.path(), &["import", files[0].to_str().unwrap(), "--json"], None);
    assert_eq!(json(&again)["files"][0]["summary"]["new"], 0, "same dedupe as a collection");
    let broken = fresh.path().join("broken.json");
    std::fs::write(&broken, "{\"system_info\": 3").unwrap();
    let bad = run(fresh.path(), &["import", broken.to_str().unwrap()], None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid_response"));
}

/// A collection killed with SIGKILL mid-way and run again ends with exactly the entries an
/// uninterrupted run gives.
#[test]
fn a_killed_collection_run_again_gives_exactly_the_full_set() {
    let server = TestServer::start(ServerConfig {
        data: DataSet::Generated { jobs: 4, rows_per_job: 2500, seed: 3 },
        latency: Duration::from_millis(30),
        ..ServerConfig::default()
    })
    .unwrap();
    let port = server.port().to_string();
    let args = ["collect", "127.0.0.1", "--port", &port, "--password-stdin", "--no-save-password", "--json"];

    let clean = tempfile::tempdir().unwrap();
    assert_eq!(run(clean.path(), &args, Some("duplicati\n")).status.code(), Some(0));
    let expected = count(clean.path());
    assert_eq!(expected, 10_000);

    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        let mut child = Command::new(BIN)
            .args(args)
            .env("DUPLIDESK_DATA_DIR", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"duplicati\n").unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let target = 1500 * (round + 1);
        while Store::open_in(dir.path()).map(|s| s.total_entries().unwrap_or(0)).unwrap_or(0) < target && Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    let partial = count(dir.path());
    assert!(partial < expected, "the kills interrupted the collection ({partial})");
    let out = run(dir.path(), &args, Some("duplicati\n"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(count(dir.path()), expected);
}

/// `collect --all` uses the passwords kept in the real OS keychain (Secret Service inside the
/// test session), and removing a server removes its keychain entry.
#[test]
fn collect_all_uses_the_keychain() {
    let a = start(DataSet::Fixture, TlsMode::Plain);
    let b = TestServer::start(ServerConfig {
        data: DataSet::Generated { jobs: 2, rows_per_job: 15, seed: 9 },
        machine_name: "nas02".into(),
        machine_id: "0123456789abcdef0123456789abcdef".into(),
        password: "other-secret".into(),
        ..ServerConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (server, pw) in [(&a, "duplicati\n"), (&b, "other-secret\n")] {
        let out = run(dir.path(), &["collect", "127.0.0.1", "--port", &server.port().to_string(), "--password-stdin", "--json"], Some(pw));
        let doc = json(&out);
        assert_eq!(doc["hosts"][0]["ok"], true, "{doc}");
        assert_eq!(doc["hosts"][0]["notes"].as_array().unwrap().len(), 0, "password saved in the keychain: {doc}");
    }
    let before = count(dir.path());
    a.add_rows("1", 2);
    b.add_rows("2", 3);
    let all = run(dir.path(), &["collect", "--all", "--json"], None);
    let doc = json(&all);
    assert_eq!(all.status.code(), Some(0), "{doc}");
    let new: u64 = doc["hosts"].as_array().unwrap().iter().map(|h| h["new"].as_u64().unwrap()).sum();
    assert_eq!(new, 5);
    assert_eq!(count(dir.path()), before + 5);
    let store_file = std::fs::read(dir.path().join("duplidesk.sqlite")).unwrap();
    assert!(!String::from_utf8_lossy(&store_file).contains("other-secret"), "no password in the store");

    let removed = run(dir.path(), &["servers", "--remove", "nas02"], None);
    assert_eq!(removed.status.code(), Some(0), "{}", String::from_utf8_lossy(&removed.stderr));
    let all = run(dir.path(), &["collect", "--all", "--json"], None);
    assert_eq!(json(&all)["hosts"].as_array().unwrap().len(), 1);
}

/// `duplidesk logs | head -1`: the reader goes away after one line; the command ends quietly
/// (exit 0, nothing on stderr) instead of panicking on the broken pipe.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let server = start(DataSet::Generated { jobs: 2, rows_per_job: 1500, seed: 4 }, TlsMode::Plain);
    let dir = tempfile::tempdir().unwrap();
    let port = server.port().to_string();
    let out = run(dir.path(), &["collect", "127.0.0.1", "--port", &port, "--password-stdin", "--no-save-password"], Some("duplicati\n"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for args in [&["logs", "--limit", "0"][..], &["logs", "--limit", "0", "--csv"], &["logs", "--limit", "0", "--json"]] {
        let mut child = Command::new(BIN)
            .args(args)
            .env("DUPLIDESK_DATA_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
        assert!(!first.is_empty(), "{args:?} printed something");
        drop(stdout); // 3,000 entries do not fit the pipe: the command writes into a closed pipe
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?} said: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The README lists every error code the engine can return, and no other.
#[test]
fn the_readme_lists_every_error_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("Error codes are stable:").expect("the README's error code list");
    let list = &readme[start..start + readme[start..].find("each comes with").expect("end of the list")];
    let listed: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
    let codes: Vec<&str> = duplidesk_core::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, codes, "README.md and ErrorCode::ALL differ");
}

/// Separate command-line runs (a cron job) reuse the login kept in the OS keychain beside the
/// password: an unchanged Duplicati 2.1.2+ server gets no new token family per run, and no
/// token reaches the store.
#[test]
fn separate_runs_reuse_the_session_kept_in_the_keychain() {
    let server = TestServer::start(ServerConfig {
        version: duplicati_testserver::Version::V2_1_2,
        data: DataSet::Generated { jobs: 2, rows_per_job: 20, seed: 8 },
        password: "cron-secret".into(),
        ..ServerConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = server.port().to_string();
    let first = run(dir.path(), &["collect", "127.0.0.1", "--port", &port, "--password-stdin", "--json"], Some("cron-secret\n"));
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stdout));
    assert_eq!(server.stats().token_families, 1);
    server.reset_stats();
    for _ in 0..3 {
        let again = run(dir.path(), &["collect", "--all", "--json"], None);
        assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stdout));
    }
    let st = server.stats();
    assert_eq!((st.logins, st.token_families), (0, 0), "{st:?}");
    let store_file = std::fs::read(dir.path().join("duplidesk.sqlite")).unwrap();
    let text = String::from_utf8_lossy(&store_file);
    assert!(!text.contains("RefreshToken_") && !text.contains("eyJ") && !text.contains("cron-secret"), "no credential in the store");
}

/// `--from`/`--to` days are days of the computer's time zone (`TZ`), the To day included whole:
/// on 2025-03-09 New York skipped an hour (a 23-hour day); the same instants fall on other days
/// in Tokyo. `--search` finds text in messages.
#[test]
fn days_are_local_to_the_computers_time_zone_across_a_dst_change() {
    use duplidesk_core::monitor::NewEntry;
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open_in(dir.path()).unwrap();
        let utc = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
        for (name, at) in [
            ("before", "2025-03-09T04:59:59Z"), // 2025-03-08 23:59:59 EST
            ("first", "2025-03-09T05:00:00Z"),  // 2025-03-09 00:00:00 EST
            ("last", "2025-03-10T03:59:59Z"),   // 2025-03-09 23:59:59 EDT
            ("after", "2025-03-10T04:00:00Z"),  // 2025-03-10 00:00:00 EDT
        ] {
            let entry = NewEntry::system(duplidesk_core::Status::Info, utc(at), format!("entry {name}"));
            store.insert_system_entry(None, "nas", &entry).unwrap();
        }
    }
    let messages = |tz: &str, args: &[&str]| -> Vec<String> {
        let out =
            Command::new(BIN).args(["logs", "--json"]).args(args).env("DUPLIDESK_DATA_DIR", dir.path()).env("TZ", tz).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let mut m: Vec<String> = json(&out).as_array().unwrap().iter().map(|r| r["message"].as_str().unwrap().to_owned()).collect();
        m.sort();
        m
    };
    let day = ["--from", "2025-03-09", "--to", "2025-03-09"];
    assert_eq!(messages("America/New_York", &day), ["entry first", "entry last"]);
    // Tokyo (+09:00, no DST): 2025-03-09 is 2025-03-08T15:00Z .. 2025-03-09T15:00Z.
    assert_eq!(messages("Asia/Tokyo", &day), ["entry before", "entry first"]);
    assert_eq!(messages("America/New_York", &["--to", "2025-03-08"]), ["entry before"]);
    assert_eq!(messages("UTC", &["--search", "FIRST"]), ["entry first"]);
    // Dates are printed in that zone too.
    let out = Command::new(BIN)
        .args(["logs", "--csv", "--search", "first"])
        .env("DUPLIDESK_DATA_DIR", dir.path())
        .env("TZ", "America/New_York")
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(csv.lines().next(), Some(duplidesk_core::logs_file::CSV_HEADER));
    assert!(csv.lines().nth(1).unwrap().contains(",2025-03-09T00:00:00-05:00,info,System,nas,,,entry first,,,0,0"), "{csv}");
}

/// One `duplidesk watch --once --json` pass: its exit code and its JSON lines.
fn watch_once(data: &Path) -> (Option<i32>, Vec<Value>) {
    let out = run(data, &["watch", "--once", "--json", "--no-notify"], None);
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    (out.status.code(), lines)
}

fn statuses(lines: &[Value]) -> Vec<&str> {
    lines.iter().filter(|l| l["event"] == "entry").filter_map(|l| l["status"].as_str()).collect()
}

#[test]
fn watch_once_reports_a_running_job_and_one_episode_for_a_server_that_is_down_then_back() {
    let data = DataSet::Generated { jobs: 1, rows_per_job: 4, seed: 12 };
    let server = start(data.clone(), TlsMode::Plain);
    let addr = server.addr();
    let dir = tempfile::tempdir().unwrap();
    let port = server.port().to_string();
    let out = run(dir.path(), &["collect", "127.0.0.1", "--port", &port, "--password-stdin", "--allow-http"], Some("duplicati\n"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    // Nothing new: a quiet pass.
    let (code, lines) = watch_once(dir.path());
    assert_eq!((code, statuses(&lines)), (Some(0), vec![]), "{lines:?}");

    // A backup starts: one `started` entry, not repeated while it runs.
    assert!(server.start_task("1"));
    let (code, lines) = watch_once(dir.path());
    assert_eq!((code, statuses(&lines)), (Some(0), vec!["started"]), "{lines:?}");
    assert_eq!(statuses(&watch_once(dir.path()).1), Vec::<&str>::new(), "still running: nothing new");
    assert!(server.finish_task("1"));
    let (_, lines) = watch_once(dir.path());
    assert_eq!(statuses(&lines), vec!["completed"], "{lines:?}");

    // The server goes down for three passes: each fails (exit 1), one `connection` entry.
    drop(server);
    let mut connection = 0;
    for pass in 0..3 {
        let (code, lines) = watch_once(dir.path());
        assert_eq!(code, Some(1), "pass {pass}: {lines:?}");
        assert!(lines.iter().any(|l| l["event"] == "host_failed" && l["error"]["code"] == "connection_refused"), "{lines:?}");
        connection += statuses(&lines).iter().filter(|s| **s == "connection").count();
    }
    assert_eq!(connection, 1, "one entry per episode, not per attempt");

    // It comes back: an `info` entry says so, and the pass succeeds again.
    let _back = TestServer::start(ServerConfig { bind: addr, data, ..ServerConfig::default() }).unwrap();
    let (code, lines) = watch_once(dir.path());
    assert_eq!(code, Some(0), "{lines:?}");
    assert!(lines.iter().any(|l| l["status"] == "info" && l["message"].as_str().is_some_and(|m| m.contains("restored"))), "{lines:?}");
}
