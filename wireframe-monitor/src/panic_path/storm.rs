//! Panic storms: at most a few reports per handler (and per panic location,
//! for the chained panic hook) in each interval, then one summary of what
//! was not reported. Counting stays exact; only reports are sampled.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant, SystemTime};

use crate::common::window::{Summary, Window};

/// Reports per key and interval; `u32::MAX`: unlimited.
static MAX: AtomicU32 = AtomicU32::new(DEFAULT_MAX);
static INTERVAL_MS: AtomicU64 = AtomicU64::new(DEFAULT_INTERVAL_MS);
/// Whether the chained panic hook is limited too: only once `install()`
/// asked for it (the hook a first handler call installs on its own leaves
/// the previous hook's reports alone).
static LIMIT_HOOK: AtomicBool = AtomicBool::new(false);
/// Whether reported panics carry a backtrace.
static BACKTRACES: AtomicBool = AtomicBool::new(true);

/// Default reports per handler and interval.
pub(crate) const DEFAULT_MAX: u32 = 5;
/// Default interval, in milliseconds.
pub(crate) const DEFAULT_INTERVAL_MS: u64 = 1_000;

/// Sets the limits (`max == u32::MAX`: unlimited).
pub(crate) fn configure(max: u32, interval: Duration, limit_hook: bool, backtraces: bool) {
    MAX.store(max, Relaxed);
    let ms = u64::try_from(interval.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    INTERVAL_MS.store(ms, Relaxed);
    LIMIT_HOOK.store(limit_hook, Relaxed);
    BACKTRACES.store(backtraces, Relaxed);
}

/// The interval of the limits.
pub(crate) fn interval() -> Duration {
    Duration::from_millis(INTERVAL_MS.load(Relaxed))
}

/// Whether the chained hook is limited.
pub(crate) fn limit_hook() -> bool {
    LIMIT_HOOK.load(Relaxed)
}

/// Whether reported panics carry a backtrace.
pub(crate) fn backtraces() -> bool {
    BACKTRACES.load(Relaxed)
}

/// One panic of the key `window` counts at `now`: whether to report it,
/// and the summary of the previous interval if it ended with panics not
/// reported. The limits are the ones [`configure`] set.
pub(crate) fn admit(window: &mut Window, now: Instant, at: SystemTime) -> (bool, Option<Summary>) {
    window.admit(now, at, MAX.load(Relaxed), interval())
}

/// Ends the interval of `window` if it is over: its summary, if anything
/// was not reported.
pub(crate) fn roll(window: &mut Window, now: Instant) -> Option<Summary> {
    window.roll(now, interval())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant, SystemTime};

    use super::{DEFAULT_MAX, admit, roll};
    use crate::common::window::Window;

    #[test]
    fn reports_the_first_few_then_summarises_the_rest() {
        let mut window = Window::default();
        let start = Instant::now();
        let at = SystemTime::now();
        let reported = (0..100)
            .filter(|_| {
                let (report, summary) = admit(&mut window, start, at);
                assert!(summary.is_none());
                report
            })
            .count();
        assert_eq!(reported, DEFAULT_MAX as usize);
        let later = start + Duration::from_secs(2);
        let (report, summary) = admit(&mut window, later, at);
        assert!(report);
        assert_eq!(
            summary.map(|s| s.suppressed),
            Some(100 - u64::from(DEFAULT_MAX))
        );
        assert!(roll(&mut window, later + Duration::from_secs(2)).is_none());
    }
}
