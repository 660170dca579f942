//! The background loop: a pass every minute (or every interval, when shorter; the settings are
//! read again before each wait) that collects the servers whose interval has come, spread with
//! a little jitter so many machines do not hit their servers in step, woken early when the settings change, stopped at once on request (a pass in progress is
//! cancelled like any collection: what it stored stays stored).
use crate::collect::CancelFlag;
use crate::error::Result;
use crate::ops::{Engine, PassReport};
use crate::store::now_ts;
use std::sync::Arc;
use std::time::Duration;

/// How often the loop looks again while background collection is off, or the store is
/// unavailable.
const IDLE: Duration = Duration::from_secs(3600);

/// The longest wait between passes while background collection is on.
const TICK: Duration = Duration::from_secs(super::RUNNING_RECHECK_S as u64);

/// Runs passes until `stop` is cancelled, handing each one's outcome to `on_pass`.
/// `interval_override` replaces the settings' interval (the command line's `--interval`).
pub async fn run(engine: Arc<Engine>, interval_override: Option<Duration>, stop: CancelFlag, on_pass: impl Fn(Result<PassReport>)) {
    loop {
        let interval = match interval_override {
            Some(i) => Some(i),
            None => match engine.monitor_settings().await {
                Ok(s) if s.interval_min > 0 => Some(Duration::from_secs(u64::from(s.interval_min) * 60)),
                _ => None,
            },
        };
        // Ticks at least every minute: a server whose interval has come is collected on time,
        // one with a task running is followed, an overdue job is noticed when it becomes so.
        let tick = interval.map(|i| i.min(TICK));
        let wait = tick.map_or(IDLE, jittered);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = engine.watch_settings_changed() => continue,
            () = stop.cancelled() => return,
        }
        if interval.is_none() {
            continue;
        }
        let pass = engine.watch_pass(now_ts(), interval_override.map(|i| i.as_secs() as i64));
        tokio::select! {
            result = pass => on_pass(result),
            () = stop.cancelled() => {
                engine.cancel_background();
                return;
            }
        }
    }
}

/// `interval` ± up to 10 % (at most a minute either way).
fn jittered(interval: Duration) -> Duration {
    let spread = (interval.as_millis() / 10).min(60_000) as u64;
    if spread == 0 {
        return interval;
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let offset = u64::from(nanos) % (2 * spread);
    (interval + Duration::from_millis(offset)).saturating_sub(Duration::from_millis(spread))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_tenth() {
        for _ in 0..100 {
            let j = jittered(Duration::from_secs(900));
            assert!(j >= Duration::from_secs(840) && j <= Duration::from_secs(960), "{j:?}");
        }
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }
}
