//! `objective` is a decimal number.
use wireframe_monitor::monitored_connection;

#[monitored_connection(objective = "high")]
fn handle() {}

fn main() {}
