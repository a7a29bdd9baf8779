//! Publishing the registry to the `metrics` recorder: `calls_total` and
//! `active` in the background (at most one interval old) and on [`flush`];
//! the panic metrics at panic time.
//!
//! Exact on every exporter, including those that only add (OpenTelemetry)
//! or only send deltas (`DogStatsD`):
//! - counters go out as increments of what changed since the last publish,
//!   through handles kept per registry entry (in [`Table`], by entry id) and
//!   registered again only when the global recorder changes; gauges with
//!   `set`;
//! - every registration is preceded by the description of its metric, on
//!   the same recorder: an exporter that keys instruments by description
//!   (OpenTelemetry, which also forgets a description once a registration
//!   used it) then never splits a metric into streams with and without it;
//! - nothing here runs on a handler's hot path: calls only bump per-thread
//!   counters, read here under the table's lock, so deltas add up exactly.
//!
//! Which recorder is "the global one": `metrics` offers no way to read the
//! global recorder from a thread that has a local one set, so the publisher
//! thread (which never has one) and a helper thread (see
//! [`global_recorder`]) look, and recorders are told apart by address. The
//! global recorder of `metrics` can be set once per process, so once one of
//! non-zero size is seen, its address is final and no more helper threads
//! are needed. A local recorder ([`metrics::with_local_recorder`]) gets, on
//! [`flush`], the whole current totals (`Counter::absolute`, so repeated
//! flushes to the same local recorder stay right) through handles registered
//! for that flush; the global bookkeeping is not touched.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};
use std::time::Duration;

use metrics::{Counter, Gauge, Key, Label, Level, Metadata, Recorder, Unit};

use crate::names;
use crate::registry::{self, Entry};

static METADATA: Metadata<'static> =
    Metadata::new("wireframe_monitor", Level::INFO, Some(module_path!()));

/// One published metric: its name, kind, unit and help text.
struct Metric {
    name: &'static str,
    gauge: bool,
    unit: Option<Unit>,
    help: &'static str,
}

const CALLS: Metric = Metric {
    name: names::CALLS_TOTAL,
    gauge: false,
    unit: None,
    help: "Calls started of a #[monitored_connection] handler",
};
const ACTIVE: Metric = Metric {
    name: names::ACTIVE,
    gauge: true,
    unit: None,
    help: "Calls of a #[monitored_connection] handler in flight",
};
const PANICS: Metric = Metric {
    name: names::PANICS_TOTAL,
    gauge: false,
    unit: None,
    help: "Panics caught in a #[monitored_connection] handler, each counted once",
};
const LAST_PANIC: Metric = Metric {
    name: names::LAST_PANIC_TIMESTAMP_SECONDS,
    gauge: true,
    unit: Some(Unit::Seconds),
    help: "Unix time of the last panic caught in a #[monitored_connection] handler",
};
const BUILD_INFO: Metric = Metric {
    name: names::BUILD_INFO,
    gauge: true,
    unit: None,
    help: "Always 1; the version label identifies the running build",
};

impl Metric {
    fn describe(&self, recorder: &dyn Recorder) {
        let help = self.help.into();
        if self.gauge {
            recorder.describe_gauge(self.name.into(), self.unit, help);
        } else {
            recorder.describe_counter(self.name.into(), self.unit, help);
        }
    }

    /// Describes, then registers: the description is never missing from a
    /// registration, whichever comes first in the process.
    fn counter(&self, recorder: &dyn Recorder, key: &Key) -> Counter {
        self.describe(recorder);
        recorder.register_counter(key, &METADATA)
    }

    fn gauge(&self, recorder: &dyn Recorder, key: &Key) -> Gauge {
        self.describe(recorder);
        recorder.register_gauge(key, &METADATA)
    }
}

/// The metric keys of one registry entry.
struct Keys {
    calls: Key,
    active: Key,
    panics: Key,
    last_panic: Key,
}

impl Keys {
    fn new(entry: &Entry) -> Self {
        let labels: Vec<Label> = std::iter::once(Label::from_static_parts(
            names::HANDLER_LABEL,
            entry.handler,
        ))
        .chain(
            entry
                .labels
                .iter()
                .map(|&(k, v)| Label::from_static_parts(k, v)),
        )
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

/// The handles of one entry on the global recorder, and the `calls_total`
/// already sent through them.
struct Handles {
    calls: Counter,
    active: Gauge,
    panics: Counter,
    last_panic: Gauge,
    calls_sent: u64,
}

impl Handles {
    fn register(recorder: &dyn Recorder, keys: &Keys) -> Self {
        let panics = PANICS.counter(recorder, &keys.panics);
        // Creates the panic series at 0, so `rate()` works before the first panic.
        panics.increment(0);
        Self {
            calls: CALLS.counter(recorder, &keys.calls),
            active: ACTIVE.gauge(recorder, &keys.active),
            panics,
            last_panic: LAST_PANIC.gauge(recorder, &keys.last_panic),
            calls_sent: 0,
        }
    }
}

/// Publication state, by registry entry id.
struct Table {
    /// The global recorder's address, once final (see the module docs).
    global: Option<usize>,
    /// The recorder `handles` are registered with (the global one as last
    /// seen, perhaps the no-op recorder of `metrics`).
    owner: Option<usize>,
    keys: Vec<Option<Keys>>,
    handles: Vec<Option<Handles>>,
    /// The version of `wireframe_build_info`, set again on a new global recorder.
    build_info: Option<String>,
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    global: None,
    owner: None,
    keys: Vec::new(),
    handles: Vec::new(),
    build_info: None,
});

thread_local! {
    /// Set while this thread publishes: a recorder that calls back into
    /// wireframe-monitor (say, a monitored handler that panics) is not
    /// served, rather than deadlocked on [`TABLE`].
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// The locked table, or `None` (a failure is counted) when this thread is
/// already publishing.
fn lock() -> Option<Busy> {
    let reentered = BUSY.try_with(|busy| busy.replace(true)).unwrap_or(false);
    if reentered {
        crate::record::count_failure();
        return None;
    }
    Some(Busy(TABLE.lock().unwrap_or_else(PoisonError::into_inner)))
}

/// The table, locked by this thread until dropped.
struct Busy(MutexGuard<'static, Table>);

impl Drop for Busy {
    fn drop(&mut self) {
        let _ = BUSY.try_with(|busy| busy.set(false));
    }
}

impl Table {
    fn keys(&mut self, entry: &Entry) -> &Keys {
        let id = entry.id as usize;
        if self.keys.len() <= id {
            self.keys.resize_with(id + 1, || None);
        }
        self.keys[id].get_or_insert_with(|| Keys::new(entry))
    }

    /// Makes `recorder` (at `address`) the owner of the handles: drops
    /// those of the previous global recorder, so each entry registers
    /// anew and sends its whole totals once.
    fn adopt(&mut self, recorder: &dyn Recorder, address: usize) {
        if self.owner == Some(address) {
            return;
        }
        self.owner = Some(address);
        self.handles.clear();
        if size_of_val(recorder) > 0 {
            self.global = Some(address);
        }
        if let Some(version) = &self.build_info {
            guarded(|| set_build_info(recorder, version));
        }
    }

    /// The handles of `entry` on the owner, registered on first use.
    fn handles(&mut self, recorder: &dyn Recorder, entry: &Entry) -> &mut Handles {
        let id = entry.id as usize;
        if self.handles.len() <= id {
            self.handles.resize_with(id + 1, || None);
        }
        if self.handles[id].is_none() {
            let handles = Handles::register(recorder, self.keys(entry));
            self.handles[id] = Some(handles);
        }
        self.handles[id].as_mut().expect("registered above")
    }

    /// Publishes every entry to the global `recorder`: increments since the
    /// last publish, `active` set.
    fn publish_global(&mut self, recorder: &dyn Recorder) {
        self.adopt(recorder, address(recorder));
        for entry in registry::entries() {
            guarded(|| {
                // Read under the lock: publishes are ordered, totals only grow.
                let (calls, active) = entry.calls_active();
                let handles = self.handles(recorder, entry);
                if calls > handles.calls_sent {
                    handles.calls.increment(calls - handles.calls_sent);
                    handles.calls_sent = calls;
                }
                handles.active.set(gauge_value(active));
            });
        }
    }

    /// Publishes every entry's whole totals to a local `recorder`, through
    /// handles registered now and dropped after.
    fn publish_local(&mut self, recorder: &dyn Recorder) {
        for entry in registry::entries() {
            guarded(|| {
                let (calls, active) = entry.calls_active();
                let keys = self.keys(entry);
                CALLS.counter(recorder, &keys.calls).absolute(calls);
                ACTIVE
                    .gauge(recorder, &keys.active)
                    .set(gauge_value(active));
                PANICS.counter(recorder, &keys.panics).increment(0);
            });
        }
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "a gauge is an f64; in-flight calls stay far below 2^52"
)]
fn gauge_value(active: u64) -> f64 {
    active as f64
}

/// Identifies a recorder: the address of its data.
fn address(recorder: &dyn Recorder) -> usize {
    std::ptr::from_ref(recorder).cast::<()>().addr()
}

/// The address of the global recorder (or of the no-op recorder `metrics`
/// uses while none is set) and whether it is final (of non-zero size), read
/// on a new thread, which has no local recorder; `None` if no thread could
/// be started.
fn global_recorder() -> Option<(usize, bool)> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("wireframe-monitor-recorder-probe".into())
            .spawn_scoped(scope, || {
                metrics::with_recorder(|recorder| (address(recorder), size_of_val(recorder) > 0))
            })
            .ok()?
            .join()
            .ok()
    })
}

/// Runs `f`; a panic in it (a recorder that panicked) is counted in
/// [`recording_failures`](crate::recording_failures) and does not escape.
fn guarded(f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        crate::record::count_failure();
        // A payload whose `Drop` panics too is leaked rather than re-raised.
        if let Err(second) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            std::mem::forget(second);
        }
    }
}

/// Records one panic of `entry` through the recorder current now: through
/// the kept handles when it is the global recorder, else through handles
/// registered for this panic (a local recorder, or a global one not known
/// yet: either way the series is the same).
pub(crate) fn panic(entry: &Entry, unix_seconds: f64) {
    metrics::with_recorder(|recorder| {
        let Some(mut table) = lock() else { return };
        let table = &mut table.0;
        let address = address(recorder);
        if table.global == Some(address) {
            table.adopt(recorder, address);
            let handles = table.handles(recorder, entry);
            handles.panics.increment(1);
            handles.last_panic.set(unix_seconds);
        } else {
            let keys = table.keys(entry);
            PANICS.counter(recorder, &keys.panics).increment(1);
            LAST_PANIC
                .gauge(recorder, &keys.last_panic)
                .set(unix_seconds);
        }
    });
}

/// Publishes `calls_total` and `active` of every monitored handler to the
/// recorder current now (a local recorder if one is set on this thread,
/// else the global one). Never panics: a recorder that panics is counted in
/// [`recording_failures`](crate::recording_failures).
///
/// [`install`](crate::install) starts a background thread that does this
/// every `publish_interval` (at most 1 s) for the global recorder; call
/// `flush` before reading an exposition that must be exact, for example at
/// the end of a test or before a final scrape.
///
/// The global recorder receives what changed since the last publish, as
/// counter increments. A local recorder
/// ([`metrics::with_local_recorder`]) receives the whole current totals
/// (`Counter::absolute`), right however often it is flushed, for recorders
/// that keep a counter's value (`DebuggingRecorder`, Prometheus); install
/// exporters that only add or send deltas (OpenTelemetry, `DogStatsD`)
/// globally.
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
    metrics::with_recorder(|recorder| {
        let address = address(recorder);
        let known = lock().map(|table| table.0.global);
        let (global, final_) = match known {
            None => return, // re-entered from a recorder
            Some(Some(global)) => (global, true),
            Some(None) => {
                let Some(global) = global_recorder() else {
                    // Cannot tell local from global: leave it to the publisher.
                    crate::record::count_failure();
                    return;
                };
                global
            }
        };
        let Some(mut table) = lock() else { return };
        if final_ {
            table.0.global = Some(global);
        }
        if address == global {
            table.0.publish_global(recorder);
        } else {
            table.0.publish_local(recorder);
        }
    });
}

/// Publishes to the global recorder; only on threads without a local one.
fn publish_global() {
    metrics::with_recorder(|recorder| {
        if let Some(mut table) = lock() {
            table.0.publish_global(recorder);
        }
    });
}

/// Describes the five metrics (help text and units) to the current recorder.
/// Each registration describes its metric again first, so this only adds
/// the descriptions early for recorders that show them before any value.
pub(crate) fn describe() {
    metrics::with_recorder(|recorder| {
        guarded(|| {
            for metric in [&CALLS, &ACTIVE, &PANICS, &LAST_PANIC, &BUILD_INFO] {
                metric.describe(recorder);
            }
        });
    });
}

fn set_build_info(recorder: &dyn Recorder, version: &str) {
    let key = Key::from_parts(
        names::BUILD_INFO,
        vec![Label::new("version", version.to_owned())],
    );
    BUILD_INFO.gauge(recorder, &key).set(1.0);
}

/// Sets `wireframe_build_info{version="…"} 1` on the current recorder, and
/// again on a global recorder installed later.
pub(crate) fn build_info(version: &str) {
    if let Some(mut table) = lock() {
        table.0.build_info = Some(version.to_owned());
    }
    metrics::with_recorder(|recorder| guarded(|| set_build_info(recorder, version)));
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
                    // Recorder panics are contained inside; this is a backstop.
                    if catch_unwind(publish_global).is_err() {
                        crate::record::count_failure();
                    }
                }
            });
        if spawned.is_err() {
            crate::record::count_failure();
        }
    });
}

#[cfg(test)]
mod tests {
    use metrics::{
        Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit,
    };

    /// A recorder whose every call panics (not zero-sized: told apart from
    /// the no-op recorder by address).
    struct Broken(#[expect(dead_code, reason = "only gives the recorder a size")] u8);

    impl Recorder for Broken {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {
            panic!("broken recorder");
        }
        fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {
            panic!("broken recorder");
        }
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {
            panic!("broken recorder");
        }
        fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
            panic!("broken recorder");
        }
        fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
            panic!("broken recorder");
        }
        fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
            panic!("broken recorder");
        }
    }

    #[test]
    fn a_panicking_local_recorder_never_escapes_flush_or_describe() {
        crate::registry::register("publish_unit", &[]);
        let before = crate::recording_failures();
        metrics::with_local_recorder(&Broken(0), super::flush);
        let after_flush = crate::recording_failures();
        assert!(after_flush > before, "counted");
        metrics::with_local_recorder(&Broken(0), super::describe);
        assert!(crate::recording_failures() > after_flush, "counted");
    }
}
