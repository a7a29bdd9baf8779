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
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock};

/// Counters per chunk; a chunk is allocated the first time a thread calls a
/// handler whose id falls in it.
const CHUNK: usize = 256;
/// Chunks per shard: ids at or above `CHUNK * CHUNKS` use the shared
/// overflow counters of the registry entry instead.
const CHUNKS: usize = 64;

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

/// This thread's hot state.
struct Local {
    shard: Cell<Option<&'static Shard>>,
    /// How many `contain` guards are running on this thread's stack: a panic
    /// raised now will be contained, so the panic hook may keep quiet.
    contain_depth: Cell<u32>,
    /// A panic location or resumed-payload mark is set on this thread.
    dirty: Cell<bool>,
}

impl Drop for Local {
    fn drop(&mut self) {
        if let Some(shard) = self.shard.take() {
            FREE.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(shard);
        }
    }
}

thread_local! {
    static LOCAL: Local = const {
        Local { shard: Cell::new(None), contain_depth: Cell::new(0), dirty: Cell::new(false) }
    };
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

#[inline]
fn with_slot(local: &Local, id: u32, f: impl FnOnce(&Slot)) -> bool {
    let shard = match local.shard.get() {
        Some(shard) => shard,
        None => acquire(local),
    };
    match shard.slot(id) {
        Some(slot) => {
            f(slot);
            true
        }
        None => false,
    }
}

/// A call of handler `id` starts; `contain` marks a `contain` guard entering.
#[inline]
pub(crate) fn enter(id: u32, contain: bool) {
    let counted = LOCAL
        .try_with(|local| {
            if local.dirty.get() {
                local.dirty.set(false);
                crate::record::clear_stale();
            }
            if contain {
                local.contain_depth.set(local.contain_depth.get() + 1);
            }
            with_slot(local, id, |slot| bump(&slot.calls))
        })
        .unwrap_or(false);
    if !counted {
        crate::registry::overflow_call(id);
    }
}

/// A call of handler `id` ends (returned, panicked or was cancelled).
#[inline]
pub(crate) fn exit(id: u32, contain: bool) {
    let counted = LOCAL
        .try_with(|local| {
            if contain {
                local
                    .contain_depth
                    .set(local.contain_depth.get().saturating_sub(1));
            }
            with_slot(local, id, |slot| bump(&slot.done))
        })
        .unwrap_or(false);
    if !counted {
        crate::registry::overflow_done(id);
    }
}

/// A `contain` guard resumes (`true`) or suspends (`false`) polling its
/// future on this thread, without counting a call.
#[inline]
pub(crate) fn contain_scope(entering: bool) {
    let _ = LOCAL.try_with(|local| {
        if entering && local.dirty.get() {
            local.dirty.set(false);
            crate::record::clear_stale();
        }
        let depth = local.contain_depth.get();
        local.contain_depth.set(if entering {
            depth + 1
        } else {
            depth.saturating_sub(1)
        });
    });
}

/// Whether a panic raised on this thread now will be contained by a guard.
pub(crate) fn in_contain() -> bool {
    LOCAL
        .try_with(|local| local.contain_depth.get() > 0)
        .unwrap_or(false)
}

/// `(calls, done)` of handler `id`, summed over every thread.
pub(crate) fn totals(id: u32) -> (u64, u64) {
    let shards = ALL.read().unwrap_or_else(PoisonError::into_inner);
    let mut calls = 0u64;
    let mut done = 0u64;
    for shard in shards.iter() {
        let id = id as usize;
        if let Some(chunk) = shard.chunks.get(id / CHUNK).and_then(OnceLock::get) {
            let slot = &chunk.0[id % CHUNK];
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

/// A location or resumed mark was stored: the next guard entry clears it.
pub(crate) fn mark_dirty() {
    let _ = LOCAL.try_with(|local| local.dirty.set(true));
}
