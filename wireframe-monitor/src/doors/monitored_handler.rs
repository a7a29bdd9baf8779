//! [`MonitoredHandler`]: the guard of `#[monitored_connection]` for code
//! that has no function to annotate (closures, futures made at run time,
//! framework middleware); same recording, metrics and `snapshot()` rows.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;

use crate::common::panic::ConnectionPanic;
use crate::common::panic::PanicFallback;
use crate::common::peer::PeerAddr;
use crate::doors::guard::{NoPeer, Peer, caught, contained_in, resumed_in};
use crate::doors::monitored_future::{Contain, ContainWith, MonitoredFuture, Resume};
use crate::doors::site::{Calls, EntryRefs};
use crate::panic_path::hook;
use crate::registry::labels::{self, LabelError};
use crate::registry::objective::Objective;
use crate::registry::runtime_handlers;
use crate::registry::{self, Entry};

/// A monitored handler made at run time from a name and labels: runs
/// closures and guards futures like `#[monitored_connection]` runs its
/// function: each run counts in `wireframe_handler_calls_total` and
/// `wireframe_handler_active`; a panic is recorded once (metrics, tracing
/// event, [`PanicHandler`](crate::PanicHandler), [`snapshot`](crate::snapshot)
/// row) and then contained or resumed.
///
/// It is `Copy` and cheap to pass around: make it once (at start-up, or per
/// route) and keep it. The name and labels are registered once and kept for
/// the process (owned strings are leaked once); making the same name and
/// label set again gives the same handler, counted in the same row. The
/// rules for names and labels are the attribute's, checked here
/// ([`LabelError`]).
///
/// ```
/// use wireframe_monitor::MonitoredHandler;
///
/// let region = String::from("eu-west"); // known at run time only
/// let login = MonitoredHandler::new("login_rt", [("protocol", "v2".into()), ("region", region)])?;
///
/// # std::panic::set_hook(Box::new(|_| {}));
/// let frame: &[u8] = &[];
/// let reply: std::io::Result<u8> = login.run(|| Ok(frame[0])); // panics: contained
/// assert_eq!(reply.unwrap_err().to_string(), "connection handler `login_rt` panicked");
///
/// let row = wireframe_monitor::snapshot().into_iter().find(|r| r.handler() == "login_rt").unwrap();
/// assert_eq!((row.calls(), row.panics()), (1, 1));
/// assert_eq!(row.labels(), &[("protocol", "v2"), ("region", "eu-west")]);
/// # Ok::<(), wireframe_monitor::LabelError>(())
/// ```
///
/// `P` is where the peer address comes from: nothing (the default, zero
/// bytes) or the address given to [`with_peer`](Self::with_peer).
#[derive(Clone, Copy)]
pub struct MonitoredHandler<P = NoPeer> {
    /// The registry id and the entry's index in the per-thread table of
    /// run-time handlers' slots, in one word: 4 bytes in every future the
    /// handler guards.
    refs: EntryRefs,
    peer: P,
}

impl MonitoredHandler {
    /// The handler `name` with `labels` (at most 8), checked like the
    /// attribute's options: a non-empty, printable name; keys matching
    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not `handler`, not starting with `__`,
    /// each once; printable values.
    ///
    /// ```
    /// use wireframe_monitor::{LabelError, MonitoredHandler};
    ///
    /// let a = MonitoredHandler::new("route_7", [("protocol", "v2")])?;
    /// let b = MonitoredHandler::new(String::from("route_7"), [("protocol", "v2")])?;
    /// assert_eq!(a.name(), b.name()); // one row, one set of series
    ///
    /// assert_eq!(MonitoredHandler::new("", [("k", "v")]).unwrap_err(), LabelError::EmptyName);
    /// let err = MonitoredHandler::new("x", [("2fa", "on")]).unwrap_err();
    /// assert_eq!(err, LabelError::InvalidKey("2fa".into()));
    /// # Ok::<(), LabelError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`LabelError`] naming the first rule broken; nothing is registered.
    /// [`LabelError::TooManyHandlers`] once 2^24 name and label sets exist
    /// (values made per connection or per request).
    pub fn new<N, K, V>(
        name: N,
        labels: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, LabelError>
    where
        N: Into<Cow<'static, str>>,
        K: Into<Cow<'static, str>>,
        V: Into<Cow<'static, str>>,
    {
        let name = name.into();
        let labels: Vec<(Cow<'static, str>, Cow<'static, str>)> = labels
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        labels::check_name(&name)?;
        labels::check_labels(&labels)?;
        Self::registered(name, labels)
    }

    /// Checks `name` and `labels` by the rules of [`new`](Self::new)
    /// without registering anything: for code that takes a name or labels
    /// now and makes its handlers later (a middleware, per route).
    ///
    /// ```
    /// use wireframe_monitor::{LabelError, MonitoredHandler};
    ///
    /// assert!(MonitoredHandler::check("login", &[("protocol", "v2")]).is_ok());
    /// let err = MonitoredHandler::check("login", &[("__x", "v")]).unwrap_err();
    /// assert_eq!(err, LabelError::DoubleUnderscore("__x".into()));
    /// ```
    ///
    /// # Errors
    ///
    /// A [`LabelError`] naming the first rule broken.
    pub fn check<K: AsRef<str>, V: AsRef<str>>(
        name: &str,
        labels: &[(K, V)],
    ) -> Result<(), LabelError> {
        labels::check_name(name)?;
        labels::check_labels(labels)
    }

    /// The handler `name` without labels.
    ///
    /// ```
    /// let echo = wireframe_monitor::MonitoredHandler::named("echo_rt")?;
    /// assert_eq!(echo.run(|| Some(1)), Some(1));
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`LabelError::EmptyName`] or [`LabelError::NameNotPrintable`]; or
    /// [`LabelError::TooManyHandlers`], as for [`new`](Self::new).
    pub fn named(name: impl Into<Cow<'static, str>>) -> Result<Self, LabelError> {
        let name = name.into();
        labels::check_name(&name)?;
        Self::registered(name, Vec::new())
    }

    #[cold]
    fn registered(
        name: Cow<'static, str>,
        labels: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    ) -> Result<Self, LabelError> {
        hook::ensure();
        let entry = runtime_handlers::entry(name, labels)?;
        Ok(Self {
            refs: EntryRefs::new(entry),
            peer: NoPeer,
        })
    }

    /// The handler of a registered `entry` (an annotated function's too);
    /// `None` when its id is too large for one ([`registry::MAX_RUN_TIME`]).
    #[cold]
    pub(crate) fn of_entry(entry: &'static Entry) -> Option<Self> {
        (entry.id < registry::MAX_RUN_TIME).then(|| Self {
            refs: EntryRefs::new(entry),
            peer: NoPeer,
        })
    }
}

impl<P> MonitoredHandler<P> {
    #[inline]
    pub(crate) fn refs(&self) -> EntryRefs {
        self.refs
    }

    pub(crate) fn entry(&self) -> &'static Entry {
        self.refs.entry()
    }

    /// Where the peer address comes from (for the tower layer).
    #[cfg(feature = "tower")]
    #[inline]
    pub(crate) fn peer_source(&self) -> P
    where
        P: Copy,
    {
        self.peer
    }
}

impl<P: Peer> MonitoredHandler<P> {
    /// This handler with the client's address, for the tracing event and
    /// [`PanicEvent::peer`](crate::PanicEvent::peer) (never a metric label),
    /// as the attribute's `peer = arg`.
    ///
    /// ```
    /// # let handler = wireframe_monitor::MonitoredHandler::named("peer_doc")?;
    /// let addr: std::net::SocketAddr = "127.0.0.1:4000".parse().unwrap();
    /// let handler = handler.with_peer(addr);
    /// assert_eq!(handler.peer(), Some(addr));
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    #[must_use]
    pub fn with_peer(self, peer: impl PeerAddr) -> MonitoredHandler<Option<SocketAddr>> {
        MonitoredHandler {
            refs: self.refs,
            peer: peer.peer_addr(),
        }
    }

    /// Declares the handler's objective, as the attribute's
    /// `objective = "…"`: published as `wireframe_handler_objective_ratio`
    /// with its labels, for the error-budget alerts. The objective belongs
    /// to the name and label set, like the counts: every handler with them
    /// shares it, and when several objectives are declared for one name and
    /// label set (here, by another door or by an annotated function), the
    /// strictest wins. Without one, the handler has
    /// [`Installer::default_objective`](crate::Installer::default_objective)
    /// if set, else no objective series.
    ///
    /// ```
    /// use wireframe_monitor::{MonitoredHandler, Objective};
    ///
    /// let login = MonitoredHandler::new("login_slo", [("protocol", "v2")])?
    ///     .with_objective("99.95".parse()?);
    /// assert_eq!(login.objective().map(Objective::ratio), Some(0.9995));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "returns the same handler, for chaining (the objective is declared either way)"]
    pub fn with_objective(self, objective: Objective) -> Self {
        self.entry().declare_objective(objective.ratio());
        self
    }

    /// The objective published for this handler: the strictest declared
    /// for its name and label set, else the installed default.
    #[must_use]
    pub fn objective(self) -> Option<Objective> {
        self.entry().objective().and_then(Objective::from_ratio)
    }

    /// The `handler` label.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.entry().handler
    }

    /// The labels, in the order first given.
    #[must_use]
    pub fn labels(self) -> &'static [(&'static str, &'static str)] {
        self.entry().labels
    }

    /// The peer address given with [`with_peer`](Self::with_peer).
    #[must_use]
    pub fn peer(self) -> Option<SocketAddr> {
        self.peer.get()
    }

    /// Runs `body`; a panic is recorded and turned into
    /// [`R::from_panic`](PanicFallback::from_panic) (`on_panic = "contain"`).
    #[inline]
    pub fn run<R: PanicFallback>(self, body: impl FnOnce() -> R) -> R {
        self.run_or(R::from_panic, body)
    }

    /// Runs `body`; a panic is recorded and turned into `fallback(panic)`,
    /// for return types without [`PanicFallback`].
    ///
    /// ```
    /// # let handler = wireframe_monitor::MonitoredHandler::named("run_or_doc")?;
    /// # std::panic::set_hook(Box::new(|_| {}));
    /// let status: u16 = handler.run_or(|_panic| 500, || panic!("boom"));
    /// assert_eq!(status, 500);
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    #[inline]
    pub fn run_or<R>(
        self,
        fallback: impl FnOnce(ConnectionPanic) -> R,
        body: impl FnOnce() -> R,
    ) -> R {
        let refs = self.refs();
        let counted = refs.enter();
        let result = caught(true, refs.running(), body);
        refs.exit(counted);
        match result {
            Ok(value) => value,
            Err(caught) => fallback(contained_in(self.entry(), self.peer.get(), caught)),
        }
    }

    /// Runs `body`; a panic is recorded and re-raised
    /// (`on_panic = "resume"`).
    ///
    /// ```
    /// # let handler = wireframe_monitor::MonitoredHandler::named("resume_doc")?;
    /// # std::panic::set_hook(Box::new(|_| {}));
    /// let unwound = std::panic::catch_unwind(|| handler.run_resume(|| panic!("boom")));
    /// assert!(unwound.is_err());
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    #[inline]
    pub fn run_resume<R>(self, body: impl FnOnce() -> R) -> R {
        let refs = self.refs();
        let counted = refs.enter();
        let result = caught(false, refs.running(), body);
        refs.exit(counted);
        match result {
            Ok(value) => value,
            Err(caught) => resumed_in(self.entry(), self.peer.get(), caught),
        }
    }

    /// Guards `future`: the call is counted from now until the returned
    /// future is dropped, each poll runs under the guard, and a panic makes
    /// it return [`F::Output::from_panic`](PanicFallback::from_panic).
    ///
    /// ```
    /// # let handler = wireframe_monitor::MonitoredHandler::named("guard_doc")?;
    /// # std::panic::set_hook(Box::new(|_| {}));
    /// let reply = handler.guard(async { std::io::Result::Ok(7) });
    /// # let reply = tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(reply);
    /// assert_eq!(reply.unwrap(), 7);
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    #[inline]
    pub fn guard<F>(self, future: F) -> MonitoredFuture<F, Contain, P>
    where
        F: Future,
        F::Output: PanicFallback,
    {
        MonitoredFuture::start(self.refs, self.peer, Contain, future)
    }

    /// Guards `future`; a panic makes it return `fallback(panic)`.
    ///
    /// ```
    /// # let handler = wireframe_monitor::MonitoredHandler::named("guard_or_doc")?;
    /// # std::panic::set_hook(Box::new(|_| {}));
    /// let status = handler.guard_or(|_panic| 500u16, async { panic!("boom") });
    /// # let status = tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(status);
    /// assert_eq!(status, 500);
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    #[inline]
    pub fn guard_or<F, G>(self, fallback: G, future: F) -> MonitoredFuture<F, ContainWith<G>, P>
    where
        F: Future,
        G: FnMut(ConnectionPanic) -> F::Output,
    {
        MonitoredFuture::start(self.refs, self.peer, ContainWith(fallback), future)
    }

    /// Guards `future`; a panic is recorded and re-raised from its `poll`.
    ///
    /// ```
    /// # let handler = wireframe_monitor::MonitoredHandler::named("guard_resume_doc")?;
    /// # std::panic::set_hook(Box::new(|_| {}));
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let future = handler.guard_resume(async { panic!("boom") });
    /// let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(future)));
    /// assert_eq!(unwound.unwrap_err().downcast_ref::<&str>(), Some(&"boom"));
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    #[inline]
    pub fn guard_resume<F: Future>(self, future: F) -> MonitoredFuture<F, Resume, P> {
        MonitoredFuture::start(self.refs, self.peer, Resume, future)
    }
}

impl<P: Peer> fmt::Debug for MonitoredHandler<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The entry is shown by its name and labels.
        f.debug_struct("MonitoredHandler")
            .field("name", &self.name())
            .field("labels", &self.labels())
            .field("peer", &self.peer.get())
            .finish_non_exhaustive()
    }
}
