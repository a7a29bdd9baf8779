//! Inherent methods with every receiver, sync and async; `Self` in bodies.
#![deny(warnings)]
use std::sync::Arc;

use wireframe_monitor::monitored_connection;

#[derive(Default)]
struct Conn {
    frames: u32,
}

impl Conn {
    #[monitored_connection]
    fn new_default() -> Option<Self> {
        Some(Self::default())
    }

    #[monitored_connection]
    fn into_frames(self) -> Option<u32> {
        Some(self.frames)
    }

    #[monitored_connection]
    fn frames(&self) -> Option<u32> {
        Some(self.frames)
    }

    #[monitored_connection]
    fn receive(&mut self) {
        self.frames += 1;
    }

    #[monitored_connection]
    fn shared(self: Arc<Self>) -> Option<u32> {
        Some(self.frames + 100)
    }

    #[monitored_connection]
    async fn receive_async(&mut self) {
        tokio::task::yield_now().await;
        self.frames += 10;
    }

    #[monitored_connection]
    async fn frames_async(&self) -> Option<u32> {
        Some(self.frames)
    }

    #[monitored_connection]
    async fn into_frames_async(self) -> Option<u32> {
        Some(self.frames)
    }

    #[monitored_connection]
    async fn shared_async(self: Arc<Self>) -> Option<u32> {
        tokio::task::yield_now().await;
        Some(self.frames + 1000)
    }
}

fn main() {
    let mut conn = Conn::new_default().unwrap();
    conn.receive();
    assert_eq!(conn.frames(), Some(1));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        conn.receive_async().await;
        assert_eq!(conn.frames_async().await, Some(11));
        let shared = Arc::new(Conn { frames: 2 });
        assert_eq!(Arc::clone(&shared).shared(), Some(102));
        assert_eq!(shared.shared_async().await, Some(1002));
        assert_eq!(Conn { frames: 3 }.into_frames_async().await, Some(3));
    });
    assert_eq!(conn.into_frames(), Some(11));
}
