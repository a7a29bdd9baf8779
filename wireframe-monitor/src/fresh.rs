//! What our panic hook learns of each fresh panic, per thread, and the
//! same-thread "re-raised" mark used when the hook does not run.
//!
//! A fresh panic (`panic!`, `panic_any`, a failed `assert!`) runs the panic
//! hook before unwinding starts; a payload re-raised with `resume_unwind`
//! does not. The hook therefore counts fresh panics per thread in
//! `hot::fresh` and keeps their details (location, sequence number) in a
//! small ring indexed by that count. A guard notes the count when its code
//! starts running; when it catches a payload, the difference is the number
//! of fresh panics raised inside it that no inner guard claimed (see
//! `once.rs` for the decision). Claiming sets the count back to the noted
//! value, so nested and unwinding-time panics stay paired with their guards
//! however calls interleave.

use std::any::{Any, TypeId};
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

use crate::{PayloadKind, hot};

/// How many unclaimed fresh panics per thread keep their details: a panic
/// raised while as many others unwind on the same thread loses its location.
const RING: usize = 16;

/// A payload's identity while it is alive: data address and type. Only ever
/// compared together with the fresh-panic counts (see `once.rs`), never
/// trusted alone once the payload may have been freed.
pub(crate) type Identity = (usize, TypeId);

/// The identity of `payload`.
pub(crate) fn identity(payload: &(dyn Any + Send)) -> Identity {
    let address = std::ptr::from_ref(payload).cast::<()>() as usize;
    (address, payload.type_id())
}

/// What the hook captured of one fresh panic.
#[derive(Clone, Debug)]
pub(crate) struct FreshPanic {
    /// `file:line:col`.
    pub(crate) location: Option<String>,
    /// Captured at the panic site, for panics that will be reported.
    pub(crate) backtrace: Option<Arc<Backtrace>>,
    /// The span current at the panic site.
    #[cfg(feature = "tracing")]
    pub(crate) span: Option<tracing::Span>,
    /// The message (for guards that never see the payload).
    pub(crate) message: Option<String>,
    /// What the payload was.
    pub(crate) kind: PayloadKind,
    /// The inline guard of a `#[track_caller]` handler recorded it.
    pub(crate) recorded: bool,
}

thread_local! {
    /// Details of the latest fresh panics, at `count % RING`.
    static DETAILS: RefCell<[Option<FreshPanic>; RING]> = const { RefCell::new([const { None }; RING]) };
    /// Global sequence number of this thread's latest fresh panic.
    static LAST_SEQ: Cell<u64> = const { Cell::new(0) };
    /// The payload a `resume` guard on this thread re-raised last, for when
    /// the hook does not run; cleared by the next guard entry outside
    /// unwinding.
    static RERAISED_HERE: Cell<Option<Identity>> = const { Cell::new(None) };
}

/// Fresh panics in the whole process, as numbered by our hook.
static SEQ: AtomicU64 = AtomicU64::new(0);
/// Our hook is installed.
static HOOKED: AtomicBool = AtomicBool::new(false);
/// A guard caught a payload that should have passed our hook and did not:
/// the hook was probably replaced. Cleared whenever the hook runs.
static SUSPECT: AtomicBool = AtomicBool::new(false);

impl Default for FreshPanic {
    fn default() -> Self {
        Self {
            location: None,
            backtrace: None,
            #[cfg(feature = "tracing")]
            span: None,
            message: None,
            kind: PayloadKind::Other,
            recorded: false,
        }
    }
}

/// Called by our hook for every fresh panic on this thread.
pub(crate) fn note(panic: FreshPanic) {
    SUSPECT.store(false, Relaxed);
    let seq = SEQ.fetch_add(1, Relaxed) + 1;
    let count = hot::fresh().wrapping_add(1);
    let _ = DETAILS.try_with(|ring| {
        if let Ok(mut ring) = ring.try_borrow_mut() {
            ring[count as usize % RING] = Some(panic);
        }
    });
    let _ = LAST_SEQ.try_with(|last| last.set(seq));
    hot::set_fresh(count);
}

/// The fresh-panic count a guard notes when its code starts running.
#[inline]
pub(crate) fn mark() -> u32 {
    hot::fresh()
}

/// Unclaimed fresh panics raised on this thread since `mark`.
pub(crate) fn since(mark: u32) -> u32 {
    hot::fresh().wrapping_sub(mark)
}

/// The latest unclaimed fresh panic's details.
pub(crate) fn latest() -> FreshPanic {
    let count = hot::fresh();
    DETAILS
        .try_with(|ring| {
            ring.try_borrow()
                .ok()
                .and_then(|ring| ring[count as usize % RING].clone())
        })
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Marks the latest fresh panic as recorded.
pub(crate) fn mark_latest_recorded() {
    let count = hot::fresh();
    let _ = DETAILS.try_with(|ring| {
        if let Ok(mut ring) = ring.try_borrow_mut()
            && let Some(panic) = &mut ring[count as usize % RING]
        {
            panic.recorded = true;
        }
    });
}

/// Claims every fresh panic raised since `mark`: a guard caught them.
pub(crate) fn claim(mark: u32) {
    hot::set_fresh(mark);
}

/// Sequence number of this thread's latest fresh panic (0: none yet).
pub(crate) fn last_seq() -> u64 {
    LAST_SEQ.try_with(Cell::get).unwrap_or(0)
}

/// Sequence number of the latest fresh panic anywhere.
pub(crate) fn seq_now() -> u64 {
    SEQ.load(Relaxed)
}

/// Our hook was installed.
pub(crate) fn set_hooked() {
    HOOKED.store(true, Relaxed);
}

/// Whether our hook is installed and believed to still run.
pub(crate) fn hook_live() -> bool {
    HOOKED.load(Relaxed) && !SUSPECT.load(Relaxed)
}

/// A guard saw a payload that our hook should have counted and did not.
pub(crate) fn suspect_hook() {
    if HOOKED.load(Relaxed) {
        SUSPECT.store(true, Relaxed);
    }
}

/// A `resume` guard on this thread is re-raising `id`.
pub(crate) fn mark_reraised_here(id: Identity) {
    let _ = RERAISED_HERE.try_with(|mark| mark.set(Some(id)));
    hot::set_flag(hot::DIRTY);
}

/// Whether `id` is the payload a `resume` guard on this thread re-raised
/// and no guard entered since (outside unwinding). Consumes the mark.
pub(crate) fn take_reraised_here(id: Identity) -> bool {
    RERAISED_HERE
        .try_with(|mark| {
            let hit = mark.get() == Some(id);
            if hit {
                mark.set(None);
            }
            hit
        })
        .unwrap_or(false)
}

/// A guard enters with `DIRTY` set: outside unwinding, the same-thread mark
/// belongs to a payload someone else caught, so it is forgotten. During
/// unwinding (cleanup code calling monitored functions) it is kept for the
/// guard that will catch the payload.
#[cold]
#[inline(never)]
pub(crate) fn entered_dirty() {
    if !std::thread::panicking() {
        let _ = RERAISED_HERE.try_with(|mark| mark.set(None));
        hot::clear_flag(hot::DIRTY);
    }
}
