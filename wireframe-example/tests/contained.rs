//! The example's wireframe 0.3 server with the middleware on its routes: a
//! panicking frame handler is contained, counted per route and answered
//! with an error frame, and the same client connection is answered again;
//! without the middleware the connection closes.
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
use wireframe_monitor_wireframe_example::{ERROR_PREFIX, PANIC, ROUTE_ECHO, ROUTE_OTHER, Server};

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
    let server = Server::start(LOCALHOST.parse().unwrap(), true).expect("server starts");
    let mut client = connect(server.addr()).await;

    for (route, handler) in [(ROUTE_ECHO, "echo"), (ROUTE_OTHER, "route_7")] {
        assert_eq!(reply(&mut client, route, b"hello").await, b"hello");
        let error = reply(&mut client, route, PANIC).await;
        let text = String::from_utf8_lossy(&error);
        assert!(error.starts_with(ERROR_PREFIX), "{text}");
        // The frame names the handler only: no message, no location.
        assert_eq!(
            &error[ERROR_PREFIX.len()..],
            format!("connection handler `{handler}` panicked").as_bytes()
        );
        // Same connection, next frame: answered.
        assert_eq!(reply(&mut client, route, b"again").await, b"again");
    }

    client.close().await;
    server.stop().await.expect("server stops");

    let seen = counters(&snapshotter);
    assert_eq!(get(&seen, names::PANICS_TOTAL, "echo"), Some(1));
    assert_eq!(get(&seen, names::PANICS_TOTAL, "route_7"), Some(1));
    wireframe_monitor::flush(); // calls_total, through this thread's recorder
    let seen = counters(&snapshotter);
    assert_eq!(get(&seen, names::CALLS_TOTAL, "echo"), Some(3));
    assert_eq!(get(&seen, names::CALLS_TOTAL, "route_7"), Some(3));

    let rows = wireframe_monitor::snapshot();
    let echo = rows.iter().find(|r| r.handler() == "echo").unwrap();
    assert_eq!(echo.labels(), &[("protocol", "wireframe-v1")]);
    assert_eq!((echo.calls(), echo.active(), echo.panics()), (3, 0, 1));
}

#[tokio::test(flavor = "current_thread")]
async fn without_the_middleware_a_panicking_frame_closes_the_connection() {
    let server = Server::start(LOCALHOST.parse().unwrap(), false).expect("server starts");
    let mut client = connect(server.addr()).await;

    assert_eq!(reply(&mut client, ROUTE_OTHER, b"fine").await, b"fine");
    assert!(call(&mut client, ROUTE_OTHER, PANIC).await.is_err());
    // The connection is gone.
    assert!(call(&mut client, ROUTE_OTHER, b"hello").await.is_err());

    // A new connection works: only that one connection was lost.
    let mut other = connect(server.addr()).await;
    assert_eq!(reply(&mut other, ROUTE_OTHER, b"ok").await, b"ok");
    other.close().await;
    client.close().await;
    server.stop().await.expect("server stops");
}
