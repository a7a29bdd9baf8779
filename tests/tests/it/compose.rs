//! `#[monitored_connection]` composed with `#[tokio::test]`, in both orders:
//! the test body runs under the guard (its call is counted, and active,
//! while it runs). `on_panic = "resume"`, so a failing assertion still fails
//! the test instead of being contained.

use wireframe_monitor::{monitored_connection, snapshot};

fn running(handler: &str) -> (u64, u64) {
    snapshot()
        .into_iter()
        .find(|s| s.handler() == handler)
        .map_or((0, 0), |s| (s.calls(), s.active()))
}

#[monitored_connection(name = "compose_above_tokio_test", on_panic = "resume")]
#[tokio::test]
async fn monitored_above_tokio_test() {
    tokio::task::yield_now().await;
    assert_eq!(running("compose_above_tokio_test"), (1, 1));
}

#[tokio::test]
#[monitored_connection(name = "compose_below_tokio_test", on_panic = "resume")]
async fn monitored_below_tokio_test() {
    tokio::task::yield_now().await;
    assert_eq!(running("compose_below_tokio_test"), (1, 1));
}
