//! `#[track_caller]` on a `fn` returning a future: the future is guarded
//! from a closure, so the attribute is refused, even with `resume`.
use std::future::Future;

use wireframe_monitor::monitored_connection;

#[monitored_connection(on_panic = "resume")]
#[track_caller]
fn handle(frame: u8) -> impl Future<Output = u8> {
    async move { frame }
}

fn main() {
    let _ = handle(1);
}
