//! `metrics_util`'s `DebuggingRecorder` as the global recorder: its
//! snapshot after the workload equals what was made, every metric carries
//! its description.

use std::collections::BTreeMap;

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use wireframe_monitor_exporters::{handler_of, is_checked, run};

#[test]
fn debugging_recorder_shows_exact_totals() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let made = run(|| recorder.install().expect("first recorder"));

    let mut got = BTreeMap::new();
    for (key, _unit, description, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        if !is_checked(key.name()) {
            continue;
        }
        let handler = handler_of(key.labels().map(|l| (l.key(), l.value())))
            .unwrap_or_else(|| panic!("unexpected labels on {key:?}"));
        assert!(description.is_some(), "{} has no description", key.name());
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
    println!("DebuggingRecorder received: {got:?}");
    assert_eq!(got, made.expected());
}
