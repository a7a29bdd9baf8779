//! Two threads × 100 000 calls with 1 % panics give exact totals in
//! `snapshot()`, in the panic metrics (one shared debugging recorder as
//! each worker's local recorder) and in `calls_total` after `flush()`.

use metrics_util::debugging::DebuggingRecorder;
use wireframe_monitor::monitored_connection;
use wireframe_monitor::names::{ACTIVE, CALLS_TOTAL, PANICS_TOTAL};
use wireframe_monitor_tests::{Samples, recorded};

use crate::support::{self, row};

const CALLS: u64 = 100_000;

#[monitored_connection(name = "load_handler", labels(test = "load"))]
fn handle(n: u64) -> Option<u64> {
    assert!(n % 100 != 99, "one in a hundred");
    Some(n)
}

#[test]
fn two_threads_give_exact_totals() {
    let _shared = support::shared();
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                let _local = metrics::set_default_local_recorder(&recorder);
                let mut ok = 0;
                for n in 0..CALLS {
                    ok += u64::from(handle(n).is_some());
                }
                assert_eq!(ok, CALLS - CALLS / 100);
            });
        }
    });
    let samples = Samples::take(&snapshotter);
    assert_eq!(
        samples.counter(PANICS_TOTAL, "load_handler"),
        Some(2 * CALLS / 100)
    );

    let row = row("load_handler").unwrap();
    assert_eq!(
        (row.calls(), row.active(), row.panics()),
        (2 * CALLS, 0, 2 * CALLS / 100)
    );

    let ((), flushed) = recorded(wireframe_monitor::flush);
    assert_eq!(
        flushed.counter(CALLS_TOTAL, "load_handler"),
        Some(2 * CALLS)
    );
    assert_eq!(flushed.gauge(ACTIVE, "load_handler"), Some(0.0));
}
