//! `metrics-exporter-opentelemetry` as the global recorder, read through
//! the OpenTelemetry SDK's in-memory metric exporter: one described metric
//! per name, one stream per label set, cumulative sums equal to what was
//! made, the objective gauge exact.

use std::collections::{BTreeMap, BTreeSet};

use metrics_exporter_opentelemetry::Recorder;
use opentelemetry_sdk::metrics::InMemoryMetricExporter;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use wireframe_monitor::names;
use wireframe_monitor_exporters::{ALL_METRICS, expected_objectives, is_checked, run, series_of};

/// `(handler, value)` of every data point of a counter or gauge `name`.
fn points(name: &str, data: &AggregatedMetrics) -> Vec<(Option<String>, f64)> {
    let handler = |attributes: Vec<(String, String)>| {
        series_of(
            name,
            attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
    };
    let attrs = |kvs: &mut dyn Iterator<Item = &opentelemetry::KeyValue>| -> Vec<(String, String)> {
        kvs.map(|kv| (kv.key.to_string(), kv.value.to_string()))
            .collect()
    };
    #[expect(
        clippy::cast_precision_loss,
        reason = "counts here stay far below 2^52"
    )]
    match data {
        AggregatedMetrics::U64(MetricData::Sum(sum)) => sum
            .data_points()
            .map(|p| (handler(attrs(&mut p.attributes())), p.value() as f64))
            .collect(),
        AggregatedMetrics::F64(MetricData::Gauge(gauge)) => gauge
            .data_points()
            .map(|p| (handler(attrs(&mut p.attributes())), p.value()))
            .collect(),
        other => panic!("unexpected aggregation {other:?}"),
    }
}

#[test]
fn opentelemetry_streams_show_exact_totals() {
    let exporter = InMemoryMetricExporter::default();
    let mut provider = None;
    let made = run(|| {
        let (p, _recorder) = Recorder::builder("wireframe-monitor-exporters")
            .with_meter_provider(|b| b.with_periodic_exporter(exporter.clone()))
            .install()
            .expect("first recorder");
        provider = Some(p);
    });
    provider
        .expect("installed")
        .force_flush()
        .expect("force flush");
    let exports: Vec<ResourceMetrics> = exporter.get_finished_metrics().expect("metrics");
    let last = exports.last().expect("one export");

    let mut got = BTreeMap::new();
    let mut objectives = BTreeMap::new();
    let mut streams: BTreeMap<String, usize> = BTreeMap::new();
    let mut undescribed = BTreeSet::new();
    for scope in last.scope_metrics() {
        for metric in scope.metrics() {
            let name = metric.name();
            if !name.starts_with("wireframe_") {
                continue;
            }
            *streams.entry(name.to_owned()).or_default() += 1;
            if metric.description().is_empty() {
                undescribed.insert(name.to_owned());
            }
            if name == names::OBJECTIVE_RATIO {
                for (handler, ratio) in points(name, metric.data()) {
                    let handler =
                        handler.unwrap_or_else(|| panic!("{name}: a point with unexpected labels"));
                    assert!(
                        objectives.insert(handler, ratio).is_none(),
                        "{name}: two points"
                    );
                }
                continue;
            }
            if !is_checked(name) {
                continue;
            }
            let mut label_sets = BTreeSet::new();
            for (handler, value) in points(name, metric.data()) {
                let handler =
                    handler.unwrap_or_else(|| panic!("{name}: a point with unexpected labels"));
                assert!(
                    label_sets.insert(handler.clone()),
                    "{name}{{{handler}}}: two points"
                );
                assert!(value >= 0.0 && value.fract() == 0.0, "{name} = {value}");
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked above: a non-negative whole number"
                )]
                let value = value as u64;
                // Summed over split streams, to show what a backend adding
                // them up would see; the split itself fails below.
                *got.entry((name.to_owned(), handler)).or_default() += value;
            }
        }
    }
    println!("OpenTelemetry (cumulative) received: {got:?}");
    println!("instruments per metric name: {streams:?}");
    assert_eq!(
        streams.keys().map(String::as_str).collect::<Vec<_>>(),
        ALL_METRICS,
        "every metric, once"
    );
    assert!(
        streams.values().all(|&n| n == 1),
        "one instrument per metric name, not split: {streams:?}"
    );
    assert!(
        undescribed.is_empty(),
        "without description: {undescribed:?}"
    );
    assert_eq!(got, made.expected());
    assert_eq!(objectives, expected_objectives());
}
