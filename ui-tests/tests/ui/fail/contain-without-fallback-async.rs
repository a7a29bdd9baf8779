//! The same for an `async fn`: `String` has no `PanicFallback`.
use wireframe_monitor::monitored_connection;

#[monitored_connection]
async fn handle(frame: Vec<u8>) -> String {
    String::from_utf8_lossy(&frame).into_owned()
}

fn main() {}
