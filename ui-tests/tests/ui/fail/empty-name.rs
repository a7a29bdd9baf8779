//! `name` must not be empty.
use wireframe_monitor::monitored_connection;

#[monitored_connection(name = "")]
fn handle() {}

fn main() {}
