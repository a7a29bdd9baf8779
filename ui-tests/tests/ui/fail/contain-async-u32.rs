//! An `async fn … -> u32` under `contain`: its error is reported once, on
//! the return type, without the guarded future's inferred type.
use wireframe_monitor::monitored_connection;

#[monitored_connection]
async fn handle(frame: Vec<u8>) -> u32 {
    u32::from(frame[0])
}

fn main() {
    let _ = handle(vec![1]);
}
