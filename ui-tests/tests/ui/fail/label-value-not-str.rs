//! A label value is a string literal or a `&'static str` const path.
use wireframe_monitor::monitored_connection;

#[monitored_connection(labels(version = 2))]
fn handle() {}

fn main() {}
