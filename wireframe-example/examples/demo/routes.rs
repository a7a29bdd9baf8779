//! The demo's wireframe 0.3 server: every route guarded by one line,
//! `app.wrap(monitor)` with `RouteMonitor` (see this crate's `lib.rs`),
//! beside the annotated handlers of the line protocol. One client
//! connection sends a frame to the `echo` route, a frame that makes it
//! panic (answered with the error frame), and one more frame, which the
//! same connection still gets answered.

use std::net::SocketAddr;
use std::time::Duration;

use wireframe::app::Envelope;
use wireframe::client::WireframeClient;
use wireframe_monitor_wireframe_example::{ERROR_PREFIX, PANIC, ROUTE_ECHO, ROUTE_OTHER, Server};

/// The route's `handler` label and its labels, as the middleware names it.
pub const HANDLER: &str = "echo";
/// The middleware's labels.
pub const LABELS: &[(&str, &str)] = &[("protocol", "wireframe-v1")];
/// Frames the client sends, and how many of them panic (with a `String`).
pub const CALLS: u64 = 3;
/// See [`CALLS`].
pub const PANICS: u64 = 1;

type Client = WireframeClient<
    wireframe::serializer::BincodeSerializer,
    wireframe::rewind_stream::RewindStream<tokio::net::TcpStream>,
    (),
>;

/// Sends `payload` to `route`; the reply's payload.
async fn send(client: &mut Client, route: u32, payload: &[u8]) -> Result<Vec<u8>, String> {
    let reply = client
        .call_correlated(Envelope::new(route, None, payload.to_vec()))
        .await
        .map_err(|e| format!("wireframe route {route}: {e}"))?;
    Ok(reply.payload_bytes().to_vec())
}

/// Sends `payload` to the echo route and prints the exchange.
async fn call(client: &mut Client, payload: &[u8]) -> Result<Vec<u8>, String> {
    let reply = send(client, ROUTE_ECHO, payload).await?;
    println!(
        "wireframe client: route {ROUTE_ECHO} {:?} -> {:?}",
        String::from_utf8_lossy(payload),
        String::from_utf8_lossy(&reply)
    );
    Ok(reply)
}

/// With `--serve`: frames to both routes every `every`, one of them
/// panicking every fifth time, on one connection (made again if it
/// fails), until the task is aborted.
pub async fn traffic(addr: SocketAddr, every: Duration) {
    let mut tick = tokio::time::interval(every);
    let mut client = None;
    for wave in 0u64.. {
        tick.tick().await;
        if client.is_none() {
            client = WireframeClient::builder().connect(addr).await.ok();
        }
        let Some(connection) = client.as_mut() else {
            continue;
        };
        let panicking = if wave % 5 == 4 {
            Some(if wave % 10 == 4 {
                ROUTE_ECHO
            } else {
                ROUTE_OTHER
            })
        } else {
            None
        };
        for route in [ROUTE_ECHO, ROUTE_OTHER] {
            let payload: &[u8] = if panicking == Some(route) {
                PANIC
            } else {
                b"ping"
            };
            if let Err(e) = send(connection, route, payload).await {
                eprintln!("demo: wireframe traffic: {e}");
                client = None;
                break;
            }
        }
    }
}

/// Starts the server, runs the client's three frames on one connection
/// and checks the replies; the server keeps running.
pub async fn run() -> Result<Server, String> {
    let addr = "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?;
    let server = Server::start(addr, true).map_err(|e| format!("wireframe server: {e}"))?;
    println!(
        "server: wireframe 0.3 listening on {}, every route guarded by RouteMonitor: route \
         {ROUTE_ECHO} as handler `{HANDLER}`, route {ROUTE_OTHER} (not named) as `route_{ROUTE_OTHER}`, \
         which only --serve calls",
        server.addr()
    );
    let mut client = WireframeClient::builder()
        .connect(server.addr())
        .await
        .map_err(|e| format!("cannot connect to the wireframe server: {e}"))?;
    let first = call(&mut client, b"hello").await?;
    let contained = call(&mut client, PANIC).await?;
    let after = call(&mut client, b"again").await?;
    if first != b"hello" || !contained.starts_with(ERROR_PREFIX) || after != b"again" {
        return Err(format!(
            "wireframe replies {first:?}, {contained:?}, {after:?}: expected the echo, the error frame, the echo"
        ));
    }
    Ok(server)
}
