//! A job's Duplicati schedule (`Time`, `Repeat`, `LastRun`, `Rule`) and when runs are due, as
//! Duplicati's scheduler computes them (Library/RestAPI/Scheduler.cs `GetNextValidTime`,
//! Library/Utility/Timeparser.cs): from `Time`, step by `Repeat` (days, weeks, months and years
//! on the calendar), then move to the first allowed weekday. Weekdays are the server's: its UTC
//! offset comes from `/systeminfo`'s `ServerTime`.
use crate::duplicati::wire::Schedule;
use crate::monitor::parse_utc;
use chrono::{DateTime, Datelike, Duration, FixedOffset, Months, Utc};

/// One step of a `Repeat` such as `1D`, `12h` or `1W2D`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

/// A parsed `Repeat`: Duplicati's `Timeparser` grammar, `(\d+[smhDWMY])+` or plain seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat(Vec<(i64, Unit)>);

impl Repeat {
    pub fn parse(text: &str) -> Option<Repeat> {
        let text = text.trim();
        if let Ok(seconds) = text.parse::<i64>() {
            return (seconds > 0).then(|| Repeat(vec![(seconds, Unit::Seconds)]));
        }
        let mut parts = Vec::new();
        let mut number = String::new();
        for c in text.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let unit = match c {
                's' => Unit::Seconds,
                'm' => Unit::Minutes,
                'h' => Unit::Hours,
                'D' => Unit::Days,
                'W' => Unit::Weeks,
                'M' => Unit::Months,
                'Y' => Unit::Years,
                _ => return None,
            };
            let n: i64 = number.parse().ok().filter(|n| *n > 0 && *n < 100_000)?;
            parts.push((n, unit));
            number.clear();
        }
        (number.is_empty() && !parts.is_empty()).then_some(Repeat(parts))
    }

    /// Roughly how long one step is (months as 30 days, years as 365, as Duplicati's
    /// `ParseTimeSpan` counts them).
    pub fn approx_seconds(&self) -> i64 {
        self.0
            .iter()
            .map(|(n, unit)| {
                n * match unit {
                    Unit::Seconds => 1,
                    Unit::Minutes => 60,
                    Unit::Hours => 3600,
                    Unit::Days => 86_400,
                    Unit::Weeks => 7 * 86_400,
                    Unit::Months => 30 * 86_400,
                    Unit::Years => 365 * 86_400,
                }
            })
            .sum()
    }

    /// `t` moved by one step (`sign` 1 forward, -1 back), on the server's calendar.
    fn step(&self, t: DateTime<FixedOffset>, sign: i64) -> Option<DateTime<FixedOffset>> {
        let mut t = t;
        for (n, unit) in &self.0 {
            let n = n * sign;
            t = match unit {
                Unit::Seconds => t + Duration::seconds(n),
                Unit::Minutes => t + Duration::minutes(n),
                Unit::Hours => t + Duration::hours(n),
                Unit::Days => t + Duration::days(n),
                Unit::Weeks => t + Duration::weeks(n),
                Unit::Months | Unit::Years => {
                    let months = if *unit == Unit::Years { n * 12 } else { n };
                    let m = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
                    if months >= 0 {
                        t.checked_add_months(m)?
                    } else {
                        t.checked_sub_months(m)?
                    }
                }
            };
        }
        Some(t)
    }
}

/// When a job is scheduled to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSchedule {
    /// `Time`: the run the scheduler plans next (or, after it ran, that run's planned start).
    pub time: i64,
    pub repeat: Repeat,
    /// `LastRun`: when the last scheduled run started.
    pub last_run: Option<i64>,
    /// Monday..Sunday; all allowed when the rule names none.
    allowed: [bool; 7],
}

impl JobSchedule {
    /// The schedule of a job as stored (`None`: a job without a repeating schedule).
    pub fn from_json(schedule_json: Option<&str>) -> Option<JobSchedule> {
        let s: Schedule = serde_json::from_str(schedule_json?).ok()?;
        let time = parse_utc(s.time.as_deref()?)?.timestamp();
        let repeat = Repeat::parse(s.repeat.as_deref()?)?;
        let last_run = s.last_run.as_deref().and_then(parse_utc).map(|t| t.timestamp());
        Some(JobSchedule { time, repeat, last_run, allowed: allowed_days(s.rule.as_deref().unwrap_or("")) })
    }

    /// The next run Duplicati plans (`GetNextValidTime(Time, LastRun)`).
    pub fn next_run(&self, offset_s: i32) -> Option<i64> {
        let from = self.last_run.filter(|l| *l > self.time).unwrap_or(self.time);
        self.first_at_or_after(from, offset_s)
    }

    /// The last run that was due at or before `t` (the server's schedule, seen from `t`).
    pub fn last_due(&self, t: i64, offset_s: i32) -> Option<i64> {
        let tz = FixedOffset::east_opt(offset_s)?;
        let start = DateTime::<Utc>::from_timestamp(self.time, 0)?.with_timezone(&tz);
        if self.time <= t {
            // Forward from Time, as the scheduler goes; fixed steps jump close first.
            let mut s = self.jump_towards(start, t)?;
            for _ in 0..100_000 {
                let next = self.adjust(self.repeat.step(s, 1)?)?;
                if next.timestamp() > t {
                    return Some(s.timestamp());
                }
                s = next;
            }
            return None;
        }
        // Back from Time: the runs before the one planned.
        let mut s = start;
        for _ in 0..100_000 {
            s = self.adjust_back(self.repeat.step(s, -1)?)?;
            if s.timestamp() <= t {
                return Some(s.timestamp());
            }
        }
        None
    }

    /// The first planned run after `t`.
    pub fn first_after(&self, t: i64, offset_s: i32) -> Option<i64> {
        self.first_at_or_after(t.saturating_add(1), offset_s)
    }

    /// The first run at or after `t`.
    fn first_at_or_after(&self, t: i64, offset_s: i32) -> Option<i64> {
        let tz = FixedOffset::east_opt(offset_s)?;
        let start = DateTime::<Utc>::from_timestamp(self.time, 0)?.with_timezone(&tz);
        if t <= self.time {
            return Some(self.adjust(start)?.timestamp());
        }
        let mut s = self.jump_towards(start, t)?;
        for _ in 0..100_000 {
            if s.timestamp() >= t {
                return Some(s.timestamp());
            }
            s = self.adjust(self.repeat.step(s, 1)?)?;
        }
        None
    }

    /// For a repeat of fixed length and every weekday allowed: `start` moved by whole steps to
    /// just before `t`, instead of stepping there one by one.
    fn jump_towards(&self, start: DateTime<FixedOffset>, t: i64) -> Option<DateTime<FixedOffset>> {
        let calendar = self.repeat.0.iter().any(|(_, u)| matches!(u, Unit::Months | Unit::Years));
        if calendar || self.allowed.iter().any(|a| !a) {
            return Some(start);
        }
        let len = self.repeat.approx_seconds();
        let steps = ((t - start.timestamp()) / len - 1).max(0);
        Some(start + Duration::seconds(steps.checked_mul(len)?))
    }

    /// The scheduler's move to an allowed weekday: a day at a time for repeats of a day or
    /// more, a repeat at a time for shorter ones.
    fn adjust(&self, t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        let mut t = t;
        let daily = self.repeat.approx_seconds() >= 86_400;
        for _ in 0..10_000 {
            if self.allowed[t.weekday().num_days_from_monday() as usize] {
                return Some(t);
            }
            t = if daily { t + Duration::days(1) } else { self.repeat.step(t, 1)? };
        }
        None
    }

    /// Going back: the latest allowed day at or before `t`.
    fn adjust_back(&self, t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        let mut t = t;
        let daily = self.repeat.approx_seconds() >= 86_400;
        for _ in 0..10_000 {
            if self.allowed[t.weekday().num_days_from_monday() as usize] {
                return Some(t);
            }
            t = if daily { t - Duration::days(1) } else { self.repeat.step(t, -1)? };
        }
        None
    }
}

/// `AllowedWeekDays=Monday,Tuesday` (long or short names, any case) → Monday..Sunday.
fn allowed_days(rule: &str) -> [bool; 7] {
    let Some(days) = rule.split(';').find_map(|part| part.trim().strip_prefix("AllowedWeekDays=")) else {
        return [true; 7];
    };
    let mut allowed = [false; 7];
    for day in days.split(',') {
        let day = day.trim().to_ascii_lowercase();
        let index = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().position(|d| day.starts_with(d));
        if let Some(i) = index {
            allowed[i] = true;
        }
    }
    if allowed.iter().any(|a| *a) {
        allowed
    } else {
        [true; 7]
    }
}

/// The UTC offset in `/systeminfo`'s `ServerTime` (`2025-05-04T09:15:02.4483917+02:00`).
pub fn utc_offset_of(server_time: &str) -> Option<i32> {
    DateTime::parse_from_rfc3339(server_time.trim()).ok().map(|t| t.offset().local_minus_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn schedule(time: &str, repeat: &str, last_run: Option<&str>, rule: &str) -> JobSchedule {
        let json = serde_json::json!({"Time": time, "Repeat": repeat, "LastRun": last_run, "Rule": rule}).to_string();
        JobSchedule::from_json(Some(&json)).unwrap()
    }

    #[test]
    fn repeats_read_as_duplicati_writes_them() {
        assert_eq!(Repeat::parse("1D").unwrap().approx_seconds(), 86_400);
        assert_eq!(Repeat::parse("12h").unwrap().approx_seconds(), 43_200);
        assert_eq!(Repeat::parse("1W2D").unwrap().approx_seconds(), 9 * 86_400);
        assert_eq!(Repeat::parse("3600").unwrap().approx_seconds(), 3600);
        for bad in ["", "D", "1X", "1D2", "0D", "-1D"] {
            assert_eq!(Repeat::parse(bad), None, "{bad:?}");
        }
        assert_eq!(utc_offset_of("2025-05-04T09:15:02.4483917+02:00"), Some(7200));
        assert_eq!(allowed_days("AllowedWeekDays=sat,Saturday"), [false, false, false, false, false, true, false]);
        assert_eq!(allowed_days(""), [true; 7]);
    }

    #[test]
    fn a_daily_job_was_due_at_its_last_planned_time() {
        // The fixture's daily job: next run 5 May 00:00 UTC, the last one 4 May.
        let s = schedule("2025-05-05T00:00:00Z", "1D", Some("2025-05-04T00:00:00Z"), "");
        assert_eq!(s.next_run(0), Some(ts("2025-05-05T00:00:00Z")));
        assert_eq!(s.last_due(ts("2025-05-04T09:15:00Z"), 0), Some(ts("2025-05-04T00:00:00Z")));
        // Its planned time passed without a run (Duplicati down): that run, then the next ones.
        assert_eq!(s.last_due(ts("2025-05-05T00:30:00Z"), 0), Some(ts("2025-05-05T00:00:00Z")));
        assert_eq!(s.last_due(ts("2025-05-08T12:00:00Z"), 0), Some(ts("2025-05-08T00:00:00Z")));
    }

    #[test]
    fn a_weekly_job_on_allowed_days_only() {
        // Saturdays only (the fixture's weekly job).
        let s = schedule("2025-05-10T04:00:00Z", "1W", Some("2025-05-03T04:00:00Z"), "AllowedWeekDays=Saturday");
        assert_eq!(s.last_due(ts("2025-05-07T00:00:00Z"), 0), Some(ts("2025-05-03T04:00:00Z")));
        assert_eq!(s.last_due(ts("2025-05-17T05:00:00Z"), 0), Some(ts("2025-05-17T04:00:00Z")));
        // Daily on weekdays: before Monday's run, Friday's was the last due (not Sunday's).
        let weekdays = schedule("2025-05-05T02:00:00Z", "1D", None, "AllowedWeekDays=Monday,Tuesday,Wednesday,Thursday,Friday");
        assert_eq!(weekdays.last_due(ts("2025-05-04T12:00:00Z"), 0), Some(ts("2025-05-02T02:00:00Z")));
        // After Friday's run, the next one is on Monday.
        let friday =
            schedule("2025-05-09T02:00:00Z", "1D", None, "AllowedWeekDays=mon,Monday,tue,Tuesday,wed,Wednesday,thu,Thursday,fri,Friday");
        assert_eq!(friday.last_due(ts("2025-05-11T23:00:00Z"), 0), Some(ts("2025-05-09T02:00:00Z")));
        assert_eq!(friday.last_due(ts("2025-05-12T03:00:00Z"), 0), Some(ts("2025-05-12T02:00:00Z")));
    }

    #[test]
    fn weekdays_are_the_servers() {
        // Daily at 23:30 UTC = 01:30 the next day on a server at UTC+2: Saturday 23:30 UTC is
        // Sunday there, not allowed on a weekdays-only schedule.
        let s = schedule("2025-05-09T23:30:00Z", "1D", None, "AllowedWeekDays=Monday,Tuesday,Wednesday,Thursday,Friday");
        // 9 May 23:30 UTC is Saturday 01:30 at the server: moved to Monday 01:30 there.
        assert_eq!(s.next_run(7200), Some(ts("2025-05-11T23:30:00Z")));
        assert_eq!(s.next_run(0), Some(ts("2025-05-09T23:30:00Z")), "a Friday in UTC");
    }

    #[test]
    fn months_and_years_step_on_the_calendar() {
        let s = schedule("2025-01-31T03:00:00Z", "1M", None, "");
        assert_eq!(s.last_due(ts("2025-03-15T00:00:00Z"), 0), Some(ts("2025-02-28T03:00:00Z")));
        let hourly = schedule("2025-05-05T00:00:00Z", "1h", None, "");
        assert_eq!(hourly.last_due(ts("2027-05-05T10:30:00Z"), 0), Some(ts("2027-05-05T10:00:00Z")), "years of hourly steps");
        assert_eq!(hourly.last_due(ts("2025-05-04T10:30:00Z"), 0), Some(ts("2025-05-04T10:00:00Z")));
    }
}
