//! This thread's hot state, read by every guard: a flags byte, the depth of
//! running `contain` guards, the handler whose code runs here now and the
//! run-time handlers' slot table (see `shard.rs`); beside them, the count
//! of fresh panics our hook saw (only the hook and the panic path read it).
//!
//! One `thread_local!` without `Drop`, so access needs no state check and
//! stays valid while the thread's other thread-locals are destroyed; one,
//! so that a guard reaches all it uses from one thread-local address.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use crate::counting::slot::Slot;

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
    /// The innermost monitored call whose code runs on this thread now, as
    /// the word its guard set around that code (a sync body, one poll) and
    /// restores after; 0: none. What the word holds is the doors' business
    /// (`doors::site::running_id`).
    running: Cell<u64>,
    /// This thread's slots of the handlers made at run time, by table
    /// index (`shard.rs` says when they are filled and cleared).
    fast: [Cell<Option<&'static Slot>>; FAST_LEN],
}

/// Entries of the run-time handlers' slot table: one per `u8` index, so
/// indexing needs no bounds check.
const FAST_LEN: usize = 256;

thread_local! {
    static HOT: Hot = const {
        Hot {
            flags: Cell::new(0),
            contain_depth: Cell::new(0),
            fresh: Cell::new(0),
            running: Cell::new(0),
            fast: [const { Cell::new(None) }; FAST_LEN],
        }
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
/// [`contain_end`] restores (`None` when marking is off).
#[inline]
pub(crate) fn contain_begin() -> Option<u32> {
    if !MARK_CONTAIN.load(Relaxed) {
        return None;
    }
    HOT.try_with(|hot| {
        let depth = hot.contain_depth.get();
        hot.contain_depth.set(depth.wrapping_add(1));
        depth
    })
    .ok()
}

/// The `contain` guard's code stopped running (returned, panicked or
/// returned `Pending`).
#[inline]
pub(crate) fn contain_end(saved: Option<u32>) {
    if let Some(depth) = saved {
        let _ = HOT.try_with(|hot| hot.contain_depth.set(depth));
    }
}

/// Whether a panic raised on this thread now will be contained by a guard.
pub(crate) fn in_contain() -> bool {
    HOT.try_with(|hot| hot.contain_depth.get() > 0)
        .unwrap_or(false)
}

/// A guard starts running the code of the handler it marks with `handler`
/// on this thread; returns what [`run_end`] restores. One load and one
/// store, beside the flags byte.
#[inline]
pub(crate) fn run_begin(handler: u64) -> u64 {
    HOT.try_with(|hot| hot.running.replace(handler))
        .unwrap_or(0)
}

/// The guard's code stopped running (returned, panicked or returned
/// `Pending`): the outer handler's, if any, runs again.
#[inline]
pub(crate) fn run_end(saved: u64) {
    let _ = HOT.try_with(|hot| hot.running.set(saved));
}

/// The word of the innermost monitored call whose code runs on this
/// thread now; 0 outside any.
#[inline]
pub(crate) fn running() -> u64 {
    HOT.try_with(|hot| hot.running.get()).unwrap_or(0)
}

/// This thread's slot at index `index` of the run-time handlers' slot
/// table, if filled.
#[inline]
pub(crate) fn fast(index: u8) -> Option<&'static Slot> {
    HOT.try_with(|hot| hot.fast[usize::from(index)].get())
        .ok()
        .flatten()
}

/// Fills index `index` of this thread's slot table.
pub(crate) fn set_fast(index: u8, slot: &'static Slot) {
    let _ = HOT.try_with(|hot| hot.fast[usize::from(index)].set(Some(slot)));
}

/// Clears this thread's slot table.
pub(crate) fn forget_fast() {
    let _ = HOT.try_with(|hot| {
        for entry in &hot.fast {
            entry.set(None);
        }
    });
}
