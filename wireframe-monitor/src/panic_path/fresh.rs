//! What our panic hook learns of each fresh panic, per thread, and the
//! same-thread "re-raised" mark used when the hook does not run.
//!
//! A fresh panic (`panic!`, `panic_any`, a failed `assert!`) runs the panic
//! hook before unwinding starts; a payload re-raised with `resume_unwind`
//! does not. The hook therefore keeps the details of each fresh panic of a
//! thread (message, location, sequence number, span, backtrace) in a small
//! ring. A guard that catches a payload claims the newest unclaimed entry
//! whose message matches it: that is the payload's own fresh panic, because
//! panics in flight on one thread nest (see `once.rs` for the decision).
//! Nothing is read on the happy path.

use std::any::{Any, TypeId};
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

use crate::common::panic::PayloadKind;
use crate::counting::flags;
use crate::counting::shard;

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
    /// Global sequence number (set by [`note`]).
    pub(crate) seq: u64,
    /// A guard caught it (or the inline guard it unwound through is done).
    pub(crate) claimed: bool,
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
            seq: 0,
            claimed: false,
        }
    }
}

/// Called by our hook for every fresh panic on this thread.
pub(crate) fn note(mut panic: FreshPanic) {
    SUSPECT.store(false, Relaxed);
    let seq = SEQ.fetch_add(1, Relaxed) + 1;
    panic.seq = seq;
    panic.claimed = false;
    let count = flags::fresh().wrapping_add(1);
    let _ = DETAILS.try_with(|ring| {
        if let Ok(mut ring) = ring.try_borrow_mut() {
            ring[count as usize % RING] = Some(panic);
        }
    });
    let _ = LAST_SEQ.try_with(|last| last.set(seq));
    flags::set_fresh(count);
}

/// The newest fresh panic of this thread that no guard claimed yet and
/// whose payload reads as `message` of `kind`: the one a guard that just
/// caught such a payload is looking at, if it was raised fresh here.
/// Panics in flight on one thread nest (a panic raised while another
/// unwinds is caught before the first goes on), so the newest unclaimed
/// one is the innermost; comparing the text keeps a panic that unmonitored
/// code caught and dropped earlier from standing in for it.
pub(crate) fn take_matching(message: Option<&str>, kind: PayloadKind) -> Option<FreshPanic> {
    let count = flags::fresh() as usize;
    DETAILS
        .try_with(|ring| {
            let mut ring = ring.try_borrow_mut().ok()?;
            (0..RING).find_map(|back| {
                let slot = &mut ring[count.wrapping_sub(back) % RING];
                let panic = slot.as_mut().filter(|p| !p.claimed)?;
                if panic.kind != kind || panic.message.as_deref() != message {
                    return None;
                }
                panic.claimed = true;
                Some(panic.clone())
            })
        })
        .ok()
        .flatten()
}

/// For the inline guard of a `#[track_caller]` handler: the newest
/// unclaimed fresh panic raised on this thread after sequence number
/// `after`, marked recorded (left unclaimed for the guard that catches its
/// payload), unless it was recorded already.
pub(crate) fn take_unwinding(after: u64) -> Option<FreshPanic> {
    let count = flags::fresh() as usize;
    DETAILS
        .try_with(|ring| {
            let mut ring = ring.try_borrow_mut().ok()?;
            let index = (0..RING)
                .map(|back| count.wrapping_sub(back) % RING)
                .find(|&i| {
                    ring[i]
                        .as_ref()
                        .is_some_and(|p| !p.claimed && p.seq > after)
                })?;
            let panic = ring[index].as_mut()?;
            if panic.recorded {
                return None;
            }
            panic.recorded = true;
            Some(panic.clone())
        })
        .ok()
        .flatten()
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
    shard::raise(flags::DIRTY);
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
        flags::clear_flag(flags::DIRTY);
    }
}
