//! Property tests: whatever a Duplicati server or a collected file holds, the result parser,
//! the redactor and the import never panic, never store a secret and never lose a valid row.
//!
//! The number of cases per property is modest by default so that the suite stays fast in a
//! debug build; `PROPTEST_CASES=N` runs N cases per property instead. The seed is fixed, so a
//! run of the suite is repeatable and a red one stays red until fixed; `PROPTEST_RNG_SEED=N`
//! explores other cases (`PROPTEST_RNG_SEED=$RANDOM PROPTEST_CASES=5000`).
use duplidesk_core::duplicati::wire::{BackupItem, LogRow};
use duplidesk_core::export::{self, CollectedData};
use duplidesk_core::import::{self, ImportSummary, ImportTarget};
use duplidesk_core::model::Status;
use duplidesk_core::monitor::{self, DETAILS_CAP};
use duplidesk_core::redact;
use duplidesk_core::store::{now_ts, Store};
use duplidesk_core::text::clean_line;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde::de::IgnoredAny;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// `cases` from a fixed seed, unless `PROPTEST_CASES` or `PROPTEST_RNG_SEED` say otherwise.
fn config(cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x0d0b_1d65_c0de);
    }
    config
}

// ---------------------------------------------------------------------------------------------
// JSON text as a server may write it: our own tree, rendered with a chosen escaping style, so
// that numbers keep their raw spelling (huge, exponents, out of range) and strings may be
// escaped the way .NET escapes them (`\u0022`, `\u002B`, every non-ASCII character as UTF-16).
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    /// The number as written.
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

#[derive(Debug, Clone, Copy)]
enum Escapes {
    /// As serde_json writes: only `"`, `\` and control characters.
    Minimal,
    /// Every non-ASCII character as `\uXXXX` (surrogate pairs beyond the BMP).
    Ascii,
    /// System.Text.Json's default: HTML-sensitive characters and every non-ASCII one escaped.
    DotNet,
}

impl J {
    fn str(s: impl Into<String>) -> J {
        J::Str(s.into())
    }

    fn render(&self, esc: Escapes) -> String {
        let mut out = String::new();
        self.write(esc, &mut out);
        out
    }

    fn write(&self, esc: Escapes, out: &mut String) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Num(n) => out.push_str(n),
            J::Str(s) => write_str(s, esc, out),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(esc, out);
                }
                out.push(']');
            }
            J::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(k, esc, out);
                    out.push(':');
                    v.write(esc, out);
                }
                out.push('}');
            }
        }
    }
}

fn write_str(s: &str, esc: Escapes, out: &mut String) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' if matches!(esc, Escapes::DotNet) => out.push_str("\\u0022"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            '<' | '>' | '&' | '\'' | '+' | '`' if matches!(esc, Escapes::DotNet) => write!(out, "\\u{:04X}", c as u32).unwrap(),
            c if !c.is_ascii() && !matches!(esc, Escapes::Minimal) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(out, "\\u{u:04X}").unwrap();
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn escapes() -> impl Strategy<Value = Escapes> {
    prop_oneof![Just(Escapes::Minimal), Just(Escapes::Ascii), Just(Escapes::DotNet)]
}

/// Text of every kind: anything, line breaks of every kind, control characters, long.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        6 => "(?s).{0,40}",
        2 => "[ -~]{0,30}",
        2 => "[a \\n\\r\\t\u{0b}\u{0c}\u{85}\u{2028}\u{2029}\u{0}é😀]{0,12}",
        1 => "(?s).{200,700}",
    ]
    .boxed()
}

/// A number as a JSON text may spell it: in and out of i64, floats, exponents.
fn number() -> BoxedStrategy<String> {
    prop_oneof![
        4 => any::<i64>().prop_map(|n| n.to_string()),
        2 => (0i64..100).prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => "-?[1-9][0-9]{19,40}",
        1 => any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:?}")),
        1 => any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
        1 => prop_oneof![Just("-0"), Just("1E+308"), Just("4.9e-324"), Just("1e-400"), Just("0.0000001")].prop_map(str::to_owned),
    ]
    .boxed()
}

fn leaf() -> BoxedStrategy<J> {
    prop_oneof![
        2 => Just(J::Null),
        2 => any::<bool>().prop_map(J::Bool),
        4 => number().prop_map(J::Num),
        6 => text().prop_map(J::Str),
    ]
    .boxed()
}

/// Any JSON value, nested a few levels.
fn any_json() -> BoxedStrategy<J> {
    leaf()
        .prop_recursive(4, 48, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(J::Arr),
                prop::collection::vec((text(), inner), 0..8).prop_map(J::Obj),
            ]
        })
        .boxed()
}

/// A value nested `depth` levels deep (serde_json refuses more than 128).
fn deep(depth: usize, object: bool) -> J {
    let mut v = J::Num("1".into());
    for _ in 0..depth {
        v = if object { J::Obj(vec![("a".into(), v)]) } else { J::Arr(vec![v]) };
    }
    v
}

/// What a field of the wrong type may hold instead.
fn wrong_type() -> BoxedStrategy<J> {
    prop_oneof![
        12 => any_json(),
        4 => (1usize..160, any::<bool>()).prop_map(|(d, o)| deep(d, o)),
        // Out of f64's range: serde_json refuses the whole text.
        1 => Just(J::Num("1e400".into())),
    ]
    .boxed()
}

/// Mostly the right kind of value, sometimes null, sometimes anything.
fn typed(right: BoxedStrategy<J>) -> BoxedStrategy<J> {
    prop_oneof![8 => right, 1 => Just(J::Null), 1 => wrong_type()].boxed()
}

// ---------------------------------------------------------------------------------------------
// Duplicati results: the object a log row's `Message` holds, with random values, types,
// missing fields, nulls, huge numbers and lists.
// ---------------------------------------------------------------------------------------------

fn timestamp_text() -> BoxedStrategy<String> {
    let valid = (1u32..=9999, 1u32..=12, 1u32..=31, 0u32..=23, 0u32..=59, 0u32..=60, 0u32..10_000_000, 0usize..4).prop_map(
        |(y, mo, d, h, mi, s, frac, zone)| {
            let zone = ["Z", "+02:00", "-11:30", ""][zone];
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:07}{zone}")
        },
    );
    prop_oneof![
        6 => valid,
        1 => Just("0001-01-01T00:00:00".to_owned()),
        1 => Just("9999-12-31T23:59:59.9999999Z".to_owned()),
        1 => text(),
    ]
    .boxed()
}

fn timespan_text() -> BoxedStrategy<String> {
    let valid = (any::<bool>(), 0u32..40, 0u32..24, 0u32..60, 0u32..60, 0u32..10_000_000, any::<bool>()).prop_map(
        |(neg, d, h, m, s, frac, with_days)| {
            let sign = if neg { "-" } else { "" };
            if with_days {
                format!("{sign}{d}.{h:02}:{m:02}:{s:02}.{frac:07}")
            } else {
                format!("{sign}{h:02}:{m:02}:{s:02}.{frac:07}")
            }
        },
    );
    prop_oneof![
        6 => valid,
        2 => prop_oneof![
            Just("NaN:00:00"), Just("00:00:NaN"), Just("inf:00:00"), Just("-inf:00:00"), Just("00:-5:00"),
            Just("1e308.00:00:00"), Just("99999999999999999999:00:00"), Just("infinity.00:00:00"), Just("00:00:1e309"),
        ]
        .prop_map(str::to_owned),
        1 => text(),
    ]
    .boxed()
}

fn log_line() -> BoxedStrategy<String> {
    let level = prop_oneof![Just("Warning"), Just("Error"), Just("Information"), Just("Retry")];
    let source = prop_oneof![
        prop_oneof![
            Just("Duplicati.Library.Main.Operation.BackupHandler-FailedOperation"),
            Just("Duplicati.Library.Main.Operation.Backup.FileEnumerationProcess-FileAccessError"),
            Just("Duplicati.Library.Modules.Builtin.RunScript-InvalidExitCode"),
        ]
        .prop_map(str::to_owned),
        "[A-Za-z.]{0,30}-[A-Za-z]{0,10}",
    ];
    prop_oneof![
        3 => (level, source, text()).prop_map(|(l, s, t)| format!("2025-05-04 02:00:00 +02 - [{l}-{s}]: {t}")),
        1 => text(),
        1 => Just("x - [y]: ".to_owned()),
    ]
    .boxed()
}

/// The `Warnings`/`Errors` lists: short, none, or huge.
fn log_lines() -> BoxedStrategy<J> {
    prop_oneof![
        12 => prop::collection::vec(log_line().prop_map(J::Str), 0..5).prop_map(J::Arr),
        // Huge: one line, many times over (cheap to generate).
        1 => (log_line(), 0usize..3000).prop_map(|(line, n)| J::Arr((0..n).map(|i| J::Str(format!("{line} #{i}"))).collect())),
        2 => prop::collection::vec(leaf(), 0..5).prop_map(J::Arr),
    ]
    .boxed()
}

fn operation() -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop_oneof![
            Just("Backup"), Just("Restore"), Just("Compact"), Just("List"), Just("Test"), Just("Repair"), Just("Delete"),
            Just("Vacuum"), Just("PurgeFiles"), Just(""),
        ]
        .prop_map(str::to_owned),
        2 => text(),
    ]
    .boxed()
}

fn parsed_result() -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop_oneof![Just("Success"), Just("Warning"), Just("Error"), Just("Fatal"), Just("Unknown"), Just("error")].prop_map(str::to_owned),
        1 => text(),
    ]
    .boxed()
}

fn count() -> BoxedStrategy<J> {
    prop_oneof![
        4 => (0i64..1_000_000).prop_map(|n| J::Num(n.to_string())),
        2 => number().prop_map(J::Num),
        1 => (0i64..1000).prop_map(|n| J::Str(n.to_string())),
    ]
    .boxed()
}

fn backend_statistics() -> BoxedStrategy<J> {
    let fields = vec![
        field("BytesUploaded", count()),
        field("KnownFileSize", count()),
        field("RemoteCalls", count()),
        field("LastBackupDate", timestamp_text().prop_map(J::Str).boxed()),
        field("ParsedResult", parsed_result().prop_map(J::Str).boxed()),
    ];
    fields.prop_map(|fs| J::Obj(fs.into_iter().flatten().collect())).boxed()
}

/// A field present four times out of five, of the right type most of the time.
fn field(name: &'static str, right: BoxedStrategy<J>) -> BoxedStrategy<Option<(String, J)>> {
    prop::option::weighted(0.8, typed(right).prop_map(move |v| (name.to_owned(), v))).boxed()
}

/// Where a TargetURL hides in a result, when it carries one.
#[derive(Debug, Clone, Copy)]
enum Hide {
    Top,
    InBackendStatistics,
    Nested,
}

/// A Duplicati result object. `secret_url`: a TargetURL with credentials to hide in it (the
/// result then stays JSON that serde_json reads, so that the key can be found).
fn duplicati_result(secret_url: Option<(String, Hide)>) -> BoxedStrategy<J> {
    let clean = secret_url.is_some();
    let fields = vec![
        field("MainOperation", operation().prop_map(J::Str).boxed()),
        field("ParsedResult", parsed_result().prop_map(J::Str).boxed()),
        field("Interrupted", any::<bool>().prop_map(J::Bool).boxed()),
        field("PartialBackup", any::<bool>().prop_map(J::Bool).boxed()),
        field("BeginTime", timestamp_text().prop_map(J::Str).boxed()),
        field("EndTime", timestamp_text().prop_map(J::Str).boxed()),
        field("Duration", timespan_text().prop_map(J::Str).boxed()),
        field("ExaminedFiles", count()),
        field("AddedFiles", count()),
        field("ModifiedFiles", count()),
        field("DeletedFiles", count()),
        field("SizeOfExaminedFiles", count()),
        field("RestoredFiles", count()),
        field("WarningsActualLength", count()),
        field("ErrorsActualLength", count()),
        field("Warnings", log_lines()),
        field("Errors", log_lines()),
        field("Messages", log_lines()),
        field("BackendStatistics", backend_statistics()),
        field("Version", Just(J::str("2.1.0.5 (2.1.0.5_stable_2025-03-04)")).boxed()),
    ];
    let extras = prop::collection::vec(("[A-Za-z]{1,12}", any_json()), 0..3);
    (fields, extras)
        .prop_map(move |(fields, extras)| {
            let mut fields: Vec<(String, J)> = fields.into_iter().flatten().collect();
            fields.extend(extras);
            // Duplicati writes each key once.
            let mut seen = BTreeSet::new();
            fields.retain(|(k, _)| seen.insert(k.clone()));
            if clean {
                fields.iter_mut().for_each(|(_, v)| make_readable(v));
            }
            if let Some((url, hide)) = &secret_url {
                let entry = (target_url_key(url.len()), J::str(url.clone()));
                match hide {
                    Hide::Top => fields.push(entry),
                    Hide::InBackendStatistics => {
                        fields.retain(|(k, _)| k != "BackendStatistics");
                        fields.push(("BackendStatistics".into(), J::Obj(vec![entry])));
                    }
                    Hide::Nested => {
                        fields.push(("TestResults".into(), J::Arr(vec![J::Obj(vec![("Backend".into(), J::Obj(vec![entry]))])])))
                    }
                }
            }
            J::Obj(fields)
        })
        .boxed()
}

/// Removes what serde_json refuses: numbers out of f64's range and nesting beyond its limit.
fn make_readable(v: &mut J) {
    fn walk(v: &mut J, depth: usize) {
        match v {
            J::Num(n) if n.contains("e400") => *n = "0".into(),
            J::Arr(items) if depth > 60 => items.clear(),
            J::Obj(fields) if depth > 60 => fields.clear(),
            J::Arr(items) => items.iter_mut().for_each(|i| walk(i, depth + 1)),
            J::Obj(fields) => fields.iter_mut().for_each(|(_, v)| walk(v, depth + 1)),
            _ => {}
        }
    }
    walk(v, 0)
}

/// `TargetURL` in one of its spellings (the redactor ignores the case of the key).
fn target_url_key(pick: usize) -> String {
    ["TargetURL", "targeturl", "TARGETURL", "TargetUrl", "targetURL"][pick % 5].to_owned()
}

/// Tokens that make JSON-looking text that is often not JSON.
fn json_soup() -> BoxedStrategy<String> {
    let token = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"ParsedResult\"",
        "\"Error\"",
        "\"Fatal\"",
        "\"MainOperation\"",
        "\"Duration\"",
        "\"00:00:01\"",
        "\"\\ud800\"",
        "\"\\udc00x\"",
        "\"\\ud83d\\ude00\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\u{0}\"",
        "1e400",
        "-",
        "null",
        "true",
        "\"",
        "\\",
        "18446744073709551616",
        " ",
        "\"Errors\"",
        "\"Interrupted\"",
    ]);
    prop::collection::vec(token, 0..30).prop_map(|t| t.concat()).boxed()
}

/// What a log row's `Message` may hold.
fn message_text() -> BoxedStrategy<String> {
    prop_oneof![
        6 => (duplicati_result(None), escapes()).prop_map(|(j, e)| j.render(e)),
        1 => (any_json(), escapes()).prop_map(|(j, e)| j.render(e)),
        1 => (1usize..200, any::<bool>()).prop_map(|(d, o)| deep(d, o).render(Escapes::Minimal)),
        1 => text(),
        1 => json_soup(),
        1 => (any::<char>(), DETAILS_CAP - 10..DETAILS_CAP + 200).prop_map(|(c, n)| std::iter::repeat_n(c, n / c.len_utf8()).collect()),
    ]
    .boxed()
}

fn row(id: i64, timestamp: i64, message: Option<String>) -> LogRow {
    LogRow { id, operation_id: 1, timestamp, message, exception: IgnoredAny }
}

/// Line breaks of every kind (a one-line message has none).
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn check_entry(message: Option<&str>, e: &monitor::NewEntry) -> Result<(), TestCaseError> {
    let raw = message.unwrap_or("");
    prop_assert!(
        matches!(e.status, Status::Completed | Status::Warning | Status::Error | Status::Stopped | Status::Info),
        "a log row is never {:?}",
        e.status
    );
    prop_assert!(!e.message.chars().any(is_line_break), "the message is one line: {:?}", e.message);
    prop_assert!(e.message.chars().count() <= monitor::MESSAGE_CHARS, "message of {} characters", e.message.chars().count());
    prop_assert!(!e.op_type.chars().any(is_line_break), "the type is one line: {:?}", e.op_type);
    prop_assert!(e.details.len() <= DETAILS_CAP, "details of {} bytes", e.details.len());
    // Details are the Message as sent, shortened when too long (and redacted when they hold a
    // TargetURL: the import's property checks that).
    if redact::redact_json_text(raw).is_none() {
        if raw.len() > DETAILS_CAP {
            prop_assert_eq!(e.details_cut_from, Some(raw.len() as u64));
        } else {
            prop_assert_eq!((e.details.as_str(), e.details_cut_from), (raw, None));
        }
    }
    if let Some(d) = e.duration_s {
        prop_assert!(d.is_finite() && d >= 0.0, "duration {}", d);
    }
    // A result Duplicati could have written (a JSON object) that says it failed is an error,
    // whatever else it says (Interrupted, PartialBackup, odd types elsewhere).
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(raw) {
        if matches!(map.get("ParsedResult").and_then(Value::as_str), Some("Error" | "Fatal")) {
            prop_assert_eq!(e.status, Status::Error, "ParsedResult {:?}", map.get("ParsedResult"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    /// Property 1: any `Message` maps to a sane entry.
    #[test]
    fn any_message_maps_to_a_sane_entry(message in prop::option::weighted(0.95, message_text()), id in any::<i64>(), ts in any::<i64>()) {
        let e = monitor::entry_from_row(&row(id, ts, message.clone()));
        prop_assert_eq!((e.remote_id, e.remote_timestamp), (Some(id), Some(ts)));
        check_entry(message.as_deref(), &e)?;
        // The collector's path, which moves the Message into the details, stores the same.
        let owned = monitor::entry_from_owned_row(row(id, ts, message.clone()));
        prop_assert_eq!((&owned.details, owned.details_cut_from), (&e.details, e.details_cut_from));
        prop_assert_eq!((&owned.message, owned.status, &owned.op_type), (&e.message, e.status, &e.op_type));
        check_entry(message.as_deref(), &owned)?;
    }

    /// Property 1, failed runs: whatever `Interrupted`, `PartialBackup` and the other fields say
    /// (or however odd their types), `ParsedResult` Error or Fatal is an error.
    #[test]
    fn a_failed_result_is_an_error(
        result in duplicati_result(None),
        failed in prop_oneof![Just("Error"), Just("Fatal")],
        interrupted in typed(any::<bool>().prop_map(J::Bool).boxed()),
        partial in typed(any::<bool>().prop_map(J::Bool).boxed()),
        esc in escapes(),
    ) {
        let J::Obj(mut fields) = result else { unreachable!() };
        fields.retain(|(k, _)| !matches!(k.as_str(), "ParsedResult" | "Interrupted" | "PartialBackup"));
        fields.push(("Interrupted".into(), interrupted));
        fields.push(("ParsedResult".into(), J::str(failed)));
        fields.push(("PartialBackup".into(), partial));
        let text = J::Obj(fields).render(esc);
        let e = monitor::entry_from_row(&row(1, 1_746_316_800, Some(text.clone())));
        check_entry(Some(&text), &e)?;
        if serde_json::from_str::<Value>(&text).is_ok() {
            prop_assert_eq!(e.status, Status::Error);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Credentials. Every secret holds TAG, which nothing else generated here holds: a secret (or a
// part of one) that survives shows TAG. TAG is made of characters that neither JSON nor URL
// encoding changes, so it shows however the secret was written.
// ---------------------------------------------------------------------------------------------

const TAG: &str = "Sekr1tQz";

fn secret_char() -> BoxedStrategy<char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::char::range('A', 'Z'),
        1 => prop::char::range('0', '9'),
        3 => prop::sample::select(vec!['/', '@', ':', '%', '?', '#', '&', '=', '+', ' ', '!', '~', '*', '\'', '(', ')', ';', ',', '$', '"', '\\', '[', ']']),
        2 => prop::sample::select(vec!['é', 'ß', '€', '😀', '中', 'ñ', '\u{202e}', '\u{0}']),
    ]
    .boxed()
}

/// A secret whose characters pass `allowed`: `<random>TAG<random>`.
fn secret(allowed: fn(char) -> bool) -> BoxedStrategy<String> {
    let part = || prop::collection::vec(secret_char().prop_filter("allowed here", move |c| allowed(*c)), 0..6);
    (part(), part()).prop_map(|(a, b)| format!("{}{TAG}{}", a.into_iter().collect::<String>(), b.into_iter().collect::<String>())).boxed()
}

/// Percent-encoding as JavaScript's encodeURIComponent does it (Duplicati's UI builds the
/// query of a TargetURL with it).
fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Query keys that hold credentials (any case).
fn secret_key() -> BoxedStrategy<String> {
    let keys = vec![
        "auth-password",
        "auth-username",
        "pass",
        "passphrase",
        "password",
        "secret",
        "token",
        "key",
        "access-key",
        "s3-secret-key",
        "b2-accountkey",
        "azure-access-key",
        "sas-token",
        "authid",
        "oauth-token",
        "api_key",
        "client-secret",
        "pwd",
        "user",
        "credential",
        "signature",
    ];
    (prop::sample::select(keys), any::<u32>())
        .prop_map(|(k, case)| {
            k.chars().enumerate().map(|(i, c)| if case >> (i % 32) & 1 == 1 { c.to_ascii_uppercase() } else { c }).collect()
        })
        .boxed()
}

/// Query keys that hold nothing secret.
fn plain_key() -> BoxedStrategy<String> {
    prop::sample::select(vec![
        "s3-server-name",
        "s3-location-constraint",
        "s3-storage-class",
        "use-ssl",
        "ssh-fingerprint",
        "storage-class",
        "region",
        "timeout",
        "ftp-mode",
        "bucket",
        "s3-client",
    ])
    .prop_map(str::to_owned)
    .boxed()
}

#[derive(Debug, Clone)]
enum Param {
    Secret { key: String, value: String, encoded: bool },
    Plain { key: String, value: String },
}

#[derive(Debug, Clone)]
struct TargetUrl {
    scheme: String,
    user: Option<String>,
    password: Option<String>,
    host: String,
    port: Option<u16>,
    path: String,
    params: Vec<Param>,
}

impl TargetUrl {
    fn render(&self) -> String {
        let mut s = format!("{}://", self.scheme);
        if self.user.is_some() || self.password.is_some() {
            s.push_str(self.user.as_deref().unwrap_or(""));
            if let Some(p) = &self.password {
                s.push(':');
                s.push_str(p);
            }
            s.push('@');
        }
        s.push_str(&self.host);
        if let Some(port) = self.port {
            s.push_str(&format!(":{port}"));
        }
        s.push_str(&self.path);
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| match p {
                Param::Secret { key, value, encoded: true } => format!("{key}={}", encode_component(value)),
                Param::Secret { key, value, encoded: false } => format!("{key}={value}"),
                Param::Plain { key, value } => format!("{key}={value}"),
            })
            .collect();
        if !params.is_empty() {
            s.push('?');
            s.push_str(&params.join("&"));
        }
        s
    }

    fn has_credentials(&self) -> bool {
        self.user.is_some() || self.password.is_some() || self.params.iter().any(|p| matches!(p, Param::Secret { .. }))
    }
}

/// TargetURLs as users and Duplicati's UI write them. `path_at`: whether the path may hold `@`.
fn target_url(path_at: bool) -> BoxedStrategy<TargetUrl> {
    let scheme = prop_oneof![
        3 => prop::sample::select(vec!["ftp", "ssh", "s3", "webdav", "b2", "azure", "googledrive", "onedrivev2", "file", "aftp", "rclone", "e2", "jottacloud"])
            .prop_map(str::to_owned),
        1 => "[a-z][a-z0-9+.-]{0,8}",
    ];
    let path = if path_at { "(/[a-z0-9._@-]{0,8}){0,3}" } else { "(/[a-z0-9._-]{0,8}){0,3}" };
    let param = prop_oneof![
        // Raw values: anything but `&`, which no TargetURL can hold unencoded.
        (secret_key(), secret(|c| c != '&'), any::<bool>()).prop_map(|(key, value, encoded)| Param::Secret { key, value, encoded }),
        (plain_key(), "[a-z0-9.-]{1,10}").prop_map(|(key, value)| Param::Plain { key, value }),
    ];
    (
        scheme,
        // A username up to the first `:` (as Duplicati reads it), a password with anything.
        prop::option::weighted(0.4, secret(|c| c != ':')),
        prop::option::weighted(0.4, secret(|_| true)),
        "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,5}){0,2}",
        prop::option::of(1u16..),
        path,
        prop::collection::vec(param, 0..5),
    )
        .prop_map(|(scheme, user, password, host, port, path, params)| TargetUrl { scheme, user, password, host, port, path, params })
        .boxed()
}

/// Every string and key of a JSON document.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Property 2: no credential survives, and what is not one stays.
    #[test]
    fn a_redacted_target_url_holds_no_credential(url in target_url(false)) {
        let text = url.render();
        let red = redact::redact_target_url(&text);
        prop_assert!(!red.contains(TAG), "{} → {}", text, red);
        for p in url.user.iter().chain(&url.password) {
            prop_assert!(!red.contains(p.as_str()), "{} → {}", text, red);
        }
        prop_assert!(red.starts_with(&format!("{}://", url.scheme)), "{} → {}", text, red);
        if !url.has_credentials() {
            prop_assert_eq!(&red, &text, "nothing to redact");
        }
        // Where the URL is unambiguous (no `?` in a user name or password, no `@` after the
        // host), the host and every parameter that is not a credential are kept as they were.
        // A `?` in the credentials may start the query, as far as the redactor can tell: in
        // `ftp://?u@a.key?s3-server-name=a`, the pair `u@a.key?s3-server-name=a` has a key that
        // holds "key", so `a` is redacted too. Over-redaction, no leak.
        let after_host = text.split_once(&format!("{}{}", url.host, url.port.map(|p| format!(":{p}")).unwrap_or_default()))
            .map(|(_, tail)| tail.to_owned()).unwrap_or_default();
        let credentials_hold_a_query = url.user.iter().chain(&url.password).any(|c| c.contains('?'));
        if !credentials_hold_a_query && !after_host.contains('@') {
            prop_assert!(red.contains(&url.host), "{} → {}", text, red);
            for p in &url.params {
                if let Param::Plain { key, value } = p {
                    prop_assert!(red.contains(&format!("{key}={value}")), "{} → {}", text, red);
                }
            }
        }
    }

    /// Property 2, with `@` in paths: over-redaction is allowed, a leak is not.
    #[test]
    fn a_path_with_an_at_sign_leaks_nothing(url in target_url(true)) {
        let text = url.render();
        let red = redact::redact_target_url(&text);
        prop_assert!(!red.contains(TAG), "{} → {}", text, red);
        prop_assert!(red.starts_with(&format!("{}://", url.scheme)), "{} → {}", text, red);
    }

    /// Property 2, documents: TargetURLs under any spelling of the key, at any depth, alone, in
    /// lists or in objects, are all redacted.
    #[test]
    fn redact_json_leaves_no_credential(
        doc in any_json(),
        hidden in prop::collection::vec((target_url(true), prop::collection::vec(any::<usize>(), 1..6), 0usize..6, 0usize..5), 1..4),
    ) {
        let mut doc: Value = serde_json::from_str(&doc.render(Escapes::Minimal)).unwrap_or(Value::Null);
        for (url, path, key, shape) in &hidden {
            let url = Value::String(url.render());
            let value = match shape {
                0 | 1 => url,
                2 => json!([url, "file:///mnt/usb"]),
                3 => json!([[url]]),
                _ => json!({"Primary": url, "More": [url]}),
            };
            let key = if *key == 5 { "AdditionalTargetURLs".to_owned() } else { target_url_key(*key) };
            hide(&mut doc, path, key, value);
        }
        let before = doc.to_string();
        redact::redact_json(&mut doc);
        let mut all = Vec::new();
        strings(&doc, &mut all);
        for s in all {
            prop_assert!(!s.contains(TAG), "left {:?} in {}", s, before);
        }
    }
}

/// Puts `key: value` somewhere in `doc`, `path` choosing where.
fn hide(doc: &mut Value, path: &[usize], key: String, value: Value) {
    let Some((&step, rest)) = path.split_first() else {
        match doc {
            Value::Object(map) => {
                map.insert(key, value);
            }
            Value::Array(items) => items.push(json!({ key: value })),
            other => *other = json!({ key: value }),
        }
        return;
    };
    match doc {
        Value::Object(map) if !map.is_empty() => {
            let n = map.len();
            let child = map.values_mut().nth(step % n).unwrap();
            hide(child, rest, key, value)
        }
        Value::Array(items) if !items.is_empty() => {
            let n = items.len();
            hide(&mut items[step % n], rest, key, value)
        }
        _ => hide(doc, &[], key, value),
    }
}

// ---------------------------------------------------------------------------------------------
// Collected files: `{system_info, backups, backup_logs}` with random jobs and rows, credentials
// where Duplicati keeps them (TargetURL, Settings, options) and TargetURLs where it does not.
// ---------------------------------------------------------------------------------------------

/// A row ID or Timestamp: mostly integers (few distinct, so that rows repeat), sometimes
/// extreme, sometimes not an integer at all.
fn row_number(small: std::ops::Range<i64>) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        6 => small.prop_map(|n| Some(json!(n))),
        2 => any::<i64>().prop_map(|n| Some(json!(n))),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, 0, -1]).prop_map(|n| Some(json!(n))),
        1 => prop::sample::select(vec![
            None, Some(Value::Null), Some(json!("7")), Some(json!("abc")), Some(json!(1.5)), Some(json!(true)), Some(json!([])),
            Some(json!({})), Some(json!(u64::MAX)), Some(json!(1e300)),
        ]),
    ]
    .boxed()
}

fn hide_where() -> impl Strategy<Value = Hide> {
    prop_oneof![Just(Hide::Top), Just(Hide::InBackendStatistics), Just(Hide::Nested)]
}

/// A result hiding a TargetURL with credentials somewhere.
fn secret_result() -> BoxedStrategy<String> {
    (target_url(true), hide_where(), escapes())
        .prop_flat_map(|(url, hide, esc)| duplicati_result(Some((url.render(), hide))).prop_map(move |j| j.render(esc)))
        .boxed()
}

/// A `Message`: a result, text, a result hiding a TargetURL with credentials, or not a string.
fn row_message() -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        6 => message_text().prop_map(|m| Some(Value::String(m))),
        2 => secret_result().prop_map(|m| Some(Value::String(m))),
        1 => Just(Some(Value::Null)),
        1 => Just(None),
        1 => prop::sample::select(vec![json!(5), json!({"ParsedResult": "Error"}), json!(["x"]), json!(false)]).prop_map(Some),
    ]
    .boxed()
}

fn row_value() -> BoxedStrategy<Value> {
    let row = (row_number(1..12), row_number(1_746_316_800..1_746_316_803), row_message(), leaf(), prop::option::of(target_url(false)))
        .prop_map(|(id, ts, message, op, exception_url)| {
            let mut row = serde_json::Map::new();
            if let Some(id) = id {
                row.insert("ID".into(), id);
            }
            row.insert("OperationID".into(), serde_json::from_str(&op.render(Escapes::Minimal)).unwrap_or(Value::Null));
            if let Some(ts) = ts {
                row.insert("Timestamp".into(), ts);
            }
            row.insert("Type".into(), json!("Result"));
            if let Some(m) = message {
                row.insert("Message".into(), m);
            }
            row.insert("Exception".into(), exception_url.map_or(Value::Null, |u| json!({"TargetURL": u.render()})));
            Value::Object(row)
        });
    prop_oneof![
        20 => row,
        1 => prop::sample::select(vec![json!(5), json!("row"), Value::Null, json!([1, 2])]),
    ]
    .boxed()
}

#[derive(Debug, Clone)]
struct Job {
    /// A string, or (rarely) a number: Duplicati's IDs are strings.
    id: Value,
    name: String,
    description: Option<String>,
    db_path: Option<String>,
    /// Duplicati's metadata (strings), sometimes with a TargetURL (under any spelling).
    metadata: Option<Value>,
    schedule: Option<Value>,
    target: TargetUrl,
    extra_targets: Vec<TargetUrl>,
    passphrase: String,
    /// None: no entry in `backup_logs`.
    rows: Option<Vec<Value>>,
}

fn job() -> BoxedStrategy<Job> {
    let id = prop_oneof![
        6 => prop::sample::select(vec!["1", "2", "3", "10"]).prop_map(|s| json!(s)),
        1 => text().prop_map(Value::String),
        1 => (1i64..4).prop_map(|n| json!(n)),
    ];
    let metadata = prop::option::weighted(
        0.8,
        (
            prop::collection::btree_map("[A-Za-z]{1,20}", text(), 0..6),
            prop::option::weighted(0.3, (target_url(false), 0usize..5, any::<bool>())),
        )
            .prop_map(|(map, url)| {
                let mut meta: serde_json::Map<String, Value> = map.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
                if let Some((url, key, nested)) = url {
                    let entry = json!({ target_url_key(key): url.render() });
                    match (nested, entry) {
                        (true, entry) => drop(meta.insert("Target".into(), json!([entry]))),
                        (false, Value::Object(entry)) => meta.extend(entry),
                        _ => unreachable!(),
                    }
                }
                Value::Object(meta)
            }),
    );
    let schedule = prop::option::of((timestamp_text(), "[0-9]{1,2}[DWMh]", text()).prop_map(
        |(time, repeat, rule)| json!({"ID": 1, "Tags": ["ID=1"], "Time": time, "Repeat": repeat, "LastRun": time, "Rule": rule}),
    ));
    (
        (id, text(), prop::option::of(text()), prop::option::of("/data/[A-Z]{10}\\.sqlite")),
        (metadata, schedule, target_url(false), prop::collection::vec(target_url(true), 0..2), secret(|_| true)),
        prop::option::weighted(0.9, prop::collection::vec(row_value(), 0..12)),
    )
        .prop_map(|((id, name, description, db_path), (metadata, schedule, target, extra_targets, passphrase), rows)| Job {
            id,
            name,
            description,
            db_path,
            metadata,
            schedule,
            target,
            extra_targets,
            passphrase,
            rows,
        })
        .boxed()
}

#[derive(Debug, Clone)]
struct CollectedFile {
    machine_name: String,
    machine_id: Option<String>,
    jobs: Vec<Job>,
    /// Logs under a backup ID the file does not list.
    stray_logs: Vec<Value>,
    /// Items of the backups list that are no job, and where they go.
    junk_jobs: Vec<(usize, Value)>,
    system_secret: String,
    pretty: bool,
}

impl CollectedFile {
    /// The backup ID as the import reads it (`de_string`).
    fn job_key(id: &Value) -> String {
        match id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    fn to_json(&self) -> Value {
        let mut options = vec![json!({"Name": "passphrase", "DefaultValue": self.system_secret})];
        if let Some(mid) = &self.machine_id {
            options.push(json!({"Name": "machine-id", "DefaultValue": mid, "Type": "String"}));
        }
        let system_info = json!({
            "APIVersion": 1, "PasswordPlaceholder": "**********", "ServerVersion": "2.1.0.5", "MachineName": self.machine_name,
            "Options": options, "CLRVersion": "8.0.15",
        });
        let mut backups: Vec<Value> = self
            .jobs
            .iter()
            .map(|j| {
                json!({
                    "Backup": {
                        "ID": j.id, "Name": j.name, "Description": j.description, "Tags": [],
                        "TargetURL": j.target.render(),
                        "AdditionalTargetURLs": j.extra_targets.iter().map(TargetUrl::render).collect::<Vec<_>>(),
                        "DBPath": j.db_path, "Sources": ["/home"],
                        "Settings": [
                            {"Name": "passphrase", "Value": j.passphrase},
                            {"Name": "--auth-password", "Value": j.passphrase},
                            {"Name": "encryption-module", "Value": "aes"},
                        ],
                        "Filters": null, "Metadata": j.metadata, "IsTemporary": false,
                    },
                    "Schedule": j.schedule,
                })
            })
            .collect();
        for (at, junk) in &self.junk_jobs {
            backups.insert(at % (backups.len() + 1), junk.clone());
        }
        let mut logs = serde_json::Map::new();
        for j in &self.jobs {
            if let Some(rows) = &j.rows {
                // A job listed twice keeps the rows of the first.
                logs.entry(Self::job_key(&j.id)).or_insert_with(|| Value::Array(rows.clone()));
            }
        }
        logs.insert("stray-job".into(), Value::Array(self.stray_logs.clone()));
        json!({"system_info": system_info, "backups": backups, "backup_logs": logs})
    }
}

fn collected_file() -> BoxedStrategy<CollectedFile> {
    (
        prop_oneof!["[A-Za-z0-9._-][A-Za-z0-9 ._-]{0,19}", text().prop_filter("a name", |t| !clean_line(t, 100).is_empty())],
        prop::option::weighted(0.7, "[0-9a-f]{32}"),
        prop::collection::vec(job(), 0..4),
        prop::collection::vec(row_value(), 0..3),
        prop::collection::vec(
            (
                any::<usize>(),
                prop::sample::select(vec![
                    json!({"Backup": 5}),
                    json!({"Backup": {"Name": "no ID"}}),
                    json!({"Backup": {"ID": "1", "Name": ["not", "a", "name"]}}),
                    json!(7),
                    Value::Null,
                ]),
            ),
            0..2,
        ),
        secret(|_| true),
        any::<bool>(),
    )
        .prop_map(|(machine_name, machine_id, jobs, stray_logs, junk_jobs, system_secret, pretty)| CollectedFile {
            machine_name,
            machine_id,
            jobs,
            stray_logs,
            junk_jobs,
            system_secret,
            pretty,
        })
        .boxed()
}

/// The (job, ID, Timestamp) of a row with a positive integer ID (Duplicati's start at 1), an
/// integer Timestamp and a `Message` that is text or nothing: a row Duplicati could have sent,
/// which must be stored exactly once.
fn valid_row(row: &Value) -> Option<(i64, i64)> {
    let o = row.as_object()?;
    let id = o.get("ID")?.as_i64().filter(|id| *id > 0)?;
    let ts = o.get("Timestamp")?.as_i64()?;
    match o.get("Message") {
        None | Some(Value::Null | Value::String(_)) => Some((id, ts)),
        _ => None,
    }
}

type Triple = (String, i64, i64);

/// The jobs of a file as the import keeps them, in order: (the ID as the file spells it, as it is
/// stored). An unreadable item is left out with the rows of its ID; IDs are cleaned like any text
/// from a file, and a job whose cleaned ID is empty or listed already is left out.
fn imported_jobs(doc: &Value) -> Vec<(String, String)> {
    let mut jobs: Vec<(String, String)> = Vec::new();
    for item in doc["backups"].as_array().into_iter().flatten() {
        let Ok(b) = serde_json::from_value::<BackupItem>(item.clone()) else { continue };
        let stored = clean_line(&b.backup.id, 64);
        if !stored.is_empty() && !jobs.iter().any(|(_, s)| *s == stored) {
            jobs.push((b.backup.id, stored));
        }
    }
    jobs
}

/// What the file holds, as the import must see it: the rows of listed jobs that must be stored,
/// and those it may store (any that reads as a log row with a positive ID).
fn expected_rows(doc: &Value) -> (BTreeSet<Triple>, BTreeSet<Triple>) {
    let (mut must, mut may) = (BTreeSet::new(), BTreeSet::new());
    for (raw, job) in imported_jobs(doc) {
        for row in doc["backup_logs"][&raw].as_array().into_iter().flatten() {
            if let Some((id, ts)) = valid_row(row) {
                must.insert((job.clone(), id, ts));
            }
            if let Ok(r) = serde_json::from_value::<LogRow>(row.clone()) {
                if r.id > 0 {
                    may.insert((job.clone(), r.id, r.timestamp));
                }
            }
        }
    }
    (must, may)
}

/// The rows of the store that came from Duplicati, and how many entries they are.
fn stored_rows(db: &Path) -> (BTreeSet<Triple>, usize) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn
        .prepare("SELECT j.backup_id, e.remote_id, e.remote_timestamp FROM log_entries e JOIN jobs j ON j.id = e.job_id WHERE e.remote_id IS NOT NULL")
        .unwrap();
    let rows: Vec<Triple> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap();
    let n = rows.len();
    (rows.into_iter().collect(), n)
}

/// Every text the store holds: each text column, each blob as it is and decompressed (the
/// details are LZ4), and the bytes of every file in its folder.
fn store_contents(dir: &Path, db: &Path) -> Vec<String> {
    let mut out = Vec::new();
    {
        let conn = rusqlite::Connection::open(db).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in tables {
            let mut st = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let n = st.column_count();
            let mut rows = st.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                for i in 0..n {
                    match row.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Text(t) => out.push(String::from_utf8_lossy(t).into_owned()),
                        rusqlite::types::ValueRef::Blob(b) => {
                            out.push(String::from_utf8_lossy(b).into_owned());
                            if let Ok(d) = lz4_flex::decompress_size_prepended(b) {
                                out.push(String::from_utf8_lossy(&d).into_owned());
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    for f in std::fs::read_dir(dir).unwrap() {
        out.push(String::from_utf8_lossy(&std::fs::read(f.unwrap().path()).unwrap()).into_owned());
    }
    out
}

fn write_file(dir: &Path, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join("fileserver01_collected_2025-05-04T09:15:02.json");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Imports `bytes` into a fresh store: the outcome, the store's folder and its file.
fn import_into_fresh_store(
    bytes: &[u8],
    times: usize,
) -> (Vec<duplidesk_core::Result<ImportSummary>>, tempfile::TempDir, std::path::PathBuf) {
    let files = tempfile::tempdir().unwrap();
    let path = write_file(files.path(), bytes);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let db = store.path().to_owned();
    // Where a file without a machine-id goes is the user's choice: a new server the first time,
    // that same server after.
    let mut outcomes: Vec<duplidesk_core::Result<ImportSummary>> = Vec::new();
    for _ in 0..times {
        let target = match outcomes.first() {
            Some(Ok(ImportSummary { server_id: Some(id), .. })) => ImportTarget::Server { id: *id },
            _ => ImportTarget::NewServer,
        };
        outcomes.push(import::import(&mut store, &path, Some(target)));
    }
    drop(store);
    (outcomes, dir, db)
}

fn no_secret_in_store(dir: &Path, db: &Path) -> Result<(), TestCaseError> {
    for text in store_contents(dir, db) {
        if let Some(at) = text.find(TAG) {
            let from = text[..at].char_indices().rev().nth(60).map_or(0, |(i, _)| i);
            prop_assert!(false, "a secret in the store: …{}…", &text[from..(at + 40).min(text.len())].chars().collect::<String>());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(32))]

    /// Property 3: a collected file is imported whole, once, and without its secrets.
    #[test]
    fn an_import_stores_every_valid_row_once_and_no_secret(file in collected_file()) {
        let doc = file.to_json();
        let bytes = if file.pretty { serde_json::to_vec_pretty(&doc).unwrap() } else { serde_json::to_vec(&doc).unwrap() };
        let (outcomes, dir, db) = import_into_fresh_store(&bytes, 2);
        let first = outcomes[0].as_ref().map_err(|e| TestCaseError::fail(format!("import failed: {e}")))?;
        let (must, may) = expected_rows(&doc);
        let (stored, entries) = stored_rows(&db);
        prop_assert_eq!(entries, stored.len(), "each row stored once");
        let missing: Vec<_> = must.difference(&stored).collect();
        prop_assert!(missing.is_empty(), "valid rows not stored: {:?}", missing);
        let unexpected: Vec<_> = stored.difference(&may).collect();
        prop_assert!(unexpected.is_empty(), "stored rows the file does not hold: {:?}", unexpected);
        prop_assert_eq!(first.new, entries as u64);
        prop_assert_eq!(first.jobs, imported_jobs(&doc).len(), "every job that reads is imported");
        let second = outcomes[1].as_ref().map_err(|e| TestCaseError::fail(format!("second import failed: {e}")))?;
        prop_assert_eq!(second.new, 0, "a second import adds nothing");
        // (Each import notes itself in a system entry; the rows are what must not change.)
        prop_assert_eq!(stored_rows(&db), (stored, entries));
        no_secret_in_store(dir.path(), &db)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Property 3, anything at all: an error or a summary, never a panic, never a secret.
    #[test]
    fn an_import_of_anything_never_panics(
        input in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..600),
            (any_json(), escapes()).prop_map(|(j, e)| j.render(e).into_bytes()),
            (collected_file(), prop::collection::vec(any::<usize>(), 1..6), wrong_type(), escapes())
                .prop_map(|(file, path, junk, esc)| {
                    // A collected file with one part replaced by anything.
                    let mut doc = file.to_json();
                    let junk = serde_json::from_str(&junk.render(esc)).unwrap_or(Value::Null);
                    replace_somewhere(&mut doc, &path, junk);
                    serde_json::to_vec(&doc).unwrap()
                }),
        ],
    ) {
        let (outcomes, dir, db) = import_into_fresh_store(&input, 1);
        if let Ok(summary) = &outcomes[0] {
            prop_assert_eq!(summary.new, stored_rows(&db).1 as u64);
        }
        no_secret_in_store(dir.path(), &db)?;
    }
}

/// Replaces the part of `doc` that `path` leads to.
fn replace_somewhere(doc: &mut Value, path: &[usize], junk: Value) {
    let Some((&step, rest)) = path.split_first() else {
        *doc = junk;
        return;
    };
    match doc {
        Value::Object(map) if !map.is_empty() => {
            let n = map.len();
            replace_somewhere(map.values_mut().nth(step % n).unwrap(), rest, junk)
        }
        Value::Array(items) if !items.is_empty() => {
            let n = items.len();
            replace_somewhere(&mut items[step % n], rest, junk)
        }
        _ => *doc = junk,
    }
}

// ---------------------------------------------------------------------------------------------
// Round trip: what a collection saves (`CollectedData::new` + `export::write`) imports back as
// the same entries.
// ---------------------------------------------------------------------------------------------

fn log_row() -> BoxedStrategy<LogRow> {
    let id = prop_oneof![4 => 1i64..12, 1 => any::<i64>()];
    let ts = prop_oneof![4 => 1_746_316_800i64..1_746_316_803, 1 => any::<i64>()];
    let message = prop_oneof![4 => message_text(), 1 => secret_result()];
    (id, any::<i64>(), ts, prop::option::weighted(0.9, message))
        .prop_map(|(id, operation_id, timestamp, message)| LogRow { id, operation_id, timestamp, message, exception: IgnoredAny })
        .boxed()
}

/// An entry as the store keeps it, details decompressed.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    job: String,
    remote_id: i64,
    remote_timestamp: i64,
    date: i64,
    status: String,
    op_type: String,
    message: String,
    duration_s: Option<f64>,
    size_bytes: Option<i64>,
    uploaded_bytes: Option<i64>,
    warnings: i64,
    errors: i64,
    details: String,
    details_cut_from: Option<i64>,
}

impl Stored {
    fn expected(job: &str, e: &monitor::NewEntry) -> Stored {
        Stored {
            job: job.to_owned(),
            remote_id: e.remote_id.unwrap(),
            remote_timestamp: e.remote_timestamp.unwrap(),
            date: e.date,
            status: e.status.as_str().to_owned(),
            op_type: e.op_type.clone(),
            message: e.message.clone(),
            duration_s: e.duration_s,
            size_bytes: e.size_bytes,
            uploaded_bytes: e.uploaded_bytes,
            warnings: e.warnings,
            errors: e.errors,
            details: e.details.clone(),
            details_cut_from: e.details_cut_from.map(|n| n as i64),
        }
    }

    fn all(db: &Path) -> Vec<Stored> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut st = conn
            .prepare(
                "SELECT j.backup_id, e.remote_id, e.remote_timestamp, e.date, e.status, e.type, e.message, e.duration_s, e.size_bytes, \
                 e.uploaded_bytes, e.warnings, e.errors, d.raw_lz4, d.cut_from \
                 FROM log_entries e JOIN jobs j ON j.id = e.job_id JOIN log_details d ON d.entry_id = e.id WHERE e.remote_id IS NOT NULL",
            )
            .unwrap();
        let rows = st.query_map([], |r| {
            let blob: Vec<u8> = r.get(12)?;
            Ok(Stored {
                job: r.get(0)?,
                remote_id: r.get(1)?,
                remote_timestamp: r.get(2)?,
                date: r.get(3)?,
                status: r.get(4)?,
                op_type: r.get(5)?,
                message: r.get(6)?,
                duration_s: r.get(7)?,
                size_bytes: r.get(8)?,
                uploaded_bytes: r.get(9)?,
                warnings: r.get(10)?,
                errors: r.get(11)?,
                details: String::from_utf8(lz4_flex::decompress_size_prepended(&blob).unwrap()).unwrap(),
                details_cut_from: r.get(13)?,
            })
        });
        let mut all: Vec<Stored> = rows.unwrap().collect::<Result<_, _>>().unwrap();
        all.sort_by(|a, b| (&a.job, a.remote_id, a.remote_timestamp).cmp(&(&b.job, b.remote_id, b.remote_timestamp)));
        all
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// Property 4: saved, then imported, the rows come back as they were (each once), and the
    /// saved file holds no TargetURL credential.
    #[test]
    fn collected_data_round_trips(
        server_name in prop_oneof![3 => text(), 1 => "[a-zé€中😀 .]{40,120}", 1 => "[é€中😀]{40,120}"],
        machine_name in "[A-Za-z0-9._-]{1,20}",
        machine_id in prop::option::of("[0-9a-f]{32}"),
        jobs in prop::collection::btree_map(
            prop_oneof![3 => "[1-9][0-9]{0,2}", 1 => text()],
            (text(), target_url(true), prop::collection::vec(log_row(), 0..10)),
            1..4,
        ),
    ) {
        let mut options = vec![json!({"Name": "backup-id", "DefaultValue": ""})];
        if let Some(mid) = &machine_id {
            options.push(json!({"Name": "machine-id", "DefaultValue": mid}));
        }
        let system_info = json!({"MachineName": machine_name, "ServerVersion": "2.1.0.5", "Options": options});
        let backups: Vec<Value> = jobs
            .iter()
            .map(|(id, (name, url, _))| json!({"Backup": {"ID": id, "Name": name, "TargetURL": url.render(), "Metadata": {}}, "Schedule": null}))
            .collect();
        let logs: Vec<(String, Vec<LogRow>)> = jobs.iter().map(|(id, (_, _, rows))| (id.clone(), rows.clone())).collect();
        let data = CollectedData::new(
            &server_name,
            &serde_json::to_vec(&system_info).unwrap(),
            &serde_json::to_vec(&backups).unwrap(),
            logs,
        );

        let out = tempfile::tempdir().unwrap();
        let file = export::write(&data, out.path()).map_err(|e| TestCaseError::fail(format!("write: {e}")))?;
        let saved = std::fs::read(&file).unwrap();
        prop_assert!(!String::from_utf8_lossy(&saved).contains(TAG), "a TargetURL credential in the saved file");

        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in(dir.path()).unwrap();
        let db = store.path().to_owned();
        let before = now_ts();
        let summary =
            import::import(&mut store, &file, Some(ImportTarget::NewServer)).map_err(|e| TestCaseError::fail(format!("import: {e}")))?;
        drop(store);

        let saved_doc: Value = serde_json::from_slice(&saved).unwrap();
        let imported = imported_jobs(&saved_doc);
        let mut expected = Vec::new();
        for (raw, job) in &imported {
            let (_, _, rows) = &jobs[raw];
            let mut seen = BTreeSet::new();
            for r in rows.iter().filter(|r| r.id > 0) {
                if seen.insert((r.id, r.timestamp)) {
                    expected.push(Stored::expected(job, &monitor::entry_from_row(r)));
                }
            }
        }
        expected.sort_by(|a, b| (&a.job, a.remote_id, a.remote_timestamp).cmp(&(&b.job, b.remote_id, b.remote_timestamp)));
        prop_assert_eq!(summary.new, expected.len() as u64);
        prop_assert_eq!(summary.jobs, imported.len());
        let stored = Stored::all(&db);
        prop_assert_eq!(stored.len(), expected.len());
        let now = now_ts();
        for (s, e) in stored.iter().zip(&expected) {
            // An impossible date is replaced by the time of the import, which may be seconds
            // before this expectation's on a busy machine.
            let during = before..=now;
            let redated = e.date != e.remote_timestamp && during.contains(&e.date) && during.contains(&s.date);
            let e = if redated { Stored { date: s.date, ..e.clone() } } else { e.clone() };
            prop_assert_eq!(s, &e);
        }
    }
}
