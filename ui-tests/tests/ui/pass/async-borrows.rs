//! `async fn`s rewritten as `fn … -> impl Future` must borrow like the
//! originals in every edition (this crate is edition 2021): elided and
//! named lifetimes in several arguments, `&mut self`, `mut self`, `impl
//! Trait` arguments, `_`-prefixed and `_` arguments, a trait's `async fn`.
#![deny(warnings)]
use wireframe_monitor::monitored_connection;

struct Conn {
    buffer: Vec<u8>,
}

impl Conn {
    #[monitored_connection]
    #[inline]
    async fn append(&mut self, frame: &[u8], tag: &str) -> Option<usize> {
        tokio::task::yield_now().await;
        self.buffer.extend_from_slice(frame);
        Some(self.buffer.len() + tag.len())
    }

    #[monitored_connection]
    async fn into_len(mut self, _reason: &str, _: u8) -> Option<usize> {
        tokio::task::yield_now().await;
        self.buffer.push(0);
        Some(self.buffer.len())
    }

    #[monitored_connection]
    async fn longest<'a>(&'a self, other: &'a [u8]) -> Option<&'a [u8]> {
        tokio::task::yield_now().await;
        Some(if other.len() > self.buffer.len() {
            other
        } else {
            &self.buffer
        })
    }
}

trait Handler {
    async fn handle(&self, frame: &[u8]) -> Option<u8>;
}

struct First;

impl Handler for First {
    #[monitored_connection]
    async fn handle(&self, frame: &[u8]) -> Option<u8> {
        tokio::task::yield_now().await;
        frame.first().copied()
    }
}

#[monitored_connection]
async fn measure(text: impl AsRef<str>, extra: &String) -> Option<usize> {
    tokio::task::yield_now().await;
    Some(text.as_ref().len() + extra.len())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = Conn { buffer: Vec::new() };
        let frame = vec![1, 2, 3];
        assert_eq!(conn.append(&frame, "ab").await, Some(5));
        assert_eq!(conn.longest(&[9; 4]).await, Some(&[9, 9, 9, 9][..]));
        assert_eq!(conn.into_len("done", 0).await, Some(4));
        assert_eq!(First.handle(&frame).await, Some(1));
        assert_eq!(measure("abc", &String::from("de")).await, Some(5));
    });
}
