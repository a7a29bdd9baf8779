//! `metrics-exporter-prometheus` as the global recorder: its rendered
//! exposition after the workload equals what was made, one `# HELP` per
//! metric, one sample per metric and label set, the objective gauge exact.

use std::collections::BTreeMap;

use metrics_exporter_prometheus::PrometheusBuilder;
use wireframe_monitor::names;
use wireframe_monitor_exporters::{
    ALL_METRICS, expected_objectives, handler_of, is_checked, run, series_of,
};

/// The labels of a sample, `(key, value)`.
type Labels<'a> = Vec<(&'a str, &'a str)>;

/// `(name, labels, value)` of a sample line `name{k="v",…} value`.
fn sample(line: &str) -> Option<(&str, Labels<'_>, f64)> {
    let (series, value) = line.rsplit_once(' ')?;
    let (name, labels) = match series.split_once('{') {
        Some((name, rest)) => (name, rest.strip_suffix('}')?),
        None => (series, ""),
    };
    let labels = labels
        .split(',')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=')?;
            Some((k, v.strip_prefix('"')?.strip_suffix('"')?))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((name, labels, value.parse().ok()?))
}

#[test]
fn prometheus_exposition_shows_exact_totals() {
    let mut handle = None;
    let made = run(|| {
        handle = Some(
            PrometheusBuilder::new()
                .install_recorder()
                .expect("first recorder"),
        );
    });
    let text = handle.expect("installed").render();

    let mut got = BTreeMap::new();
    let mut objectives = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, labels, value) = sample(line).unwrap_or_else(|| panic!("bad line {line}"));
        if name == names::OBJECTIVE_RATIO {
            let handler = handler_of(labels).unwrap_or_else(|| panic!("unexpected labels: {line}"));
            assert!(
                objectives.insert(handler, value).is_none(),
                "duplicated series: {line}"
            );
            continue;
        }
        if !is_checked(name) {
            continue;
        }
        let handler =
            series_of(name, labels).unwrap_or_else(|| panic!("unexpected labels: {line}"));
        assert!(value >= 0.0 && value.fract() == 0.0, "{line}");
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked above: a small non-negative whole number"
        )]
        let value = value as u64;
        let previous = got.insert((name.to_owned(), handler), value);
        assert!(previous.is_none(), "duplicated series: {line}");
    }
    for name in ALL_METRICS {
        let help = format!("# HELP {name} ");
        assert_eq!(text.matches(&help).count(), 1, "{name}: one HELP\n{text}");
    }
    println!("Prometheus exposition: {got:?}");
    assert_eq!(got, made.expected(), "\n{text}");
    assert_eq!(objectives, expected_objectives(), "\n{text}");
}
