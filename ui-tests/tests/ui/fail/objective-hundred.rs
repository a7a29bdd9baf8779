//! `objective` of 100 leaves no error budget: strictly below 100.
use wireframe_monitor::monitored_connection;

#[monitored_connection(objective = "100")]
fn handle() {}

fn main() {}
