//! A rate window per key: at most `max` admitted in each interval, the
//! rest counted into a [`Summary`] given when the interval ends. The storm
//! limits (`panic_path::storm`) decide `max` and the interval.

use std::time::{Duration, Instant, SystemTime};

/// What was not reported in an interval that ended.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Summary {
    /// Panics not reported.
    pub(crate) suppressed: u64,
    /// When the last of them happened.
    pub(crate) last: SystemTime,
}

/// The reports of one key (a handler, or a panic location) in the current
/// interval.
#[derive(Debug, Default)]
pub(crate) struct Window {
    start: Option<Instant>,
    reported: u32,
    suppressed: u64,
    last_suppressed: Option<SystemTime>,
}

impl Window {
    /// One panic at `at`: whether to report it, and the summary of the
    /// previous interval if it ended with panics not reported.
    pub(crate) fn admit(
        &mut self,
        now: Instant,
        at: SystemTime,
        max: u32,
        interval: Duration,
    ) -> (bool, Option<Summary>) {
        let summary = self.roll(now, interval);
        if self.start.is_none() {
            self.start = Some(now);
        }
        if max == u32::MAX || self.reported < max {
            self.reported += 1;
            (true, summary)
        } else {
            self.suppressed += 1;
            self.last_suppressed = Some(at);
            (false, summary)
        }
    }

    /// Ends the interval if it is over: its summary, if anything was not
    /// reported.
    pub(crate) fn roll(&mut self, now: Instant, interval: Duration) -> Option<Summary> {
        let start = self.start?;
        if now.saturating_duration_since(start) < interval {
            return None;
        }
        let summary = self.last_suppressed.take().map(|last| Summary {
            suppressed: self.suppressed,
            last,
        });
        *self = Self::default();
        summary
    }
}
