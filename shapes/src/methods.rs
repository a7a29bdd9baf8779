//! Receivers of every form, sync and async, in inherent impls, trait impls,
//! trait default methods and `#[async_trait]` impls; `Self` in bodies and
//! patterns.

use std::pin::Pin;
use std::sync::Arc;

use wireframe_monitor::monitored_connection;

use crate::harness::{block_on, check};

#[derive(Clone, Debug, PartialEq)]
struct Conn {
    frames: Vec<u8>,
}

fn conn(frames: &[u8]) -> Conn {
    Conn {
        frames: frames.to_vec(),
    }
}

impl Conn {
    #[monitored_connection]
    fn recv_ref(&self) -> Option<u8> {
        Some(self.frames[0])
    }

    #[monitored_connection]
    fn recv_mut(&mut self) -> Option<u8> {
        Some(self.frames.pop().expect("no frame"))
    }

    #[monitored_connection]
    fn recv_value(self) -> Option<u8> {
        Some(self.frames[0])
    }

    #[monitored_connection]
    fn recv_mut_value(mut self) -> Option<u8> {
        self.frames.push(1);
        Some(self.frames[0] / self.frames[1])
    }

    #[monitored_connection]
    fn recv_box(self: Box<Self>) -> Option<u8> {
        Some(self.frames[0])
    }

    #[monitored_connection]
    fn recv_arc(self: Arc<Self>) -> Option<u8> {
        Some(self.frames[0])
    }

    #[monitored_connection]
    fn recv_pin(self: Pin<&mut Self>) -> Option<u8> {
        Some(self.get_mut().frames.remove(0))
    }

    #[monitored_connection]
    async fn async_ref(&self) -> Option<u8> {
        tokio::task::yield_now().await;
        Some(self.frames[0])
    }

    #[monitored_connection]
    async fn async_mut(&mut self) -> Option<u8> {
        tokio::task::yield_now().await;
        Some(self.frames.pop().expect("no frame"))
    }

    #[monitored_connection]
    async fn async_value(self) -> Option<u8> {
        tokio::task::yield_now().await;
        Some(self.frames[0])
    }

    #[monitored_connection]
    async fn async_mut_value(mut self) -> Option<u8> {
        self.frames.push(1);
        tokio::task::yield_now().await;
        Some(self.frames[0] / self.frames[1])
    }

    #[monitored_connection]
    async fn async_box(self: Box<Self>) -> Option<u8> {
        tokio::task::yield_now().await;
        Some(self.frames[0])
    }

    #[monitored_connection]
    async fn async_arc(self: Arc<Self>) -> Option<u8> {
        tokio::task::yield_now().await;
        Some(self.frames[0])
    }

    #[monitored_connection]
    async fn async_pin(self: Pin<&mut Self>) -> Option<u8> {
        tokio::task::yield_now().await;
        Some(self.get_mut().frames.remove(0))
    }

    /// `Self` in the body, in a pattern and as a constructor.
    #[monitored_connection]
    fn self_in_body(Self { frames }: Self) -> Option<Self> {
        let first = Self::first(&frames);
        Some(Self {
            frames: vec![first],
        })
    }

    #[monitored_connection]
    async fn self_in_async_body(Self { frames }: Self) -> Option<Self> {
        tokio::task::yield_now().await;
        let first = Self::first(&frames);
        Some(Self {
            frames: vec![first],
        })
    }

    fn first(frames: &[u8]) -> u8 {
        frames[0]
    }
}

#[test]
fn receivers_sync() {
    let (ok, empty) = (conn(&[3]), conn(&[]));
    check(
        "recv_ref",
        || ok.recv_ref(),
        &Some(3),
        || empty.recv_ref(),
        &None,
    );
    check(
        "recv_mut",
        || conn(&[4]).recv_mut(),
        &Some(4),
        || conn(&[]).recv_mut(),
        &None,
    );
    check(
        "recv_value",
        || conn(&[5]).recv_value(),
        &Some(5),
        || conn(&[]).recv_value(),
        &None,
    );
    check(
        "recv_mut_value",
        || conn(&[6]).recv_mut_value(),
        &Some(6),
        || conn(&[]).recv_mut_value(),
        &None,
    );
    check(
        "recv_box",
        || Box::new(conn(&[7])).recv_box(),
        &Some(7),
        || Box::new(conn(&[])).recv_box(),
        &None,
    );
    check(
        "recv_arc",
        || Arc::new(conn(&[8])).recv_arc(),
        &Some(8),
        || Arc::new(conn(&[])).recv_arc(),
        &None,
    );
    let (mut full, mut none) = (conn(&[9, 10]), conn(&[]));
    check(
        "recv_pin",
        || Pin::new(&mut full).recv_pin(),
        &Some(9),
        || Pin::new(&mut none).recv_pin(),
        &None,
    );
    assert_eq!(full.frames, [10], "the body ran on the pinned value");
}

#[test]
fn receivers_async() {
    let (ok, empty) = (conn(&[3]), conn(&[]));
    check(
        "async_ref",
        || block_on(ok.async_ref()),
        &Some(3),
        || block_on(empty.async_ref()),
        &None,
    );
    check(
        "async_mut",
        || block_on(conn(&[4]).async_mut()),
        &Some(4),
        || block_on(conn(&[]).async_mut()),
        &None,
    );
    check(
        "async_value",
        || block_on(conn(&[5]).async_value()),
        &Some(5),
        || block_on(conn(&[]).async_value()),
        &None,
    );
    check(
        "async_mut_value",
        || block_on(conn(&[6]).async_mut_value()),
        &Some(6),
        || block_on(conn(&[]).async_mut_value()),
        &None,
    );
    check(
        "async_box",
        || block_on(Box::new(conn(&[7])).async_box()),
        &Some(7),
        || block_on(Box::new(conn(&[])).async_box()),
        &None,
    );
    check(
        "async_arc",
        || block_on(Arc::new(conn(&[8])).async_arc()),
        &Some(8),
        || block_on(Arc::new(conn(&[])).async_arc()),
        &None,
    );
    let (mut full, mut none) = (conn(&[9, 10]), conn(&[]));
    check(
        "async_pin",
        || block_on(Pin::new(&mut full).async_pin()),
        &Some(9),
        || block_on(Pin::new(&mut none).async_pin()),
        &None,
    );
    assert_eq!(full.frames, [10], "the body ran on the pinned value");
}

#[test]
fn self_in_bodies_and_patterns() {
    check(
        "self_in_body",
        || Conn::self_in_body(conn(&[1, 2])),
        &Some(conn(&[1])),
        || Conn::self_in_body(conn(&[])),
        &None,
    );
    check(
        "self_in_async_body",
        || block_on(Conn::self_in_async_body(conn(&[1, 2]))),
        &Some(conn(&[1])),
        || block_on(Conn::self_in_async_body(conn(&[]))),
        &None,
    );
}

trait Service {
    fn call(&self, frame: &[u8]) -> std::io::Result<u8>;

    /// A default method carrying the attribute.
    #[monitored_connection]
    fn default_call(&self, frame: &[u8]) -> std::io::Result<u8> {
        self.call(frame)
    }
}

struct Echo;

impl Service for Echo {
    #[monitored_connection(name = "trait_impl_call")]
    fn call(&self, frame: &[u8]) -> std::io::Result<u8> {
        Ok(frame[0])
    }
}

struct Bomb;

impl Service for Bomb {
    fn call(&self, frame: &[u8]) -> std::io::Result<u8> {
        Ok(frame[0])
    }
}

#[test]
fn trait_impl_and_default_methods() {
    let service: &dyn Service = &Echo;
    check(
        "trait_impl_call",
        || service.call(b"a").ok(),
        &Some(b'a'),
        || service.call(b"").ok(),
        &None,
    );
    // The default method's own count: `Bomb::call` is not annotated, so its
    // panic is the default method's.
    check(
        "default_call",
        || Bomb.default_call(b"b").ok(),
        &Some(b'b'),
        || Bomb.default_call(b"").ok(),
        &None,
    );
}

#[async_trait::async_trait]
trait AsyncService {
    async fn serve(&self, frame: Vec<u8>) -> Option<u8>;
}

#[async_trait::async_trait]
impl AsyncService for Echo {
    #[monitored_connection(name = "async_trait_serve")]
    async fn serve(&self, frame: Vec<u8>) -> Option<u8> {
        tokio::task::yield_now().await;
        Some(frame[0])
    }
}

#[test]
fn inside_an_async_trait_impl() {
    let service: &dyn AsyncService = &Echo;
    check(
        "async_trait_serve",
        || block_on(service.serve(vec![4])),
        &Some(4),
        || block_on(service.serve(Vec::new())),
        &None,
    );
}
