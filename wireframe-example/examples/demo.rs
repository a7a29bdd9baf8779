//! The demo: `cargo run --example demo`, or
//! `cargo run --example demo -- --serve 127.0.0.1:9898` to keep serving
//! `/metrics` (and generating traffic) for a real Prometheus until Ctrl-C or
//! SIGTERM.
//!
//! A tokio TCP server on 127.0.0.1 speaks a line protocol: each request line
//! gets one reply line, `ok …` or `err …`. Its handlers carry
//! `#[monitored_connection]`: `connection` (one call per connection, label
//! `protocol="demo-v1"`, the peer address for logs) and `frame` (one call per
//! request line). The payment route is guarded without an attribute, by a
//! `MonitoredHandler` made at start-up (`frame`, `tier="critical"`): the
//! run-time door, same metrics and rows. Every handler has an objective
//! (`wireframe_handler_objective_ratio`, for the error-budget alerts and
//! the dashboard): 99 for `connection`, 99.9 for `frame`, 99.95 for the
//! critical route, 99.5 for the wireframe `echo` route, and the
//! `Installer::default_objective` of 99 for the rest. Beside it a wireframe 0.3 server
//! guards every route with one line, `app.wrap(monitor)` (`RouteMonitor`):
//! its `echo` route panics once, answers an error frame, and the same
//! connection gets its next frame answered. A built-in client
//! opens 50 connections; every fifth triggers a panic: in a frame handler
//! (contained: the same connection answers its next line) or in the
//! connection handler (contained: only that connection closes). The demo then
//! prints the Prometheus exposition, the `snapshot()` table and each
//! handler's panic sites, checks them against what the client triggered,
//! and exits non-zero on any mismatch.

#[path = "demo/check.rs"]
mod check;
#[path = "demo/client.rs"]
mod client;
#[path = "demo/routes.rs"]
mod routes;

use std::io::{self, IsTerminal};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use client::Tally;
use metrics_exporter_prometheus::{ExporterFuture, PrometheusBuilder, PrometheusHandle};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use wireframe_monitor::{
    HandlerStats, MonitoredHandler, Objective, PanicEvent, PayloadKind, monitored_connection,
};

/// Connections of the first, checked run.
const CONNECTIONS: usize = 50;
/// With `--serve`: connections per traffic wave, and the pause between waves.
const WAVE: usize = 10;
const WAVE_EVERY: Duration = Duration::from_millis(200);

/// The server prints a line per connection closed by a panic while set.
static VERBOSE: AtomicBool = AtomicBool::new(true);
/// Panics seen by the panic handler: `&str`, `String`, other payloads.
static KINDS: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];
/// Panics whose event carried a peer address.
static WITH_PEER: AtomicU64 = AtomicU64::new(0);

/// The payload of the critical route's panic: a custom type, so the runtime
/// reports payload kind `other` and no message.
#[derive(Debug)]
struct LedgerCorrupted {
    #[expect(dead_code, reason = "read only by whoever downcasts the payload")]
    account: u32,
}

/// One call per connection: reads request lines, dispatches each to a frame
/// handler, writes its reply. `crash` and `crash-id N` make it panic itself.
#[monitored_connection(
    name = "connection",
    labels(protocol = "demo-v1"),
    peer = addr,
    objective = "99"
)]
async fn serve_connection(
    stream: TcpStream,
    addr: SocketAddr,
    critical: MonitoredHandler,
) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Some(line) = lines.next_line().await? {
        let (command, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let reply = match command {
            "crash" => panic!("connection state lost"),
            "crash-id" => panic!("connection {arg} lost its session"),
            "pay" | "pay-fail" => critical.run(|| pay(command, arg)),
            _ => frame(command, arg),
        };
        let reply = match reply {
            Ok(text) => format!("ok {text}\n"),
            Err(e) => format!("err {e}\n"),
        };
        write.write_all(reply.as_bytes()).await?;
    }
    Ok(())
}

/// One call per ordinary frame. A contained panic returns an `io::Error`,
/// which the connection sends back as an `err` line.
#[monitored_connection(name = "frame", objective = "99.9")]
fn frame(command: &str, arg: &str) -> io::Result<String> {
    match command {
        "echo" => Ok(arg.to_owned()),
        "fail-str" => panic!("frame decoder hit a bug"),
        "fail-string" => panic!("frame {arg} has a bad length"),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unknown command `{command}`"),
        )),
    }
}

/// The handler of the critical route, made at run time, with the
/// strictest objective of the demo.
fn critical() -> Result<MonitoredHandler, Box<dyn std::error::Error>> {
    Ok(MonitoredHandler::new("frame", [("tier", "critical")])?
        .with_objective(Objective::percent(99.95)?))
}

/// One payment frame: the critical route, run under [`critical`] (no
/// attribute: a contained panic returns an `io::Error` all the same).
fn pay(command: &str, arg: &str) -> io::Result<String> {
    let account: u32 = arg
        .parse()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad account number"))?;
    if command == "pay-fail" {
        std::panic::panic_any(LedgerCorrupted { account });
    }
    Ok(format!("paid {account}"))
}

async fn accept_loop(listener: TcpListener, critical: MonitoredHandler) {
    loop {
        let Ok((stream, addr)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            if let Err(e) = serve_connection(stream, addr, critical).await
                && VERBOSE.load(Relaxed)
            {
                println!("server: connection from {addr} closed: {e}");
            }
        });
    }
}

/// Counts payload kinds and peers of every recorded panic, to check them.
fn count_panic(event: &PanicEvent<'_>) {
    let kind = match event.payload_kind() {
        PayloadKind::Str => 0,
        PayloadKind::String => 1,
        _ => 2,
    };
    KINDS[kind].fetch_add(1, Relaxed);
    if event.peer().is_some() {
        WITH_PEER.fetch_add(1, Relaxed);
    }
}

/// Waits (at most 5 s) until no monitored call is in flight: the server
/// finishes a connection just after the client closes it.
async fn settle() {
    for _ in 0..500 {
        if wireframe_monitor::snapshot()
            .iter()
            .all(|r| r.active() == 0)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Installs the Prometheus recorder, then wireframe-monitor, which
/// describes its metrics to that recorder. With `--serve` the listener is
/// bound now; its future (returned) answers only once spawned.
fn install_metrics(
    serve: Option<SocketAddr>,
) -> Result<(PrometheusHandle, Option<ExporterFuture>), String> {
    let builder = PrometheusBuilder::new();
    let (handle, exporter) = match serve {
        None => (builder.install_recorder().map_err(|e| e.to_string())?, None),
        Some(addr) => {
            let (recorder, exporter) = builder
                .with_http_listener(addr)
                .build()
                .map_err(|e| format!("cannot serve /metrics on {addr}: {e}"))?;
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).map_err(|e| e.to_string())?;
            (handle, Some(exporter))
        }
    };
    // Quiet: the panics this demo provokes are contained and reported by the
    // tracing event, so the default stderr report would only repeat them.
    // Every handler without an objective of its own (the wireframe route
    // `route_7`) gets 99: the dashboard's error-budget panels cover all.
    wireframe_monitor::Installer::new()
        .build_info(env!("CARGO_PKG_VERSION"))
        .default_objective(
            check::DEFAULT_OBJECTIVE
                .parse()
                .map_err(|e| format!("{e}"))?,
        )
        .quiet_contained(true)
        .install();
    wireframe_monitor::set_panic_handler(count_panic);
    Ok((handle, exporter))
}

async fn demo(serve: Option<SocketAddr>) -> Result<(), String> {
    let (handle, exporter) = install_metrics(serve)?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot bind 127.0.0.1:0: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let critical = critical().map_err(|e| format!("the critical route's handler: {e}"))?;
    tokio::spawn(accept_loop(listener, critical));

    let plan = Tally::plan(0..CONNECTIONS);
    println!("server: listening on {addr} (line protocol demo-v1)");
    println!(
        "server: every panic is contained, counted, and logged to stderr as one ERROR line \
         (handler, labels, message, location, short backtrace)"
    );
    println!(
        "client: opening {CONNECTIONS} connections, {} of them trigger panics \
         ({} frame, {} critical frame, {} connection)",
        plan.panics(),
        plan.frame_panics,
        plan.critical_panics,
        plan.connection_panics
    );
    let done = client::run(addr, 0..CONNECTIONS, true).await?;
    println!("client: {done}/{CONNECTIONS} conversations went as planned");
    let wireframe = routes::run().await?;
    settle().await;

    wireframe_monitor::flush();
    let exposition = handle.render();
    let rows = wireframe_monitor::snapshot();
    println!("\n--- Prometheus exposition ---\n{}", exposition.trim_end());
    println!(
        "\n--- wireframe_monitor::snapshot() ---\n{}",
        HandlerStats::header()
    );
    for row in &rows {
        println!("{row}");
    }
    println!("\n--- panic sites (HandlerStats::sites) ---");
    for row in rows.iter().filter(|r| r.panics() > 0) {
        let labels: Vec<String> = row
            .labels()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!("{} {{{}}}:", row.handler(), labels.join(","));
        for (site, panics) in row.sites() {
            println!("  {panics:>5}  {site}");
        }
    }
    let kinds = KINDS.each_ref().map(|k| k.load(Relaxed));
    let problems = check::check(&plan, &rows, &exposition, kinds, WITH_PEER.load(Relaxed));
    if !problems.is_empty() {
        return Err(problems.join("\n  "));
    }
    println!(
        "\ncheck: OK: {} panics ({} from the line-protocol client, {} from the wireframe client) \
         counted per handler, payload kind and site, as the clients triggered them",
        plan.panics() + routes::PANICS,
        plan.panics(),
        routes::PANICS
    );
    if serve.is_none() {
        println!(
            "next: `cargo run --example demo -- --serve 127.0.0.1:9898` keeps serving /metrics \
             (and traffic) for a real Prometheus"
        );
    }
    if let (Some(serve), Some(exporter)) = (serve, exporter) {
        // Served from now on: the first scrape sees the checked, flushed state.
        tokio::spawn(async move {
            if let Err(e) = exporter.await {
                eprintln!("demo: the /metrics listener stopped: {e:?}");
            }
        });
        serve_forever(addr, wireframe.addr(), serve).await?;
    }
    Ok(())
}

/// Keeps traffic (and a steady share of panics) going until a signal.
async fn serve_forever(
    addr: SocketAddr,
    wireframe: SocketAddr,
    serve: SocketAddr,
) -> Result<(), String> {
    VERBOSE.store(false, Relaxed);
    println!(
        "\nserving http://{serve}/metrics; {WAVE} connections every {WAVE_EVERY:?}; Ctrl-C or SIGTERM stops"
    );
    let traffic = tokio::spawn(async move {
        let mut tick = tokio::time::interval(WAVE_EVERY);
        for wave in 0.. {
            tick.tick().await;
            let start = CONNECTIONS + wave * WAVE;
            if let Err(e) = client::run(addr, start..start + WAVE, false).await {
                eprintln!("demo: traffic wave {wave}: {e}");
            }
            if wave % 25 == 24 {
                let panics: u64 = wireframe_monitor::snapshot()
                    .iter()
                    .map(HandlerStats::panics)
                    .sum();
                println!(
                    "serving: {} connections so far, {panics} panics counted",
                    start + WAVE
                );
            }
        }
    });
    let routes = tokio::spawn(routes::traffic(wireframe, WAVE_EVERY));
    let signal = shutdown_signal().await;
    traffic.abort();
    routes.abort();
    signal.map_err(|e| format!("cannot wait for a signal: {e}"))?;
    println!("demo: signal received, stopping");
    Ok(())
}

#[cfg(unix)]
async fn shutdown_signal() -> io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn shutdown_signal() -> io::Result<()> {
    tokio::signal::ctrl_c().await
}

/// `[--serve 127.0.0.1:PORT]`.
fn parse_args() -> Result<Option<SocketAddr>, String> {
    let usage = "usage: demo [--serve 127.0.0.1:PORT]";
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, _, _) => Ok(None),
        (Some("--serve"), Some(addr), None) => {
            let addr: SocketAddr = addr
                .parse()
                .map_err(|e| format!("bad --serve address `{addr}`: {e}; {usage}"))?;
            if addr.ip().is_loopback() {
                Ok(Some(addr))
            } else {
                Err(format!(
                    "--serve takes a loopback address, not {addr}; {usage}"
                ))
            }
        }
        _ => Err(usage.to_owned()),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let serve = match parse_args() {
        Ok(serve) => serve,
        Err(e) => {
            eprintln!("demo: {e}");
            return ExitCode::from(2);
        }
    };
    // One line per event (the compact text format); colours only on a
    // terminal, so `2>file` reads as plain text. Not `.init()`: in a
    // workspace build where another crate turns on tracing's `log-always`,
    // the `log` bridge it installs doubles each event.
    let colour =
        io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let subscriber = tracing_subscriber::fmt()
        .compact()
        .with_target(false)
        .with_ansi(colour)
        .with_writer(io::stderr)
        .finish();
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        eprintln!("demo: a tracing subscriber is already set");
    }
    match demo(serve).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: FAILED:\n  {e}");
            ExitCode::FAILURE
        }
    }
}
