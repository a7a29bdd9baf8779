//! Failures swallowed while recording panics: counted, never propagated.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

static FAILURES: AtomicU64 = AtomicU64::new(0);

/// How many failures while recording panics were swallowed: a panic handler,
/// tracing subscriber or metrics recorder that panicked, a payload whose
/// `Drop` panicked, or a report skipped because recording was re-entered (a
/// panic handler, subscriber or recorder that called a monitored handler
/// which panicked).
///
/// ```
/// assert_eq!(wireframe_monitor::recording_failures(), 0);
/// ```
#[must_use]
pub fn recording_failures() -> u64 {
    FAILURES.load(Relaxed)
}

/// Counts one swallowed failure.
pub(crate) fn count_failure() {
    FAILURES.fetch_add(1, Relaxed);
}

/// Runs `f`; a panic in it is counted and its payload dropped safely.
pub(crate) fn swallow<T>(f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(payload) => {
            count_failure();
            drop_payload(payload);
            None
        }
    }
}

/// Drops a panic payload; if its `Drop` panics, that second payload is
/// leaked rather than risk a third panic.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(second) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        count_failure();
        std::mem::forget(second);
    }
}
