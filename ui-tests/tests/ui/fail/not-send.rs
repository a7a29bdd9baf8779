//! An annotated `async fn` whose original future is not `Send` (an `Rc`
//! held across `.await`) stays not `Send`.
use std::rc::Rc;

use wireframe_monitor::monitored_connection;

fn assert_send<T: Send>(_: &T) {}

#[monitored_connection]
async fn handle() {
    let shared = Rc::new(1_u8);
    std::future::ready(()).await;
    let _ = *shared;
}

fn main() {
    let future = handle();
    assert_send(&future);
}
