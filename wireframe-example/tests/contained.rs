//! wireframe 0.3 with `#[monitored_connection]` on its route handlers: a
//! panicking frame handler is contained and counted, and the same client
//! connection is answered again; without the attribute the connection closes.
//!
//! Each test runs on a current-thread runtime, so the server's connection
//! task runs on the test's thread and a thread-local `DebuggingRecorder`
//! sees the metrics it records.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use wireframe::app::{Envelope, Packet};
use wireframe::client::{ClientError, WireframeClient};
use wireframe::correlation::CorrelatableFrame;
use wireframe_monitor::names;
use wireframe_monitor_wireframe_example::{
    ERROR_PREFIX, PANIC, ROUTE_ECHO, ROUTE_LOOKUP, ROUTE_UNMONITORED, Server,
};

const LOCALHOST: &str = "127.0.0.1:0";
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

type Client = WireframeClient<
    wireframe::serializer::BincodeSerializer,
    wireframe::rewind_stream::RewindStream<tokio::net::TcpStream>,
    (),
>;

async fn connect(addr: SocketAddr) -> Client {
    WireframeClient::builder()
        .connect(addr)
        .await
        .expect("client connects")
}

/// One correlated call, bounded in time.
async fn call(client: &mut Client, route: u32, payload: &[u8]) -> Result<Envelope, ClientError> {
    let request = Envelope::new(route, None, payload.to_vec());
    tokio::time::timeout(CALL_TIMEOUT, client.call_correlated(request))
        .await
        .expect("the server answers or closes within 5 s")
}

/// Calls `route` and returns the reply's payload, checking its route id
/// and that it carries a correlation id.
async fn reply(client: &mut Client, route: u32, payload: &[u8]) -> Vec<u8> {
    let reply = call(client, route, payload).await.expect("a reply");
    assert_eq!(reply.id(), route);
    assert!(reply.correlation_id().is_some());
    reply.payload_bytes().to_vec()
}

/// The counters the recorder saw since the last call, as `(name, handler)
/// -> value` (a `DebuggingRecorder` snapshot resets its counters).
fn counters(snapshotter: &Snapshotter) -> HashMap<(String, String), u64> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter_map(|(key, _, _, value)| {
            let DebugValue::Counter(n) = value else {
                return None;
            };
            let key = key.key();
            let handler = key
                .labels()
                .find(|l| l.key() == names::HANDLER_LABEL)?
                .value()
                .to_owned();
            Some(((key.name().to_owned(), handler), n))
        })
        .collect()
}

fn get(counters: &HashMap<(String, String), u64>, name: &str, handler: &str) -> Option<u64> {
    counters
        .get(&(name.to_owned(), handler.to_owned()))
        .copied()
}

#[tokio::test(flavor = "current_thread")]
async fn panicking_frame_is_contained_counted_and_the_connection_answers_again() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    wireframe_monitor::install();
    let server = Server::start(LOCALHOST.parse().unwrap()).expect("server starts");
    let mut client = connect(server.addr()).await;

    // ECHO returns `()`: after a contained panic wireframe still echoes.
    assert_eq!(reply(&mut client, ROUTE_ECHO, b"hello").await, b"hello");
    assert_eq!(reply(&mut client, ROUTE_ECHO, PANIC).await, PANIC);
    assert_eq!(reply(&mut client, ROUTE_ECHO, b"again").await, b"again");

    // LOOKUP turns its contained panic into an error frame, via `Replies`.
    assert_eq!(reply(&mut client, ROUTE_LOOKUP, b"answer").await, b"42");
    let error = reply(&mut client, ROUTE_LOOKUP, PANIC).await;
    let text = String::from_utf8_lossy(&error);
    assert!(error.starts_with(ERROR_PREFIX), "{text}");
    assert!(
        text.contains("connection handler `lookup` panicked"),
        "{text}"
    );
    // The client learns which handler failed, never the panic's text.
    assert!(!text.contains("is corrupt"), "{text}");
    // Same connection, next frame: answered.
    assert_eq!(reply(&mut client, ROUTE_LOOKUP, b"colour").await, b"blue");

    client.close().await;
    server.stop().await.expect("server stops");

    let seen = counters(&snapshotter);
    assert_eq!(get(&seen, names::PANICS_TOTAL, "echo"), Some(1));
    assert_eq!(get(&seen, names::PANICS_TOTAL, "lookup"), Some(1));
    wireframe_monitor::flush(); // calls_total, through this thread's recorder
    let seen = counters(&snapshotter);
    assert_eq!(get(&seen, names::CALLS_TOTAL, "echo"), Some(3));
    assert_eq!(get(&seen, names::CALLS_TOTAL, "lookup"), Some(3));

    let rows = wireframe_monitor::snapshot();
    let lookup = rows.iter().find(|r| r.handler() == "lookup").unwrap();
    assert_eq!(
        lookup.labels(),
        &[("protocol", "wireframe-v1"), ("tier", "critical")]
    );
    assert_eq!(
        (lookup.calls(), lookup.active(), lookup.panics()),
        (3, 0, 1)
    );
}

#[tokio::test(flavor = "current_thread")]
async fn without_the_attribute_a_panicking_frame_closes_the_connection() {
    let server = Server::start(LOCALHOST.parse().unwrap()).expect("server starts");
    let mut client = connect(server.addr()).await;

    assert_eq!(
        reply(&mut client, ROUTE_UNMONITORED, b"fine").await,
        b"fine"
    );
    assert!(call(&mut client, ROUTE_UNMONITORED, PANIC).await.is_err());
    // The connection is gone: even a monitored route gets no answer.
    assert!(call(&mut client, ROUTE_ECHO, b"hello").await.is_err());

    // A new connection works: only that one connection was lost. (Not a
    // monitored route: the other test counts their calls.)
    let mut other = connect(server.addr()).await;
    assert_eq!(reply(&mut other, ROUTE_UNMONITORED, b"ok").await, b"ok");
    other.close().await;
    client.close().await;
    server.stop().await.expect("server stops");
}
