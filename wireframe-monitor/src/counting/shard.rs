//! Per-thread call counters: the hot path of every monitored call.
//!
//! Each thread owns one [`Shard`] of counters, indexed by the handler's
//! registry id. A call does `calls += 1` on entry and `done += 1` on exit in
//! its own thread's shard, as a relaxed load and store (no read-modify-write,
//! no lock, no hashing, no allocation): only the owning thread writes a
//! shard, so nothing is lost. Readers ([`crate::snapshot`], the publisher) sum
//! all shards; `active = calls - done`. A shard goes back to a free list when
//! its thread exits and the next new thread reuses it, so memory stays bounded
//! in thread-per-connection servers while the sums stay exact.
//!
//! A call reaches its slot with one load from a `thread_local!` without
//! `Drop`: an annotated function through this thread's table of its
//! shard's chunks, by the 16-bit key its `static` site keeps; a handler
//! made at run time through the table of run-time handlers' slots, by the
//! index its one word keeps (or, beyond the first 255, through the chunk
//! table by its id). Neither door adds per-handler thread-local storage.
//! Beside both tables, in the same thread-local, every guard marks its
//! handler as running around the code it runs ([`run_begin`]).

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock};

use crate::counting::flags;

/// Counters per chunk; a chunk is allocated the first time a thread calls a
/// handler whose id falls in it.
const CHUNK: usize = 256;
/// Chunks per shard: ids at or above `CHUNK * CHUNKS` (65,536) use the
/// shared overflow counters of the registry entry instead.
const CHUNKS: usize = 256;

/// The two counters of one handler in one thread.
pub(crate) struct Slot {
    calls: AtomicU64,
    done: AtomicU64,
}

impl Slot {
    const fn new() -> Self {
        Self {
            calls: AtomicU64::new(0),
            done: AtomicU64::new(0),
        }
    }
}

/// The slots of `CHUNK` consecutive ids in one shard.
pub(crate) struct Chunk([Slot; CHUNK]);

impl Chunk {
    /// The slot of `id` (whose chunk this is).
    #[inline]
    fn slot(&self, id: u32) -> &Slot {
        &self.0[id as usize % CHUNK]
    }
}

/// The counters of one thread (or of a thread that exited, waiting for reuse).
pub(crate) struct Shard {
    chunks: [OnceLock<Box<Chunk>>; CHUNKS],
}

impl Shard {
    fn new() -> Self {
        Self {
            chunks: [const { OnceLock::new() }; CHUNKS],
        }
    }

    /// The chunk of `id`, allocated on first use; `None` beyond the last.
    fn chunk(&self, id: u32) -> Option<&Chunk> {
        let chunk = self
            .chunks
            .get(id as usize / CHUNK)?
            .get_or_init(|| Box::new(Chunk([const { Slot::new() }; CHUNK])));
        Some(chunk)
    }
}

/// Every shard ever made, in use or free: readers sum over all of them.
static ALL: RwLock<Vec<&'static Shard>> = RwLock::new(Vec::new());
/// Shards of exited threads, ready for the next new thread.
static FREE: Mutex<Vec<&'static Shard>> = Mutex::new(Vec::new());

/// This thread's shard, returned to [`FREE`] when the thread exits.
struct Local {
    shard: Cell<Option<&'static Shard>>,
}

impl Drop for Local {
    fn drop(&mut self) {
        // Calls made after this (from other thread-local destructors) go to
        // the shared overflow counters: the shard may belong to a new thread.
        raise(flags::RETIRED);
        if let Some(shard) = self.shard.take() {
            FREE.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(shard);
        }
    }
}

thread_local! {
    static LOCAL: Local = const { Local { shard: Cell::new(None) } };
    /// This thread's fast-path state, in one `thread_local!` without `Drop`
    /// (no state check, valid while the thread's other thread-locals are
    /// destroyed), so that a guard reaches its slot and the running word
    /// from one thread-local address.
    static HOT: Hot = const {
        Hot {
            table: [const { Cell::new(None) }; CHUNKS],
            slots: [const { Cell::new(None) }; SLOTS_LEN],
            running: Cell::new(0),
        }
    };
}

/// What every guard reads or writes on its fast path.
struct Hot {
    /// This thread's shard's chunks, by `id / CHUNK`. Entries are filled
    /// only while the thread's flags are 0 and all cleared whenever one is
    /// set ([`raise`]), so a filled entry alone says the fast path applies:
    /// a call reads its chunk pointer and nothing else. 2 KiB per thread,
    /// whatever the number of handlers.
    table: [Cell<Option<&'static Chunk>>; CHUNKS],
    /// Beside it, this thread's slots of the first 255 handlers made at
    /// run time, by their [`Entry::fast`](crate::registry::Entry::fast)
    /// index, filled and cleared with `table`: a run-time handler keeps
    /// that index in the word that holds its id, so its call reads its slot
    /// pointer and nothing else. 2 KiB per thread.
    slots: [Cell<Option<&'static Slot>>; SLOTS_LEN],
    /// The innermost monitored call whose code runs on this thread now, as
    /// the word its guard set around that code (a sync body, one poll) and
    /// restores after ([`run_begin`]), and whether a `contain` guard
    /// encloses it ([`CONTAIN`]); 0: none. What the rest of the word holds
    /// is the doors' business (`doors::site::running_id`).
    running: Cell<u64>,
}

/// Entries of the run-time handlers' slot table: one per `u8` index, so
/// indexing needs no bounds check.
const SLOTS_LEN: usize = 256;
/// The slot-table index shared by run-time handlers beyond the first 255:
/// never filled.
pub(crate) const NO_FAST: u8 = u8::MAX;

/// This thread's slot of the run-time handler with slot-table index
/// `index`, if the fast path applies: one load.
#[inline]
pub(crate) fn slot_at(index: u8) -> Option<&'static Slot> {
    HOT.try_with(|hot| hot.slots[usize::from(index)].get())
        .ok()
        .flatten()
}

impl Slot {
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
}

#[cold]
#[inline(never)]
fn acquire(local: &Local) -> &'static Shard {
    let reused = FREE.lock().unwrap_or_else(PoisonError::into_inner).pop();
    let shard = reused.unwrap_or_else(|| {
        let shard: &'static Shard = Box::leak(Box::new(Shard::new()));
        ALL.write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(shard);
        shard
    });
    local.shard.set(Some(shard));
    shard
}

/// `counter += 1` for a counter only this thread writes.
#[inline]
fn bump(counter: &AtomicU64) {
    counter.store(counter.load(Relaxed).wrapping_add(1), Relaxed);
}

/// The key of [`fast`] that never has a fast path: its chunk, the last,
/// is never kept in the chunk table.
pub(crate) const NO_KEY: u16 = u16::MAX;

/// The key of [`fast`] for handler `id`: the id itself below 65,280 (255
/// chunks), else [`NO_KEY`].
#[inline]
pub(crate) fn key(id: u32) -> u16 {
    match u16::try_from(id) {
        Ok(key) if usize::from(key) / CHUNK < CHUNKS - 1 => key,
        _ => NO_KEY,
    }
}

/// This thread's slot of the handler with fast-path `key` ([`key`]), if
/// the fast path applies: one load from the chunk table, whose 256 entries a
/// 16-bit key indexes without a bounds check.
#[inline]
pub(crate) fn fast(key: u16) -> Option<&'static Slot> {
    // The key's high byte is its chunk, the low byte its slot there.
    let key = usize::from(key);
    let chunk = HOT
        .try_with(|hot| hot.table[key >> 8].get())
        .ok()
        .flatten()?;
    Some(&chunk.0[key & 0xFF])
}

/// [`fast`] by the id itself, for callers that keep no key (a handler made
/// at run time is one 4-byte id): one compare more, no key to compute. An
/// id of 65,536 or more has no table entry, and chunk 255's is never
/// filled.
#[inline]
pub(crate) fn fast_by_id(id: u32) -> Option<&'static Slot> {
    let chunk = HOT
        .try_with(|hot| hot.table.get(id as usize / CHUNK).and_then(Cell::get))
        .ok()
        .flatten()?;
    Some(chunk.slot(id))
}

/// This thread's slot of handler `id`, taking a shard or allocating the
/// chunk first, its chunk kept in the chunk table and, for a run-time
/// handler with a slot-table index (`fast`), its slot there; `None` once the
/// thread's shard was given back (count in the overflow counters then) or
/// beyond the last chunk.
#[cold]
#[inline(never)]
pub(crate) fn fill(id: u32, fast: Option<u8>) -> Option<&'static Slot> {
    if flags::current() & flags::RETIRED != 0 {
        return None;
    }
    let shard = LOCAL
        .try_with(|local| match local.shard.get() {
            Some(shard) => shard,
            None => acquire(local),
        })
        .ok()?;
    let chunk = shard.chunk(id)?;
    // Not while a flag is set (a same-thread mark still to clear): the
    // entry would skip the check that clears it.
    let slot = chunk.slot(id);
    if flags::current() == 0 {
        if key(id) != NO_KEY {
            let _ = HOT.try_with(|hot| hot.table[id as usize / CHUNK].set(Some(chunk)));
        }
        if let Some(index) = fast.filter(|&index| index != NO_FAST) {
            let _ = HOT.try_with(|hot| hot.slots[usize::from(index)].set(Some(slot)));
        }
    }
    Some(slot)
}

/// Sets `flag` on this thread (the only way flags are set): also clears
/// this thread's chunk and slot tables, whose fast paths read no flags,
/// so calls take the out-of-line path, which checks them, until they are 0
/// again.
#[cold]
pub(crate) fn raise(flag: u8) {
    flags::set_flag(flag);
    let _ = HOT.try_with(|hot| {
        for entry in &hot.table {
            entry.set(None);
        }
        for entry in &hot.slots {
            entry.set(None);
        }
    });
}

/// The bit of the running word that says a `contain` guard runs here (the
/// innermost or one around it): a panic raised now will be contained.
/// Handler words ([`run_begin`]) never have it.
pub(crate) const CONTAIN: u64 = 1 << 63;

/// A guard starts running the code of the handler it marks with `handler`
/// on this thread: the word becomes `handler`, with [`CONTAIN`] if
/// `contain` or if `inherit` and the outer word had it; returns what
/// [`run_end`] restores. One load and one store beside the table entry the
/// guard read, no call: `contain` and `inherit` are constants at each
/// guard.
#[inline]
pub(crate) fn run_begin(handler: u64, contain: bool, inherit: bool) -> u64 {
    HOT.try_with(|hot| {
        let outer = hot.running.get();
        let kept = if inherit { outer & CONTAIN } else { 0 };
        let mark = if contain { CONTAIN } else { 0 };
        hot.running.set(handler | kept | mark);
        outer
    })
    .unwrap_or(0)
}

/// The guard's code stopped running (returned, panicked or returned
/// `Pending`): the outer handler's, if any, runs again.
#[inline]
pub(crate) fn run_end(saved: u64) {
    let _ = HOT.try_with(|hot| hot.running.set(saved));
}

/// The word of the innermost monitored call whose code runs on this
/// thread now, without [`CONTAIN`]; 0 outside any.
#[inline]
pub(crate) fn running() -> u64 {
    HOT.try_with(|hot| hot.running.get() & !CONTAIN)
        .unwrap_or(0)
}

/// Whether a panic raised on this thread now will be contained by a
/// guard, as far as the hook needs to know: only while it keeps quiet for
/// contained panics (`Installer::quiet_contained`), else always `false`.
pub(crate) fn in_contain() -> bool {
    flags::quiet_contained()
        && HOT
            .try_with(|hot| hot.running.get() & CONTAIN != 0)
            .unwrap_or(false)
}

/// `(calls, done)` of handler `id`, summed over every thread.
pub(crate) fn totals(id: u32) -> (u64, u64) {
    let shards = ALL.read().unwrap_or_else(PoisonError::into_inner);
    let mut calls = 0u64;
    let mut done = 0u64;
    for shard in shards.iter() {
        if let Some(chunk) = shard
            .chunks
            .get(id as usize / CHUNK)
            .and_then(OnceLock::get)
        {
            let slot = chunk.slot(id);
            // `done` first: a call that ends between the two reads is then
            // seen as still active rather than as a negative count.
            done = done.wrapping_add(slot.done.load(Relaxed));
            calls = calls.wrapping_add(slot.calls.load(Relaxed));
        }
    }
    (calls, done)
}

/// How many shards exist (threads that ever made a monitored call, minus
/// reuse): bounded by the peak number of concurrent threads.
pub(crate) fn shard_count() -> usize {
    ALL.read().unwrap_or_else(PoisonError::into_inner).len()
}
