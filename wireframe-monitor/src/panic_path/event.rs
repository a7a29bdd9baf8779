//! [`PanicEvent`]: what a [`PanicHandler`](crate::PanicHandler) is told.

use std::backtrace::Backtrace;
use std::net::SocketAddr;
use std::time::SystemTime;

use crate::common::panic::PayloadKind;

/// One recorded panic, as passed to the installed
/// [`PanicHandler`](crate::PanicHandler).
///
/// Message and peer are already redacted per the policy of
/// [`Installer`](crate::Installer).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use wireframe_monitor::{monitored_connection, set_panic_handler, PanicEvent, PayloadKind};
///
/// #[monitored_connection(name = "event_doc", labels(protocol = "v2"), peer = addr)]
/// fn handle(addr: std::net::SocketAddr) {
///     panic!("bad frame from client");
/// }
///
/// # std::panic::set_hook(Box::new(|_| {}));
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = Arc::clone(&seen);
/// set_panic_handler(move |event: &PanicEvent<'_>| {
///     if event.handler() == "event_doc" {
///         sink.lock().unwrap().push((
///             event.labels().to_vec().iter().map(|(k, v)| format!("{k}={v}")).collect::<String>(),
///             event.message().map(str::to_owned),
///             event.payload_kind(),
///             event.peer(),
///         ));
///     }
/// });
/// handle("10.0.0.7:5000".parse().unwrap());
/// wireframe_monitor::clear_panic_handler();
/// let seen = seen.lock().unwrap();
/// assert_eq!(seen[0].0, "protocol=v2");
/// assert_eq!(seen[0].1.as_deref(), Some("bad frame from client"));
/// assert_eq!(seen[0].2, PayloadKind::Str);
/// assert_eq!(seen[0].3, Some("10.0.0.7:5000".parse().unwrap()));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct PanicEvent<'a> {
    pub(crate) handler: &'a str,
    pub(crate) labels: &'a [(&'a str, &'a str)],
    pub(crate) message: Option<&'a str>,
    pub(crate) payload_kind: PayloadKind,
    pub(crate) location: Option<&'a str>,
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) timestamp: SystemTime,
    pub(crate) thread_name: Option<&'a str>,
    pub(crate) backtrace: Option<&'a Backtrace>,
}

impl<'a> PanicEvent<'a> {
    /// The `handler` label of the handler that panicked.
    #[must_use]
    pub fn handler(&self) -> &'a str {
        self.handler
    }

    /// The static labels of the handler.
    #[must_use]
    pub fn labels(&self) -> &'a [(&'a str, &'a str)] {
        self.labels
    }

    /// The panic message after redaction; `None` when the policy omits it or
    /// the payload carries no text.
    #[must_use]
    pub fn message(&self) -> Option<&'a str> {
        self.message
    }

    /// Whether the payload was a `&str`, a `String` or something else.
    #[must_use]
    pub fn payload_kind(&self) -> PayloadKind {
        self.payload_kind
    }

    /// `file:line:col` of the panic; captured by the hook of
    /// [`install`](crate::install), `None` without it.
    #[must_use]
    pub fn location(&self) -> Option<&'a str> {
        self.location
    }

    /// The peer address read through `peer = arg`, unless the policy omits it.
    #[must_use]
    pub fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// When the panic was caught.
    #[must_use]
    pub fn timestamp(&self) -> SystemTime {
        self.timestamp
    }

    /// The name of the thread the panic happened on, if it has one.
    #[must_use]
    pub fn thread_name(&self) -> Option<&'a str> {
        self.thread_name
    }

    /// The backtrace captured at the panic site by the panic hook, for the
    /// first reported panics of each location in a storm interval
    /// ([`Installer::report_limit`](crate::Installer::report_limit)); `None`
    /// for the others, for re-raised payloads, or when
    /// [`Installer::backtraces`](crate::Installer::backtraces) is off. Its
    /// frames are resolved when it is formatted.
    ///
    /// This is the whole capture, from our panic hook to the thread's
    /// start. The tracing event's `panic.backtrace` field holds a short
    /// form of it on one line: only the frames from the panic site down to
    /// the guard that caught it, without those of wireframe-monitor, of the
    /// panic and unwinding machinery or of the executor, as
    /// `symbol at path:line` items joined by ` <- ` (innermost first, paths
    /// relative to their crate, control characters escaped), for example
    /// `app::conn::decode at src/conn.rs:42 <- app::conn::handle::{{closure}} at src/conn.rs:17`.
    ///
    /// ```
    /// use wireframe_monitor::{monitored_connection, set_panic_handler, PanicEvent};
    ///
    /// #[monitored_connection(name = "backtrace_doc")]
    /// fn handle() {
    ///     panic!("boom");
    /// }
    ///
    /// # std::panic::set_hook(Box::new(|_| {}));
    /// wireframe_monitor::install();
    /// set_panic_handler(|event: &PanicEvent<'_>| {
    ///     if let Some(backtrace) = event.backtrace() {
    ///         let _frames = backtrace.to_string();
    ///     }
    /// });
    /// handle();
    /// # wireframe_monitor::clear_panic_handler();
    /// ```
    #[must_use]
    pub fn backtrace(&self) -> Option<&'a Backtrace> {
        self.backtrace
    }
}
