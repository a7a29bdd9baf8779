//! Start-up registration: every annotated function linked into the binary
//! has its series at 0 after `install()` and `flush()`, before any call;
//! and in `snapshot()`, with 0 calls. A generic function is one handler (one
//! site, whatever its instantiations); a run-time handler is registered
//! when it is made.

use std::future::Future;

use metrics_exporter_prometheus::PrometheusBuilder;
use wireframe_monitor::{MonitoredHandler, monitored_connection};
use wireframe_monitor_tests::exposition_value;

#[monitored_connection(name = "startup_sync", labels(proto = "v1"))]
#[expect(dead_code, reason = "never called: its series exist all the same")]
fn never_sync(frame: &[u8]) -> std::io::Result<usize> {
    Ok(frame.len())
}

#[monitored_connection(name = "startup_async")]
#[expect(dead_code, reason = "never called: its series exist all the same")]
async fn never_async(n: u32) -> Option<u32> {
    Some(n)
}

#[monitored_connection(name = "startup_future", on_panic = "resume")]
#[expect(dead_code, reason = "never called: its series exist all the same")]
fn never_future() -> impl Future<Output = u8> {
    async { 1 }
}

#[monitored_connection(name = "startup_generic")]
#[expect(
    dead_code,
    reason = "never instantiated: its series exist all the same"
)]
fn never_generic<T: Into<u64>>(value: T) -> Option<u64> {
    Some(value.into())
}

const SERIES: [&str; 3] = [
    "wireframe_handler_calls_total",
    "wireframe_handler_panics_total",
    "wireframe_handler_active",
];

pub fn run() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).expect("the first recorder");
    // Made before `install()`, never run.
    let route = MonitoredHandler::named("startup_runtime").expect("a valid name");
    wireframe_monitor::install();
    wireframe_monitor::flush();
    let text = handle.render();
    let handlers = [
        "startup_sync",
        "startup_async",
        "startup_future",
        "startup_generic",
        "startup_runtime",
    ];
    for handler in handlers {
        for series in SERIES {
            assert_eq!(
                exposition_value(&text, series, handler),
                Some(0.0),
                "{series} of {handler}:\n{text}"
            );
        }
    }
    assert!(
        text.contains(r#"wireframe_handler_calls_total{handler="startup_sync",proto="v1"} 0"#),
        "labels on the start-up series:\n{text}"
    );
    let rows = wireframe_monitor::snapshot();
    for handler in handlers {
        let matching: Vec<_> = rows.iter().filter(|r| r.handler() == handler).collect();
        assert_eq!(matching.len(), 1, "one row for {handler}");
        let row = matching[0];
        assert_eq!(
            (row.calls(), row.active(), row.panics()),
            (0, 0, 0),
            "{handler}"
        );
    }
    assert_eq!(route.name(), "startup_runtime");
}
