//! The panic event is a child of the span current where the panic happened,
//! whatever the order of `#[tracing::instrument]` and
//! `#[monitored_connection]`, sync and async, and of spans entered inside
//! the body; checked in the output of `tracing-subscriber`'s JSON
//! formatter.

use wireframe_monitor::monitored_connection;

use crate::support::{self, Buffer, block_on};

#[tracing::instrument(fields(conn = 1))]
#[monitored_connection(name = "spans_instrument_outside")]
fn instrument_outside(frame: u8) -> Option<u8> {
    assert!(frame != 0, "outside");
    Some(frame)
}

#[monitored_connection(name = "spans_instrument_inside")]
#[tracing::instrument(fields(conn = 2))]
fn instrument_inside(frame: u8) -> Option<u8> {
    assert!(frame != 0, "inside");
    Some(frame)
}

#[tracing::instrument(fields(conn = 3))]
#[monitored_connection(name = "spans_async_outside")]
async fn async_outside(frame: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    assert!(frame != 0, "async outside");
    Some(frame)
}

#[monitored_connection(name = "spans_async_inside")]
#[tracing::instrument(fields(conn = 4))]
async fn async_inside(frame: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    assert!(frame != 0, "async inside");
    Some(frame)
}

#[monitored_connection(name = "spans_in_body")]
fn span_in_body(frame: u8) -> Option<u8> {
    let _decode = tracing::info_span!("decode", seq = 42).entered();
    assert!(frame != 0, "in body");
    Some(frame)
}

/// Runs `f` under a JSON subscriber; returns the panic event of `handler`.
fn panic_event(handler: &str, f: impl FnOnce()) -> serde_json::Value {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_writer(buffer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    buffer
        .text()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|event| {
            event["fields"]["message"] == "connection handler panicked"
                && event["fields"]["handler"] == handler
        })
        .unwrap_or_else(|| panic!("no panic event of {handler}"))
}

/// Asserts the event's span is `name` with `field = value` (the JSON
/// formatter's `span` is the event's parent; its `spans` list shows the
/// spans entered where the event is written, none here).
fn assert_in_span(event: &serde_json::Value, name: &str, field: &str, value: u64) {
    assert_eq!(event["span"]["name"], name, "{}", event["span"]);
    assert_eq!(event["span"][field], value, "{}", event["span"]);
}

#[test]
fn sync_event_in_the_instrument_span_both_orders() {
    let _shared = support::shared();
    let event = panic_event("spans_instrument_outside", || {
        assert_eq!(instrument_outside(0), None);
    });
    assert_in_span(&event, "instrument_outside", "conn", 1);
    let event = panic_event("spans_instrument_inside", || {
        assert_eq!(instrument_inside(0), None);
    });
    assert_in_span(&event, "instrument_inside", "conn", 2);
}

#[test]
fn async_event_in_the_instrument_span_both_orders() {
    let _shared = support::shared();
    let event = panic_event("spans_async_outside", || {
        assert_eq!(block_on(async_outside(0)), None);
    });
    assert_in_span(&event, "async_outside", "conn", 3);
    let event = panic_event("spans_async_inside", || {
        assert_eq!(block_on(async_inside(0)), None);
    });
    assert_in_span(&event, "async_inside", "conn", 4);
}

#[test]
fn event_in_a_span_entered_inside_the_body() {
    let _shared = support::shared();
    let event = panic_event("spans_in_body", || {
        assert_eq!(span_in_body(0), None);
    });
    assert_in_span(&event, "decode", "seq", 42);
}
