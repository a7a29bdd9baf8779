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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock};

use crate::guard::SiteRefs;

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

/// This thread's shard, returned to [`FREE`] when the thread exits.
struct Local {
    shard: Cell<Option<&'static Shard>>,
}

impl Drop for Local {
    fn drop(&mut self) {
        // Calls made after this (from other thread-local destructors) go to
        // the shared overflow counters: the shard may belong to a new thread.
        let _ = HOT.try_with(|hot| hot.flags.set(hot.flags.get() | RETIRED));
        if let Some(shard) = self.shard.take() {
            FREE.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(shard);
        }
    }
}

/// Flag: a panic location or resumed-payload mark was set on this thread;
/// the next guard entry clears it (see `once.rs`).
const DIRTY: u8 = 1;
/// Flag: this thread's shard was given back; count in the overflow counters.
const RETIRED: u8 = 2;

/// This thread's hot state. No `Drop`, so access needs no state check and
/// stays valid while the thread's other thread-locals are destroyed.
struct Hot {
    /// `DIRTY | RETIRED`; 0 on the fast path.
    flags: Cell<u8>,
    /// How many `contain` guards are running on this thread's stack: a panic
    /// raised now will be contained, so the panic hook may keep quiet.
    contain_depth: Cell<u32>,
}

thread_local! {
    static LOCAL: Local = const { Local { shard: Cell::new(None) } };
    static HOT: Hot = const { Hot { flags: Cell::new(0), contain_depth: Cell::new(0) } };
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

/// Where a call's start was counted: its slot, or the overflow counters.
#[derive(Clone, Copy)]
pub(crate) struct Counted(Option<&'static Slot>);

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

/// This thread's flags (`DIRTY | RETIRED`); `RETIRED` once its thread-locals
/// are gone.
#[inline]
fn flags() -> u8 {
    HOT.try_with(|hot| hot.flags.get()).unwrap_or(RETIRED)
}

/// This thread's cached slot for `site`, if the fast path applies: two
/// loads (the flags byte, the cache).
#[inline]
fn cached(site: SiteRefs) -> Option<&'static Slot> {
    if flags() == 0 {
        site.cache.try_with(|cache| cache.0.get()).ok().flatten()
    } else {
        None
    }
}

/// This thread's slot for `site`, filling the cache (or `None`: count in
/// the overflow counters). Only the cold paths call it.
fn slot(site: SiteRefs) -> Option<&'static Slot> {
    cached(site).or_else(|| slot_slow(site, flags()))
}

#[cold]
#[inline(never)]
fn slot_slow(site: SiteRefs, flags: u8) -> Option<&'static Slot> {
    if flags & DIRTY != 0 {
        let _ = HOT.try_with(|hot| hot.flags.set(hot.flags.get() & !DIRTY));
        crate::record::clear_stale();
    }
    if flags & RETIRED != 0 {
        return None;
    }
    let id = site.site.id();
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
    let _ = site.cache.try_with(|cache| cache.0.set(Some(slot)));
    Some(slot)
}

/// A call of `site` starts on this thread. Everything but the cached case
/// is out of line, so the inlined part needs no registers saved.
#[inline]
pub(crate) fn enter(site: SiteRefs) -> Counted {
    match cached(site) {
        Some(slot) => {
            bump(&slot.calls);
            Counted(Some(slot))
        }
        None => enter_slow(site),
    }
}

#[cold]
#[inline(never)]
fn enter_slow(site: SiteRefs) -> Counted {
    let slot = slot(site);
    match slot {
        Some(slot) => bump(&slot.calls),
        None => crate::registry::overflow_call(site.site.id()),
    }
    Counted(slot)
}

/// The call counted by `enter` ends, on the thread it started on.
#[inline]
pub(crate) fn exit(site: SiteRefs, counted: Counted) {
    match counted.0 {
        Some(slot) => bump(&slot.done),
        None => crate::registry::overflow_done(site.site.id()),
    }
}

/// A call of `site` ends on this thread (a future may have moved).
#[inline]
pub(crate) fn exit_here(site: SiteRefs) {
    match cached(site) {
        Some(slot) => bump(&slot.done),
        None => exit_here_slow(site),
    }
}

#[cold]
#[inline(never)]
fn exit_here_slow(site: SiteRefs) {
    exit(site, Counted(slot(site)));
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

/// A location or resumed mark was stored: the next guard entry clears it.
pub(crate) fn mark_dirty() {
    let _ = HOT.try_with(|hot| hot.flags.set(hot.flags.get() | DIRTY));
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
