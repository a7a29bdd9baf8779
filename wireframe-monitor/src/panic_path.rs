//! The panic path: everything that happens after a guard catches a panic,
//! in this order, all of it cold.
//!
//! 1. [`hook`], our process panic hook, runs first, while the panic is
//!    raised: it notes the fresh panic's location, message kind and
//!    (for the first few) backtrace in [`fresh`], per thread.
//! 2. The guard catches the payload; [`once`] decides whether this guard
//!    is the innermost one to see a fresh panic (then it records) or the
//!    panic was recorded already (re-raised through an outer guard).
//! 3. [`report`] records: the registry entry's counters and last panic,
//!    the metrics, then, within the [`storm`] limits, one [`event`] to
//!    `tracing` (one line, with the [`short_backtrace`]) and one call of
//!    the user's [`panic_handler`].
//!
//! What flows through: a caught payload and the registry entry of the
//! guard that caught it. What it must never do: wait for the publisher
//! (it may take only locks that no thread holds while calling into a
//! recorder), let a failure of its own escape (every step is swallowed and
//! counted in `recording_failures`), or import a door.

pub(crate) mod event;
pub(crate) mod fresh;
pub(crate) mod hook;
pub(crate) mod once;
pub(crate) mod panic_handler;
pub(crate) mod report;
#[cfg(feature = "tracing")]
pub(crate) mod short_backtrace;
pub(crate) mod storm;

use std::sync::Once;
use std::time::Duration;

use crate::common::failures::{count_failure, swallow};

/// Starts, once, the thread that writes storm summaries when an interval
/// ends without a further panic to carry them.
pub(crate) fn start_sweeper() {
    static START: Once = Once::new();
    START.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("wfmon-storms".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(storm::interval().min(Duration::from_secs(1)));
                    swallow(|| {
                        report::sweep();
                        hook::sweep();
                    });
                }
            });
        if spawned.is_err() {
            count_failure();
        }
    });
}
