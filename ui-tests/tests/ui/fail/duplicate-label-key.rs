//! A label key appears twice.
use wireframe_monitor::monitored_connection;

#[monitored_connection(labels(protocol = "v1", region = "eu", protocol = "v2"))]
fn handle() {}

fn main() {}
