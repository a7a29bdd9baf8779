//! `#[track_caller]` on a `contain` handler (the default) cannot keep its
//! meaning: containing runs the body in a closure. The error names both
//! ways out (`on_panic = "resume"`, or no `#[track_caller]`).
use wireframe_monitor::monitored_connection;

#[monitored_connection]
#[track_caller]
fn handle(frame: &[u8]) -> Option<u8> {
    frame.first().copied()
}

fn main() {
    let _ = handle(b"x");
}
