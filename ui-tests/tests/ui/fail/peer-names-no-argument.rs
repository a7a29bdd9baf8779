//! `peer` must name an argument of the function.
use std::net::SocketAddr;

use wireframe_monitor::monitored_connection;

#[monitored_connection(peer = address)]
fn handle(addr: SocketAddr, frame: &[u8]) -> usize {
    let _ = addr;
    frame.len()
}

fn main() {}
