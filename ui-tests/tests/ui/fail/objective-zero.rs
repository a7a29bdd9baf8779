//! `objective` of 0 asks nothing of the handler: strictly above 0.
use wireframe_monitor::monitored_connection;

#[monitored_connection(objective = "0")]
fn handle() {}

fn main() {}
