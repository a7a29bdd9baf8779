//! The same for a `fn` returning `Pin<Box<dyn Future>>`: its `Output`
//! (`u32`) has no `PanicFallback`.
use std::future::Future;
use std::pin::Pin;

use wireframe_monitor::monitored_connection;

#[monitored_connection]
fn handle(frame: Vec<u8>) -> Pin<Box<dyn Future<Output = u32> + Send>> {
    Box::pin(async move { u32::from(frame[0]) })
}

fn main() {}
