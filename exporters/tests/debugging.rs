//! `metrics_util`'s `DebuggingRecorder` as the global recorder: its
//! snapshot after the workload equals what was made (the objective gauge
//! too), every metric carries its description. Then a `flush()` under a local `DebuggingRecorder`
//! gives it the whole totals and leaves the global bookkeeping alone.

use std::collections::{BTreeMap, BTreeSet};

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use wireframe_monitor::names;
use wireframe_monitor_exporters::{
    ALL_METRICS, PLAIN, expected_objectives, handler_of, is_checked, run, series_of,
};

/// `calls_total` of `handler` in a fresh snapshot (taking counters out).
fn calls(snapshotter: &Snapshotter, handler: &str) -> Option<u64> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .find_map(|(key, _, _, value)| match value {
            DebugValue::Counter(n)
                if key.key().name() == names::CALLS_TOTAL
                    && key.key().labels().any(|l| l.value() == handler) =>
            {
                Some(n)
            }
            _ => None,
        })
}

#[test]
fn debugging_recorder_shows_exact_totals() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let made = run(|| recorder.install().expect("first recorder"));

    let mut got = BTreeMap::new();
    let mut objectives = BTreeMap::new();
    let mut described = BTreeSet::new();
    for (key, _unit, description, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        if key.name().starts_with("wireframe_") {
            assert!(description.is_some(), "{} has no description", key.name());
            described.insert(key.name().to_owned());
        }
        if key.name() == names::OBJECTIVE_RATIO {
            let handler = handler_of(key.labels().map(|l| (l.key(), l.value())))
                .unwrap_or_else(|| panic!("unexpected labels on {key:?}"));
            let DebugValue::Gauge(ratio) = value else {
                panic!("{key:?} is not a gauge");
            };
            assert!(
                objectives.insert(handler, ratio.into_inner()).is_none(),
                "duplicated series {key:?}"
            );
            continue;
        }
        if !is_checked(key.name()) {
            continue;
        }
        let handler = series_of(key.name(), key.labels().map(|l| (l.key(), l.value())))
            .unwrap_or_else(|| panic!("unexpected labels on {key:?}"));
        let value = match value {
            DebugValue::Counter(n) => n,
            DebugValue::Gauge(g) => {
                let g = g.into_inner();
                assert!(g >= 0.0 && g.fract() == 0.0, "{} = {g}", key.name());
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked above: a small non-negative whole number"
                )]
                let n = g as u64;
                n
            }
            DebugValue::Histogram(_) => panic!("no histograms are published"),
        };
        let previous = got.insert((key.name().to_owned(), handler), value);
        assert!(previous.is_none(), "duplicated series {key:?}");
    }
    assert_eq!(
        described.iter().map(String::as_str).collect::<Vec<_>>(),
        ALL_METRICS
    );
    println!("DebuggingRecorder received: {got:?}");
    assert_eq!(got, made.expected());
    assert_eq!(objectives, expected_objectives());

    // A local recorder gets the whole totals, each time it is flushed.
    let local = DebuggingRecorder::new();
    let local_snapshotter = local.snapshotter();
    for _ in 0..2 {
        metrics::with_local_recorder(&local, wireframe_monitor::flush);
        assert_eq!(calls(&local_snapshotter, PLAIN), Some(made.calls[0]));
    }
    // The global recorder's bookkeeping is untouched: nothing new to send,
    // then exactly one more call.
    wireframe_monitor::flush();
    assert_eq!(calls(&snapshotter, PLAIN).unwrap_or(0), 0);
    wireframe_monitor_exporters::call_plain();
    wireframe_monitor::flush();
    assert_eq!(calls(&snapshotter, PLAIN), Some(1));
}
