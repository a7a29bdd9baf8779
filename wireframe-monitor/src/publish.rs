//! Publishing the registry to the `metrics` recorder: `calls_total`,
//! `active` and the objective gauge in the background (at most one interval
//! old) and on [`flush`]; the panic metrics at panic time.
//!
//! Exact on every exporter, including those that only add (OpenTelemetry)
//! or only send deltas (`DogStatsD`):
//! - counters go out as increments of what changed since the last publish,
//!   through handles kept per registry entry (in [`table::Table`], by entry id) and
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

mod metric;
mod table;

use std::sync::Once;
use std::time::Duration;

use metrics::Recorder;

use crate::common::failures::{count_failure, swallow};
use crate::registry::Entry;
use crate::registry::sites::Counted;
use metric::{
    ACTIVE, BUILD_INFO, CALLS, Keys, LAST_PANIC, OBJECTIVE, PANICS, SITES, set_build_info,
};
use table::lock;

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
            .name("wfmon-probe".into())
            .spawn_scoped(scope, || {
                metrics::with_recorder(|recorder| (address(recorder), size_of_val(recorder) > 0))
            })
            .ok()?
            .join()
            .ok()
    })
}

/// Records one panic of `entry` (at `site`, when sites are on) through the
/// recorder current now: through the kept handles when it is the global
/// recorder, else through handles registered for this panic (a local
/// recorder, or a global one not known yet: either way the series is the
/// same). Never waits for the table: when the publisher holds it (perhaps
/// blocked in a slow recorder), a panic for the global recorder is left,
/// with its site, to the publisher's next pass, and one for another
/// recorder registers without the cached keys. `panics_total` and the
/// site's counter always go out together, to the same recorder, so their
/// sums agree on every exporter.
pub(crate) fn panic(entry: &Entry, unix_seconds: f64, site: Option<&Counted>) {
    metrics::with_recorder(|recorder| {
        let address = address(recorder);
        let table = table::try_lock();
        if table::global() == Some(address) {
            let Some(mut table) = table else {
                entry.leave_unpublished(site);
                return;
            };
            swallow(|| {
                let mut panics = entry.take_unpublished();
                panics.panics += 1;
                panics.sites.extend(site.map(|site| (site.clone(), 1)));
                table.0.adopt(recorder, address);
                table
                    .0
                    .panics_global(recorder, entry, &panics, unix_seconds);
            });
        } else {
            swallow(|| {
                let fresh;
                let mut table = table;
                let keys = if let Some(table) = &mut table {
                    table.0.keys(entry)
                } else {
                    fresh = Keys::new(entry);
                    &fresh
                };
                PANICS.counter(recorder, &keys.panics).increment(1);
                if let Some(site) = site {
                    SITES.counter(recorder, &keys.site(&site.site)).increment(1);
                }
                LAST_PANIC
                    .gauge(recorder, &keys.last_panic)
                    .set(unix_seconds);
            });
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
        let (global, final_) = if let Some(global) = table::global() {
            (global, true)
        } else {
            let Some(global) = global_recorder() else {
                // Cannot tell local from global: leave it to the publisher.
                count_failure();
                return;
            };
            global
        };
        let Some(mut table) = lock() else { return };
        if final_ {
            table::set_global(global);
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

/// Describes the seven metrics (help text and units) to the current recorder.
/// Each registration describes its metric again first, so this only adds
/// the descriptions early for recorders that show them before any value.
/// Under the table's lock, like every registration: an exporter that drops
/// a description once a registration used it (OpenTelemetry) never sees a
/// description and a registration interleaved from two threads.
pub(crate) fn describe() {
    metrics::with_recorder(|recorder| {
        let Some(_table) = lock() else { return };
        swallow(|| {
            for metric in [
                &CALLS,
                &ACTIVE,
                &PANICS,
                &SITES,
                &LAST_PANIC,
                &OBJECTIVE,
                &BUILD_INFO,
            ] {
                metric.describe(recorder);
            }
        });
    });
}

/// Sets `wireframe_build_info{version="…"} 1` on the current recorder, and
/// again on a global recorder installed later.
pub(crate) fn build_info(version: &str) {
    metrics::with_recorder(|recorder| {
        let Some(mut table) = lock() else { return };
        table.0.build_info = Some(version.to_owned());
        swallow(|| set_build_info(recorder, version));
    });
}

/// Starts the background publisher once per process.
pub(crate) fn start_publisher(interval: Duration) {
    static START: Once = Once::new();
    START.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("wfmon-publisher".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(interval);
                    // Recorder panics are contained inside; this is a backstop.
                    swallow(publish_global);
                }
            });
        if spawned.is_err() {
            count_failure();
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
        let before = crate::common::failures::recording_failures();
        metrics::with_local_recorder(&Broken(0), super::flush);
        let after_flush = crate::common::failures::recording_failures();
        assert!(after_flush > before, "counted");
        metrics::with_local_recorder(&Broken(0), super::describe);
        assert!(
            crate::common::failures::recording_failures() > after_flush,
            "counted"
        );
    }
}
