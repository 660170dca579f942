//! .NET-style date/time formatting. Instants are `Ticks`: 100 ns units since the Unix epoch (UTC).

use chrono::{DateTime, Datelike, Timelike, Utc};

/// 100 ns units since 1970-01-01T00:00:00Z.
pub type Ticks = i64;

/// Ticks per second.
pub const TICKS_PER_SEC: i64 = 10_000_000;

/// Offset of the emulated server's local time zone (the fixture server runs at UTC+02:00).
pub const LOCAL_OFFSET_SECS: i64 = 2 * 3600;

/// Current time in ticks.
pub fn now_ticks() -> Ticks {
    let now = Utc::now();
    now.timestamp() * TICKS_PER_SEC + i64::from(now.timestamp_subsec_nanos() / 100)
}

/// The UTC date and time of the whole second of `ticks`.
fn civil(ticks: Ticks) -> DateTime<Utc> {
    // chrono covers ±262,000 years, `Ticks` only ±29,000: the fallback is never taken.
    DateTime::from_timestamp(ticks.div_euclid(TICKS_PER_SEC), 0).unwrap_or(DateTime::UNIX_EPOCH)
}

fn ymd_hms(t: &DateTime<Utc>) -> (i32, u32, u32, u32, u32, u32) {
    (t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second())
}

/// `2025-05-04T00:03:27.5170938Z` (fraction trimmed of trailing zeros, omitted when zero).
pub fn iso_utc(ticks: Ticks) -> String {
    let (y, mo, d, h, mi, s) = ymd_hms(&civil(ticks));
    let frac = ticks.rem_euclid(TICKS_PER_SEC);
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if frac != 0 {
        let f = format!("{frac:07}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Server-local time with offset and fraction, `2025-05-04T09:15:02.4483917+02:00`.
pub fn iso_local(ticks: Ticks) -> String {
    let local = ticks + LOCAL_OFFSET_SECS * TICKS_PER_SEC;
    let utc = iso_utc(local);
    format!("{}{}", utc.trim_end_matches('Z'), offset_suffix())
}

fn offset_suffix() -> String {
    let sign = if LOCAL_OFFSET_SECS < 0 { '-' } else { '+' };
    let a = LOCAL_OFFSET_SECS.abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// `yyyyMMdd'T'HHmmss'Z'` as used in `Backup.Metadata`.
pub fn metadata_date(ticks: Ticks) -> String {
    let (y, mo, d, h, mi, s) = ymd_hms(&civil(ticks));
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// The timestamp part of a Duplicati log line: `2025-05-04 02:00:00 +02`.
pub fn log_line_time(ticks: Ticks) -> String {
    let (y, mo, d, h, mi, s) = ymd_hms(&civil(ticks + LOCAL_OFFSET_SECS * TICKS_PER_SEC));
    let sign = if LOCAL_OFFSET_SECS < 0 { '-' } else { '+' };
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} {sign}{:02}", LOCAL_OFFSET_SECS.abs() / 3600)
}

/// Invariant-culture general date in server-local time: `5/3/2025 2:00:00 AM`.
pub fn us_local(ticks: Ticks) -> String {
    let (y, mo, d, h, mi, s) = ymd_hms(&civil(ticks + LOCAL_OFFSET_SECS * TICKS_PER_SEC));
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mo}/{d}/{y} {h12}:{mi:02}:{s:02} {ampm}")
}

/// `MM/dd/yyyy HH:mm:ss` (UTC), as in ASP.NET's "The token expired at '…'".
pub fn token_expiry(ticks: Ticks) -> String {
    let (y, mo, d, h, mi, s) = ymd_hms(&civil(ticks));
    format!("{mo:02}/{d:02}/{y:04} {h:02}:{mi:02}:{s:02}")
}

/// RFC 7231 date for the `Date` header.
pub fn http_date(ticks: Ticks) -> String {
    civil(ticks).format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Weekday (0 = Monday) of a UTC instant.
pub fn weekday_utc(ticks: Ticks) -> u8 {
    civil(ticks).weekday().num_days_from_monday() as u8
}

/// .NET TimeSpan `c` format: `00:03:27.4758593`, `1.02:00:00`, `00:00:00`.
pub fn timespan(ticks: i64) -> String {
    let t = ticks.max(0);
    let frac = t % TICKS_PER_SEC;
    let secs = t / TICKS_PER_SEC;
    let (d, h, m, s) = (secs / 86_400, (secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    let mut out = String::new();
    if d > 0 {
        out.push_str(&format!("{d}."));
    }
    out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
    if frac != 0 {
        out.push_str(&format!(".{frac:07}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Ticks = 1_746_317_007 * TICKS_PER_SEC + 5_170_938; // 2025-05-04T00:03:27.5170938Z

    #[test]
    fn formats() {
        assert_eq!(iso_utc(T), "2025-05-04T00:03:27.5170938Z");
        assert_eq!(iso_utc(T - 5_170_938 + 138_820), "2025-05-04T00:03:27.013882Z");
        assert_eq!(iso_utc(1_746_403_200 * TICKS_PER_SEC), "2025-05-05T00:00:00Z");
        assert_eq!(iso_local(T), "2025-05-04T02:03:27.5170938+02:00");
        assert_eq!(metadata_date(T), "20250504T000327Z");
        assert_eq!(log_line_time(T), "2025-05-04 02:03:27 +02");
        assert_eq!(us_local(1_746_230_400 * TICKS_PER_SEC), "5/3/2025 2:00:00 AM");
        assert_eq!(timespan(2_074_758_593), "00:03:27.4758593");
        assert_eq!(timespan(93_600 * TICKS_PER_SEC), "1.02:00:00");
        assert_eq!(timespan(0), "00:00:00");
        assert_eq!(http_date(T), "Sun, 04 May 2025 00:03:27 GMT");
        assert_eq!(token_expiry(T), "05/04/2025 00:03:27");
    }

    /// Seconds since the epoch of a UTC date and time.
    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Ticks {
        let date = chrono::NaiveDate::from_ymd_opt(y, mo, d).unwrap();
        date.and_hms_opt(h, mi, s).unwrap().and_utc().timestamp() * TICKS_PER_SEC
    }

    #[test]
    fn local_time_crosses_midnight_and_uses_a_12_hour_clock() {
        let late = at(2024, 2, 28, 22, 30, 5);
        assert_eq!(iso_local(late), "2024-02-29T00:30:05+02:00", "leap day, no fraction");
        assert_eq!(log_line_time(late), "2024-02-29 00:30:05 +02");
        assert_eq!(us_local(late), "2/29/2024 12:30:05 AM");
        assert_eq!(us_local(at(2024, 12, 31, 10, 0, 0)), "12/31/2024 12:00:00 PM");
        assert_eq!(us_local(at(2024, 12, 31, 21, 59, 59)), "12/31/2024 11:59:59 PM");
        assert_eq!(us_local(at(2024, 12, 31, 22, 0, 0)), "1/1/2025 12:00:00 AM");
        assert_eq!(metadata_date(late), "20240228T223005Z", "metadata dates stay in UTC");
    }

    #[test]
    fn instants_before_1970_round_down() {
        assert_eq!(iso_utc(-1), "1969-12-31T23:59:59.9999999Z");
        assert_eq!(iso_utc(-TICKS_PER_SEC), "1969-12-31T23:59:59Z");
        assert_eq!(metadata_date(-1), "19691231T235959Z");
        assert_eq!(iso_utc(at(1, 1, 1, 0, 0, 0)), "0001-01-01T00:00:00Z");
        assert_eq!(http_date(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
    }

    #[test]
    fn http_dates_and_weekdays() {
        assert_eq!(http_date(at(2025, 3, 1, 7, 8, 9)), "Sat, 01 Mar 2025 07:08:09 GMT");
        assert_eq!(http_date(at(2024, 2, 29, 23, 59, 59) + 9_999_999), "Thu, 29 Feb 2024 23:59:59 GMT");
        assert_eq!(weekday_utc(at(2025, 5, 5, 0, 0, 0)), 0, "Monday");
        assert_eq!(weekday_utc(at(2025, 5, 4, 23, 59, 59)), 6, "Sunday");
        assert_eq!(token_expiry(at(2025, 1, 2, 3, 4, 5)), "01/02/2025 03:04:05");
    }

    #[test]
    fn timespans() {
        assert_eq!(timespan(1), "00:00:00.0000001");
        assert_eq!(timespan(-5), "00:00:00", "negative durations print as zero");
        assert_eq!(timespan(86_400 * TICKS_PER_SEC - 1), "23:59:59.9999999");
        assert_eq!(timespan(12 * 86_400 * TICKS_PER_SEC + 61 * TICKS_PER_SEC), "12.00:01:01");
    }

    #[test]
    fn now_is_the_current_time() {
        let before = Utc::now().timestamp();
        let now = now_ticks();
        let after = Utc::now().timestamp();
        assert!((before..=after).contains(&now.div_euclid(TICKS_PER_SEC)));
    }
}
