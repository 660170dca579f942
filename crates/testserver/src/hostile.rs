//! What the hostile faults serve: text that attacks terminals and log viewers, and dates
//! outside any sane range.

use crate::timefmt::{self, Ticks, TICKS_PER_SEC};

/// 9999-12-31T23:59:59Z, the last second .NET's `DateTime` can hold.
pub(crate) const FAR_FUTURE: Ticks = 253_402_300_799 * TICKS_PER_SEC;
/// 9999-12-31T00:00:00Z.
const FAR_FUTURE_DAY: Ticks = FAR_FUTURE - 86_399 * TICKS_PER_SEC;
/// 9999-12-31T23:00:00Z.
const FAR_FUTURE_HOUR: Ticks = FAR_FUTURE - 3_599 * TICKS_PER_SEC;
/// 0001-01-01T00:00:00Z (`DateTime.MinValue`) in Unix seconds.
const YEAR_ONE_SECS: i64 = -62_135_596_800;
/// A log row's `Timestamp` in the far future (about year 3,170,000 as Unix seconds, year 5138
/// as milliseconds).
pub(crate) const FAR_TIMESTAMP: i64 = 99_999_999_999_999;

/// One round of the hostile text: screen clearing, cursor moves, a window title (OSC … BEL),
/// colours, NUL and other C0 controls, DEL, a C1 CSI (U+009B), a right-to-left override, a
/// zero-width space and a byte order mark.
const PATTERN: &str = "\u{1b}[2J\u{1b}[H\u{1b}]0;Duplicati: all backups OK\u{7}\u{1b}[31;1mERROR\u{1b}[0m Access denied\r\n\u{0}\u{7}\u{8}\t\u{b}\u{c}\u{7f}\u{9b}2J\u{202e}fdp.exe\u{200b}\u{feff} ";

/// Exactly `len` bytes of valid UTF-8 made of a pattern full of control characters and
/// terminal escape sequences (`ESC[2J`, `ESC[H`, OSC `ESC]0;…BEL`, SGR colours, NUL, BEL, BS,
/// VT, FF, DEL, C1 CSI U+009B, U+202E, U+200B, U+FEFF, CR LF), repeated, cut at a character
/// boundary and padded with `.`. What [`crate::Faults::oversized_error_text`] sends.
pub fn hostile_text(len: usize) -> String {
    let mut out = String::with_capacity(len);
    'fill: while out.len() < len {
        for c in PATTERN.chars() {
            if out.len() + c.len_utf8() > len {
                break 'fill;
            }
            out.push(c);
        }
    }
    while out.len() < len {
        out.push('.');
    }
    out
}

/// The `Timestamp` and result JSON of log row `id` with its dates out of range (see
/// [`crate::Faults::bad_dates`]): by `id` modulo 4, far future, zero, negative, or an
/// `EndTime` a day before the `Timestamp`.
pub(crate) fn warp_row(id: i64, timestamp: i64, message: &str) -> (i64, String) {
    let far = timefmt::iso_utc(FAR_FUTURE);
    let year_one = timefmt::iso_utc(YEAR_ONE_SECS * TICKS_PER_SEC);
    match id.rem_euclid(4) {
        0 => (FAR_TIMESTAMP, set_dates(message, Some(&timefmt::iso_utc(FAR_FUTURE_HOUR)), &far)),
        1 => (0, set_dates(message, Some(&year_one), &year_one)),
        2 => (YEAR_ONE_SECS, set_dates(message, Some(&year_one), &far)),
        _ => {
            let end = (timestamp - 86_400).saturating_mul(TICKS_PER_SEC);
            (timestamp, set_dates(message, None, &timefmt::iso_utc(end)))
        }
    }
}

/// Replaces the value of every `"BeginTime"` (unless `begin` is `None`) and `"EndTime"` of a
/// result JSON (nested results included).
fn set_dates(message: &str, begin: Option<&str>, end: &str) -> String {
    let out = match begin {
        Some(b) => set_string_values(message, "BeginTime", b),
        None => message.to_string(),
    };
    set_string_values(&out, "EndTime", end)
}

/// Replaces the value of every `"key": "…"` member whose value is a string without escapes.
fn set_string_values(json: &str, key: &str, value: &str) -> String {
    let needle = format!("\"{key}\":");
    let mut out = String::with_capacity(json.len() + 64);
    let mut rest = json;
    while let Some(pos) = rest.find(&needle) {
        let after = &rest[pos + needle.len()..];
        let spaces = after.len() - after.trim_start().len();
        let value_start = &after[spaces..];
        // A key inside an escaped string (`\"BeginTime\":`) is text, not a member.
        let escaped = pos > 0 && rest.as_bytes()[pos - 1] == b'\\';
        match value_start.strip_prefix('"').and_then(|v| v.find('"').map(|end| (v, end))) {
            Some((v, end)) if !escaped && !v[..end].contains('\\') => {
                out.push_str(&rest[..pos + needle.len() + spaces]);
                out.push('"');
                out.push_str(value);
                out.push('"');
                rest = &v[end + 1..];
            }
            _ => {
                out.push_str(&rest[..pos + needle.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `Backup.Metadata` with every date far in the future (`yyyyMMdd'T'HHmmss'Z'`), and the
/// `LastBackup*` dates added when missing.
pub(crate) fn warp_metadata(md: &mut Vec<(String, String)>) {
    let far = timefmt::metadata_date(FAR_FUTURE);
    for (k, v) in md.iter_mut() {
        if k.ends_with("Date") || k.ends_with("Started") || k.ends_with("Finished") {
            v.clone_from(&far);
        }
    }
    for key in ["LastBackupDate", "LastBackupStarted", "LastBackupFinished"] {
        if !md.iter().any(|(k, _)| k == key) {
            md.push((key.to_string(), far.clone()));
        }
    }
}

/// `Schedule.Time` and `LastRun` far in the future.
pub(crate) fn warp_schedule(next: &mut Ticks, last: &mut Ticks) {
    *next = FAR_FUTURE;
    *last = FAR_FUTURE_DAY;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_has_the_exact_length_and_the_escapes() {
        for len in [0, 1, 2, 63, 64, 65, 1000, 1 << 20] {
            let t = hostile_text(len);
            assert_eq!(t.len(), len);
        }
        let t = hostile_text(4096);
        for needle in ["\u{1b}[2J", "\u{1b}]0;", "\u{7}", "\u{0}", "\u{9b}", "\u{202e}", "\r\n"] {
            assert!(t.contains(needle), "{needle:?}");
        }
    }

    #[test]
    fn dates_are_replaced_in_members_only() {
        let msg = r#"{"A":{"EndTime":"2025-01-01T00:00:00Z","BeginTime":"2025-01-01T00:00:00Z"},"Log":"\"EndTime\":\"x\"","EndTime": "0001-01-01T00:00:00","BeginTime":"2025-01-01T00:00:00Z","Duration":"00:01:00"}"#;
        let (ts, out) = warp_row(8, 1_746_317_007, msg);
        assert_eq!(ts, FAR_TIMESTAMP);
        assert_eq!(
            out,
            r#"{"A":{"EndTime":"9999-12-31T23:59:59Z","BeginTime":"9999-12-31T23:00:00Z"},"Log":"\"EndTime\":\"x\"","EndTime": "9999-12-31T23:59:59Z","BeginTime":"9999-12-31T23:00:00Z","Duration":"00:01:00"}"#
        );
        let (ts, out) = warp_row(1, 1_746_317_007, msg);
        assert_eq!(ts, 0);
        assert!(out.contains(r#""BeginTime":"0001-01-01T00:00:00Z""#) && !out.contains("2025"));
        let (ts, out) = warp_row(-2, 1_746_317_007, msg);
        assert_eq!(ts, YEAR_ONE_SECS);
        assert!(out.contains(r#""BeginTime":"0001-01-01T00:00:00Z""#) && out.contains(r#""EndTime":"9999-12-31T23:59:59Z""#));
        let (ts, out) = warp_row(3, 1_746_317_007, msg);
        assert_eq!(ts, 1_746_317_007);
        assert!(out.contains(r#""EndTime":"2025-05-03T00:03:27Z""#) && out.contains(r#""BeginTime":"2025-01-01T00:00:00Z""#));
    }

    #[test]
    fn metadata_and_schedule_go_far() {
        let mut md = vec![("LastErrorDate".to_string(), "20250502T000002Z".to_string()), ("BackupListCount".into(), "13".into())];
        warp_metadata(&mut md);
        assert_eq!(md[0].1, "99991231T235959Z");
        assert_eq!(md[1].1, "13");
        assert!(md.iter().any(|(k, v)| k == "LastBackupStarted" && v == "99991231T235959Z"));
        let (mut next, mut last) = (0, 0);
        warp_schedule(&mut next, &mut last);
        assert_eq!(timefmt::iso_utc(next), "9999-12-31T23:59:59Z");
        assert_eq!(timefmt::iso_utc(last), "9999-12-31T00:00:00Z");
    }
}
