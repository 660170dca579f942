//! Dates as people type them: a day in this computer's time zone, or an RFC 3339 instant.
use crate::error::{Error, Result};
use chrono::{DateTime, Local, NaiveDate, TimeZone};

/// Which end of a day a bound means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The start of the day (a "from" date).
    Start,
    /// The start of the next day (a "to" date includes its whole day; the bound is exclusive).
    End,
}

/// `YYYY-MM-DD` is a day in this computer's time zone; anything else must be RFC 3339.
/// Returns Unix seconds.
pub fn parse_day_or_instant(s: &str, bound: Bound) -> Result<i64> {
    let bad = || {
        Error::invalid_input(
            format!("\"{s}\" is not a date."),
            "Use YYYY-MM-DD (local time) or an RFC 3339 instant such as 2025-05-04T10:00:00+02:00.",
        )
    };
    if let Ok(day) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        let day = match bound {
            Bound::Start => day,
            Bound::End => day.succ_opt().ok_or_else(bad)?,
        };
        return local_midnight(day).ok_or_else(bad);
    }
    DateTime::parse_from_rfc3339(s.trim()).map(|d| d.timestamp()).map_err(|_| bad())
}

/// The first instant of `day` in this computer's time zone (a day that starts in a DST gap
/// starts when the clocks resume).
fn local_midnight(day: NaiveDate) -> Option<i64> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    match Local.from_local_datetime(&midnight).earliest() {
        Some(t) => Some(t.timestamp()),
        None => (1..=3).find_map(|h| Local.from_local_datetime(&day.and_hms_opt(h, 0, 0)?).earliest()).map(|t| t.timestamp()),
    }
}

/// Unix seconds as local time with offset (RFC 3339, whole seconds).
pub fn local_rfc3339(ts: i64) -> String {
    local(ts).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Unix seconds in this computer's time zone.
pub fn local(ts: i64) -> DateTime<Local> {
    Local.timestamp_opt(ts, 0).single().unwrap_or_else(|| DateTime::<chrono::Utc>::UNIX_EPOCH.with_timezone(&Local))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_includes_the_whole_day() {
        let from = parse_day_or_instant("2025-05-04", Bound::Start).unwrap();
        let to = parse_day_or_instant("2025-05-04", Bound::End).unwrap();
        assert!((23 * 3600..=25 * 3600).contains(&(to - from)));
        assert_eq!(parse_day_or_instant("2025-05-04T00:00:00Z", Bound::Start).unwrap(), 1746316800);
        assert!(parse_day_or_instant("yesterday", Bound::Start).is_err());
    }
}
