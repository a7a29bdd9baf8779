//! `on_panic` is "contain" or "resume".
use wireframe_monitor::monitored_connection;

#[monitored_connection(on_panic = "abort")]
fn handle() {}

fn main() {}
