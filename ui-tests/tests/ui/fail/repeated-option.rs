//! `name` is given twice.
use wireframe_monitor::monitored_connection;

#[monitored_connection(name = "login", name = "logout")]
fn handle() {}

fn main() {}
