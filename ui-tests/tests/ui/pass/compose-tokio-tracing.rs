//! Composes with `#[tokio::main]`, `#[tokio::test]` and
//! `#[tracing::instrument]`, in both orders: every handler still counts its
//! call. (`#[tokio::test]` functions are compiled out of this non-test
//! binary: here they prove that the attributes expand together.)
#![deny(warnings)]

use wireframe_monitor::{HandlerStats, monitored_connection, snapshot};

#[monitored_connection]
#[tracing::instrument]
async fn monitored_then_instrumented(frame: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(frame + 1)
}

#[tracing::instrument]
#[monitored_connection]
async fn instrumented_then_monitored(frame: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(frame + 2)
}

#[tracing::instrument(skip(frame))]
#[monitored_connection]
fn instrumented_sync(frame: &[u8]) -> Option<usize> {
    Some(frame.len())
}

#[monitored_connection]
#[tracing::instrument(ret)]
fn monitored_sync(frame: &[u8]) -> Option<usize> {
    Some(frame.len() * 2)
}

// A contained panic would hide a failed assertion: tests resume.
#[monitored_connection(on_panic = "resume")]
#[tokio::test]
async fn monitored_then_test() {
    assert_eq!(monitored_then_instrumented(1).await, Some(2));
}

#[tokio::test]
#[monitored_connection(on_panic = "resume")]
async fn test_then_monitored() {
    assert_eq!(instrumented_then_monitored(1).await, Some(3));
}

fn stats(handler: &str) -> HandlerStats {
    snapshot()
        .into_iter()
        .find(|s| s.handler() == handler)
        .unwrap_or_else(|| panic!("no snapshot entry for {handler}"))
}

#[tokio::main(flavor = "current_thread")]
#[monitored_connection(on_panic = "resume")]
async fn main() {
    assert_eq!(monitored_then_instrumented(1).await, Some(2));
    assert_eq!(instrumented_then_monitored(1).await, Some(3));
    assert_eq!(instrumented_sync(b"ab"), Some(2));
    assert_eq!(monitored_sync(b"ab"), Some(4));
    for handler in [
        "monitored_then_instrumented",
        "instrumented_then_monitored",
        "instrumented_sync",
        "monitored_sync",
    ] {
        let stats = stats(handler);
        assert_eq!((stats.calls(), stats.active()), (1, 0), "{handler}");
    }
    let main = stats("main");
    assert_eq!((main.calls(), main.active()), (1, 1), "main is running");
}
