//! An unused annotated function is reported by `dead_code`, as without the
//! attribute.
#![deny(dead_code)]

use wireframe_monitor::monitored_connection;

#[monitored_connection]
fn unused(frame: &[u8]) -> Option<u8> {
    frame.first().copied()
}

#[monitored_connection]
async fn unused_async(frame: Vec<u8>) -> Option<u8> {
    frame.first().copied()
}

fn main() {}
