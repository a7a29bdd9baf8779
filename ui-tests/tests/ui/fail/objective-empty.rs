//! `objective` is not empty.
use wireframe_monitor::monitored_connection;

#[monitored_connection(objective = "")]
fn handle() {}

fn main() {}
