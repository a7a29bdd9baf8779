//! `objective` so close to 100 that its ratio, an f64, is 1.
use wireframe_monitor::monitored_connection;

#[monitored_connection(objective = "99.99999999999999999")]
fn handle() {}

fn main() {}
