//! "Recorded once": telling a panic a guard must record from one that an
//! inner monitored handler already recorded and re-raised.
//!
//! A `resume` guard marks the payload it re-raises, by identity (data address
//! and type), in a thread-local slot; the next guard on the same thread that
//! catches that payload skips recording and clears the mark. A payload carried
//! to another thread (`JoinHandle::join`, tokio's `JoinError::into_panic`) and
//! re-raised there with `resume_unwind` is recognised through a small global
//! list, but only when `install()`'s panic hook runs: the hook tells a fresh
//! panic (always recorded) from a re-raised one, so a recycled address can
//! never hide a fresh panic. Marks left behind when something else caught the
//! payload are dropped at the next guard entry (see `shard::enter`).

use std::any::{Any, TypeId};
use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

use crate::shard;

/// A payload identity: data address and type.
type Identity = (usize, TypeId);

/// How many re-raised payloads the global list remembers.
const CROSS_THREAD: usize = 32;

thread_local! {
    /// The payload a monitored guard on this thread recorded and re-raised.
    static RESUMED: Cell<Option<Identity>> = const { Cell::new(None) };
    /// The panic hook saw a fresh panic on this thread that no guard caught yet.
    static FRESH: Cell<bool> = const { Cell::new(false) };
}

/// Payloads recorded and re-raised by a `resume` guard, for guards on other
/// threads. Touched on the panic path only.
static RERAISED: Mutex<VecDeque<Identity>> = Mutex::new(VecDeque::new());

/// `install()`'s hook runs, so `FRESH` is meaningful.
static HOOKED: AtomicBool = AtomicBool::new(false);

fn identity(payload: &(dyn Any + Send)) -> Identity {
    let address = std::ptr::from_ref(payload).cast::<()>() as usize;
    (address, payload.type_id())
}

pub(crate) fn hook_installed() {
    HOOKED.store(true, Relaxed);
}

/// The panic hook saw a fresh panic on this thread.
pub(crate) fn note_fresh() {
    shard::mark_dirty();
    let _ = RESUMED.try_with(|r| r.set(None));
    let _ = FRESH.try_with(|f| f.set(true));
}

/// A `resume` guard recorded `payload` and is about to re-raise it.
pub(crate) fn mark_resumed(payload: &(dyn Any + Send)) {
    shard::mark_dirty();
    let id = identity(payload);
    let _ = RESUMED.try_with(|r| r.set(Some(id)));
    if HOOKED.load(Relaxed) {
        let mut list = RERAISED.lock().unwrap_or_else(PoisonError::into_inner);
        if list.len() == CROSS_THREAD {
            list.pop_front();
        }
        list.push_back(id);
    }
}

/// Whether `payload`, just caught by a guard, was already recorded by an
/// inner guard. Consumes the marks that say so.
pub(crate) fn already_recorded(payload: &(dyn Any + Send)) -> bool {
    let id = identity(payload);
    let fresh = FRESH.try_with(|f| f.replace(false)).unwrap_or(false);
    let same_thread = RESUMED
        .try_with(|r| {
            let hit = r.get() == Some(id);
            if hit {
                r.set(None);
            }
            hit
        })
        .unwrap_or(false);
    let mut list = RERAISED.lock().unwrap_or_else(PoisonError::into_inner);
    let listed = list.iter().position(|entry| *entry == id);
    if same_thread {
        if let Some(index) = listed {
            list.remove(index);
        }
        return true;
    }
    match listed {
        Some(index) if HOOKED.load(Relaxed) && !fresh => {
            list.remove(index);
            true
        }
        _ => false,
    }
}

/// Forgets marks set before a guard entered: they belong to no panic this
/// guard can catch.
pub(crate) fn clear_stale() {
    let _ = RESUMED.try_with(|r| r.set(None));
    let _ = FRESH.try_with(|f| f.set(false));
}
