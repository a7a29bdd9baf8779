//! This thread's hot state, read by every guard: a flags byte and the
//! depth of running `contain` guards; beside them, the count of fresh
//! panics our hook saw (only the hook and the panic path read it).
//!
//! One `thread_local!` without `Drop`, so access needs no state check and
//! stays valid while the thread's other thread-locals are destroyed.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// Flag: a same-thread "re-raised" mark is set (see `once.rs`); the next
/// guard entry outside unwinding clears it. Keeps entries off the fast path.
pub(crate) const DIRTY: u8 = 1;
/// Flag: this thread's counter shard was given back (see `shard.rs`).
pub(crate) const RETIRED: u8 = 2;

struct Hot {
    /// `DIRTY | RETIRED`; 0 on the fast path.
    flags: Cell<u8>,
    /// How many `contain` guards run on this thread's stack (only counted
    /// while [`mark_contain`] is on).
    contain_depth: Cell<u32>,
    /// Fresh panics our hook saw on this thread: the index of the newest in
    /// the ring of `fresh.rs`; wraps.
    fresh: Cell<u32>,
}

thread_local! {
    static HOT: Hot = const {
        Hot { flags: Cell::new(0), contain_depth: Cell::new(0), fresh: Cell::new(0) }
    };
}

/// This thread's flags; `RETIRED` once its thread-locals are gone.
#[inline]
pub(crate) fn current() -> u8 {
    HOT.try_with(|hot| hot.flags.get()).unwrap_or(RETIRED)
}

/// Sets `flag` on this thread; only through `shard::raise`, which also
/// clears the table of run-time handlers' slots (their fast path reads no
/// flags).
pub(crate) fn set_flag(flag: u8) {
    let _ = HOT.try_with(|hot| hot.flags.set(hot.flags.get() | flag));
}

/// Clears `flag` on this thread.
pub(crate) fn clear_flag(flag: u8) {
    let _ = HOT.try_with(|hot| hot.flags.set(hot.flags.get() & !flag));
}

/// The count of fresh panics our hook saw on this thread.
#[inline]
pub(crate) fn fresh() -> u32 {
    HOT.try_with(|hot| hot.fresh.get()).unwrap_or(0)
}

/// Sets the count of fresh panics our hook saw on this thread.
pub(crate) fn set_fresh(count: u32) {
    let _ = HOT.try_with(|hot| hot.fresh.set(count));
}

/// Whether `contain` guards mark the code they run (see [`contain_begin`]):
/// only while `install()`'s hook keeps quiet for contained panics
/// (`Installer::quiet_contained`), the one reader of the mark. Off, a guard
/// pays one load of this flag per run, and [`in_contain`] is always false.
static MARK_CONTAIN: AtomicBool = AtomicBool::new(false);

/// Turns the marking of running `contain` guards on or off.
pub(crate) fn mark_contain(on: bool) {
    MARK_CONTAIN.store(on, Relaxed);
}

/// A `contain` guard starts running code on this thread; returns what
/// [`contain_end`] restores (`None` when marking is off). Only the check of
/// the option is inlined into every guard: the marking itself is out of
/// line (opt-in, and code in every handler otherwise).
#[inline]
pub(crate) fn contain_begin() -> Option<u32> {
    if MARK_CONTAIN.load(Relaxed) {
        Some(mark_begin())
    } else {
        None
    }
}

/// `extern "C"`, like the other out-of-line calls of a guard: it cannot
/// unwind, so callers need no landing pad for it.
#[inline(never)]
extern "C" fn mark_begin() -> u32 {
    HOT.try_with(|hot| {
        let depth = hot.contain_depth.get();
        hot.contain_depth.set(depth.wrapping_add(1));
        depth
    })
    .unwrap_or(0)
}

/// The `contain` guard's code stopped running (returned, panicked or
/// returned `Pending`).
#[inline]
pub(crate) fn contain_end(saved: Option<u32>) {
    if let Some(depth) = saved {
        mark_end(depth);
    }
}

#[inline(never)]
extern "C" fn mark_end(depth: u32) {
    let _ = HOT.try_with(|hot| hot.contain_depth.set(depth));
}

/// Whether a panic raised on this thread now will be contained by a guard.
pub(crate) fn in_contain() -> bool {
    HOT.try_with(|hot| hot.contain_depth.get() > 0)
        .unwrap_or(false)
}
