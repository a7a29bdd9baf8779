//! (f): a tracing layer or a metrics recorder that calls a monitored handler
//! which panics, while a panic is being recorded.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

use wireframe_monitor::{monitored_connection, recording_failures};

use crate::scenario::panics;

#[monitored_connection(name = "f_sink")]
fn sink() {
    panic!("sink failed");
}

#[monitored_connection(name = "f_handler")]
fn handler() {
    panic!("handler failed");
}

static LAYER_CALLS: AtomicU64 = AtomicU64::new(0);

/// Logs each event through a monitored function that panics.
struct Reentrant;

impl<S: Subscriber> Layer<S> for Reentrant {
    fn on_event(&self, _event: &Event<'_>, _ctx: Context<'_, S>) {
        LAYER_CALLS.fetch_add(1, Relaxed);
        sink();
    }
}

pub fn tracing_layer() {
    std::panic::set_hook(Box::new(|_| {}));
    // Every panic reported, so the layer runs for each.
    wireframe_monitor::Installer::new()
        .no_report_limit()
        .install();
    let subscriber = tracing_subscriber::registry().with(Reentrant);
    tracing::subscriber::with_default(subscriber, || {
        for _ in 0..10 {
            handler();
        }
    });
    assert_eq!(panics("f_handler"), 10);
    assert!(panics("f_sink") >= 10, "the sink's panics are recorded");
    assert!(
        LAYER_CALLS.load(Relaxed) <= 100,
        "bounded: {}",
        LAYER_CALLS.load(Relaxed)
    );
    assert!(recording_failures() >= 10);
}

/// A recorder whose every registration logs through `sink`.
struct Hostile;

impl Recorder for Hostile {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
        sink();
        Counter::noop()
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        sink();
        Gauge::noop()
    }
    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

pub fn metrics_recorder() {
    std::panic::set_hook(Box::new(|_| {}));
    wireframe_monitor::install();
    let recorder = Hostile;
    metrics::with_local_recorder(&recorder, || {
        for _ in 0..10 {
            handler();
        }
    });
    assert_eq!(panics("f_handler"), 10);
    assert!(panics("f_sink") >= 10);
    assert!(recording_failures() >= 10);
}
