//! End to end: a tokio TCP server on 127.0.0.1 whose
//! `#[monitored_connection(peer = addr)]` handler panics on a magic frame
//! for one client keeps serving the next clients; the panic is counted
//! once, logged with that client's address and never labelled with it.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use wireframe_monitor::monitored_connection;
use wireframe_monitor::names::PANICS_TOTAL;
use wireframe_monitor_tests::recorded;

use crate::support::{self, Capture, block_on, row};

const CLIENTS: usize = 5;
const MAGIC: &[u8; 4] = b"BOOM";
const LIMIT: Duration = Duration::from_secs(10);

/// Echoes one 4-byte frame reversed; panics on the magic frame.
#[monitored_connection(name = "server_conn", labels(proto = "echo"), peer = addr)]
async fn serve(mut stream: TcpStream, addr: SocketAddr) -> io::Result<()> {
    let _ = addr;
    let mut frame = [0; 4];
    stream.read_exact(&mut frame).await?;
    assert!(&frame != MAGIC, "magic frame");
    frame.reverse();
    stream.write_all(&frame).await?;
    stream.shutdown().await
}

async fn client(server: SocketAddr, frame: [u8; 4]) -> (SocketAddr, Vec<u8>) {
    let mut stream = TcpStream::connect(server).await.expect("connect");
    let local = stream.local_addr().expect("local address");
    stream.write_all(&frame).await.expect("write");
    let mut reply = Vec::new();
    // A contained panic drops the stream: the client reads EOF.
    let _ = stream.read_to_end(&mut reply).await;
    (local, reply)
}

async fn run() -> (Vec<(SocketAddr, Vec<u8>)>, Vec<io::Result<()>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = listener.local_addr().unwrap();
    let accept = tokio::spawn(async move {
        let mut results = Vec::new();
        for _ in 0..CLIENTS {
            let (stream, addr) = listener.accept().await.expect("accept");
            results.push(tokio::spawn(serve(stream, addr)).await.expect("contained"));
        }
        results
    });
    let mut replies = Vec::new();
    for i in 0..CLIENTS {
        let frame = if i == 2 {
            *MAGIC
        } else {
            [b'a', b'b', b'c', b'0' + u8::try_from(i).unwrap()]
        };
        replies.push(
            timeout(LIMIT, client(server, frame))
                .await
                .expect("client in time"),
        );
    }
    let results = timeout(LIMIT, accept)
        .await
        .expect("server in time")
        .unwrap();
    (replies, results)
}

#[test]
fn tcp_server_survives_a_panicking_connection() {
    let _shared = support::shared();
    let capture = Capture::default();
    let ((replies, results), samples) = recorded(|| capture.run(|| block_on(run())));

    for (i, (_, reply)) in replies.iter().enumerate() {
        if i == 2 {
            assert!(reply.is_empty(), "the panicking connection is closed");
        } else {
            let expected = [b'0' + u8::try_from(i).unwrap(), b'c', b'b', b'a'];
            assert_eq!(reply, &expected, "client {i} is served");
        }
    }
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result.is_err(), i == 2, "client {i}: {result:?}");
    }
    let err = results[2].as_ref().unwrap_err();
    assert!(err.to_string().contains("`server_conn` panicked"), "{err}");

    assert_eq!(samples.counter(PANICS_TOTAL, "server_conn"), Some(1));
    let panicked = replies[2].0;
    assert!(!samples.mentions(&panicked.ip().to_string()));
    assert!(!samples.mentions(&panicked.port().to_string()));

    let events = capture.monitor_events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        events[0].field("peer_addr"),
        Some(panicked.to_string().as_str())
    );
    assert_eq!(events[0].field("panic.message"), Some("magic frame"));

    let row = row("server_conn").unwrap();
    assert_eq!(
        (row.calls(), row.active(), row.panics()),
        (CLIENTS as u64, 0, 1)
    );
}
