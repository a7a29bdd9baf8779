//! The embedded registry: one entry per handler name and label set, with
//! its panic count and last panic; read by `snapshot()` and the publisher.

use std::backtrace::Backtrace;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use crate::shard;
use crate::storm::Window;

/// What the registry remembers of the last panic of a handler.
#[derive(Clone, Debug)]
pub(crate) struct LastPanic {
    pub(crate) at: SystemTime,
    pub(crate) location: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) backtrace: Option<Arc<Backtrace>>,
}

/// One handler name and label set, shared by every call site that has them.
pub(crate) struct Entry {
    pub(crate) id: u32,
    pub(crate) handler: &'static str,
    pub(crate) labels: &'static [(&'static str, &'static str)],
    pub(crate) panics: AtomicU64,
    /// Calls counted where no per-thread shard was available (a thread being
    /// torn down, or more handlers than the shards index).
    overflow_calls: AtomicU64,
    overflow_done: AtomicU64,
    pub(crate) last: Mutex<Option<LastPanic>>,
    /// Reports of this handler in the current storm interval.
    pub(crate) window: Mutex<Window>,
    /// Panics recorded but not reported (storm limit).
    pub(crate) suppressed: AtomicU64,
}

static ENTRIES: RwLock<Vec<&'static Entry>> = RwLock::new(Vec::new());

/// The entry for `handler` and `labels`, made on first use.
#[cold]
#[inline(never)]
pub(crate) fn register(
    handler: &'static str,
    labels: &'static [(&'static str, &'static str)],
) -> &'static Entry {
    let mut entries = ENTRIES.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(entry) = entries
        .iter()
        .find(|e| e.handler == handler && same_labels(e.labels, labels))
    {
        return entry;
    }
    let id = u32::try_from(entries.len()).expect("fewer than 2^32 monitored handlers");
    let entry: &'static Entry = Box::leak(Box::new(Entry {
        id,
        handler,
        labels,
        panics: AtomicU64::new(0),
        overflow_calls: AtomicU64::new(0),
        overflow_done: AtomicU64::new(0),
        last: Mutex::new(None),
        window: Mutex::new(Window::default()),
        suppressed: AtomicU64::new(0),
    }));
    entries.push(entry);
    entry
}

/// Whether two label lists are the same set (keys are unique per site).
fn same_labels(a: &[(&str, &str)], b: &[(&str, &str)]) -> bool {
    a.len() == b.len() && a.iter().all(|pair| b.contains(pair))
}

/// Every entry, in registration order.
pub(crate) fn entries() -> Vec<&'static Entry> {
    ENTRIES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

impl Entry {
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

    /// `(calls, active)` now.
    pub(crate) fn calls_active(&self) -> (u64, u64) {
        let (calls, done) = shard::totals(self.id);
        let done = done.wrapping_add(self.overflow_done.load(Relaxed));
        let calls = calls.wrapping_add(self.overflow_calls.load(Relaxed));
        (calls, calls.saturating_sub(done))
    }
}
