//! The same for a `fn` returning `impl Future`: its `Output` (`usize`) has
//! no `PanicFallback`.
use std::future::Future;

use wireframe_monitor::monitored_connection;

#[monitored_connection]
fn handle(frame: Vec<u8>) -> impl Future<Output = usize> {
    async move { frame.len() }
}

fn main() {}
