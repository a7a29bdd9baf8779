//! `handler` is the label that carries the handler's name.
use wireframe_monitor::monitored_connection;

#[monitored_connection(labels(handler = "login"))]
fn handle() {}

fn main() {}
