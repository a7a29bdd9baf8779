//! wireframe 0.3 route handlers annotated with `#[monitored_connection]`.
//!
//! wireframe runs a route handler inline in the connection's task. Without
//! the attribute a panicking handler unwinds through that task, wireframe
//! logs "connection task panicked" and **closes the connection**. With the
//! attribute the panic is counted (`wireframe_handler_panics_total{handler=…}`),
//! logged once as a structured event, and contained: the handler returns its
//! [`PanicFallback`](wireframe_monitor::PanicFallback) value and the same
//! connection goes on to its next frame.
//!
//! **A contained panic still sends a reply.** A wireframe 0.3 handler returns
//! `()`, and wireframe answers every frame with the request envelope (the
//! echo) unless a middleware rewrites the response. So for [`ROUTE_ECHO`],
//! whose handler returns `()`, the client gets a normal-looking echo after
//! the panic. To send an error frame instead, let the annotated function
//! return a `Result<_, ConnectionPanic>` and have a middleware turn it into
//! the response: [`ROUTE_LOOKUP`] does that with [`Replies`], which gives each
//! frame a reply slot ([`set_reply`]) and writes what the handler put there,
//! here [`ERROR_PREFIX`] plus the panic's description, into the response.
//!
//! [`ROUTE_UNMONITORED`] is the control: the same kind of handler without the
//! attribute; its panic closes the connection.
//!
//! Run `cargo run -p wireframe-monitor-wireframe-example --example wireframe_server`.

use std::cell::RefCell;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wireframe::app::{Envelope, WireframeApp};
use wireframe::middleware::{HandlerService, Service, ServiceRequest, ServiceResponse, Transform};
use wireframe::serializer::BincodeSerializer;
use wireframe::server::{ServerError, WireframeServer};
use wireframe_monitor::{ConnectionPanic, monitored_connection};

/// The application type: bincode envelopes, no connection state.
pub type App = WireframeApp<BincodeSerializer, (), Envelope>;

/// Route of [`echo`]-style frames: annotated, returns `()`; the reply is the
/// request, also after a contained panic.
pub const ROUTE_ECHO: u32 = 1;
/// Route of lookups: annotated, returns `Result<Vec<u8>, ConnectionPanic>`;
/// a contained panic becomes an error frame.
pub const ROUTE_LOOKUP: u32 = 2;
/// Route without the attribute: a panic closes the connection.
pub const ROUTE_UNMONITORED: u32 = 3;
/// A request payload that makes every handler of this crate panic.
pub const PANIC: &[u8] = b"panic";
/// Prefix of an error frame sent for a contained panic.
pub const ERROR_PREFIX: &[u8] = b"ERR ";

/// How long [`Server::stop`] waits for the server to finish.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// The labels of [`ROUTE_ECHO`]'s handler.
const PROTOCOL: &str = "wireframe-v1";

/// The ECHO route's handler. wireframe echoes the request envelope back.
#[monitored_connection(name = "echo", labels(protocol = PROTOCOL))]
async fn echo(payload: Vec<u8>) {
    assert!(
        payload != PANIC,
        "echo refused a frame of {} bytes",
        payload.len()
    );
}

/// The LOOKUP route's handler: the value stored under `key`.
#[monitored_connection(name = "lookup", labels(protocol = PROTOCOL, tier = "critical"))]
async fn lookup(key: Vec<u8>) -> Result<Vec<u8>, ConnectionPanic> {
    let table: [(&[u8], &[u8]); 2] = [(b"answer", b"42"), (b"colour", b"blue")];
    assert!(
        key != PANIC,
        "index of key {:?} is corrupt",
        String::from_utf8_lossy(&key)
    );
    Ok(table
        .iter()
        .find(|(k, _)| *k == key.as_slice())
        .map_or_else(Vec::new, |(_, v)| v.to_vec()))
}

/// The control route's handler: no attribute.
fn unmonitored(payload: &[u8]) {
    assert!(payload != PANIC, "unmonitored handler refused the frame");
}

/// The error frame sent for a contained panic: [`ERROR_PREFIX`] and the
/// panic's `Display` (handler, location, message).
#[must_use]
pub fn error_frame(panic: &ConnectionPanic) -> Vec<u8> {
    let mut frame = ERROR_PREFIX.to_vec();
    frame.extend_from_slice(panic.to_string().as_bytes());
    frame
}

tokio::task_local! {
    /// The reply a handler chose for the frame being handled.
    static REPLY: RefCell<Option<Vec<u8>>>;
}

/// Sets the reply to the frame being handled, for [`Replies`] to send
/// instead of the echo. Outside a route wrapped by [`Replies`] it does
/// nothing.
pub fn set_reply(reply: Vec<u8>) {
    // Err only outside a `Replies` scope, where there is nowhere to send it.
    let _ = REPLY.try_with(|slot| *slot.borrow_mut() = Some(reply));
}

/// Middleware that gives every frame a reply slot ([`set_reply`]) and sends
/// its content, when set, as the response payload; otherwise the response
/// is left as is (the echo).
pub struct Replies;

/// [`Replies`] around one route.
struct RepliesService {
    inner: HandlerService<Envelope>,
}

#[async_trait]
impl Service for RepliesService {
    type Error = Infallible;

    async fn call(&self, req: ServiceRequest) -> Result<ServiceResponse, Self::Error> {
        let (response, reply) = REPLY
            .scope(RefCell::new(None), async {
                let response = self.inner.call(req).await;
                (response, REPLY.with(|slot| slot.borrow_mut().take()))
            })
            .await;
        let mut response = response?;
        if let Some(reply) = reply {
            *response.frame_mut() = reply;
        }
        Ok(response)
    }
}

#[async_trait]
impl Transform<HandlerService<Envelope>> for Replies {
    type Output = HandlerService<Envelope>;

    async fn transform(&self, service: HandlerService<Envelope>) -> Self::Output {
        let id = service.id();
        HandlerService::from_service(id, RepliesService { inner: service })
    }
}

type Route = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The ECHO route: copies the payload out of the envelope, because the
/// returned future must be `'static`.
fn echo_route(envelope: &Envelope) -> Route {
    Box::pin(echo(envelope.payload_bytes().to_vec()))
}

/// The LOOKUP route: a contained panic becomes an error frame.
fn lookup_route(envelope: &Envelope) -> Route {
    let key = envelope.payload_bytes().to_vec();
    Box::pin(async move {
        match lookup(key).await {
            Ok(value) => set_reply(value),
            Err(panic) => set_reply(error_frame(&panic)),
        }
    })
}

/// The control route.
fn unmonitored_route(envelope: &Envelope) -> Route {
    let payload = envelope.payload_bytes().to_vec();
    Box::pin(async move { unmonitored(&payload) })
}

/// Builds the application: three routes, wrapped by [`Replies`].
///
/// # Errors
///
/// Fails only if two routes share an id.
pub fn build_app() -> wireframe::app::Result<App> {
    App::new()?
        .route(ROUTE_ECHO, Arc::new(echo_route))?
        .route(ROUTE_LOOKUP, Arc::new(lookup_route))?
        .route(ROUTE_UNMONITORED, Arc::new(unmonitored_route))?
        .wrap(Replies)
}

/// A running server; see [`Server::start`].
pub struct Server {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl Server {
    /// Binds `addr` (use port 0 for a free port) with one worker and spawns
    /// the server on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// When the application cannot be built or the address cannot be bound.
    pub fn start(addr: SocketAddr) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        // Fail here on a bad app; the factory, which must return a plain
        // `WireframeApp`, then cannot fail.
        build_app().map_err(|e| format!("cannot build the app: {e}"))?;
        let factory = || build_app().unwrap_or_default();
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
