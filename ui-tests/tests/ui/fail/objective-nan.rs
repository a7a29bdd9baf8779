//! `objective` "nan" is not a decimal number.
use wireframe_monitor::monitored_connection;

#[monitored_connection(objective = "nan")]
fn handle() {}

fn main() {}
