//! This thread's hot state: a flags byte; beside it, the count of fresh
//! panics our hook saw (only the hook and the panic path read it). Which
//! guard's code runs here, and whether a `contain` guard encloses it, is in
//! the running word of `shard.rs`, beside the tables the guards read.
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
    /// Fresh panics our hook saw on this thread: the index of the newest in
    /// the ring of `fresh.rs`; wraps.
    fresh: Cell<u32>,
}

thread_local! {
    static HOT: Hot = const {
        Hot { flags: Cell::new(0), fresh: Cell::new(0) }
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

/// Whether `install()`'s hook keeps quiet for panics a guard will contain
/// (`Installer::quiet_contained`): the one reader of the contain bit of the
/// running word (`shard::in_contain`), which every guard sets anyway.
static QUIET_CONTAINED: AtomicBool = AtomicBool::new(false);

/// Turns quiet for contained panics on or off.
pub(crate) fn mark_contain(on: bool) {
    QUIET_CONTAINED.store(on, Relaxed);
}

/// Whether the hook keeps quiet for contained panics.
pub(crate) fn quiet_contained() -> bool {
    QUIET_CONTAINED.load(Relaxed)
}
