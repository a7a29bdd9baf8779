//! The exporter set-ups of the README's "Metrics" section, compiled (by
//! `cargo test` and `cargo clippy --all-targets`) so they stay right.
//! Running it only prints what each would do: installing a global recorder
//! is once per process, and the tests in `tests/` do that for real.

use std::error::Error;

use opentelemetry_sdk::metrics::InMemoryMetricExporter;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;

type Result = std::result::Result<(), Box<dyn Error>>;

/// Prometheus.
fn prometheus() -> Result {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(([127, 0, 0, 1], 9000)) // /metrics on 127.0.0.1:9000
        .install()?;
    wireframe_monitor::install();
    Ok(())
}

/// `StatsD` with tags (`DogStatsD`).
fn statsd() -> Result {
    metrics_exporter_dogstatsd::DogStatsDBuilder::default()
        .with_remote_address("127.0.0.1:8125")? // your agent, over UDP
        .install()?;
    wireframe_monitor::install();
    Ok(())
}

/// OpenTelemetry, with a metric exporter for your backend.
fn opentelemetry(otlp_exporter: impl PushMetricExporter) -> Result {
    let (provider, _recorder) = metrics_exporter_opentelemetry::Recorder::builder("my-server")
        .with_meter_provider(|builder| builder.with_periodic_exporter(otlp_exporter))
        .install()?;
    wireframe_monitor::install();
    // … at shutdown: publish the last counts, then export them.
    wireframe_monitor::flush();
    provider.shutdown()?;
    Ok(())
}

fn main() {
    // Referenced, not run: each would install the process's global recorder.
    let _ = [prometheus as fn() -> Result, statsd];
    let _ = opentelemetry as fn(InMemoryMetricExporter) -> Result;
    println!("the exporter set-ups of README.md (section Metrics) compile");
}
