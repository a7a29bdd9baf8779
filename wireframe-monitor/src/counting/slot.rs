//! [`Slot`]: the two counters of one handler in one thread, written only
//! by that thread (a relaxed load and store, no read-modify-write) and
//! summed by readers.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The two counters of one handler in one thread.
pub(crate) struct Slot {
    calls: AtomicU64,
    done: AtomicU64,
}

impl Slot {
    /// Both counters at 0.
    pub(crate) const fn new() -> Self {
        Self {
            calls: AtomicU64::new(0),
            done: AtomicU64::new(0),
        }
    }

    /// A call starts (only this slot's thread calls it).
    #[inline]
    pub(crate) fn begin(&self) {
        bump(&self.calls);
    }

    /// A call ends (only this slot's thread calls it).
    #[inline]
    pub(crate) fn end(&self) {
        bump(&self.done);
    }

    /// `(calls, done)`, `done` read first: a call that ends between the
    /// two reads is then seen as still active rather than as a negative
    /// count.
    pub(crate) fn read(&self) -> (u64, u64) {
        let done = self.done.load(Relaxed);
        (self.calls.load(Relaxed), done)
    }
}

/// `counter += 1` for a counter only this thread writes.
#[inline]
fn bump(counter: &AtomicU64) {
    counter.store(counter.load(Relaxed).wrapping_add(1), Relaxed);
}
