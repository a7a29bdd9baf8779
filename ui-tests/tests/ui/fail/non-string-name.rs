//! `name` is a string literal, not an identifier.
use wireframe_monitor::monitored_connection;

#[monitored_connection(name = login)]
fn handle() {}

fn main() {}
