//! Trait-impl methods: sync, `async fn` in a trait impl, `-> impl Future`
//! and `-> Pin<Box<dyn Future + '_>>` borrowing `self`.
#![deny(warnings)]
use std::future::Future;
use std::pin::Pin;

use wireframe_monitor::monitored_connection;

trait Handler {
    fn on_frame(&mut self, frame: &[u8]) -> Option<usize>;
    async fn on_frame_async(&self, frame: &[u8]) -> Option<usize>;
    fn on_close(&self) -> impl Future<Output = Option<usize>> + Send;
    fn on_boxed(&self) -> Pin<Box<dyn Future<Output = Option<usize>> + Send + '_>>;
}

struct Echo {
    seen: usize,
}

impl Handler for Echo {
    #[monitored_connection]
    fn on_frame(&mut self, frame: &[u8]) -> Option<usize> {
        self.seen += frame.len();
        Some(self.seen)
    }

    #[monitored_connection(name = "echo_async")]
    async fn on_frame_async(&self, frame: &[u8]) -> Option<usize> {
        tokio::task::yield_now().await;
        Some(self.seen + frame.len())
    }

    #[monitored_connection]
    fn on_close(&self) -> impl Future<Output = Option<usize>> + Send {
        let seen = self.seen;
        async move {
            tokio::task::yield_now().await;
            Some(seen)
        }
    }

    #[monitored_connection]
    fn on_boxed(&self) -> Pin<Box<dyn Future<Output = Option<usize>> + Send + '_>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            Some(self.seen * 2)
        })
    }
}

fn main() {
    let mut echo = Echo { seen: 0 };
    assert_eq!(echo.on_frame(b"abc"), Some(3));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(echo.on_frame_async(b"de").await, Some(5));
        assert_eq!(echo.on_close().await, Some(3));
        assert_eq!(echo.on_boxed().await, Some(6));
    });
}
