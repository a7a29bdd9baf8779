//! `on_panic = "contain"` (the default) needs a `PanicFallback` return type.
use wireframe_monitor::monitored_connection;

#[monitored_connection]
fn handle(frame: &[u8]) -> usize {
    frame.len()
}

fn main() {}
