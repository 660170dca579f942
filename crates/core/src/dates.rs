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
    midnight_in(day, &Local)
}

/// The first instant of `day` in `tz`: its midnight, or, on a day whose midnight the clocks
/// skip (DST starting at 00:00), the moment they resume.
pub fn midnight_in<Tz: TimeZone>(day: NaiveDate, tz: &Tz) -> Option<i64> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    match tz.from_local_datetime(&midnight).earliest() {
        Some(t) => Some(t.timestamp()),
        None => {
            (1..=3 * 60).find_map(|m| tz.from_local_datetime(&(midnight + chrono::Duration::minutes(m))).earliest()).map(|t| t.timestamp())
        }
    }
}

/// The instants `[start, end)` that the days `from ..= to` cover in `tz`: `to` includes its
/// whole day (however long DST makes it). Either bound may be open.
pub fn day_range_in<Tz: TimeZone>(from: Option<NaiveDate>, to: Option<NaiveDate>, tz: &Tz) -> (Option<i64>, Option<i64>) {
    (from.and_then(|d| midnight_in(d, tz)), to.and_then(|d| d.succ_opt()).and_then(|d| midnight_in(d, tz)))
}

/// A `YYYY-MM-DD` day, as the date fields send it.
pub fn parse_day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::invalid_input(format!("\"{s}\" is not a day."), "Use YYYY-MM-DD, e.g. 2025-05-04."))
}

/// [`day_range_in`] this computer's time zone, for days typed as `YYYY-MM-DD`.
pub fn local_day_range(from: Option<&str>, to: Option<&str>) -> Result<(Option<i64>, Option<i64>)> {
    let from = from.map(parse_day).transpose()?;
    let to = to.map(parse_day).transpose()?;
    Ok(day_range_in(from, to, &Local))
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
