//! A global recorder installed after `install()` and after the first calls,
//! whose counters and gauges panic (`increment`, `absolute`, `set`) while
//! [`BROKEN`] is set:
//! - the background publisher picks the late recorder up and sends the
//!   earlier calls, described;
//! - `flush()` returns normally while the recorder panics, counting each
//!   failure in `recording_failures()`; once the recorder works again the
//!   next `flush()` sends what the failed ones could not, so the totals are
//!   exact.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::{Duration, Instant};

use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, Key, KeyName, Metadata, Recorder, SharedString,
    Unit,
};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use wireframe_monitor::{Installer, monitored_connection, names, recording_failures};

/// While set, every counter and gauge update panics.
static BROKEN: AtomicBool = AtomicBool::new(false);

fn check() {
    assert!(!BROKEN.load(SeqCst), "the recorder is broken");
}

struct Flaky(DebuggingRecorder);

struct FlakyCounter(Counter);
struct FlakyGauge(Gauge);

impl CounterFn for FlakyCounter {
    fn increment(&self, value: u64) {
        check();
        self.0.increment(value);
    }
    fn absolute(&self, value: u64) {
        check();
        self.0.absolute(value);
    }
}

impl GaugeFn for FlakyGauge {
    fn increment(&self, value: f64) {
        check();
        self.0.increment(value);
    }
    fn decrement(&self, value: f64) {
        check();
        self.0.decrement(value);
    }
    fn set(&self, value: f64) {
        check();
        self.0.set(value);
    }
}

impl Recorder for Flaky {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0.describe_counter(key, unit, description);
    }
    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0.describe_gauge(key, unit, description);
    }
    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0.describe_histogram(key, unit, description);
    }
    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> Counter {
        Counter::from_arc(Arc::new(FlakyCounter(
            self.0.register_counter(key, metadata),
        )))
    }
    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(Arc::new(FlakyGauge(self.0.register_gauge(key, metadata))))
    }
    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> Histogram {
        self.0.register_histogram(key, metadata)
    }
}

#[monitored_connection(name = "flaky_conn")]
fn handle() {}

/// `calls_total` of `flaky_conn` in a fresh snapshot (the debugging
/// recorder's snapshot takes the counter's value out); it must be described.
fn calls(snapshotter: &Snapshotter) -> Option<u64> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .find_map(|(key, _, description, value)| match value {
            DebugValue::Counter(n)
                if key.key().name() == names::CALLS_TOTAL
                    && key.key().labels().any(|l| l.value() == "flaky_conn") =>
            {
                assert!(description.is_some(), "calls_total is described");
                Some(n)
            }
            _ => None,
        })
}

#[test]
fn a_late_recorder_is_picked_up_and_a_panicking_one_never_escapes_flush() {
    // Quiet: the recorder's panics would print through the default hook.
    std::panic::set_hook(Box::new(|_| {}));
    Installer::new()
        .publish_interval(Duration::from_millis(50))
        .install();
    for _ in 0..3 {
        handle();
    }
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::set_global_recorder(Flaky(recorder)).expect("first recorder");

    // No flush: the background publisher finds the new recorder.
    let mut seen = 0;
    let deadline = Instant::now() + Duration::from_secs(5);
    while seen < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        seen += calls(&snapshotter).unwrap_or(0);
    }
    assert_eq!(
        seen, 3,
        "the publisher sent the calls made before the recorder"
    );
    assert_eq!(recording_failures(), 0);

    for _ in 0..4 {
        handle();
    }
    BROKEN.store(true, SeqCst);
    wireframe_monitor::flush(); // returns: the panic is contained
    let failures = recording_failures();
    assert!(failures >= 1, "the failure is counted");
    wireframe_monitor::flush();
    assert!(recording_failures() > failures, "each failure is counted");
    // (The background publisher may have failed too meanwhile.)
    BROKEN.store(false, SeqCst);
    let _ = std::panic::take_hook();

    handle();
    wireframe_monitor::flush();
    // The snapshot took the first 3 out: 4 that failed twice, then 1 more.
    assert_eq!(
        calls(&snapshotter),
        Some(5),
        "nothing lost, nothing doubled"
    );
}
