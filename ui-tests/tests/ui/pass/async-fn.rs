//! `async fn` handlers: the value is returned, a panic across an `.await`
//! is contained, `?` works.
#![deny(warnings)]
use std::io;

use wireframe_monitor::monitored_connection;

#[monitored_connection]
async fn echo(frame: Vec<u8>) -> Option<Vec<u8>> {
    tokio::task::yield_now().await;
    Some(frame)
}

#[monitored_connection]
async fn checked(frame: &[u8]) -> io::Result<usize> {
    tokio::task::yield_now().await;
    assert!(!frame.is_empty(), "empty frame");
    Ok(frame.len())
}

#[monitored_connection]
async fn nothing() {}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(echo(vec![1, 2]).await, Some(vec![1, 2]));
        assert_eq!(checked(b"abc").await.unwrap(), 3);
        let error = checked(b"").await.unwrap_err();
        assert!(format!("{error:#}").contains("empty frame"), "{error:#}");
        nothing().await;
    });
}
