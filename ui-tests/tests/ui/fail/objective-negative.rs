//! `objective` is never negative.
use wireframe_monitor::monitored_connection;

#[monitored_connection(objective = "-5")]
fn handle() {}

fn main() {}
