//! `crate` names a path that does not resolve: rustc reports it on the literal (and where the expansion writes the guard call).
use wireframe_monitor::monitored_connection;

#[monitored_connection(crate = "wm")]
async fn handle(frame: &[u8]) -> Option<usize> {
    Some(frame.len())
}

fn main() {}
