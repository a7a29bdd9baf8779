//! `crate` holds a string that is not a path.
use wireframe_monitor::monitored_connection;

#[monitored_connection(crate = "not a path")]
fn handle() {}

fn main() {}
