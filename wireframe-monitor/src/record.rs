//! The panic path: everything a guard does after catching a panic, in cold
//! functions, none of which lets a panic escape.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::policy::{self, PeerPolicy};
use crate::registry::{Entry, LastPanic};
use crate::{ConnectionPanic, PanicEvent, PayloadKind};

thread_local! {
    /// `file:line:col` of the latest fresh panic on this thread (set by the
    /// hook of `install()`).
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Depth of panic recording on this thread (re-entrancy guard).
    static RECORDING: Cell<u32> = const { Cell::new(0) };
}

static FAILURES: AtomicU64 = AtomicU64::new(0);

/// How many failures while recording panics were swallowed: a panic handler,
/// tracing subscriber or metrics recorder that panicked, a payload whose
/// `Drop` panicked, or a panic handler skipped because it was re-entered.
///
/// ```
/// assert_eq!(wireframe_monitor::recording_failures(), 0);
/// ```
#[must_use]
pub fn recording_failures() -> u64 {
    FAILURES.load(Relaxed)
}

pub(crate) fn count_failure() {
    FAILURES.fetch_add(1, Relaxed);
}

/// Called by the panic hook of `install()` for every fresh panic.
pub(crate) fn note_fresh_panic(location: Option<String>) {
    crate::once::note_fresh();
    let _ = LOCATION.try_with(|l| {
        if let Ok(mut slot) = l.try_borrow_mut() {
            *slot = location;
        }
    });
}

fn location() -> Option<String> {
    LOCATION
        .try_with(|l| l.try_borrow().ok().and_then(|l| l.clone()))
        .ok()
        .flatten()
}

/// Runs `f`; a panic in it is counted and its payload dropped safely.
fn swallow<T>(f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(payload) => {
            count_failure();
            drop_payload(payload);
            None
        }
    }
}

/// Drops a panic payload; if its `Drop` panics, that second payload is
/// leaked rather than risk a third panic.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(second) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        count_failure();
        std::mem::forget(second);
    }
}

fn read_message(payload: &(dyn Any + Send)) -> (Option<&str>, PayloadKind) {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (Some(s), PayloadKind::Str)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        (Some(s.as_str()), PayloadKind::String)
    } else {
        (None, PayloadKind::Other)
    }
}

pub(crate) fn join_labels(labels: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Records `payload` for `entry` unless an inner guard already did, and
/// returns the `ConnectionPanic` describing it.
#[cold]
#[inline(never)]
pub(crate) fn record(
    entry: &'static Entry,
    peer: Option<SocketAddr>,
    payload: &(dyn Any + Send),
) -> ConnectionPanic {
    let policy = policy::get();
    let (raw, payload_kind) = read_message(payload);
    let message = swallow(|| policy.message.apply(raw)).flatten();
    let location = location();
    let panic = ConnectionPanic::new(entry.handler, message, location, payload_kind);

    if crate::once::already_recorded(payload) {
        return panic;
    }

    entry.panics.fetch_add(1, Relaxed);
    let at = SystemTime::now();
    let unix = at
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let last = LastPanic {
        at,
        location: panic.location().map(str::to_owned),
        message: panic.message().map(str::to_owned),
    };
    *entry.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(last);

    #[cfg(feature = "metrics")]
    swallow(|| crate::publish::panic(entry, unix));
    #[cfg(not(feature = "metrics"))]
    let _ = unix;

    let thread = swallow(|| std::thread::current().name().map(str::to_owned)).flatten();
    let event = PanicEvent {
        handler: entry.handler,
        labels: entry.labels,
        message: panic.message(),
        payload_kind,
        location: panic.location(),
        peer: peer.filter(|_| policy.peer == PeerPolicy::Show),
        timestamp: at,
        thread_name: thread.as_deref(),
    };

    #[cfg(feature = "tracing")]
    swallow(|| emit(&event));

    let depth = RECORDING.try_with(|d| d.replace(d.get() + 1)).unwrap_or(1);
    if depth == 0 {
        if let Some(handler) = crate::handler::current() {
            swallow(|| handler.on_connection_panic(&event));
            swallow(move || drop(handler));
        }
    } else {
        // A panic handler called a monitored function that panicked:
        // recorded above, but the panic handler is not called again.
        count_failure();
    }
    let _ = RECORDING.try_with(|d| d.set(d.get().saturating_sub(1)));
    panic
}

#[cfg(feature = "tracing")]
fn emit(event: &PanicEvent<'_>) {
    let labels = join_labels(event.labels);
    tracing::error!(
        target: "wireframe_monitor",
        handler = event.handler,
        labels = labels.as_str(),
        panic.message = event.message,
        panic.payload = event.payload_kind.as_str(),
        panic.location = event.location,
        peer_addr = event.peer.map(tracing::field::display),
        "connection handler panicked"
    );
}

/// Forgets the location and resumed mark left by panics before a guard
/// entered: they belong to no panic this guard can catch.
#[cold]
#[inline(never)]
pub(crate) fn clear_stale() {
    crate::once::clear_stale();
    let _ = LOCATION.try_with(|l| {
        if let Ok(mut slot) = l.try_borrow_mut() {
            slot.take();
        }
    });
}
