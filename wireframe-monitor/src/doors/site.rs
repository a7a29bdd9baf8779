//! The per-function data of an annotated function ([`Site`], in a `static`)
//! and counting a call's start and end against it or against a handler
//! made at run time: the hot path.

use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, Ordering::Relaxed};

use crate::counting::flags;
use crate::counting::shard::{self, Slot};
use crate::panic_path::fresh;
use crate::panic_path::hook;
use crate::registry::{self, Entry};

/// The id of a site not registered yet (its key is [`shard::NO_KEY`] until
/// then, so its first call takes the out-of-line path, which registers it).
const UNREGISTERED: u32 = u32::MAX;

/// The per-function data of one annotated function, in a `static`: its
/// name, its labels and, once registered (by [`install`](crate::install)
/// or its first call), its registry id, by which a call finds its counter
/// slot in the per-thread table.
pub struct Site {
    handler: &'static str,
    labels: &'static [(&'static str, &'static str)],
    /// The `objective = "…"` option as a ratio (checked by the macro), 0
    /// for none; declared on the entry when the site registers it.
    objective: f64,
    /// The registry id; [`UNREGISTERED`] before.
    id: AtomicU32,
    /// The id's fast-path key ([`shard::key`]); [`shard::NO_KEY`] before.
    key: AtomicU16,
    /// The word that marks this handler as running ([`Calls::running`]),
    /// `(id + 1) << 8`, kept so that a call reads it in one load; 0 before.
    running: AtomicU64,
}

impl Site {
    /// A site for handler `handler` with static `labels`.
    #[must_use]
    pub const fn new(
        handler: &'static str,
        labels: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self::with_objective(handler, labels, 0.0)
    }

    /// A site with the objective `ratio` too (`objective = "99.95"` is
    /// 0.9995, checked by the macro: strictly between 0 and 1).
    #[must_use]
    pub const fn with_objective(
        handler: &'static str,
        labels: &'static [(&'static str, &'static str)],
        ratio: f64,
    ) -> Self {
        Self {
            handler,
            labels,
            objective: ratio,
            id: AtomicU32::new(UNREGISTERED),
            key: AtomicU16::new(shard::NO_KEY),
            running: AtomicU64::new(0),
        }
    }

    /// Registers the handler (at `install()`, or on its first call), and
    /// makes sure our panic hook runs from then on (see `once.rs`:
    /// exactness needs it). Sites with the same name and labels share one
    /// entry.
    #[cold]
    #[inline(never)]
    pub(crate) fn register(&self) -> u32 {
        hook::ensure();
        let entry = registry::register(self.handler, self.labels);
        entry.declare_objective(self.objective);
        self.id.store(entry.id, Relaxed);
        self.running.store((u64::from(entry.id) + 1) << 8, Relaxed);
        self.key.store(shard::key(entry.id), Relaxed);
        entry.id
    }
}

/// How a guarded future reaches its function's [`Site`]: a zero-sized type
/// the expansion defines next to the `static`, so the future stores nothing
/// for it (and calling it needs no function-pointer shim).
pub trait SiteOf {
    /// The function's site.
    fn site(&self) -> &'static Site;
}

/// Where a call's start was counted: its slot, or the overflow counters.
#[derive(Clone, Copy)]
pub(crate) struct Counted(Option<&'static Slot>);

/// Counting a call's start and end, for the attribute's sites (a
/// `&'static` [`Site`]) and for handlers made at run time
/// ([`EntryRefs`]): both carry the registry id by which a thread finds its
/// counter slot in its table ([`shard::fast`]). Everything but the
/// found-at-once case is out of line, so the inlined part needs no
/// registers saved.
pub(crate) trait Calls: Copy {
    /// This thread's slot, when the fast path applies: one load from the
    /// per-thread table ([`shard::fast`]).
    fn fast(self) -> Option<&'static Slot>;
    /// The registry id, registering first if need be.
    fn id(self) -> u32;
    /// The run-time handler's index in the per-thread slot table, if any.
    fn slot_index(self) -> Option<u8> {
        None
    }

    /// The registry entry.
    fn entry(self) -> &'static Entry {
        registry::by_id(self.id())
    }

    /// What marks this handler's code as running on a thread
    /// ([`shard::run_begin`]; [`running_id`] reads it back): known once a
    /// call was counted ([`enter`](Self::enter) registers the handler).
    fn running(self) -> u64;

    /// A call starts on this thread.
    #[inline]
    fn enter(self) -> Counted {
        match self.fast() {
            Some(slot) => {
                slot.begin();
                Counted(Some(slot))
            }
            None => Counted(enter_slow(self)),
        }
    }

    /// The call counted by `enter` ends, on the thread it started on.
    #[inline]
    fn exit(self, counted: Counted) {
        match counted.0 {
            Some(slot) => slot.end(),
            None => exit_overflow(self),
        }
    }

    /// A call ends on this thread (a future may have moved since it began).
    #[inline]
    fn exit_here(self) {
        match self.fast() {
            Some(slot) => slot.end(),
            None => exit_here_slow(self),
        }
    }
}

// The out-of-line paths below are `extern "C"`: they cannot unwind (a
// panic in them would abort; nothing in them panics), so the code of every
// handler that calls them needs no landing pad to drop its future or its
// arguments should they unwind. Measured: about 30 bytes of machine code
// per handler, and the inner future's drop no longer inlined into the
// guarded future's.

#[cold]
#[inline(never)]
extern "C" fn enter_slow<C: Calls>(calls: C) -> Option<&'static Slot> {
    let slot = slot(calls);
    match slot {
        Some(slot) => slot.begin(),
        None => calls.entry().overflow_call(),
    }
    slot
}

#[cold]
#[inline(never)]
extern "C" fn exit_overflow<C: Calls>(calls: C) {
    calls.entry().overflow_done();
}

#[cold]
#[inline(never)]
extern "C" fn exit_here_slow<C: Calls>(calls: C) {
    calls.exit(Counted(slot(calls)));
}

/// This thread's slot, found or made (`None`: count in the overflow
/// counters). Only the cold paths call it.
fn slot<C: Calls>(calls: C) -> Option<&'static Slot> {
    if flags::current() & flags::DIRTY != 0 {
        fresh::entered_dirty();
    }
    calls
        .fast()
        .or_else(|| shard::fill(calls.id(), calls.slot_index()))
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

impl Calls for &'static Site {
    #[inline]
    fn fast(self) -> Option<&'static Slot> {
        shard::fast(self.key.load(Relaxed))
    }

    fn id(self) -> u32 {
        match self.id.load(Relaxed) {
            UNREGISTERED => self.register(),
            id => id,
        }
    }

    /// `(id + 1) << 8`, kept in the `static` at registration: one load.
    #[inline]
    fn running(self) -> u64 {
        self.running.load(Relaxed)
    }
}

/// The counters of a handler made at run time
/// ([`MonitoredHandler`](crate::MonitoredHandler)), in one word (4 bytes in
/// every future it guards): the registry id above the low byte, and in it
/// the handler's index in the per-thread table of run-time handlers' slots
/// ([`shard::slot_at`]): its call reads its slot pointer and nothing else.
/// Handlers beyond the first 255 (sharing the never-filled index
/// [`shard::NO_FAST`]) find theirs in the chunk table, as annotated
/// functions do.
#[derive(Clone, Copy)]
pub(crate) struct EntryRefs(u32);

impl EntryRefs {
    /// The refs of `entry`, which has an id below [`registry::MAX_RUN_TIME`].
    pub(crate) fn new(entry: &'static Entry) -> Self {
        debug_assert!(entry.id < registry::MAX_RUN_TIME);
        Self(entry.id << 8 | u32::from(entry.fast()))
    }

    #[inline]
    fn index(self) -> u8 {
        // The low byte.
        #[expect(clippy::cast_possible_truncation, reason = "the low byte is the index")]
        let index = self.0 as u8;
        index
    }
}

impl Calls for EntryRefs {
    #[inline]
    fn fast(self) -> Option<&'static Slot> {
        match shard::slot_at(self.index()) {
            Some(slot) => Some(slot),
            None if self.index() == shard::NO_FAST => shard::fast_by_id(self.0 >> 8),
            None => None,
        }
    }

    fn id(self) -> u32 {
        self.0 >> 8
    }

    fn slot_index(self) -> Option<u8> {
        Some(self.index())
    }

    /// The word + 1: one addition to the word the handler holds anyway.
    #[inline]
    fn running(self) -> u64 {
        u64::from(self.0) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::{Calls, EntryRefs, running_id};

    #[test]
    fn running_words_name_the_id_of_either_kind_of_handler() {
        assert_eq!(running_id(0), None);
        for id in [0, 1, 255, 256, 0x00FF_FFFF] {
            for index in [0u8, 1, 254, 255] {
                let refs = EntryRefs(id << 8 | u32::from(index));
                assert_eq!(running_id(refs.running()), Some(id), "{id} {index}");
            }
        }
        // An annotated function's word: `(id + 1) << 8`.
        for id in [0u32, 1, 0x00FF_FFFF, 0x0100_0000, u32::MAX - 1] {
            assert_eq!(running_id((u64::from(id) + 1) << 8), Some(id));
        }
    }

    #[test]
    fn entry_refs_keep_the_id_and_the_table_index_apart() {
        for (id, index) in [(0, 0), (1, 254), (0x00FF_FFFF, 255), (0x0012_3456, 7)] {
            let refs = EntryRefs(id << 8 | u32::from(index));
            assert_eq!((refs.0 >> 8, refs.index()), (id, index));
        }
    }
}
