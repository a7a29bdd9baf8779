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

use std::cell::Cell;
use std::sync::{Mutex, OnceLock, PoisonError, RwLock};
use std::thread::LocalKey;

use crate::counting::flags;
use crate::counting::slot::Slot;

/// Counters per chunk; a chunk is allocated the first time a thread calls a
/// handler whose id falls in it.
const CHUNK: usize = 256;
/// Chunks per shard: ids at or above `CHUNK * CHUNKS` use the shared
/// overflow counters of the registry entry instead.
const CHUNKS: usize = 64;

struct Chunk([Slot; CHUNK]);

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

    #[inline]
    fn slot(&self, id: u32) -> Option<&Slot> {
        let id = id as usize;
        match self.chunks.get(id / CHUNK)?.get() {
            Some(chunk) => Some(&chunk.0[id % CHUNK]),
            None => self.slot_slow(id),
        }
    }

    #[cold]
    #[inline(never)]
    fn slot_slow(&self, id: usize) -> Option<&Slot> {
        let chunk = self
            .chunks
            .get(id / CHUNK)?
            .get_or_init(|| Box::new(Chunk([const { Slot::new() }; CHUNK])));
        Some(&chunk.0[id % CHUNK])
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
}

/// Per annotated function and per thread: this thread's counter slot of the
/// function's handler, so a call reaches its counters in two loads. Lives in
/// a `thread_local!` the macro emits next to the function's `static` site.
pub struct SlotCache(Cell<Option<&'static Slot>>);

impl SlotCache {
    /// An empty cache, filled on the thread's first call.
    #[must_use]
    pub const fn new() -> Self {
        Self(Cell::new(None))
    }
}

impl Default for SlotCache {
    fn default() -> Self {
        Self::new()
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

/// This thread's cached slot in `cache`, if the fast path applies: two
/// loads (the flags byte, the cache).
#[inline]
pub(crate) fn cached(cache: &'static LocalKey<SlotCache>) -> Option<&'static Slot> {
    if flags::current() == 0 {
        cache.try_with(|cache| cache.0.get()).ok().flatten()
    } else {
        None
    }
}

/// This thread's slot of handler `id`, stored in `cache`; `None` once the
/// thread's shard was given back (count in the overflow counters then).
#[cold]
#[inline(never)]
pub(crate) fn fill(cache: &'static LocalKey<SlotCache>, id: u32) -> Option<&'static Slot> {
    if flags::current() & flags::RETIRED != 0 {
        return None;
    }
    let slot = LOCAL
        .try_with(|local| {
            let shard = match local.shard.get() {
                Some(shard) => shard,
                None => acquire(local),
            };
            shard.slot(id)
        })
        .ok()
        .flatten()?;
    let _ = cache.try_with(|cache| cache.0.set(Some(slot)));
    Some(slot)
}

/// The index of the run-time handlers' slot table shared by those beyond
/// the first 255: never filled.
///
/// The table ([`flags::fast`]) holds this thread's slots of the handlers
/// made at run time, by their [`Entry::fast`](crate::registry::Entry::fast)
/// index, in the thread's drop-free hot state (no state check). Entries
/// are filled only while the thread's flags are 0 and all cleared whenever
/// one is set ([`raise`]), so a filled entry alone says the fast path
/// applies: a call reads its slot pointer and nothing else, one load fewer
/// than through an annotated function's [`SlotCache`] (which reads the
/// flags too), which pays for reading the handler itself.
pub(crate) const NO_FAST: u8 = u8::MAX;

/// This thread's slot of the run-time handler with table index `index`,
/// if the fast path applies: one load.
#[inline]
pub(crate) fn fast(index: u8) -> Option<&'static Slot> {
    flags::fast(index)
}

/// This thread's slot of handler `id`, taking a shard or allocating the
/// chunk first, kept at table index `index` (unless `NO_FAST`); `None`
/// once the thread's shard was given back.
#[cold]
#[inline(never)]
pub(crate) fn fill_fast(index: u8, id: u32) -> Option<&'static Slot> {
    if flags::current() & flags::RETIRED != 0 {
        return None;
    }
    let shard = LOCAL
        .try_with(|local| match local.shard.get() {
            Some(shard) => shard,
            None => acquire(local),
        })
        .ok()?;
    let slot = shard.slot(id)?;
    // Not while a flag is set (a same-thread mark still to clear): the
    // entry would skip the check that clears it.
    if index != NO_FAST && flags::current() == 0 {
        flags::set_fast(index, slot);
    }
    Some(slot)
}

/// Sets `flag` on this thread (the only way flags are set): also clears
/// this thread's run-time handlers' slot table, whose fast path reads no
/// flags, so calls of run-time handlers take the out-of-line path, which
/// checks them, until they are 0 again.
#[cold]
pub(crate) fn raise(flag: u8) {
    flags::set_flag(flag);
    flags::forget_fast();
}

/// `(calls, done)` of handler `id`, summed over every thread.
pub(crate) fn totals(id: u32) -> (u64, u64) {
    let shards = ALL.read().unwrap_or_else(PoisonError::into_inner);
    let mut calls = 0u64;
    let mut done = 0u64;
    for shard in shards.iter() {
        let id = id as usize;
        if let Some(chunk) = shard.chunks.get(id / CHUNK).and_then(OnceLock::get) {
            let (slot_calls, slot_done) = chunk.0[id % CHUNK].read();
            done = done.wrapping_add(slot_done);
            calls = calls.wrapping_add(slot_calls);
        }
    }
    (calls, done)
}

/// How many shards exist (threads that ever made a monitored call, minus
/// reuse): bounded by the peak number of concurrent threads.
pub(crate) fn shard_count() -> usize {
    ALL.read().unwrap_or_else(PoisonError::into_inner).len()
}
