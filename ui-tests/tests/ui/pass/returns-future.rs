//! A non-async `fn` returning `impl Future` or `Pin<Box<dyn Future>>`: the
//! returned future is guarded, and so is the code building it.
#![deny(warnings)]

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;

use wireframe_monitor::{monitored_connection, snapshot};

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

#[monitored_connection(name = "ui_boxed_contained")]
fn boxed<'a>(frame: &'a [u8]) -> Pin<Box<dyn Future<Output = Option<u8>> + Send + 'a>> {
    Box::pin(async move {
        tokio::task::yield_now().await;
        Some(frame[0])
    })
}

#[monitored_connection(name = "ui_boxed_resumed", on_panic = "resume")]
fn boxed_resumed(flag: &'static str) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        tokio::task::yield_now().await;
        assert_eq!(flag, "ok");
    })
}

fn assert_send<T: Send>(_: &T) {}

fn panics_of(handler: &str) -> u64 {
    snapshot()
        .into_iter()
        .find(|s| s.handler() == handler)
        .map_or(0, |s| s.panics())
}

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

        let frame = vec![7];
        let future = boxed(&frame);
        assert_send(&future);
        assert_eq!(future.await, Some(7));
        assert_eq!(
            boxed(&[]).await,
            None,
            "the panic inside the box is contained"
        );
        assert_eq!(panics_of("ui_boxed_contained"), 1);
        boxed_resumed("ok").await;
    });
    let resumed = catch_unwind(AssertUnwindSafe(|| runtime.block_on(boxed_resumed("no"))));
    assert!(resumed.is_err(), "the panic inside the box is resumed");
    assert_eq!(panics_of("ui_boxed_resumed"), 1);
}
