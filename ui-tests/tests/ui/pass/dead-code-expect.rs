//! An unused annotated function is dead code as it is without the
//! attribute: `#[expect(dead_code)]` on it is fulfilled (an unfulfilled
//! expectation would be a warning, denied here), in every form.
#![deny(warnings)]

use std::future::Future;

use wireframe_monitor::monitored_connection;

#[expect(dead_code, reason = "never called")]
#[monitored_connection]
fn unused_sync(frame: &[u8]) -> Option<u8> {
    frame.first().copied()
}

#[expect(dead_code, reason = "never called")]
#[monitored_connection]
async fn unused_async(frame: Vec<u8>) -> Option<u8> {
    frame.first().copied()
}

#[expect(dead_code, reason = "never called")]
#[monitored_connection]
#[must_use]
async fn unused_kept(frame: Vec<u8>) -> Option<u8> {
    frame.first().copied()
}

#[expect(dead_code, reason = "never called")]
#[monitored_connection]
fn unused_future(frame: Vec<u8>) -> impl Future<Output = Option<u8>> {
    async move { frame.first().copied() }
}

fn main() {}
