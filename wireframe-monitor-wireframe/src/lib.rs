//! A [wireframe](https://docs.rs/wireframe) 0.3 middleware that guards
//! every route of an app with [`wireframe_monitor`], in one line:
//!
//! ```
//! use std::sync::Arc;
//! use wireframe::app::{Envelope, WireframeApp};
//! use wireframe::serializer::BincodeSerializer;
//! use wireframe_monitor_wireframe::RouteMonitor;
//!
//! let monitor = RouteMonitor::new()
//!     .name(1, "login")?               // `handler` label of route 1; others are `route_<id>`
//!     .labels([("protocol", "v2")])?
//!     .reply_with(|panic| format!("ERR {panic}").into_bytes());
//! # let app = build(monitor).unwrap();
//! # fn build(monitor: RouteMonitor) -> wireframe::app::Result<WireframeApp<BincodeSerializer, (), Envelope>> {
//! let app = WireframeApp::<BincodeSerializer, (), Envelope>::new()?
//!     .route(1, Arc::new(|_: &Envelope| Box::pin(async {})))?
//!     .wrap(monitor)?;
//! # Ok(app)
//! # }
//! # Ok::<(), wireframe_monitor::LabelError>(())
//! ```
//!
//! Each frame is one call of its route's handler (`handler` = the name you
//! gave the route, `route_<id>` otherwise, plus your labels): counted in
//! `wireframe_handler_calls_total` and `wireframe_handler_active`; a panic
//! in the route's handler is recorded once (metrics, tracing event,
//! [`PanicHandler`](wireframe_monitor::PanicHandler), [`snapshot`](wireframe_monitor::snapshot)
//! row), exactly like a `#[monitored_connection]` handler's. Objectives
//! for the error-budget alerts: [`objective`](RouteMonitor::objective) for
//! every route, [`route_objective`](RouteMonitor::route_objective) for one.
//!
//! Without the middleware, a panicking route handler unwinds through the
//! connection task and wireframe closes the connection. With it, the panic
//! is contained: the frame is answered (same route id, same correlation
//! id) with the payload [`reply_with`](RouteMonitor::reply_with) builds
//! from the [`ConnectionPanic`], or an empty payload by default, and the
//! same connection reads its next frame. [`resume`](RouteMonitor::resume)
//! records the panic and lets it close the connection as before.
//!
//! wireframe 0.3.0 does not build against tokio-util 0.7.20 (E0283); this
//! crate requires tokio-util `>=0.7.16, <0.7.20`, so cargo picks a version
//! that works. If your lock file holds 0.7.20 already:
//! `cargo update -p tokio-util --precise 0.7.16`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::sync::{Arc, Mutex, Once, PoisonError};

use async_trait::async_trait;
use wireframe::app::Packet;
use wireframe::middleware::{HandlerService, Service, ServiceRequest, ServiceResponse, Transform};
use wireframe_monitor::{ConnectionPanic, LabelError, MonitoredHandler, Objective};

type Text = Cow<'static, str>;
type Reply = Arc<dyn Fn(&ConnectionPanic) -> Vec<u8> + Send + Sync>;

/// What a panic in a route becomes.
#[derive(Clone)]
enum OnPanic {
    /// Contained: answered with this payload (empty when `None`).
    Reply(Option<Reply>),
    /// Recorded, then re-raised (the connection closes).
    Resume,
}

/// The middleware: [`Transform`] every route of a `WireframeApp` with
/// `app.wrap(monitor)`. See the [crate] documentation.
#[derive(Clone)]
pub struct RouteMonitor {
    names: HashMap<u32, Text>,
    labels: Arc<[(Text, Text)]>,
    /// The objective of every route without one of its own.
    objective: Option<Objective>,
    objectives: HashMap<u32, Objective>,
    on_panic: OnPanic,
    /// The handlers made so far, by route, shared by the clones an app
    /// factory makes (one app per connection), so each route's handler is
    /// looked up in the registry once, not per connection.
    made: Arc<Mutex<HashMap<u32, MonitoredHandler>>>,
}

impl Default for RouteMonitor {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RouteMonitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let on_panic = match &self.on_panic {
            OnPanic::Reply(None) => "reply with an empty payload",
            OnPanic::Reply(Some(_)) => "reply with the closure's payload",
            OnPanic::Resume => "resume",
        };
        f.debug_struct("RouteMonitor")
            .field("names", &self.names)
            .field("labels", &self.labels)
            .field("objective", &self.objective)
            .field("objectives", &self.objectives)
            .field("on_panic", &on_panic)
            .finish_non_exhaustive()
    }
}

impl RouteMonitor {
    /// Guards every route as `route_<id>`, without labels; a contained
    /// panic is answered with an empty payload.
    #[must_use]
    pub fn new() -> Self {
        Self {
            names: HashMap::new(),
            labels: Arc::new([]),
            objective: None,
            objectives: HashMap::new(),
            on_panic: OnPanic::Reply(None),
            made: Arc::default(),
        }
    }

    /// Names route `route` (its `handler` label).
    ///
    /// # Errors
    ///
    /// [`LabelError::EmptyName`] or [`LabelError::NameNotPrintable`].
    pub fn name(mut self, route: u32, name: impl Into<Text>) -> Result<Self, LabelError> {
        let name = name.into();
        MonitoredHandler::check::<&str, &str>(&name, &[])?;
        self.names.insert(route, name);
        self.made = Arc::default();
        Ok(self)
    }

    /// Names the routes of `names` (route id → name).
    ///
    /// # Errors
    ///
    /// As [`name`](Self::name), for the first bad name.
    pub fn names<N: Into<Text>>(
        self,
        names: impl IntoIterator<Item = (u32, N)>,
    ) -> Result<Self, LabelError> {
        names
            .into_iter()
            .try_fold(self, |monitor, (route, name)| monitor.name(route, name))
    }

    /// The labels of every route (at most 8), replacing earlier ones.
    ///
    /// # Errors
    ///
    /// A [`LabelError`]: the rules of `#[monitored_connection]`'s `labels`.
    pub fn labels<K, V>(
        mut self,
        labels: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, LabelError>
    where
        K: Into<Text>,
        V: Into<Text>,
    {
        let labels: Vec<(Text, Text)> = labels
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        MonitoredHandler::check("route", &labels)?;
        self.labels = labels.into();
        self.made = Arc::default();
        Ok(self)
    }

    /// The objective of every route that has none of its own
    /// ([`route_objective`](Self::route_objective)), as the attribute's
    /// `objective = "…"`: published as `wireframe_handler_objective_ratio`
    /// with the route's `handler` label and the labels, for the
    /// error-budget alerts. Routes without any objective get
    /// `Installer::default_objective`, if set.
    ///
    /// ```
    /// use wireframe_monitor::Objective;
    /// use wireframe_monitor_wireframe::RouteMonitor;
    ///
    /// let monitor = RouteMonitor::new()
    ///     .name(1, "login_route")?
    ///     .objective(Objective::percent(99.9)?)
    ///     .route_objective(1, "99.95".parse()?);
    /// assert_eq!(monitor.handler(1)?.objective().map(Objective::ratio), Some(0.9995));
    /// assert_eq!(monitor.handler(2)?.objective().map(Objective::ratio), Some(0.999));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn objective(mut self, objective: Objective) -> Self {
        self.objective = Some(objective);
        self.made = Arc::default();
        self
    }

    /// The objective of route `route`, in place of
    /// [`objective`](Self::objective)'s.
    #[must_use]
    pub fn route_objective(mut self, route: u32, objective: Objective) -> Self {
        self.objectives.insert(route, objective);
        self.made = Arc::default();
        self
    }

    /// A contained panic is answered with the payload `reply` builds from
    /// it (an error frame of your protocol). [`ConnectionPanic`]'s
    /// `Display` names the handler only; its message and location, which
    /// may hold client data or reveal code, are for your logs.
    #[must_use]
    pub fn reply_with(
        self,
        reply: impl Fn(&ConnectionPanic) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        Self {
            on_panic: OnPanic::Reply(Some(Arc::new(reply))),
            ..self
        }
    }

    /// A panic is recorded, then re-raised: wireframe closes the
    /// connection, as without the middleware.
    #[must_use]
    pub fn resume(self) -> Self {
        Self {
            on_panic: OnPanic::Resume,
            ..self
        }
    }

    /// The handler route `route` is counted under (made on first use, then
    /// shared by every connection and every clone of this monitor).
    ///
    /// ```
    /// use wireframe_monitor_wireframe::RouteMonitor;
    ///
    /// let monitor = RouteMonitor::new().name(1, "login")?;
    /// assert_eq!(monitor.handler(1)?.name(), "login");
    /// assert_eq!(monitor.clone().handler(7)?.name(), "route_7");
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Only [`LabelError::TooManyHandlers`]: the process already made 2^24
    /// name and label sets (names and labels were checked when given).
    /// The middleware then leaves the route unguarded and says so once on
    /// stderr.
    pub fn handler(&self, route: u32) -> Result<MonitoredHandler, LabelError> {
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(handler) = made.get(&route) {
            return Ok(*handler);
        }
        let name = self
            .names
            .get(&route)
            .cloned()
            .unwrap_or_else(|| Cow::Owned(format!("route_{route}")));
        let mut handler = MonitoredHandler::new(name, self.labels.iter().cloned())?;
        if let Some(objective) = self.objectives.get(&route).or(self.objective.as_ref()) {
            handler = handler.with_objective(*objective);
        }
        made.insert(route, handler);
        Ok(handler)
    }
}

#[async_trait]
impl<E: Packet> Transform<HandlerService<E>> for RouteMonitor {
    type Output = HandlerService<E>;

    async fn transform(&self, service: HandlerService<E>) -> HandlerService<E> {
        let route = service.id();
        match self.handler(route) {
            Ok(handler) => {
                let guarded = Guarded {
                    handler,
                    on_panic: self.on_panic.clone(),
                    inner: service,
                };
                HandlerService::from_service(route, guarded)
            }
            Err(error) => {
                unguarded(route, &error);
                service
            }
        }
    }
}

/// Says once per process that a route runs without the guard.
#[cold]
fn unguarded(route: u32, error: &LabelError) {
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        eprintln!(
            "wireframe-monitor-wireframe: route {route} (and any later one) runs unguarded, its panics uncounted: {error}"
        );
    });
}

/// One route under its handler's guard.
struct Guarded<E: Packet> {
    handler: MonitoredHandler,
    on_panic: OnPanic,
    inner: HandlerService<E>,
}

#[async_trait]
impl<E: Packet> Service for Guarded<E> {
    type Error = Infallible;

    async fn call(&self, request: ServiceRequest) -> Result<ServiceResponse, Infallible> {
        let correlation_id = request.correlation_id();
        let call = self.inner.call(request);
        match &self.on_panic {
            OnPanic::Reply(reply) => {
                let fallback = |panic: ConnectionPanic| {
                    let payload = reply.as_ref().map_or_else(Vec::new, |reply| reply(&panic));
                    Ok(ServiceResponse::new(payload, correlation_id))
                };
                self.handler.guard_or(fallback, call).await
            }
            OnPanic::Resume => self.handler.guard_resume(call).await,
        }
    }
}
