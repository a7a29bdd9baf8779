//! The future of an annotated `async fn` is `Send` when the original is
//! (a `Send` value held across `.await`, `&self` of a `Sync` type, `peer`),
//! so it can be spawned on a multi-thread runtime.
#![deny(warnings)]
use std::net::SocketAddr;
use std::sync::Arc;

use wireframe_monitor::monitored_connection;

fn assert_send<T: Send>(_: &T) {}

#[monitored_connection]
async fn handle(frame: Vec<u8>) -> Option<usize> {
    let held = Arc::new(frame);
    tokio::task::yield_now().await;
    Some(held.len())
}

struct Server {
    name: String,
}

impl Server {
    #[monitored_connection(peer = addr)]
    async fn serve(&self, addr: SocketAddr) -> Option<usize> {
        tokio::task::yield_now().await;
        let _ = addr;
        Some(self.name.len())
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let future = handle(vec![1, 2, 3]);
    assert_send(&future);
    let server = Server {
        name: String::from("srv"),
    };
    let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
    let serve = server.serve(addr);
    assert_send(&serve);
    runtime.block_on(async {
        let joined = tokio::spawn(future).await.unwrap();
        assert_eq!(joined, Some(3));
        assert_eq!(serve.await, Some(3));
    });
}
