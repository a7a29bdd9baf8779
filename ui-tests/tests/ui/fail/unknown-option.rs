//! `timeout` is not an option of the attribute.
use wireframe_monitor::monitored_connection;

#[monitored_connection(name = "login", timeout = 5)]
fn handle() {}

fn main() {}
