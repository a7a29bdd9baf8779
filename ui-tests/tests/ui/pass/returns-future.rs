//! A non-async `fn` returning `impl Future` (the future is guarded) and one
//! returning `Pin<Box<dyn Future + Send>>` (a sync fn whose body coerces).
#![deny(warnings)]
use std::future::Future;
use std::pin::Pin;

use wireframe_monitor::monitored_connection;

#[monitored_connection]
fn later(value: u8) -> impl Future<Output = Option<u8>> {
    let doubled = value.checked_mul(2);
    async move {
        tokio::task::yield_now().await;
        let doubled = doubled?;
        Some(doubled + 1)
    }
}

#[monitored_connection]
fn panics_inside(value: u8) -> impl Future<Output = Option<u8>> + Send + 'static {
    async move {
        tokio::task::yield_now().await;
        assert!(value != 0, "zero");
        Some(value)
    }
}

#[monitored_connection]
fn panics_while_building(value: u8) -> impl Future<Output = Option<u8>> {
    assert!(value != 0, "zero");
    std::future::ready(Some(value))
}

#[monitored_connection(on_panic = "resume")]
fn boxed(flag: &'static str) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        assert_eq!(flag, "ok");
    })
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(later(4).await, Some(9));
        assert_eq!(later(200).await, None);
        let future = panics_inside(0);
        assert_send(&future);
        assert_eq!(future.await, None);
        assert_eq!(panics_inside(3).await, Some(3));
        let future = panics_while_building(0);
        assert_eq!(future.await, None);
        assert_eq!(panics_while_building(5).await, Some(5));
        boxed("ok").await;
    });
}
