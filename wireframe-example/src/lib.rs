//! A wireframe 0.3 server whose routes are all guarded by one line,
//! `app.wrap(monitor())` with [`RouteMonitor`] (crate
//! `wireframe-monitor-wireframe`).
//!
//! wireframe runs a route handler inline in the connection's task. Without
//! the middleware a panicking handler unwinds through that task, wireframe
//! logs "connection task panicked" and **closes the connection**. With it,
//! the panic is counted per route (`wireframe_handler_panics_total{handler="echo"}`),
//! logged once as a structured event, and contained: the frame is answered
//! with an error frame ([`ERROR_PREFIX`] and the panic's `Display`, which
//! names the handler only) and the same connection goes on to its next frame.
//!
//! Run `cargo run -p wireframe-monitor-wireframe-example --example wireframe_server`.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wireframe::app::{Envelope, WireframeApp};
use wireframe::serializer::BincodeSerializer;
use wireframe::server::{ServerError, WireframeServer};
use wireframe_monitor::{ConnectionPanic, Objective};
use wireframe_monitor_wireframe::RouteMonitor;

/// The application type: bincode envelopes, no connection state.
pub type App = WireframeApp<BincodeSerializer, (), Envelope>;

/// Route of echo frames, named in the middleware: `handler="echo"`.
pub const ROUTE_ECHO: u32 = 1;
/// Another echo route, not named: `handler="route_7"`.
pub const ROUTE_OTHER: u32 = 7;
/// A request payload that makes every handler of this crate panic.
pub const PANIC: &[u8] = b"panic";
/// Prefix of an error frame sent for a contained panic.
pub const ERROR_PREFIX: &[u8] = b"ERR ";

/// How long [`Server::stop`] waits for the server to finish.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

type Route = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The route handler: wireframe echoes the request envelope back.
fn echo(envelope: &Envelope) -> Route {
    let payload = envelope.payload_bytes().to_vec();
    Box::pin(async move {
        assert!(
            payload != PANIC,
            "refused a frame of {} bytes",
            payload.len()
        );
    })
}

/// The error frame sent for a contained panic.
#[must_use]
pub fn error_frame(panic: &ConnectionPanic) -> Vec<u8> {
    let mut frame = ERROR_PREFIX.to_vec();
    frame.extend_from_slice(panic.to_string().as_bytes());
    frame
}

/// The objective of the ECHO route, in percent; the other route gets the
/// `Installer::default_objective` of the program, if any.
pub const ECHO_OBJECTIVE: &str = "99.5";

/// The middleware: ECHO named, with an objective, one label, an error
/// frame per panic.
///
/// # Errors
///
/// Never for these names, labels and objective; a bad one is a
/// [`LabelError`](wireframe_monitor::LabelError) or an
/// [`ObjectiveError`](wireframe_monitor::ObjectiveError).
pub fn monitor() -> Result<RouteMonitor, Box<dyn std::error::Error + Send + Sync>> {
    Ok(RouteMonitor::new()
        .name(ROUTE_ECHO, "echo")?
        .labels([("protocol", "wireframe-v1")])?
        .route_objective(ROUTE_ECHO, ECHO_OBJECTIVE.parse::<Objective>()?)
        .reply_with(error_frame))
}

/// Builds the application: two routes, guarded when `monitor` is given.
///
/// # Errors
///
/// Fails only if two routes share an id.
pub fn build_app(monitor: Option<RouteMonitor>) -> wireframe::app::Result<App> {
    let app = App::new()?
        .route(ROUTE_ECHO, Arc::new(echo))?
        .route(ROUTE_OTHER, Arc::new(echo))?;
    match monitor {
        Some(monitor) => app.wrap(monitor),
        None => Ok(app),
    }
}

/// A running server; see [`Server::start`].
pub struct Server {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl Server {
    /// Binds `addr` (use port 0 for a free port) with one worker and spawns
    /// the server on the current tokio runtime; its routes are guarded
    /// when `monitored`.
    ///
    /// # Errors
    ///
    /// When the application cannot be built or the address cannot be bound.
    pub fn start(
        addr: SocketAddr,
        monitored: bool,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let monitor = if monitored { Some(monitor()?) } else { None };
        // Fail here on a bad app; the factory, which must return a plain
        // `WireframeApp`, then cannot fail.
        build_app(monitor.clone()).map_err(|e| format!("cannot build the app: {e}"))?;
        let factory = move || build_app(monitor.clone()).unwrap_or_default();
        let server = WireframeServer::new(factory).workers(1).bind(addr)?;
        let addr = server
            .local_addr()
            .ok_or("the server has no local address")?;
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run_with_shutdown(async {
            let _ = signal.await;
        }));
        Ok(Self {
            addr,
            shutdown,
            task,
        })
    }

    /// The address the server listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server. wireframe waits for every open connection first:
    /// close the clients before.
    ///
    /// # Errors
    ///
    /// When the server failed or did not stop within 5 s.
    pub async fn stop(self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let _ = self.shutdown.send(());
        tokio::time::timeout(STOP_TIMEOUT, self.task)
            .await
            .map_err(|_| "the server did not stop within 5 s")???;
        Ok(())
    }
}
