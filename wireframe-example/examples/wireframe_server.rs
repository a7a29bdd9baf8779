//! A wireframe 0.3 server whose routes are guarded by the
//! `wireframe-monitor-wireframe` middleware, and a client that makes them
//! panic: `cargo run -p wireframe-monitor-wireframe-example --example wireframe_server`.
//!
//! One connection sends frames to both routes: each panic is contained,
//! counted per route and answered with an error frame, and the same
//! connection gets its next reply. A second connection talks to the same
//! app without the middleware: its panic closes that connection. Then the
//! Prometheus exposition and the `snapshot()` table are printed. Exits
//! non-zero if anything differs from that.

use std::error::Error;
use std::process::ExitCode;

use metrics_exporter_prometheus::PrometheusBuilder;
use wireframe::app::Envelope;
use wireframe::client::WireframeClient;
use wireframe_monitor::HandlerStats;
use wireframe_monitor_wireframe_example::{ERROR_PREFIX, PANIC, ROUTE_ECHO, ROUTE_OTHER, Server};

type BoxError = Box<dyn Error + Send + Sync>;

type Client = WireframeClient<
    wireframe::serializer::BincodeSerializer,
    wireframe::rewind_stream::RewindStream<tokio::net::TcpStream>,
    (),
>;

/// Sends `payload` to `route` and prints the outcome; returns the reply's
/// payload, or `None` when the call failed.
async fn call(client: &mut Client, route: u32, payload: &[u8]) -> Option<Vec<u8>> {
    let request = Envelope::new(route, None, payload.to_vec());
    let shown = String::from_utf8_lossy(payload);
    match client.call_correlated(request).await {
        Ok(reply) => {
            let bytes = reply.payload_bytes().to_vec();
            let text = String::from_utf8_lossy(&bytes);
            println!("client: route {route} {shown:?} -> {text:?}");
            Some(bytes)
        }
        Err(e) => {
            println!("client: route {route} {shown:?} -> error: {e}");
            None
        }
    }
}

async fn run() -> Result<(), BoxError> {
    let prometheus = PrometheusBuilder::new().install_recorder()?;
    wireframe_monitor::install();
    let server = Server::start("127.0.0.1:0".parse()?, true)?;
    println!("server: wireframe 0.3 listening on {}", server.addr());

    let mut client = WireframeClient::builder().connect(server.addr()).await?;
    let mut replies = Vec::new();
    let mut errors = Vec::new();
    for route in [ROUTE_ECHO, ROUTE_OTHER] {
        replies.push(call(&mut client, route, b"hello").await);
        // Contained: answered with the error frame.
        errors.push(call(&mut client, route, PANIC).await);
        replies.push(call(&mut client, route, b"same connection").await);
    }
    client.close().await;
    if replies.iter().any(Option::is_none) {
        return Err("a frame after a contained panic got no reply".into());
    }
    if !errors
        .iter()
        .all(|e| e.as_ref().is_some_and(|e| e.starts_with(ERROR_PREFIX)))
    {
        return Err("a contained panic did not become an error frame".into());
    }
    server.stop().await?;

    println!("client: the same app without the middleware");
    let bare = Server::start("127.0.0.1:0".parse()?, false)?;
    let mut control = WireframeClient::builder().connect(bare.addr()).await?;
    let crashed = call(&mut control, ROUTE_ECHO, PANIC).await;
    let after = call(&mut control, ROUTE_ECHO, b"still there?").await;
    control.close().await;
    if crashed.is_some() || after.is_some() {
        return Err("without the middleware the panic did not close its connection".into());
    }
    bare.stop().await?;

    wireframe_monitor::flush();
    println!("\n--- Prometheus exposition ---");
    println!("{}", prometheus.render().trim_end());
    println!("\n--- wireframe_monitor::snapshot() ---");
    println!("{}", HandlerStats::header());
    let rows = wireframe_monitor::snapshot();
    for row in &rows {
        println!("{row}");
    }
    let counts: Vec<_> = rows
        .iter()
        .map(|r| (r.handler(), r.calls(), r.panics()))
        .collect();
    if counts != [("echo", 3, 1), ("route_7", 3, 1)] {
        return Err(format!("unexpected (handler, calls, panics): {counts:?}").into());
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // Warnings and errors only (wireframe's client logs every call at INFO).
    // Not `.init()`: wireframe enables tracing's `log-always`, and the
    // `log` bridge that `init()` installs would print every event twice.
    let subscriber = tracing_subscriber::fmt()
        .compact()
        .with_target(false)
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_writer(std::io::stderr)
        .finish();
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        eprintln!("wireframe_server: a tracing subscriber is already set");
    }
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wireframe_server: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
