//! Every bad option, bad label and validation error is reported at once.
use std::net::SocketAddr;

use wireframe_monitor::monitored_connection;

#[monitored_connection(
    name = "",
    timeout = 5,
    on_panic = "abort",
    labels(handler = "x", __meta = "y", my-key = "z", version = 2),
    peer = remote,
    name = "again",
)]
fn handle(addr: SocketAddr) {
    let _ = addr;
}

fn main() {}
