//! `#[track_caller]` on a sync handler cannot keep its meaning under the
//! guard (the body runs in a closure): an error names both ways out.
use wireframe_monitor::monitored_connection;

#[monitored_connection]
#[track_caller]
fn handle(frame: &[u8]) -> Option<u8> {
    frame.first().copied()
}

fn main() {
    let _ = handle(b"x");
}
