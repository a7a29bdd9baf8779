//! `on_panic = "resume"` needs no `PanicFallback`: any return type compiles,
//! and a panic reaches the caller with its original payload.
#![deny(warnings)]
use std::panic::{catch_unwind, panic_any};

use wireframe_monitor::monitored_connection;

struct Reply(u32);

#[monitored_connection(on_panic = "resume")]
fn reply(code: u32) -> Reply {
    if code == 0 {
        panic_any(7_u32);
    }
    Reply(code)
}

#[monitored_connection(on_panic = "resume")]
async fn reply_async(code: u32) -> usize {
    usize::try_from(code).unwrap()
}

#[monitored_connection(on_panic = "resume")]
fn text() -> String {
    String::from("text")
}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    assert_eq!(reply(3).0, 3);
    let payload = catch_unwind(|| reply(0))
        .err()
        .expect("the panic is resumed");
    assert_eq!(payload.downcast_ref::<u32>(), Some(&7));
    assert_eq!(text(), "text");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(reply_async(5)), 5);
}
