//! The per-function data of an annotated function ([`Site`], in a `static`)
//! and counting a call's start and end against it: the hot path.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread::LocalKey;

use crate::registry::{self, Entry};
use crate::shard::{self, Slot, SlotCache};
use crate::{fresh, hook, hot};

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

impl SiteRefs {
    /// A call starts on this thread. Everything but the cached case is out
    /// of line, so the inlined part needs no registers saved.
    #[inline]
    pub(crate) fn enter(self) -> Counted {
        match shard::cached(self.cache) {
            Some(slot) => {
                slot.begin();
                Counted(Some(slot))
            }
            None => self.enter_slow(),
        }
    }

    #[cold]
    #[inline(never)]
    fn enter_slow(self) -> Counted {
        let slot = self.slot();
        match slot {
            Some(slot) => slot.begin(),
            None => self.site.entry().overflow_call(),
        }
        Counted(slot)
    }

    /// The call counted by `enter` ends, on the thread it started on.
    #[inline]
    pub(crate) fn exit(self, counted: Counted) {
        match counted.0 {
            Some(slot) => slot.end(),
            None => self.site.entry().overflow_done(),
        }
    }

    /// A call ends on this thread (a future may have moved since it began).
    #[inline]
    pub(crate) fn exit_here(self) {
        match shard::cached(self.cache) {
            Some(slot) => slot.end(),
            None => self.exit_here_slow(),
        }
    }

    #[cold]
    #[inline(never)]
    fn exit_here_slow(self) {
        self.exit(Counted(self.slot()));
    }

    /// This thread's slot, filling the cache (`None`: count in the overflow
    /// counters). Only the cold paths call it.
    fn slot(self) -> Option<&'static Slot> {
        if hot::flags() & hot::DIRTY != 0 {
            fresh::entered_dirty();
        }
        shard::cached(self.cache).or_else(|| shard::fill(self.cache, self.site.id()))
    }
}

/// The counters of a handler made at run time
/// ([`MonitoredHandler`](crate::MonitoredHandler)): it has no per-function
/// [`SlotCache`], so its slot is found through the thread's shard by id.
#[derive(Clone, Copy)]
pub(crate) struct EntryRefs {
    pub(crate) entry: &'static Entry,
    /// `entry.id`, kept beside it: one load less on the hot path.
    pub(crate) id: u32,
}

impl EntryRefs {
    /// A call starts on this thread.
    #[inline]
    pub(crate) fn enter(self) -> Counted {
        match shard::slot_of(self.id) {
            Some(slot) => {
                slot.begin();
                Counted(Some(slot))
            }
            None => self.enter_slow(),
        }
    }

    #[cold]
    #[inline(never)]
    fn enter_slow(self) -> Counted {
        let slot = self.slot();
        match slot {
            Some(slot) => slot.begin(),
            None => self.entry.overflow_call(),
        }
        Counted(slot)
    }

    /// The call counted by `enter` ends, on the thread it started on.
    #[inline]
    pub(crate) fn exit(self, counted: Counted) {
        match counted.0 {
            Some(slot) => slot.end(),
            None => self.entry.overflow_done(),
        }
    }

    /// A call ends on this thread (a future may have moved since it began).
    #[inline]
    pub(crate) fn exit_here(self) {
        match shard::slot_of(self.id) {
            Some(slot) => slot.end(),
            None => self.exit_here_slow(),
        }
    }

    #[cold]
    #[inline(never)]
    fn exit_here_slow(self) {
        self.exit(Counted(self.slot()));
    }

    /// This thread's slot (`None`: count in the overflow counters). Only the
    /// cold paths call it.
    fn slot(self) -> Option<&'static Slot> {
        if hot::flags() & hot::DIRTY != 0 {
            fresh::entered_dirty();
        }
        shard::slot_of(self.id).or_else(|| shard::fill_id(self.id))
    }
}
