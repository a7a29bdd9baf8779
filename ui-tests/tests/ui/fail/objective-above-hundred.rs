//! `objective` above 100 is no percentage of calls.
use wireframe_monitor::monitored_connection;

#[monitored_connection(objective = "150")]
fn handle() {}

fn main() {}
