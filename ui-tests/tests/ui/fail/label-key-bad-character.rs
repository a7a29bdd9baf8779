//! Label keys are Prometheus label names: ASCII letters, digits and `_` only.
use wireframe_monitor::monitored_connection;

#[monitored_connection(labels(région = "eu"))]
fn non_ascii_key() {}

#[monitored_connection(labels(my-key = "v"))]
fn dashed_key() {}

fn main() {}
