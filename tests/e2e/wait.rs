//! The one polling loop of the end-to-end tests: everything that waits for the app, the
//! WebDriver, the desktop or the data folder waits through `wait_until`.
use std::time::{Duration, Instant};

/// How often a condition is checked again.
const INTERVAL: Duration = Duration::from_millis(100);

/// What a condition answers: `bool` (met or not yet) or `Option<T>` (the value it waited for).
pub trait Check {
    type Value;
    fn met(self) -> Option<Self::Value>;
}

impl Check for bool {
    type Value = ();
    fn met(self) -> Option<()> {
        self.then_some(())
    }
}

impl<T> Check for Option<T> {
    type Value = T;
    fn met(self) -> Option<T> {
        self
    }
}

/// `timeout` in whole seconds (the tests' unit).
pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Checks `condition` until it is met and returns its value; panics with `what` after `timeout`.
#[track_caller]
pub fn wait_until<C: Check>(what: &str, timeout: Duration, condition: impl FnMut() -> C) -> C::Value {
    wait_until_or(what, timeout, condition, String::new)
}

/// Like `wait_until`, and on a timeout adds what `details` says (a page dump, the last error)
/// to the panic message.
#[track_caller]
pub fn wait_until_or<C: Check>(
    what: &str,
    timeout: Duration,
    mut condition: impl FnMut() -> C,
    details: impl FnOnce() -> String,
) -> C::Value {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = condition().met() {
            return value;
        }
        if Instant::now() >= deadline {
            let details = details();
            let sep = if details.is_empty() { "" } else { "; " };
            panic!("timed out after {} s: {what}{sep}{details}", timeout.as_secs_f64());
        }
        std::thread::sleep(INTERVAL);
    }
}
