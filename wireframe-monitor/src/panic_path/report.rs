//! The panic path: everything a guard does after catching a panic, in cold
//! functions, none of which lets a panic escape.

use std::any::Any;
use std::cell::Cell;
use std::net::SocketAddr;
use std::sync::PoisonError;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Instant, SystemTime};

use crate::common::failures::{count_failure, swallow};
use crate::common::panic::ConnectionPanic;
use crate::common::panic::{PayloadKind, payload_text};
use crate::common::policy::{self, PeerPolicy};
use crate::common::source_path;
#[cfg(feature = "tracing")]
use crate::common::text::Utc;
#[cfg(feature = "tracing")]
use crate::common::window::Summary;
use crate::panic_path::event::PanicEvent;
use crate::panic_path::fresh::FreshPanic;
use crate::panic_path::once;
#[cfg(feature = "tracing")]
use crate::panic_path::short_backtrace;
use crate::panic_path::storm;
use crate::registry::{Entry, LastPanic};

thread_local! {
    /// Depth of panic recording on this thread: a tracing layer, metrics
    /// recorder or panic handler that calls a monitored handler which
    /// panics re-enters recording.
    static RECORDING: Cell<u32> = const { Cell::new(0) };
}

/// Leaves the recording depth as it was, however recording ends.
struct Depth(u32);

impl Depth {
    fn enter() -> Self {
        Self(RECORDING.try_with(|d| d.replace(d.get() + 1)).unwrap_or(1))
    }
}

impl Drop for Depth {
    fn drop(&mut self) {
        let _ = RECORDING.try_with(|d| d.set(self.0));
    }
}

/// Records `payload`, caught by a guard of `entry`, unless an inner guard
/// already did; returns the `ConnectionPanic` describing it.
///
/// Re-entered recording (a subscriber, recorder or panic handler calling a
/// monitored handler that panics) is bounded: at depth 1 only the registry
/// and the metrics see the panic, deeper only the registry; each such
/// skipped report counts in `recording_failures()`.
#[cold]
#[inline(never)]
pub(crate) fn record(
    entry: &'static Entry,
    peer: Option<SocketAddr>,
    payload: &(dyn Any + Send),
) -> ConnectionPanic {
    let (raw, payload_kind) = payload_text(payload);
    let verdict = once::decide(payload, raw, payload_kind);
    if !verdict.record {
        let message = swallow(|| policy::get().message.apply(raw)).flatten();
        return ConnectionPanic::new(entry.handler, message, verdict.fresh.location, payload_kind);
    }
    report(entry, peer, raw, payload_kind, &verdict.fresh)
}

/// Records the panic unwinding through the inline guard of a
/// `#[track_caller]` handler of `entry`, whose body started after this
/// thread's fresh panic number `after`: the payload is out of reach, so the
/// message is the one our hook captured. A payload re-raised through the
/// body (no fresh panic since) is left to the guard that catches it.
#[cold]
#[inline(never)]
pub(crate) fn record_unwinding(entry: &'static Entry, peer: Option<SocketAddr>, after: u64) {
    if let Some(fresh) = once::unwinding(after) {
        drop(report(
            entry,
            peer,
            fresh.message.as_deref(),
            fresh.kind,
            &fresh,
        ));
    }
}

/// Counts, stores and reports one panic of `entry`.
fn report(
    entry: &'static Entry,
    peer: Option<SocketAddr>,
    raw: Option<&str>,
    payload_kind: PayloadKind,
    fresh: &FreshPanic,
) -> ConnectionPanic {
    let policy = policy::get();
    let message = swallow(|| policy.message.apply(raw)).flatten();
    let panic = ConnectionPanic::new(entry.handler, message, fresh.location.clone(), payload_kind);
    let depth = Depth::enter();
    // The site goes with the panic count: the sum over sites stays exact.
    let site = swallow(|| fresh.location.as_deref().and_then(source_path::site)).flatten();
    let counted = entry.count_panic(site.as_deref());
    let at = SystemTime::now();
    {
        let mut last = entry.last.lock().unwrap_or_else(PoisonError::into_inner);
        // The latest backtrace stays until a newer panic carries one.
        let backtrace = fresh
            .backtrace
            .clone()
            .or_else(|| last.as_mut().and_then(|l| l.backtrace.take()));
        *last = Some(LastPanic {
            at,
            location: panic.location().map(str::to_owned),
            message: panic.message().map(str::to_owned),
            backtrace,
        });
    }
    if depth.0 > 1 {
        count_failure();
        return panic;
    }

    #[cfg(feature = "metrics")]
    {
        let unix = at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        swallow(|| crate::publish::panic(entry, unix, counted.as_ref()));
    }
    #[cfg(not(feature = "metrics"))]
    let _ = counted;
    if depth.0 == 1 {
        count_failure();
        return panic;
    }

    let (report, summary) = storm::admit(
        &mut entry.window.lock().unwrap_or_else(PoisonError::into_inner),
        Instant::now(),
        at,
    );
    #[cfg(feature = "tracing")]
    if let Some(summary) = summary {
        swallow(|| emit_summary(entry, summary));
    }
    #[cfg(not(feature = "tracing"))]
    let _ = summary;
    if !report {
        entry.suppressed.fetch_add(1, Relaxed);
        return panic;
    }

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
        backtrace: fresh.backtrace.as_deref(),
    };

    #[cfg(feature = "tracing")]
    swallow(|| emit(&event, fresh.span.as_ref()));

    if let Some(handler) = crate::panic_path::panic_handler::current() {
        swallow(|| handler.on_connection_panic(&event));
        swallow(move || drop(handler));
    }
    drop(depth);
    panic
}

/// The event of one reported panic, a child of the span current where the
/// panic happened (else of the span current here). One line with any
/// formatter that writes an event per line: the fields that hold text from
/// the panic are `&str` (formatters quote and escape those), the short
/// backtrace (a `&str` too) is escaped already, and the others cannot hold
/// a line break. The short backtrace (which resolves symbols) is rendered
/// only when a subscriber takes the event.
#[cfg(feature = "tracing")]
fn emit(event: &PanicEvent<'_>, span: Option<&tracing::Span>) {
    let labels = crate::common::text::join_labels(event.labels);
    let current = tracing::Span::current();
    let parent = span.filter(|s| !s.is_none()).unwrap_or(&current);
    tracing::error!(
        target: "wireframe_monitor",
        parent: parent,
        handler = event.handler,
        labels = labels.as_str(),
        panic.message = event.message,
        panic.payload = event.payload_kind.as_str(),
        panic.location = event.location,
        panic.backtrace = event.backtrace.and_then(short_backtrace::short).as_deref(),
        peer_addr = event.peer.map(tracing::field::display),
        "connection handler panicked"
    );
}

/// The summary of a storm interval of `entry` that ended with panics not
/// reported.
#[cfg(feature = "tracing")]
pub(crate) fn emit_summary(entry: &Entry, summary: Summary) {
    let labels = crate::common::text::join_labels(entry.labels);
    let last = summary
        .last
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    tracing::warn!(
        target: "wireframe_monitor",
        handler = entry.handler,
        labels = labels.as_str(),
        suppressed = summary.suppressed,
        last_panic = %Utc(last),
        interval_ms = u64::try_from(storm::interval().as_millis()).unwrap_or(u64::MAX),
        "connection handler panics not reported (storm limit); counted in metrics and snapshot()"
    );
}

/// Emits the summaries of every handler whose storm interval ended (called
/// by the background thread of `install()`).
pub(crate) fn sweep() {
    let now = Instant::now();
    for entry in crate::registry::entries() {
        let summary = storm::roll(
            &mut entry.window.lock().unwrap_or_else(PoisonError::into_inner),
            now,
        );
        #[cfg(feature = "tracing")]
        if let Some(summary) = summary {
            swallow(|| emit_summary(entry, summary));
        }
        #[cfg(not(feature = "tracing"))]
        let _ = summary;
    }
}
