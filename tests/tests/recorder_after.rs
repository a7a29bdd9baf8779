//! Monitored calls first, then a Prometheus recorder, then `install()`:
//! calls made before and after appear in the exposition, at once after
//! `flush()` and within about a second through the background publisher.
//! Before `install()` ran, the mark of a resumed panic that escaped to plain
//! `catch_unwind` must not hide the next fresh panic either.
//!
//! Needs the guard: built only with feature `enabled`.
#![cfg(feature = "enabled")]

use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};
use std::time::{Duration, Instant};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use wireframe_monitor::monitored_connection;
use wireframe_monitor_tests::exposition_value;

#[monitored_connection(name = "after_conn", labels(proto = "v1"))]
fn handle(fail: bool) -> Option<()> {
    assert!(!fail, "after_conn failed");
    Some(())
}

#[monitored_connection(name = "after_zst_resume", on_panic = "resume")]
fn zst_resume() {
    panic_any(());
}

#[monitored_connection(name = "after_zst_contain")]
fn zst_contain() {
    panic_any(());
}

#[monitored_connection(name = "after_string_resume", on_panic = "resume")]
fn string_resume(n: u32) {
    panic!("resumed {n}");
}

#[monitored_connection(name = "after_string_contain")]
fn string_contain(n: u32) {
    panic!("contained {n}");
}

/// Polls the exposition until `calls_total` of `after_conn` is `want`.
fn wait_for_calls(handle: &PrometheusHandle, want: f64, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < within {
        if exposition_value(
            &handle.render(),
            "wireframe_handler_calls_total",
            "after_conn",
        ) == Some(want)
        {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn panics(handler: &str) -> Option<u64> {
    wireframe_monitor::snapshot()
        .into_iter()
        .find(|s| s.handler() == handler)
        .map(|s| s.panics())
}

#[test]
fn recorder_installed_after_the_first_calls() {
    // No install() yet (so no hook): a panic resumed by a monitored handler
    // and caught by plain `catch_unwind`, then a fresh panic with a payload
    // of the same type (and, for `()`, the same address) in another handler.
    // Each is a panic of its own. Checked at the end, so that the recorder
    // checks below run whatever happens here.
    catch_unwind(AssertUnwindSafe(zst_resume)).expect_err("resumed");
    zst_contain();
    catch_unwind(|| string_resume(1)).expect_err("resumed");
    string_contain(2);
    let fresh = [
        ("after_zst_resume", panics("after_zst_resume")),
        ("after_zst_contain", panics("after_zst_contain")),
        ("after_string_resume", panics("after_string_resume")),
        ("after_string_contain", panics("after_string_contain")),
    ];

    handle(false);
    handle(true);
    let prometheus = PrometheusBuilder::new()
        .install_recorder()
        .expect("first recorder");
    wireframe_monitor::install();

    // Without flush: the background publisher shows the earlier calls.
    let waited = wait_for_calls(&prometheus, 2.0, Duration::from_secs(3));
    assert!(
        waited.is_some_and(|w| w < Duration::from_millis(1500)),
        "publisher too slow: {waited:?}\n{}",
        prometheus.render()
    );

    handle(false);
    handle(true);
    let waited = wait_for_calls(&prometheus, 4.0, Duration::from_secs(3));
    assert!(
        waited.is_some_and(|w| w < Duration::from_millis(1500)),
        "{waited:?}"
    );

    handle(false);
    wireframe_monitor::flush();
    let text = prometheus.render();
    assert_eq!(
        exposition_value(&text, "wireframe_handler_calls_total", "after_conn"),
        Some(5.0)
    );
    assert_eq!(
        exposition_value(&text, "wireframe_handler_active", "after_conn"),
        Some(0.0)
    );
    // Panic metrics go through the recorder current at panic time: only the
    // panic after the recorder was installed is in the exposition.
    assert_eq!(
        exposition_value(&text, "wireframe_handler_panics_total", "after_conn"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(panics("after_conn"), Some(2));

    let want = fresh.map(|(handler, _)| (handler, Some(1)));
    assert_eq!(
        fresh, want,
        "a fresh panic before install() was not counted"
    );
}
