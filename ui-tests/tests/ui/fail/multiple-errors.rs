//! Several validation errors are all reported at once.
use std::net::SocketAddr;

use wireframe_monitor::monitored_connection;

#[monitored_connection(name = "", labels(handler = "x", __meta = "y"), peer = remote)]
fn handle(addr: SocketAddr) {
    let _ = addr;
}

fn main() {}
