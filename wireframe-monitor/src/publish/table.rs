//! The publication table: per registry entry, its keys and the handles
//! kept for the global recorder with what was sent through them; behind one
//! lock, so publishes are ordered and their deltas add up exactly.
//!
//! The publisher holds that lock while it calls into the recorder, which
//! may block (a slow exporter). A handler's panic path therefore never
//! waits for it: it takes the lock only with [`try_lock`], and when the
//! table is busy leaves its panic (and its site) in the entry's sites,
//! as unpublished, for the holder's next pass. Calls, a thread's first call and `snapshot()`
//! never touch this table.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use metrics::Recorder;

use super::address;
use super::metric::{
    ACTIVE, CALLS, Handles, Keys, LAST_PANIC, OBJECTIVE, PANICS, SITES, gauge_value, set_build_info,
};
use crate::common::failures::swallow;
use crate::registry::sites::Unpublished;
use crate::registry::{self, Entry};

/// The global recorder's address once final (see the publish module's
/// docs), 0 before: read without the table's lock by the panic path.
static GLOBAL: AtomicUsize = AtomicUsize::new(0);

/// The global recorder's address, once final.
pub(super) fn global() -> Option<usize> {
    Some(GLOBAL.load(Relaxed)).filter(|&address| address != 0)
}

/// Records the global recorder's address, final once seen.
pub(super) fn set_global(address: usize) {
    GLOBAL.store(address, Relaxed);
}

/// Publication state, by registry entry id.
pub(super) struct Table {
    /// The recorder `handles` are registered with (the global one as last
    /// seen, perhaps the no-op recorder of `metrics`).
    owner: Option<usize>,
    keys: Vec<Option<Keys>>,
    handles: Vec<Option<Handles>>,
    /// The version of `wireframe_build_info`, set again on a new global recorder.
    pub(super) build_info: Option<String>,
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    owner: None,
    keys: Vec::new(),
    handles: Vec::new(),
    build_info: None,
});

thread_local! {
    /// Set while this thread publishes: a recorder that calls back into
    /// wireframe-monitor (say, a monitored handler that panics) is not
    /// served, rather than deadlocked on [`TABLE`].
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// The locked table, or `None` (a failure is counted) when this thread is
/// already publishing.
pub(super) fn lock() -> Option<Busy> {
    let reentered = BUSY.try_with(|busy| busy.replace(true)).unwrap_or(false);
    if reentered {
        crate::common::failures::count_failure();
        return None;
    }
    Some(Busy(TABLE.lock().unwrap_or_else(PoisonError::into_inner)))
}

/// The table if no other thread holds it now (and this one is not
/// publishing already): never waits.
pub(super) fn try_lock() -> Option<Busy> {
    let reentered = BUSY.try_with(|busy| busy.replace(true)).unwrap_or(false);
    if reentered {
        crate::common::failures::count_failure();
        return None;
    }
    match TABLE.try_lock() {
        Ok(table) => Some(Busy(table)),
        Err(TryLockError::Poisoned(poisoned)) => Some(Busy(poisoned.into_inner())),
        Err(TryLockError::WouldBlock) => {
            let _ = BUSY.try_with(|busy| busy.set(false));
            None
        }
    }
}

/// The table, locked by this thread until dropped.
pub(super) struct Busy(pub(super) MutexGuard<'static, Table>);

impl Drop for Busy {
    fn drop(&mut self) {
        let _ = BUSY.try_with(|busy| busy.set(false));
    }
}

impl Table {
    pub(super) fn keys(&mut self, entry: &Entry) -> &Keys {
        let id = entry.id as usize;
        if self.keys.len() <= id {
            self.keys.resize_with(id + 1, || None);
        }
        self.keys[id].get_or_insert_with(|| Keys::new(entry))
    }

    /// Makes `recorder` (at `address`) the owner of the handles: drops
    /// those of the previous global recorder, so each entry registers
    /// anew and sends its whole totals once.
    pub(super) fn adopt(&mut self, recorder: &dyn Recorder, address: usize) {
        if self.owner == Some(address) {
            return;
        }
        self.owner = Some(address);
        self.handles.clear();
        if size_of_val(recorder) > 0 {
            set_global(address);
        }
        if let Some(version) = &self.build_info {
            swallow(|| set_build_info(recorder, version));
        }
    }

    /// The handles of `entry` on the owner, registered on first use.
    pub(super) fn handles(&mut self, recorder: &dyn Recorder, entry: &Entry) -> &mut Handles {
        let id = entry.id as usize;
        if self.handles.len() <= id {
            self.handles.resize_with(id + 1, || None);
        }
        if self.handles[id].is_none() {
            let handles = Handles::register(recorder, self.keys(entry));
            self.handles[id] = Some(handles);
        }
        self.handles[id].as_mut().expect("registered above")
    }

    /// Records `panics` of `entry` (and their sites) through its handles on
    /// the global `recorder`, the last at `unix` (the timestamp gauge and
    /// each site's counter registered at their first panic).
    pub(super) fn panics_global(
        &mut self,
        recorder: &dyn Recorder,
        entry: &Entry,
        panics: &Unpublished,
        unix: f64,
    ) {
        self.handles(recorder, entry)
            .panics
            .increment(panics.panics);
        let id = entry.id as usize;
        let (Some(Some(handles)), Some(Some(keys))) = (self.handles.get_mut(id), self.keys.get(id))
        else {
            return;
        };
        for (site, count) in &panics.sites {
            if handles.sites.len() <= site.index {
                handles.sites.resize_with(site.index + 1, || None);
            }
            handles.sites[site.index]
                .get_or_insert_with(|| SITES.counter(recorder, &keys.site(&site.site)))
                .increment(*count);
        }
        handles
            .last_panic
            .get_or_insert_with(|| LAST_PANIC.gauge(recorder, &keys.last_panic))
            .set(unix);
    }

    /// Sets the objective gauge of `entry` on the global `recorder` (its
    /// handles registered), registered the first time the entry has one.
    fn objective_global(&mut self, recorder: &dyn Recorder, entry: &Entry) {
        let Some(ratio) = entry.objective() else {
            return;
        };
        let id = entry.id as usize;
        let (Some(Some(handles)), Some(Some(keys))) = (self.handles.get_mut(id), self.keys.get(id))
        else {
            return;
        };
        handles
            .objective
            .get_or_insert_with(|| OBJECTIVE.gauge(recorder, &keys.objective))
            .set(ratio);
    }

    /// Publishes every entry to the global `recorder`: increments since the
    /// last publish, `active` and the objective set. An increment that
    /// panics is not marked sent, so the next publish sends it again:
    /// nothing is lost by an exporter that failed before counting (one that
    /// failed after counting would count it twice; neither can be told from
    /// here).
    pub(super) fn publish_global(&mut self, recorder: &dyn Recorder) {
        self.adopt(recorder, address(recorder));
        for entry in registry::entries() {
            swallow(|| {
                // Read under the lock: publishes are ordered, totals only grow.
                let (calls, active) = entry.calls_active();
                let handles = self.handles(recorder, entry);
                if calls > handles.calls_sent {
                    handles.calls.increment(calls - handles.calls_sent);
                    handles.calls_sent = calls;
                }
                handles.active.set(gauge_value(active));
                self.objective_global(recorder, entry);
            });
            // Panics (and their sites) left by panic paths that found the
            // table busy.
            let unpublished = entry.take_unpublished();
            if unpublished.panics > 0 {
                let unix = entry.last_panic_unix().unwrap_or(0.0);
                swallow(|| self.panics_global(recorder, entry, &unpublished, unix));
            }
        }
    }

    /// Publishes every entry's whole totals to a local `recorder`, through
    /// handles registered now and dropped after.
    pub(super) fn publish_local(&mut self, recorder: &dyn Recorder) {
        for entry in registry::entries() {
            swallow(|| {
                let (calls, active) = entry.calls_active();
                let keys = self.keys(entry);
                CALLS.counter(recorder, &keys.calls).absolute(calls);
                ACTIVE
                    .gauge(recorder, &keys.active)
                    .set(gauge_value(active));
                PANICS.counter(recorder, &keys.panics).increment(0);
                if let Some(ratio) = entry.objective() {
                    OBJECTIVE.gauge(recorder, &keys.objective).set(ratio);
                }
            });
        }
    }
}
