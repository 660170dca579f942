//! Deterministic generator of Duplicati job-log rows (result JSON in Newtonsoft form).
//!
//! Every row is computed from `(seed, job, epoch, id)` alone, so pages are produced on
//! demand and nothing but a few numbers per job is kept in memory. This module decides the
//! facts of a row (what it records, when it ran) and hands the row to its operation:
//!
//! - `rng`: the seeded random numbers every value is drawn from;
//! - `profiles`: what a job looks like and the mix of operations its rows record;
//! - `results` and `backup`: the simulated run of each operation (numbers, files, log lines);
//! - `writers`: Duplicati's serialisation of those runs.

mod backup;
mod profiles;
mod results;
mod rng;
mod writers;

pub(crate) use profiles::{JobProfile, Kind};
pub(crate) use rng::Rng;

use crate::config::Version;
use crate::timefmt::{Ticks, TICKS_PER_SEC};
use results::Run;
use writers::ResultWriter;

const MB: i64 = 1024 * 1024;
const HOUR: Ticks = 3600 * TICKS_PER_SEC;

/// A run of consecutive row IDs spaced `interval` apart, starting at `start`, written by one
/// Duplicati version.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    pub first: u64,
    pub last: u64,
    pub start: Ticks,
    pub interval: Ticks,
    /// The version that wrote these rows: their `Version`, result fields and operation mix.
    pub version: Version,
    /// A single row with a chosen operation and times (`first == last`).
    pub forced: Option<Forced>,
}

/// The operation and times of a row written on demand.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Forced {
    pub kind: Kind,
    pub begin: Ticks,
    pub end: Ticks,
    /// Entries of a List row's `Files`.
    pub files: u32,
}

/// The cheap facts of one row (no message text).
#[derive(Clone, Debug)]
pub(crate) struct RowFacts {
    pub id: u64,
    pub operation_id: u64,
    pub kind: Kind,
    pub begin: Ticks,
    pub end: Ticks,
    pub version: Version,
    /// `Files` entries of a List row chosen on demand.
    files: Option<u32>,
    seed: u64,
    epoch: u32,
}

impl RowFacts {
    /// Unix seconds written to the `Timestamp` column (≈ EndTime).
    pub fn timestamp(&self) -> i64 {
        self.end.div_euclid(TICKS_PER_SEC) + 1
    }

    fn rng(&self, job: u32, salt: u64) -> Rng {
        Rng::from(&[self.seed, u64::from(job), u64::from(self.epoch), self.id, salt])
    }
}

/// Computes the facts of row `id` of a job (which must lie inside `seg`).
pub(crate) fn facts(seed: u64, profile: &JobProfile, epoch: u32, seg: &Segment, id: u64) -> RowFacts {
    let operation_id = id + id * 3 / 8 + u64::from(epoch) * 7;
    if let Some(f) = seg.forced {
        return RowFacts {
            id,
            operation_id,
            kind: f.kind,
            begin: f.begin,
            end: f.end,
            version: seg.version,
            files: Some(f.files),
            seed,
            epoch,
        };
    }
    let mut rng = Rng::from(&[seed, u64::from(profile.number), u64::from(epoch), id, 1]);
    let kind = Kind::choose(&mut rng, seg.version);
    let slot = seg.start + (id - seg.first) as i64 * seg.interval;
    let jitter_max = (seg.interval / 4).min(90 * TICKS_PER_SEC);
    let begin = slot + rng.range(0, jitter_max.max(1)) + rng.range(0, TICKS_PER_SEC);
    let dur = match kind {
        Kind::Fatal | Kind::Interrupted | Kind::ScriptAbort => rng.range(2, 15) * TICKS_PER_SEC,
        Kind::UserStop => rng.range(60, 900) * TICKS_PER_SEC,
        Kind::Repair | Kind::Delete | Kind::List => rng.range(5, 120) * TICKS_PER_SEC,
        _ => rng.range(30, 1_800) * TICKS_PER_SEC,
    } + rng.range(0, TICKS_PER_SEC);
    let dur = dur.min((seg.interval / 2).max(TICKS_PER_SEC / 10));
    RowFacts { id, operation_id, kind, begin, end: begin + dur, version: seg.version, files: None, seed, epoch }
}

/// The result JSON (Newtonsoft form) of a row, as the version that wrote it serialises it.
pub(crate) fn message(profile: &JobProfile, f: &RowFacts) -> String {
    let json = ResultWriter::new(f.version);
    let mut run = Run { rng: f.rng(profile.number, 2), profile, f, json: &json };
    match f.kind {
        k if k.is_backup() => run.backup(),
        Kind::Compact => run.compact(),
        Kind::Test => run.test(),
        Kind::Restore => run.restore(),
        Kind::Repair => run.repair(),
        Kind::Delete => run.delete(),
        _ => run.list(f.files),
    }
}

/// The exception a failed (Fatal) backup row reports: message, full type name and the
/// `HelpID` of a `UserInformationException` (Duplicati's Runner stores the message as
/// `Metadata.LastErrorMessage` and the rest in the notification).
pub(crate) fn fatal_error(profile: &JobProfile, f: &RowFacts) -> (String, &'static str, Option<&'static str>) {
    let json = ResultWriter::new(f.version);
    let mut run = Run { rng: f.rng(profile.number, 2), profile, f, json: &json };
    // Replay the draws a backup makes before it fails.
    run.list_lines(&mut writers::Lines::default(), f.begin);
    let (msg, exc, _) = run.fatal_error();
    let (full, help) = match exc {
        "RemoteListVerificationException" => ("Duplicati.Library.Interface.RemoteListVerificationException", Some("MissingRemoteFiles")),
        "WebException" => ("System.Net.WebException", None),
        _ => ("System.Net.Sockets.SocketException", None),
    };
    (msg, full, help)
}
