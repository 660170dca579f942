//! .NET-style date/time formatting. Instants are `Ticks`: 100 ns units since the Unix epoch (UTC).

use time::OffsetDateTime;

/// 100 ns units since 1970-01-01T00:00:00Z.
pub type Ticks = i64;

/// Ticks per second.
pub const TICKS_PER_SEC: i64 = 10_000_000;

/// Offset of the emulated server's local time zone (the fixture server runs at UTC+02:00).
pub const LOCAL_OFFSET_SECS: i64 = 2 * 3600;

/// Current time in ticks.
pub fn now_ticks() -> Ticks {
    let ns = OffsetDateTime::now_utc().unix_timestamp_nanos();
    (ns / 100) as Ticks
}

fn civil(ticks: Ticks) -> OffsetDateTime {
    let secs = ticks.div_euclid(TICKS_PER_SEC);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn ymd_hms(t: &OffsetDateTime) -> (i32, u8, u8, u8, u8, u8) {
    (t.year(), t.month() as u8, t.day(), t.hour(), t.minute(), t.second())
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
    let t = civil(ticks);
    let wd = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][t.weekday().number_days_from_monday() as usize];
    let mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][usize::from(t.month() as u8 - 1)];
    format!("{wd}, {:02} {mon} {:04} {:02}:{:02}:{:02} GMT", t.day(), t.year(), t.hour(), t.minute(), t.second())
}

/// Weekday (0 = Monday) of a UTC instant.
pub fn weekday_utc(ticks: Ticks) -> u8 {
    civil(ticks).weekday().number_days_from_monday()
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
}
