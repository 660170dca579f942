//! The Backup Logs' date filter: a "to" day includes that whole day in the computer's time
//! zone, whatever the zone and on the days daylight saving time starts or ends.
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use duplidesk_core::dates::{day_range_in, midnight_in};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Unix seconds of a local wall-clock time in `tz` (the earliest, when it is ambiguous).
fn at(tz: &Tz, s: &str) -> i64 {
    let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    tz.from_local_datetime(&local).earliest().unwrap().timestamp()
}

#[test]
fn a_single_day_covers_that_whole_day_in_every_time_zone() {
    let zones: [Tz; 7] = [
        chrono_tz::UTC,
        chrono_tz::Europe::Madrid,
        chrono_tz::America::New_York,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Pacific::Kiritimati,
        chrono_tz::Pacific::Pago_Pago,
        chrono_tz::Australia::Lord_Howe,
    ];
    for tz in zones {
        let (from, to) = day_range_in(Some(day("2025-05-04")), Some(day("2025-05-04")), &tz);
        let (from, to) = (from.unwrap(), to.unwrap());
        assert_eq!(to - from, 86_400, "{tz}");
        assert_eq!(from, at(&tz, "2025-05-04 00:00:00"), "{tz}");
        // The last second of the day is in; the first second of the next day is not (`to` is
        // exclusive).
        let last = at(&tz, "2025-05-04 23:59:59");
        assert!(from <= last && last < to, "{tz}");
        assert_eq!(to, at(&tz, "2025-05-05 00:00:00"), "{tz}");
    }
    // The same calendar day is a different span of instants in each zone.
    let madrid = day_range_in(Some(day("2025-05-04")), None, &chrono_tz::Europe::Madrid).0.unwrap();
    let new_york = day_range_in(Some(day("2025-05-04")), None, &chrono_tz::America::New_York).0.unwrap();
    assert_eq!(new_york - madrid, 6 * 3600);
}

#[test]
fn days_when_daylight_saving_time_starts_or_ends_are_included_whole() {
    // Madrid: 2025-03-30 has 23 hours (02:00 → 03:00), 2025-10-26 has 25 (03:00 → 02:00).
    let tz = chrono_tz::Europe::Madrid;
    let (from, to) = day_range_in(Some(day("2025-03-30")), Some(day("2025-03-30")), &tz);
    assert_eq!(to.unwrap() - from.unwrap(), 23 * 3600);
    let (from, to) = day_range_in(Some(day("2025-10-26")), Some(day("2025-10-26")), &tz);
    assert_eq!(to.unwrap() - from.unwrap(), 25 * 3600);
    // A run at 02:30 the second time round (after the clocks went back) is on that day.
    let second_half = at(&tz, "2025-10-26 02:30:00") + 3600;
    assert!(from.unwrap() <= second_half && second_half < to.unwrap());

    // New York, and a range of days across the change: from the 8th to the 10th of March 2025
    // is 3 days less the hour the clocks skip.
    let tz = chrono_tz::America::New_York;
    let (from, to) = day_range_in(Some(day("2025-03-08")), Some(day("2025-03-10")), &tz);
    assert_eq!(to.unwrap() - from.unwrap(), 3 * 86_400 - 3600);
    let (from, to) = day_range_in(Some(day("2025-11-02")), Some(day("2025-11-02")), &tz);
    assert_eq!(to.unwrap() - from.unwrap(), 25 * 3600);

    // Lord Howe moves its clocks by half an hour.
    let tz = chrono_tz::Australia::Lord_Howe;
    let (from, to) = day_range_in(Some(day("2025-04-06")), Some(day("2025-04-06")), &tz);
    assert_eq!(to.unwrap() - from.unwrap(), 86_400 + 1800);
}

#[test]
fn a_day_whose_midnight_the_clocks_skip_starts_when_they_resume() {
    // Santiago de Chile: on 2025-09-07 the clocks go from 00:00 straight to 01:00.
    let tz = chrono_tz::America::Santiago;
    let start = midnight_in(day("2025-09-07"), &tz).unwrap();
    assert_eq!(start, at(&tz, "2025-09-07 01:00:00"));
    let (from, to) = day_range_in(Some(day("2025-09-06")), Some(day("2025-09-06")), &tz);
    assert_eq!(to.unwrap(), start, "the day before ends where the skipped day starts");
    assert_eq!(to.unwrap() - from.unwrap(), 86_400);
    let (from, to) = day_range_in(Some(day("2025-09-07")), Some(day("2025-09-07")), &tz);
    assert_eq!(to.unwrap() - from.unwrap(), 23 * 3600);
}

#[test]
fn open_ends_stay_open() {
    assert_eq!(day_range_in(None, None, &chrono_tz::UTC), (None, None));
    assert_eq!(day_range_in(None, Some(day("1970-01-01")), &chrono_tz::UTC), (None, Some(86_400)));
}
