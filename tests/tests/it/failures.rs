//! Recording a panic never fails the call: a panicking panic handler, a
//! panicking tracing layer, a panicking metrics recorder, a payload whose
//! `Drop` panics and a monitored handler called from inside the panic
//! handler neither escape nor abort; each raises `recording_failures()`.

use std::panic::panic_any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use wireframe_monitor::{
    PanicEvent, clear_panic_handler, monitored_connection, recording_failures, set_panic_handler,
};

use crate::support::{self, Capture, row};

#[monitored_connection(name = "failures_victim")]
fn victim() -> Option<u8> {
    panic!("victim panicked");
}

/// Asserts that `f` raised `recording_failures()` and let the guard finish.
fn fails_quietly(what: &str, f: impl FnOnce()) {
    let failures = recording_failures();
    let panics = row("failures_victim").map_or(0, |r| r.panics());
    f();
    assert!(
        recording_failures() > failures,
        "{what}: not counted as a failure"
    );
    let row = row("failures_victim").unwrap();
    assert_eq!(
        row.panics(),
        panics + 1,
        "{what}: the panic is still recorded"
    );
    assert_eq!(row.active(), 0);
}

#[test]
fn panicking_panic_handler_is_swallowed() {
    let _exclusive = support::exclusive();
    set_panic_handler(|_: &PanicEvent<'_>| panic!("the panic handler panicked"));
    fails_quietly("panic handler", || assert_eq!(victim(), None));
    clear_panic_handler();
}

#[test]
fn panicking_tracing_layer_is_swallowed() {
    let _exclusive = support::exclusive();
    fails_quietly("tracing layer", || {
        assert_eq!(Capture::panicking().run(victim), None);
    });
}

/// A recorder whose every registration panics.
struct Broken;

impl Recorder for Broken {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
        panic!("broken recorder")
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        panic!("broken recorder")
    }
    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        panic!("broken recorder")
    }
}

#[test]
fn panicking_recorder_is_swallowed() {
    let _exclusive = support::exclusive();
    fails_quietly("recorder", || {
        assert_eq!(metrics::with_local_recorder(&Broken, victim), None);
    });
}

/// A payload whose `Drop` panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the payload's drop panicked");
    }
}

#[monitored_connection(name = "failures_bomb")]
fn bomb() -> Option<u8> {
    panic_any(Bomb);
}

#[test]
fn payload_with_panicking_drop_is_swallowed() {
    let _exclusive = support::exclusive();
    let failures = recording_failures();
    assert_eq!(bomb(), None);
    assert!(recording_failures() > failures);
    let row = row("failures_bomb").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (1, 0, 1));
}

#[monitored_connection(name = "failures_reentrant")]
fn reentrant() -> Option<u8> {
    panic!("called from the panic handler");
}

#[test]
fn monitored_handler_inside_the_panic_handler_is_not_recursive() {
    let _exclusive = support::exclusive();
    let calls = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&calls);
    set_panic_handler(move |_: &PanicEvent<'_>| {
        seen.fetch_add(1, Relaxed);
        // Re-enters the guard: recorded, but the handler is not called again.
        assert_eq!(reentrant(), None);
    });
    fails_quietly("re-entrant handler", || assert_eq!(victim(), None));
    clear_panic_handler();
    assert_eq!(calls.load(Relaxed), 1, "the panic handler ran once");
    let row = row("failures_reentrant").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (1, 0, 1));
}

/// A reply type whose fallback itself panics.
#[derive(Debug)]
struct Fragile;

impl wireframe_monitor::PanicFallback for Fragile {
    fn from_panic(_: wireframe_monitor::ConnectionPanic) -> Self {
        panic!("fallback failed");
    }
}

#[monitored_connection(name = "failures_fragile_fallback")]
fn fragile(fail: bool) -> Fragile {
    assert!(!fail, "handler failed");
    Fragile
}

/// Documented fault: a `PanicFallback::from_panic` that panics propagates to
/// the caller (it runs after the guard), once the handler's panic is
/// recorded; `active` is back to 0.
#[test]
fn panicking_fallback_propagates_to_the_caller() {
    let _shared = support::shared();
    let payload = std::panic::catch_unwind(|| fragile(true)).expect_err("from_panic panicked");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"fallback failed"));
    let row = row("failures_fragile_fallback").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (1, 0, 1));
    assert_eq!(row.last_message(), Some("handler failed"));
}
