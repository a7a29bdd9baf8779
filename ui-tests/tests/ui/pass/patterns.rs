//! Pattern arguments: tuples, structs, `mut`, `_`, references, with `peer`
//! naming a plain argument among them.
#![deny(warnings)]
use std::net::SocketAddr;

use wireframe_monitor::monitored_connection;

struct Point {
    x: i32,
    y: i32,
}

#[monitored_connection]
fn tuple((a, b): (u8, u8)) -> Option<u16> {
    Some(u16::from(a) + u16::from(b))
}

#[monitored_connection]
fn point(Point { x, y }: Point) -> Option<i32> {
    Some(x * y)
}

#[monitored_connection]
fn ignored(_: u8, mut count: u32, &value: &u32) -> Option<u32> {
    count += value;
    Some(count)
}

#[monitored_connection(peer = addr)]
async fn with_peer(
    addr: SocketAddr,
    [first, .., last]: [u8; 4],
    Point { x, .. }: Point,
) -> Option<i32> {
    tokio::task::yield_now().await;
    let _ = addr;
    Some(i32::from(first) + i32::from(last) + x)
}

fn main() {
    assert_eq!(tuple((2, 3)), Some(5));
    assert_eq!(point(Point { x: 4, y: 5 }), Some(20));
    assert_eq!(ignored(0, 1, &2), Some(3));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let got = runtime.block_on(with_peer(addr, [1, 2, 3, 4], Point { x: 10, y: 0 }));
    assert_eq!(got, Some(15));
}
