//! The embedded registry: one entry per handler name and label set, with
//! its panic count, panic [`sites`] and last panic; read by `snapshot()`
//! and the publisher.
//!
//! What flows through: entries, registered once per name and label set (by
//! an annotated function's site, or by [`runtime_handlers`] after the
//! [`labels`] rules), then found by id on cold paths and listed by
//! [`snapshot`] and the publisher. An entry's [`objective`] is static data
//! declared with it. Call counts are not here: they live in
//! the per-thread shards of the counting layer, which readers sum. What it
//! must never do: be reached on a call that does not panic (a site finds
//! its entry once), or import the panic path, publication or a door.

pub(crate) mod labels;
pub(crate) mod objective;
pub(crate) mod runtime_handlers;
pub(crate) mod sites;
pub(crate) mod snapshot;

use std::backtrace::Backtrace;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::SystemTime;

use crate::common::map::Map;
use crate::common::window::Window;
use crate::counting::shard;
#[cfg(feature = "metrics")]
use crate::registry::sites::Unpublished;
use crate::registry::sites::{Counted, Sites, limit as site_limit};

/// What the registry remembers of the last panic of a handler.
#[derive(Clone, Debug)]
pub(crate) struct LastPanic {
    pub(crate) at: SystemTime,
    pub(crate) location: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) backtrace: Option<Arc<Backtrace>>,
}

/// One handler name and label set, shared by every call site that has them.
/// `pub` only to appear in the sealed trait of
/// [`OnPanic`](crate::OnPanic); not reachable from
/// outside (the registry module is private).
pub struct Entry {
    pub(crate) id: u32,
    pub(crate) handler: &'static str,
    pub(crate) labels: &'static [(&'static str, &'static str)],
    /// Panics recorded; moved only with a row of `sites`
    /// ([`Entry::count_panic`]).
    pub(crate) panics: AtomicU64,
    /// Panics per site, and the panics and sites the publisher still has
    /// to send, behind the lock they are counted under.
    pub(crate) sites: Mutex<Sites>,
    /// Calls counted where no per-thread shard was available (a thread being
    /// torn down, or more handlers than the shards index).
    overflow_calls: AtomicU64,
    overflow_done: AtomicU64,
    pub(crate) last: Mutex<Option<LastPanic>>,
    /// Reports of this handler in the current storm interval.
    pub(crate) window: Mutex<Window>,
    /// Panics recorded but not reported (storm limit).
    pub(crate) suppressed: AtomicU64,
    /// The bits of the strictest objective declared (a ratio), 0 for none
    /// ([`objective`]).
    objective: AtomicU64,
    /// This entry's index in the per-thread table of run-time handlers'
    /// slots (see [`shard::slot_at`]), given on the first one made.
    fast: OnceLock<u8>,
}

/// The next index of [`shard::slot_at`]'s table to give out.
static NEXT_FAST: AtomicU32 = AtomicU32::new(0);

/// Handlers made at run time keep their id in 24 bits
/// ([`crate::doors::site::EntryRefs`]), and are refused once this many
/// entries exist (name or label values made per connection or per request
/// would otherwise grow the registry without bound): entries with an id at
/// or above this cannot be one.
pub(crate) const MAX_RUN_TIME: u32 = 1 << 24;

static ENTRIES: RwLock<Vec<&'static Entry>> = RwLock::new(Vec::new());

/// The entries again, by a hash of their name and label set ([`key`]), so
/// that finding one (`register`, [`find`]) is not a scan of them all.
/// Written under [`ENTRIES`]' write lock.
static BY_KEY: Mutex<Option<Map<u64, Vec<&'static Entry>>>> = Mutex::new(None);

/// The hash of a name and a label set, the same for the labels in any
/// order (keys are unique): the pairs' hashes are summed, not sorted first
/// (a sort of label pairs would be about 6 KB of code in every binary).
fn key(handler: &str, labels: &[(&str, &str)]) -> u64 {
    let hash = |value: &dyn Fn(&mut DefaultHasher)| {
        let mut hasher = DefaultHasher::new();
        value(&mut hasher);
        hasher.finish()
    };
    let pairs = labels
        .iter()
        .fold(0u64, |sum, pair| sum.wrapping_add(hash(&|h| pair.hash(h))));
    hash(&|h| (handler, labels.len(), pairs).hash(h))
}

/// The entry with `handler` and `labels` (in any order), if registered.
#[cold]
pub(crate) fn find(handler: &str, labels: &[(&str, &str)]) -> Option<&'static Entry> {
    let key = key(handler, labels);
    let by_key = BY_KEY.lock().unwrap_or_else(PoisonError::into_inner);
    let bucket = by_key.as_ref()?.get(&key)?;
    bucket.iter().copied().find(|e| {
        e.handler == handler
            && labels.len() == e.labels.len()
            && labels.iter().all(|pair| e.labels.contains(pair))
    })
}

/// Entries per page of [`BY_ID`].
const PAGE: usize = 1024;
/// Pages of [`BY_ID`]: ids at or above `PAGE * PAGES` are found in
/// [`ENTRIES`] under its read lock.
const PAGES: usize = 1024;

/// The entries again, by id, without a lock: a handler made at run time
/// keeps only its id (4 bytes in every future it guards) and finds its
/// entry here when it needs more than its counters.
static BY_ID: [OnceLock<Box<[OnceLock<&'static Entry>; PAGE]>>; PAGES] =
    [const { OnceLock::new() }; PAGES];

/// The entry for `handler` and `labels`, made on first use.
#[cold]
#[inline(never)]
pub(crate) fn register(
    handler: &'static str,
    labels: &'static [(&'static str, &'static str)],
) -> &'static Entry {
    let mut entries = ENTRIES.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(entry) = find(handler, labels) {
        return entry;
    }
    let id = u32::try_from(entries.len()).expect("fewer than 2^32 monitored handlers");
    let entry: &'static Entry = Box::leak(Box::new(Entry {
        id,
        handler,
        labels,
        panics: AtomicU64::new(0),
        sites: Mutex::new(Sites::default()),
        overflow_calls: AtomicU64::new(0),
        overflow_done: AtomicU64::new(0),
        last: Mutex::new(None),
        window: Mutex::new(Window::default()),
        suppressed: AtomicU64::new(0),
        objective: AtomicU64::new(0),
        fast: OnceLock::new(),
    }));
    entries.push(entry);
    BY_KEY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(Map::default)
        .entry(key(handler, labels))
        .or_default()
        .push(entry);
    if let Some(page) = BY_ID.get(id as usize / PAGE) {
        let page = page.get_or_init(|| Box::new([const { OnceLock::new() }; PAGE]));
        let _ = page[id as usize % PAGE].set(entry);
    }
    entry
}

/// The entry registered with `id` (which [`register`] returned).
pub(crate) fn by_id(id: u32) -> &'static Entry {
    let index = id as usize;
    let listed = BY_ID
        .get(index / PAGE)
        .and_then(OnceLock::get)
        .and_then(|page| page[index % PAGE].get());
    match listed {
        Some(entry) => entry,
        None => by_id_locked(index),
    }
}

#[cold]
#[inline(never)]
fn by_id_locked(index: usize) -> &'static Entry {
    ENTRIES.read().unwrap_or_else(PoisonError::into_inner)[index]
}

/// How many entries exist.
pub(crate) fn count() -> usize {
    ENTRIES.read().unwrap_or_else(PoisonError::into_inner).len()
}

/// Every entry, in registration order.
pub(crate) fn entries() -> Vec<&'static Entry> {
    ENTRIES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

impl Entry {
    /// Unix seconds of the last panic recorded, if any.
    #[cfg(feature = "metrics")]
    pub(crate) fn last_panic_unix(&self) -> Option<f64> {
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let at = last.as_ref()?.at;
        Some(
            at.duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        )
    }

    /// A call starts where no per-thread shard is available.
    #[cold]
    #[inline(never)]
    pub(crate) fn overflow_call(&self) {
        self.overflow_calls.fetch_add(1, Relaxed);
    }

    /// A call ends where no per-thread shard is available.
    #[cold]
    #[inline(never)]
    pub(crate) fn overflow_done(&self) {
        self.overflow_done.fetch_add(1, Relaxed);
    }

    /// This entry's index in the per-thread table of run-time handlers'
    /// slots: one of the first [`shard::NO_FAST`] entries a run-time handler
    /// was made for gets its own, the others share `NO_FAST`, which is
    /// never filled (they find their slot through the chunk table).
    #[cold]
    pub(crate) fn fast(&self) -> u8 {
        *self.fast.get_or_init(|| {
            let next = NEXT_FAST.fetch_add(1, Relaxed);
            // `NO_FAST` is `u8::MAX`: the 256th and later share it.
            u8::try_from(next).unwrap_or(shard::NO_FAST)
        })
    }

    /// Counts one panic of this entry, at `site` (its crate-relative
    /// `path:line`; `None` when the location was not captured): the panic
    /// count and the site's row move together, under the sites lock, which
    /// `snapshot()` takes to read both. `None` when sites are off.
    pub(crate) fn count_panic(&self, site: Option<&str>) -> Option<Counted> {
        let mut rows = self.sites.lock().unwrap_or_else(PoisonError::into_inner);
        self.panics.fetch_add(1, Relaxed);
        rows.count(site, site_limit())
    }

    /// One panic (at `site`, when sites are on) found the publication table
    /// busy: left, with its site, for the publisher's next pass.
    #[cfg(feature = "metrics")]
    pub(crate) fn leave_unpublished(&self, site: Option<&Counted>) {
        self.sites
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .leave(site);
    }

    /// The panics left for the publisher and their sites, taken together
    /// (so what is published of both adds up).
    #[cfg(feature = "metrics")]
    pub(crate) fn take_unpublished(&self) -> Unpublished {
        self.sites
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// `(calls, active)` now.
    pub(crate) fn calls_active(&self) -> (u64, u64) {
        let (calls, done) = shard::totals(self.id);
        let done = done.wrapping_add(self.overflow_done.load(Relaxed));
        let calls = calls.wrapping_add(self.overflow_calls.load(Relaxed));
        (calls, calls.saturating_sub(done))
    }
}
