//! [`MonitorLayer`] (feature `tower`): the guard of a [`MonitoredHandler`]
//! around any [`tower_service::Service`].

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use tower_layer::Layer;
use tower_service::Service;

use crate::common::panic::ConnectionPanic;
use crate::doors::guard::{Caught, caught, contained_in};
use crate::doors::monitored_future::Contain;
use crate::doors::monitored_future::MonitoredFuture;
use crate::doors::monitored_future::OnPanic;
use crate::doors::monitored_future::Resume;
use crate::doors::monitored_future::sealed::Mode;
use crate::doors::monitored_handler::MonitoredHandler;
use crate::doors::site::Calls;
use crate::registry::Entry;
use crate::registry::objective::Objective;

/// A tower [`Layer`] whose services count their calls (`calls_total`,
/// `active`) and panics under a [`MonitoredHandler`]'s name and labels.
/// A panic in the inner service's `call` or in its response future is
/// recorded once and becomes, by default, the error `E::from(panic)` (the
/// inner error type `E` must implement `From<`[`ConnectionPanic`]`>`, as
/// `tower::BoxError` and `std::io::Error` do); with
/// [`respond_with`](Self::respond_with), a response your closure builds;
/// with [`resume`](Self::resume), the panic goes on unwinding.
///
/// A call counts from `call` until its response future completes or is
/// dropped: a timeout or a client that goes away is a cancellation, not a
/// panic, and `active` goes back down. `poll_ready` is not guarded.
///
/// ```
/// use std::time::Duration;
/// use tower::{BoxError, ServiceBuilder, ServiceExt, service_fn};
/// use wireframe_monitor::MonitoredHandler;
/// use wireframe_monitor::tower::MonitorLayer;
///
/// let handler = MonitoredHandler::new("lookup_svc", [("protocol", "v2")])?;
/// let service = ServiceBuilder::new()
///     .timeout(Duration::from_secs(5))
///     .layer(MonitorLayer::new(handler))
///     .service(service_fn(|key: u32| async move {
///         assert!(key != 0, "no key 0");
///         Ok::<_, BoxError>(key * 2)
///     }));
///
/// # std::panic::set_hook(Box::new(|_| {}));
/// let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// assert_eq!(rt.block_on(service.clone().oneshot(21)).unwrap(), 42);
/// let err = rt.block_on(service.oneshot(0)).unwrap_err();
/// assert_eq!(err.to_string(), "connection handler `lookup_svc` panicked");
/// # Ok::<(), wireframe_monitor::LabelError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MonitorLayer<M = Contain> {
    handler: MonitoredHandler,
    mode: M,
}

/// The mode of [`MonitorLayer::respond_with`]: a contained panic becomes
/// `Ok(respond(panic))`.
///
/// ```
/// use wireframe_monitor::MonitoredHandler;
/// use wireframe_monitor::tower::{MonitorLayer, Respond};
///
/// use wireframe_monitor::ConnectionPanic;
///
/// let layer: MonitorLayer<Respond<_>> = MonitorLayer::new(MonitoredHandler::named("respond_doc")?)
///     .respond_with(|_: ConnectionPanic| 500u16);
/// # let _ = layer;
/// # Ok::<(), wireframe_monitor::LabelError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Respond<F>(F);

impl<R, E, F> Mode<Result<R, E>> for Respond<F>
where
    F: FnMut(ConnectionPanic) -> R,
{
    const CONTAIN: bool = true;

    #[inline]
    fn on_panic(
        &mut self,
        entry: &'static Entry,
        peer: Option<SocketAddr>,
        caught: Caught,
    ) -> Result<R, E> {
        Ok((self.0)(contained_in(entry, peer, caught)))
    }
}

impl MonitorLayer {
    /// Guards services under `handler`; a panic becomes the service's
    /// error, made from the [`ConnectionPanic`].
    #[must_use]
    pub fn new(handler: MonitoredHandler) -> Self {
        Self {
            handler,
            mode: Contain,
        }
    }
}

impl<M> MonitorLayer<M> {
    /// Declares the objective of the layer's handler
    /// ([`MonitoredHandler::with_objective`]): published as
    /// `wireframe_handler_objective_ratio` with its labels.
    ///
    /// ```
    /// use wireframe_monitor::{MonitoredHandler, Objective};
    /// use wireframe_monitor::tower::MonitorLayer;
    ///
    /// let handler = MonitoredHandler::named("lookup_slo")?;
    /// let layer = MonitorLayer::new(handler).objective(Objective::percent(99.9)?);
    /// # let _ = layer;
    /// assert_eq!(handler.objective().map(Objective::ratio), Some(0.999));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn objective(self, objective: Objective) -> Self {
        Self {
            handler: self.handler.with_objective(objective),
            mode: self.mode,
        }
    }

    /// A panic becomes `Ok(respond(panic))`: an error response of the
    /// protocol (a status, an error frame) instead of an error.
    ///
    /// ```
    /// use tower::{ServiceExt, service_fn};
    /// use tower::Layer;
    /// use wireframe_monitor::MonitoredHandler;
    /// use wireframe_monitor::tower::MonitorLayer;
    ///
    /// let layer = MonitorLayer::new(MonitoredHandler::named("status_svc")?)
    ///     .respond_with(|_panic| 500u16);
    /// let service = layer.layer(service_fn(|_: ()| async {
    ///     panic!("boom");
    ///     #[allow(unreachable_code)]
    ///     Ok::<u16, std::convert::Infallible>(200)
    /// }));
    /// # std::panic::set_hook(Box::new(|_| {}));
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.block_on(service.oneshot(())), Ok(500));
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    #[must_use]
    pub fn respond_with<F>(self, respond: F) -> MonitorLayer<Respond<F>> {
        MonitorLayer {
            handler: self.handler,
            mode: Respond(respond),
        }
    }

    /// A panic is recorded, then re-raised from `call` or from the
    /// response future's `poll`.
    #[must_use]
    pub fn resume(self) -> MonitorLayer<Resume> {
        MonitorLayer {
            handler: self.handler,
            mode: Resume,
        }
    }
}

impl<S, M: Clone> Layer<S> for MonitorLayer<M> {
    type Service = Monitor<S, M>;

    fn layer(&self, inner: S) -> Self::Service {
        Monitor {
            inner,
            handler: self.handler,
            mode: self.mode.clone(),
        }
    }
}

/// The service of a [`MonitorLayer`] around `S`.
///
/// ```
/// use tower::{ServiceExt, service_fn};
/// use tower::Layer;
/// use wireframe_monitor::MonitoredHandler;
/// use wireframe_monitor::tower::{Monitor, MonitorLayer};
///
/// let inner = service_fn(|n: u32| async move { Ok::<_, std::io::Error>(n + 1) });
/// let service: Monitor<_> = MonitorLayer::new(MonitoredHandler::named("monitor_doc")?).layer(inner);
/// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// assert_eq!(rt.block_on(service.oneshot(1)).unwrap(), 2);
/// # Ok::<(), wireframe_monitor::LabelError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Monitor<S, M = Contain> {
    inner: S,
    handler: MonitoredHandler,
    mode: M,
}

impl<S, M, Request> Service<Request> for Monitor<S, M>
where
    S: Service<Request>,
    M: OnPanic<Result<S::Response, S::Error>> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, M>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, request: Request) -> Self::Future {
        let refs = self.handler.refs();
        let counted = refs.enter();
        let inner = &mut self.inner;
        match caught(M::CONTAIN, refs.running(), || inner.call(request)) {
            Ok(future) => ResponseFuture::Running {
                future: MonitoredFuture::started(
                    refs,
                    self.handler.peer_source(),
                    self.mode.clone(),
                    future,
                ),
            },
            Err(caught) => {
                refs.exit(counted);
                let ready = self
                    .mode
                    .clone()
                    .on_panic(refs.entry(), self.handler.peer(), caught);
                ResponseFuture::Ready { ready: Some(ready) }
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of a [`Monitor`]: the inner one, guarded, or
    /// the outcome of a panic in `call`.
    ///
    /// ```
    /// use tower::{Service, service_fn};
    /// use tower::Layer;
    /// use wireframe_monitor::MonitoredHandler;
    /// use wireframe_monitor::tower::{MonitorLayer, ResponseFuture};
    ///
    /// let inner = service_fn(|n: u32| std::future::ready(Ok::<_, std::io::Error>(n)));
    /// let mut service = MonitorLayer::new(MonitoredHandler::named("response_doc")?).layer(inner);
    /// let future: ResponseFuture<_, _> = service.call(7);
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.block_on(future).unwrap(), 7);
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    #[project = ResponseProj]
    #[expect(missing_docs, reason = "pin-project-lite cannot carry doc comments on enum fields")]
    pub enum ResponseFuture<F, M>
    where
        F: Future,
    {
        /// The inner service's future, guarded.
        Running {
            #[pin]
            future: MonitoredFuture<F, M>,
        },
        /// `call` panicked and the panic was contained.
        Ready {
            ready: Option<F::Output>,
        },
    }
}

impl<F, M> Future for ResponseFuture<F, M>
where
    F: Future,
    M: OnPanic<F::Output>,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        match self.project() {
            ResponseProj::Running { future } => future.poll(cx),
            ResponseProj::Ready { ready } => match ready.take() {
                Some(ready) => Poll::Ready(ready),
                None => Poll::Pending,
            },
        }
    }
}
