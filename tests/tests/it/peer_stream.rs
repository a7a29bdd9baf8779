//! `peer = stream` on a real loopback connection, in every form a handler
//! takes a stream: owned tokio and std streams the body moves, mutates or
//! ignores, `&mut`, `Box` and `Arc` of a stream, sync fns, `async fn`s
//! (lowered and kept), `fn -> impl Future`, `fn -> Pin<Box<dyn Future>>`,
//! inherent and trait-impl methods. Each must compile (the address is read
//! before the body takes the argument) and its panic event must carry the
//! client's address.

use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::pin::Pin;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wireframe_monitor::monitored_connection;

use crate::support::{self, Capture, block_on, row};

/// A connected pair on 127.0.0.1: the server's end and the client's.
fn pair() -> (std::net::TcpStream, std::net::TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    (server, client)
}

/// The server's end as a tokio stream (inside a runtime).
fn tokio_stream(stream: std::net::TcpStream) -> tokio::net::TcpStream {
    stream.set_nonblocking(true).unwrap();
    tokio::net::TcpStream::from_std(stream).unwrap()
}

/// Runs `serve` on the server's end of a fresh connection, once to make it
/// panic; asserts that `handler` counted one call and one panic and that its
/// event carried the client's address.
fn check(handler: &str, serve: impl FnOnce(std::net::TcpStream)) {
    let _shared = support::shared();
    let (server, mut client) = pair();
    // The client writes first so a body that reads finds a byte; it is
    // already in the server's buffer, so nothing here blocks.
    client.write_all(b"x").unwrap();
    let expected = client.local_addr().unwrap().to_string();
    let capture = Capture::default();
    capture.run(|| serve(server));
    let events: Vec<_> = capture
        .monitor_events()
        .into_iter()
        .filter(|e| e.field("handler") == Some(handler))
        .collect();
    assert_eq!(events.len(), 1, "{handler}: {events:?}");
    assert_eq!(
        events[0].field("peer_addr"),
        Some(expected.as_str()),
        "{handler}"
    );
    let row = row(handler).expect("a snapshot row");
    assert_eq!(
        (row.calls(), row.active(), row.panics()),
        (1, 0, 1),
        "{handler}"
    );
}

#[monitored_connection(name = "peer_async_moves", peer = stream)]
async fn async_moves(stream: tokio::net::TcpStream) -> Option<()> {
    let moved = stream;
    drop(moved);
    panic!("after moving the stream");
}

#[monitored_connection(name = "peer_async_mutates", peer = stream)]
async fn async_mutates(mut stream: tokio::net::TcpStream) -> std::io::Result<()> {
    let mut byte = [0; 1];
    stream.read_exact(&mut byte).await?;
    stream.write_all(&byte).await?;
    panic!("after echoing");
}

#[monitored_connection(name = "peer_async_ignores", peer = stream)]
async fn async_ignores(stream: tokio::net::TcpStream) {
    tokio::task::yield_now().await;
    panic!("never touched the stream");
}

#[monitored_connection(name = "peer_async_kept", peer = stream)]
#[must_use]
async fn async_kept(mut stream: tokio::net::TcpStream) -> Option<u8> {
    let mut byte = [0; 1];
    stream.read_exact(&mut byte).await.ok()?;
    panic!("kept as an async fn");
}

#[monitored_connection(name = "peer_async_ref_mut", peer = stream)]
async fn async_ref_mut(stream: &mut tokio::net::TcpStream) -> Option<u8> {
    let mut byte = [0; 1];
    stream.read_exact(&mut byte).await.ok()?;
    panic!("through &mut");
}

#[test]
fn async_fn_with_an_owned_tokio_stream_moved() {
    check("peer_async_moves", |s| {
        block_on(async { assert_eq!(async_moves(tokio_stream(s)).await, None) });
    });
}

#[test]
fn async_fn_with_an_owned_tokio_stream_mutated() {
    check("peer_async_mutates", |s| {
        block_on(async { assert!(async_mutates(tokio_stream(s)).await.is_err()) });
    });
}

#[test]
fn async_fn_with_an_owned_tokio_stream_ignored() {
    check("peer_async_ignores", |s| {
        block_on(async { async_ignores(tokio_stream(s)).await });
    });
}

#[test]
fn kept_async_fn_with_an_owned_tokio_stream() {
    check("peer_async_kept", |s| {
        block_on(async { assert_eq!(async_kept(tokio_stream(s)).await, None) });
    });
}

#[test]
fn async_fn_with_a_mut_ref_stream() {
    check("peer_async_ref_mut", |s| {
        block_on(async {
            let mut stream = tokio_stream(s);
            assert_eq!(async_ref_mut(&mut stream).await, None);
        });
    });
}

#[monitored_connection(name = "peer_sync_owned", peer = stream)]
fn sync_owned(mut stream: std::net::TcpStream) -> std::io::Result<u8> {
    let mut byte = [0; 1];
    stream.read_exact(&mut byte)?;
    stream.write_all(&byte)?;
    drop(stream);
    panic!("after echoing and dropping");
}

#[monitored_connection(name = "peer_sync_ignored", peer = stream)]
fn sync_ignored(stream: std::net::TcpStream) -> Option<u8> {
    panic!("never touched the stream");
}

#[monitored_connection(name = "peer_sync_ref_mut", peer = stream)]
fn sync_ref_mut(stream: &mut std::net::TcpStream) -> Option<u8> {
    let mut byte = [0; 1];
    stream.read_exact(&mut byte).ok()?;
    panic!("through &mut");
}

#[monitored_connection(name = "peer_sync_box", peer = stream)]
fn sync_box(mut stream: Box<std::net::TcpStream>) -> Option<u8> {
    let mut byte = [0; 1];
    stream.read_exact(&mut byte).ok()?;
    let inner: std::net::TcpStream = *stream;
    drop(inner);
    panic!("after unboxing");
}

#[monitored_connection(name = "peer_sync_arc", peer = stream)]
fn sync_arc(stream: Arc<std::net::TcpStream>) -> Option<u8> {
    let mut byte = [0; 1];
    (&*stream).read_exact(&mut byte).ok()?;
    drop(stream);
    panic!("after dropping the arc");
}

#[test]
fn sync_fn_with_an_owned_std_stream() {
    check("peer_sync_owned", |s| assert!(sync_owned(s).is_err()));
}

#[test]
fn sync_fn_with_an_ignored_std_stream() {
    check("peer_sync_ignored", |s| assert_eq!(sync_ignored(s), None));
}

#[test]
fn sync_fn_with_a_mut_ref_stream() {
    check("peer_sync_ref_mut", |mut s| {
        assert_eq!(sync_ref_mut(&mut s), None);
    });
}

#[test]
fn sync_fn_with_a_boxed_stream() {
    check("peer_sync_box", |s| assert_eq!(sync_box(Box::new(s)), None));
}

#[test]
fn sync_fn_with_an_arc_stream() {
    check("peer_sync_arc", |s| assert_eq!(sync_arc(Arc::new(s)), None));
}

#[monitored_connection(name = "peer_impl_future", peer = stream)]
fn impl_future(mut stream: tokio::net::TcpStream) -> impl Future<Output = Option<u8>> {
    async move {
        let mut byte = [0; 1];
        stream.read_exact(&mut byte).await.ok()?;
        panic!("in the returned future");
    }
}

#[monitored_connection(name = "peer_boxed_future", peer = stream)]
fn boxed_future(
    mut stream: Box<tokio::net::TcpStream>,
) -> Pin<Box<dyn Future<Output = Option<u8>> + Send>> {
    Box::pin(async move {
        let mut byte = [0; 1];
        stream.read_exact(&mut byte).await.ok()?;
        panic!("in the boxed future");
    })
}

#[test]
fn impl_future_fn_with_an_owned_stream() {
    check("peer_impl_future", |s| {
        block_on(async { assert_eq!(impl_future(tokio_stream(s)).await, None) });
    });
}

#[test]
fn boxed_future_fn_with_a_boxed_stream() {
    check("peer_boxed_future", |s| {
        block_on(async { assert_eq!(boxed_future(Box::new(tokio_stream(s))).await, None) });
    });
}

struct Conn {
    outcome: u32,
}

impl Conn {
    #[monitored_connection(name = "peer_method_mut", peer = stream)]
    fn serve(&mut self, mut stream: std::net::TcpStream) -> Option<u8> {
        let mut byte = [0; 1];
        stream.read_exact(&mut byte).ok()?;
        self.outcome += 1;
        panic!("in a &mut self method");
    }

    #[monitored_connection(name = "peer_async_method", peer = stream)]
    async fn serve_async(&self, stream: tokio::net::TcpStream) -> Option<u8> {
        let _ = self.outcome;
        drop(stream);
        panic!("in an async method");
    }
}

trait Service {
    fn call(&self, stream: std::net::TcpStream, addr: SocketAddr) -> Option<u8>;
}

struct Echo;

impl Service for Echo {
    #[monitored_connection(name = "peer_trait_method", peer = stream)]
    fn call(&self, mut stream: std::net::TcpStream, addr: SocketAddr) -> Option<u8> {
        let _ = addr;
        let mut byte = [0; 1];
        stream.read_exact(&mut byte).ok()?;
        stream.write_all(&byte).ok()?;
        panic!("in a trait method");
    }
}

#[test]
fn mut_self_method_with_an_owned_stream() {
    let mut conn = Conn { outcome: 0 };
    check("peer_method_mut", |s| assert_eq!(conn.serve(s), None));
    assert_eq!(conn.outcome, 1, "the body ran on the same `&mut self`");
}

#[test]
fn async_method_with_an_owned_stream() {
    let conn = Conn { outcome: 0 };
    check("peer_async_method", |s| {
        block_on(async { assert_eq!(conn.serve_async(tokio_stream(s)).await, None) });
    });
}

#[test]
fn trait_method_with_an_owned_stream() {
    let service: &dyn Service = &Echo;
    check("peer_trait_method", |s| {
        let addr = s.peer_addr().unwrap();
        assert_eq!(service.call(s, addr), None);
    });
}

/// The contract's canonical handler: `peer = stream` on the owned stream it
/// reads from and writes to. Echoes one 4-byte frame reversed; panics on
/// the magic frame.
#[monitored_connection(name = "peer_canonical", peer = stream)]
async fn handle(mut stream: tokio::net::TcpStream) -> std::io::Result<()> {
    let mut frame = [0; 4];
    stream.read_exact(&mut frame).await?;
    assert!(&frame != b"BOOM", "magic frame");
    frame.reverse();
    stream.write_all(&frame).await?;
    stream.shutdown().await
}

/// Connects, sends `frame`, reads until EOF: the client's address and the
/// reply.
async fn client(server: SocketAddr, frame: [u8; 4]) -> (SocketAddr, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(server)
        .await
        .expect("connect");
    let local = stream.local_addr().expect("local address");
    stream.write_all(&frame).await.expect("write");
    let mut reply = Vec::new();
    // A contained panic drops the stream: the client reads EOF.
    let _ = stream.read_to_end(&mut reply).await;
    (local, reply)
}

#[test]
fn canonical_handler_serves_a_real_loopback_connection() {
    let _shared = support::shared();
    let capture = Capture::default();
    let (boom_client, results) = capture.run(|| {
        block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let server = listener.local_addr().unwrap();
            let mut results = Vec::new();
            let mut boom_client = None;
            for frame in [*b"abcd", *b"BOOM", *b"wxyz"] {
                let serve = async {
                    let (stream, _) = listener.accept().await.expect("accept");
                    handle(stream).await
                };
                let ((local, reply), outcome) =
                    tokio::time::timeout(std::time::Duration::from_secs(10), async {
                        tokio::join!(client(server, frame), serve)
                    })
                    .await
                    .expect("each connection ends on its own");
                if &frame == b"BOOM" {
                    boom_client = Some(local);
                }
                results.push((reply, outcome.map_err(|e| format!("{e:#}"))));
            }
            (boom_client.unwrap(), results)
        })
    });
    assert_eq!(results[0], (b"dcba".to_vec(), Ok(())));
    assert_eq!(results[1].0, b"", "the panicking connection is closed");
    let error = results[1]
        .1
        .as_ref()
        .expect_err("contained as an io::Error");
    assert!(
        error.contains("peer_canonical") && error.contains("magic frame"),
        "{error}"
    );
    assert_eq!(results[2], (b"zyxw".to_vec(), Ok(())));

    let events = capture.monitor_events();
    let events: Vec<_> = events
        .iter()
        .filter(|e| e.field("handler") == Some("peer_canonical"))
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    let expected = boom_client.to_string();
    assert_eq!(events[0].field("peer_addr"), Some(expected.as_str()));
    let row = row("peer_canonical").expect("a snapshot row");
    assert_eq!((row.calls(), row.active(), row.panics()), (3, 0, 1));
}
