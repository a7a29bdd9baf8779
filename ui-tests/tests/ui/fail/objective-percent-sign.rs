//! `objective` is written without `%`.
use wireframe_monitor::monitored_connection;

#[monitored_connection(objective = "99.9%")]
fn handle() {}

fn main() {}
