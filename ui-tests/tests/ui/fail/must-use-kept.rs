//! Attributes of the function stay: `#[must_use]` still warns (here denied).
#![deny(unused_must_use)]

use wireframe_monitor::monitored_connection;

#[must_use]
#[monitored_connection]
fn parse(frame: &[u8]) -> Option<u8> {
    frame.first().copied()
}

fn main() {
    parse(b"x");
}
