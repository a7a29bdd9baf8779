//! On an option error the function is still emitted: calling it from `main`
//! adds no "cannot find function" error.
use wireframe_monitor::monitored_connection;

#[monitored_connection(on_panic = "ignore")]
fn handle(frame: &[u8]) -> usize {
    frame.len()
}

fn main() {
    let _ = handle(b"ping");
}
