//! `crate` is given twice.
use wireframe_monitor::monitored_connection;

#[monitored_connection(crate = "wireframe_monitor", crate = "::wireframe_monitor")]
fn handle() {}

fn main() {}
