//! Prometheus reserves label names starting with `__`.
use wireframe_monitor::monitored_connection;

#[monitored_connection(labels(__name = "x"))]
fn handle() {}

fn main() {}
