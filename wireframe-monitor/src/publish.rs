//! Publishing the registry to the `metrics` recorder: `calls_total` and
//! `active` in the background (at most one interval old) and on [`flush`];
//! the panic metrics at panic time.

use std::sync::Once;
use std::time::Duration;

use metrics::{Key, Label, Level, Metadata, Unit};

use crate::names;
use crate::registry::{self, Entry};

static METADATA: Metadata<'static> =
    Metadata::new("wireframe_monitor", Level::INFO, Some(module_path!()));

/// The metric keys of one registry entry, built once at registration.
pub(crate) struct Keys {
    calls: Key,
    active: Key,
    panics: Key,
    last_panic: Key,
}

impl Keys {
    pub(crate) fn new(
        handler: &'static str,
        labels: &'static [(&'static str, &'static str)],
    ) -> Self {
        let labels: Vec<Label> =
            std::iter::once(Label::from_static_parts(names::HANDLER_LABEL, handler))
                .chain(labels.iter().map(|&(k, v)| Label::from_static_parts(k, v)))
                .collect();
        let key = |name: &'static str| Key::from_parts(name, labels.clone());
        Self {
            calls: key(names::CALLS_TOTAL),
            active: key(names::ACTIVE),
            panics: key(names::PANICS_TOTAL),
            last_panic: key(names::LAST_PANIC_TIMESTAMP_SECONDS),
        }
    }
}

/// Records one panic of `entry` through the recorder current now.
pub(crate) fn panic(entry: &Entry, unix_seconds: f64) {
    metrics::with_recorder(|recorder| {
        recorder
            .register_counter(&entry.keys.panics, &METADATA)
            .increment(1);
        recorder
            .register_gauge(&entry.keys.last_panic, &METADATA)
            .set(unix_seconds);
    });
}

fn publish_entry(recorder: &dyn metrics::Recorder, entry: &Entry) {
    let (calls, active) = entry.calls_active();
    recorder
        .register_counter(&entry.keys.calls, &METADATA)
        .absolute(calls);
    #[expect(
        clippy::cast_precision_loss,
        reason = "a gauge is an f64; in-flight calls stay far below 2^52"
    )]
    recorder
        .register_gauge(&entry.keys.active, &METADATA)
        .set(active as f64);
    // Creates the panic series at 0, so `rate()` works before the first panic.
    recorder
        .register_counter(&entry.keys.panics, &METADATA)
        .increment(0);
}

/// Publishes `calls_total` and `active` of every monitored handler to the
/// recorder current now (a local recorder if one is set on this thread,
/// else the global one).
///
/// [`install`](crate::install) starts a background thread that does this
/// every `publish_interval` (at most 1 s) for the global recorder; call
/// `flush` before reading an exposition that must be exact, for example at
/// the end of a test or before a final scrape.
///
/// ```
/// use metrics_util::debugging::DebuggingRecorder;
/// use wireframe_monitor::monitored_connection;
///
/// #[monitored_connection(name = "flush_doc")]
/// fn handle() {}
///
/// let recorder = DebuggingRecorder::new();
/// let snapshotter = recorder.snapshotter();
/// handle();
/// metrics::with_local_recorder(&recorder, wireframe_monitor::flush);
/// let calls = snapshotter.snapshot().into_vec().into_iter().any(|(key, _, _, _)| {
///     key.key().name() == "wireframe_handler_calls_total"
///         && key.key().labels().any(|l| l.value() == "flush_doc")
/// });
/// assert!(calls);
/// ```
pub fn flush() {
    let entries = registry::entries();
    metrics::with_recorder(|recorder| {
        for entry in &entries {
            publish_entry(recorder, entry);
        }
    });
}

/// Describes the four metrics (help text and units) to the current recorder.
pub(crate) fn describe() {
    metrics::with_recorder(|recorder| {
        recorder.describe_counter(
            names::CALLS_TOTAL.into(),
            None,
            "Calls started of a #[monitored_connection] handler".into(),
        );
        recorder.describe_gauge(
            names::ACTIVE.into(),
            None,
            "Calls of a #[monitored_connection] handler in flight".into(),
        );
        recorder.describe_counter(
            names::PANICS_TOTAL.into(),
            None,
            "Panics caught in a #[monitored_connection] handler, each counted once".into(),
        );
        recorder.describe_gauge(
            names::LAST_PANIC_TIMESTAMP_SECONDS.into(),
            Some(Unit::Seconds),
            "Unix time of the last panic caught in a #[monitored_connection] handler".into(),
        );
        recorder.describe_gauge(
            names::BUILD_INFO.into(),
            None,
            "Always 1; the version label identifies the running build".into(),
        );
    });
}

/// Sets `wireframe_build_info{version="…"} 1` on the current recorder.
pub(crate) fn build_info(version: &str) {
    let key = Key::from_parts(
        names::BUILD_INFO,
        vec![Label::new("version", version.to_owned())],
    );
    metrics::with_recorder(|recorder| recorder.register_gauge(&key, &METADATA).set(1.0));
}

/// Starts the background publisher once per process.
pub(crate) fn start_publisher(interval: Duration) {
    static START: Once = Once::new();
    START.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("wireframe-monitor-publisher".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(interval);
                    // A panicking recorder must not stop publishing.
                    if std::panic::catch_unwind(flush).is_err() {
                        crate::failures::count_failure();
                    }
                }
            });
        if spawned.is_err() {
            crate::failures::count_failure();
        }
    });
}
