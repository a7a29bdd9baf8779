//! The per-function data of an annotated function ([`Site`], in a `static`)
//! and counting a call's start and end against it: the hot path.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread::LocalKey;

use crate::counting::flags;
use crate::counting::shard::{self, SlotCache};
use crate::counting::slot::Slot;
use crate::panic_path::fresh;
use crate::panic_path::hook;
use crate::registry::{self, Entry};

/// What the nested `fn __wm_site` of an annotated function returns: its
/// `static` site and its per-thread slot cache. The function item itself is
/// zero-sized, so guards store nothing to reach these.
#[derive(Clone, Copy)]
pub struct SiteRefs {
    pub(crate) site: &'static Site,
    cache: &'static LocalKey<SlotCache>,
}

impl SiteRefs {
    /// Bundles a site and its slot cache.
    #[inline]
    #[must_use]
    pub const fn new(site: &'static Site, cache: &'static LocalKey<SlotCache>) -> Self {
        Self { site, cache }
    }
}

/// The per-function data of one annotated function, in a `static`.
pub struct Site {
    handler: &'static str,
    labels: &'static [(&'static str, &'static str)],
    /// Registry id + 1; 0 until the first call registered it.
    id: AtomicU32,
    entry: OnceLock<&'static Entry>,
}

impl Site {
    /// A site for handler `handler` with static `labels`.
    #[must_use]
    pub const fn new(
        handler: &'static str,
        labels: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self {
            handler,
            labels,
            id: AtomicU32::new(0),
            entry: OnceLock::new(),
        }
    }

    fn id(&self) -> u32 {
        match self.id.load(Relaxed) {
            0 => self.register().id,
            id => id - 1,
        }
    }

    /// Registers the handler on its first call, and makes sure our panic
    /// hook runs from then on (see `once.rs`: exactness needs it).
    #[cold]
    #[inline(never)]
    fn register(&self) -> &'static Entry {
        hook::ensure();
        let entry = *self
            .entry
            .get_or_init(|| registry::register(self.handler, self.labels));
        self.id.store(entry.id + 1, Relaxed);
        entry
    }

    /// The registry entry of this site.
    pub(crate) fn entry(&self) -> &'static Entry {
        match self.entry.get() {
            Some(entry) => entry,
            None => self.register(),
        }
    }
}

/// Where a call's start was counted: its slot, or the overflow counters.
#[derive(Clone, Copy)]
pub(crate) struct Counted(Option<&'static Slot>);

/// Counting a call's start and end, for the attribute's sites
/// ([`SiteRefs`]) and for handlers made at run time ([`EntryRefs`]), which
/// differ only in how a thread finds its counter slot. Everything but the
/// found-at-once case is out of line, so the inlined part needs no
/// registers saved.
pub(crate) trait Calls: Copy {
    /// This thread's slot, when the fast path applies.
    fn cached(self) -> Option<&'static Slot>;
    /// This thread's slot, made or looked up (`None`: the thread's counters
    /// are gone, count in the overflow counters).
    fn fill(self) -> Option<&'static Slot>;
    /// The registry entry.
    fn entry(self) -> &'static Entry;
    /// What marks this handler's code as running on a thread
    /// ([`flags::run_begin`]; [`running_id`] reads it back): known once a
    /// call was counted ([`enter`](Self::enter) registers the handler).
    fn running(self) -> u64;

    /// A call starts on this thread.
    #[inline]
    fn enter(self) -> Counted {
        match self.cached() {
            Some(slot) => {
                slot.begin();
                Counted(Some(slot))
            }
            None => enter_slow(self),
        }
    }

    /// The call counted by `enter` ends, on the thread it started on.
    #[inline]
    fn exit(self, counted: Counted) {
        match counted.0 {
            Some(slot) => slot.end(),
            None => self.entry().overflow_done(),
        }
    }

    /// A call ends on this thread (a future may have moved since it began).
    #[inline]
    fn exit_here(self) {
        match self.cached() {
            Some(slot) => slot.end(),
            None => exit_here_slow(self),
        }
    }
}

#[cold]
#[inline(never)]
fn enter_slow<C: Calls>(calls: C) -> Counted {
    let slot = slot(calls);
    match slot {
        Some(slot) => slot.begin(),
        None => calls.entry().overflow_call(),
    }
    Counted(slot)
}

#[cold]
#[inline(never)]
fn exit_here_slow<C: Calls>(calls: C) {
    calls.exit(Counted(slot(calls)));
}

/// This thread's slot, found or made (`None`: count in the overflow
/// counters). Only the cold paths call it.
fn slot<C: Calls>(calls: C) -> Option<&'static Slot> {
    if flags::current() & flags::DIRTY != 0 {
        fresh::entered_dirty();
    }
    calls.cached().or_else(|| calls.fill())
}

/// The registry id of the handler that `running` (a [`Calls::running`]
/// word) marks; `None` for 0, no handler. Both kinds of word are
/// `(id << 8 | low byte) + 1`: an [`EntryRefs`] word + 1 (its low byte the
/// table index), or an annotated function's `(id + 1) << 8` (low byte
/// 0xFF), so one subtraction and one shift read either.
#[must_use]
pub(crate) fn running_id(running: u64) -> Option<u32> {
    let word = running.checked_sub(1)?;
    u32::try_from(word >> 8).ok()
}

impl Calls for SiteRefs {
    #[inline]
    fn cached(self) -> Option<&'static Slot> {
        shard::cached(self.cache)
    }

    fn fill(self) -> Option<&'static Slot> {
        shard::fill(self.cache, self.site.id())
    }

    fn entry(self) -> &'static Entry {
        self.site.entry()
    }

    /// `(id + 1) << 8`, from the stored id + 1: one load and a shift.
    #[inline]
    fn running(self) -> u64 {
        u64::from(self.site.id.load(Relaxed)) << 8
    }
}

/// The counters of a handler made at run time
/// ([`MonitoredHandler`](crate::MonitoredHandler)): it has no per-function
/// [`SlotCache`], so its slot is kept in the thread's table of run-time
/// handlers' slots ([`shard::fast`]). One word: the registry id above the
/// low byte, the table index in it.
#[derive(Clone, Copy)]
pub(crate) struct EntryRefs(u32);

impl EntryRefs {
    /// The refs of `entry`, which has an id below [`registry::MAX_RUN_TIME`].
    pub(crate) fn new(entry: &'static Entry) -> Self {
        debug_assert!(entry.id < registry::MAX_RUN_TIME);
        Self(entry.id << 8 | u32::from(entry.fast()))
    }

    #[inline]
    fn fast(self) -> u8 {
        // The low byte.
        #[expect(clippy::cast_possible_truncation, reason = "the low byte is the index")]
        let fast = self.0 as u8;
        fast
    }

    #[inline]
    fn id(self) -> u32 {
        self.0 >> 8
    }
}

impl Calls for EntryRefs {
    #[inline]
    fn cached(self) -> Option<&'static Slot> {
        shard::fast(self.fast())
    }

    fn fill(self) -> Option<&'static Slot> {
        shard::fill_fast(self.fast(), self.id())
    }

    fn entry(self) -> &'static Entry {
        registry::by_id(self.id())
    }

    /// The word + 1: one addition to the word the handler holds anyway.
    #[inline]
    fn running(self) -> u64 {
        u64::from(self.0) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::EntryRefs;

    #[test]
    fn running_words_name_the_id_of_either_kind_of_handler() {
        use super::{Calls, running_id};
        assert_eq!(running_id(0), None);
        for id in [0, 1, 255, 256, 0x00FF_FFFF] {
            for fast in [0u8, 1, 254, 255] {
                let refs = EntryRefs(id << 8 | u32::from(fast));
                assert_eq!(running_id(refs.running()), Some(id), "{id} {fast}");
            }
        }
        // An annotated function's word: `(id + 1) << 8`.
        for id in [0u32, 1, 0x00FF_FFFF, 0x0100_0000, u32::MAX - 1] {
            assert_eq!(running_id(u64::from(id + 1) << 8), Some(id));
        }
    }

    #[test]
    fn entry_refs_keep_the_id_and_the_table_index_apart() {
        for (id, fast) in [(0, 0), (1, 254), (0x00FF_FFFF, 255), (0x0012_3456, 7)] {
            let refs = EntryRefs(id << 8 | u32::from(fast));
            assert_eq!((refs.id(), refs.fast()), (id, fast));
        }
    }
}
