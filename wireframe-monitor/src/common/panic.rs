//! [`ConnectionPanic`], [`PayloadKind`] and [`PanicFallback`]: what a
//! contained panic turns into.

use std::any::Any;
use std::fmt;

use crate::common::text::Escaped;

/// What a panic payload was, as far as a message can be read from it.
///
/// ```
/// use wireframe_monitor::PayloadKind;
///
/// assert_eq!(PayloadKind::Str.as_str(), "str");
/// assert_eq!(PayloadKind::Other.to_string(), "other");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadKind {
    /// `panic!("literal")` or `panic_any("…")`: a `&'static str`.
    Str,
    /// `panic!("formatted {x}")` or `panic_any(String)`: a `String`.
    String,
    /// `panic_any(value)` of any other type: no message can be read.
    Other,
}

impl PayloadKind {
    /// The value of the `panic.payload` field of the tracing event:
    /// `str`, `String` or `other`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Str => "str",
            Self::String => "String",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for PayloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A panic that a `contain` handler caught, recorded and turned into a value.
///
/// It carries the handler's name, the panic message as the redaction policy
/// allows it, and the location when [`install`](crate::install) captured it.
/// It converts into [`std::io::Error`] (kind `Other`), so handlers returning
/// `std::io::Result<_>` need no extra code.
///
/// ```
/// use wireframe_monitor::{monitored_connection, ConnectionPanic};
///
/// #[derive(Debug)]
/// enum MyError {
///     Panicked(ConnectionPanic),
/// }
///
/// impl From<ConnectionPanic> for MyError {
///     fn from(panic: ConnectionPanic) -> Self {
///         MyError::Panicked(panic)
///     }
/// }
///
/// #[monitored_connection]
/// fn handle(frame: &[u8]) -> Result<usize, MyError> {
///     assert!(!frame.is_empty(), "empty frame");
///     Ok(frame.len())
/// }
///
/// # std::panic::set_hook(Box::new(|_| {}));
/// let MyError::Panicked(panic) = handle(b"").unwrap_err();
/// assert_eq!(panic.handler(), "handle");
/// assert_eq!(panic.message(), Some("empty frame"));
/// ```
#[derive(Clone, Debug)]
pub struct ConnectionPanic {
    handler: &'static str,
    message: Option<String>,
    location: Option<String>,
    payload_kind: PayloadKind,
}

impl ConnectionPanic {
    pub(crate) fn new(
        handler: &'static str,
        message: Option<String>,
        location: Option<String>,
        payload_kind: PayloadKind,
    ) -> Self {
        Self {
            handler,
            message,
            location,
            payload_kind,
        }
    }

    /// The `handler` label of the handler that panicked.
    #[must_use]
    pub fn handler(&self) -> &'static str {
        self.handler
    }

    /// The panic message after redaction; `None` when the policy omits it or
    /// the payload was neither `&str` nor `String`.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// `file:line:col` of the panic, when [`install`](crate::install) ran.
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// What the panic payload was.
    #[must_use]
    pub fn payload_kind(&self) -> PayloadKind {
        self.payload_kind
    }
}

/// Names the handler only: ``connection handler `login` panicked``. Servers
/// write errors back to their clients, so the panic message and location
/// (which may hold client data or reveal code) are shown only in the
/// alternate form, `{:#}`: ``connection handler `login` panicked at
/// src/login.rs:12:9: empty frame``, with control characters escaped. The
/// `std::io::Error` made from a `ConnectionPanic` displays the same way.
///
/// ```
/// use wireframe_monitor::monitored_connection;
///
/// #[monitored_connection(name = "display_doc")]
/// fn handle(frame: &[u8]) -> std::io::Result<u8> {
///     Ok(frame[0])
/// }
///
/// # std::panic::set_hook(Box::new(|_| {}));
/// let err = handle(&[]).unwrap_err();
/// assert_eq!(err.to_string(), "connection handler `display_doc` panicked");
/// assert!(format!("{err:#}").contains("index out of bounds"));
/// ```
impl fmt::Display for ConnectionPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connection handler `{}` panicked", Escaped(self.handler))?;
        if !f.alternate() {
            return Ok(());
        }
        if let Some(location) = &self.location {
            write!(f, " at {}", Escaped(location))?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {}", Escaped(message))?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectionPanic {}

impl From<ConnectionPanic> for std::io::Error {
    fn from(panic: ConnectionPanic) -> Self {
        std::io::Error::other(panic)
    }
}

/// How a `contain` handler (the default, `on_panic = "contain"`) makes its
/// return value after a panic was recorded.
///
/// Implemented for `()`, for `Option<T>` (`None`) and for `Result<T, E>`
/// where `E: From<ConnectionPanic>` (`Err(panic.into())`). Implement it for
/// your own reply types:
///
/// ```
/// use wireframe_monitor::{monitored_connection, ConnectionPanic, PanicFallback};
///
/// #[derive(Debug, PartialEq)]
/// enum Reply {
///     Ok(Vec<u8>),
///     InternalError,
/// }
///
/// impl PanicFallback for Reply {
///     fn from_panic(_: ConnectionPanic) -> Self {
///         Reply::InternalError
///     }
/// }
///
/// #[monitored_connection]
/// fn on_frame(frame: &[u8]) -> Reply {
///     Reply::Ok(vec![frame[0]])
/// }
///
/// # std::panic::set_hook(Box::new(|_| {}));
/// assert_eq!(on_frame(&[]), Reply::InternalError);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot stand in for a contained panic: it does not implement `PanicFallback`",
    label = "`on_panic = \"contain\"` (the default) needs a fallback value of this type",
    note = "write `#[monitored_connection(on_panic = \"resume\")]` to re-raise the panic after recording it",
    note = "or implement `wireframe_monitor::PanicFallback` for `{Self}`, or return `Result<_, E>` with `E: From<ConnectionPanic>`"
)]
pub trait PanicFallback {
    /// The value the handler returns in place of the panic.
    fn from_panic(panic: ConnectionPanic) -> Self;
}

impl PanicFallback for () {
    fn from_panic(_: ConnectionPanic) -> Self {}
}

impl<T> PanicFallback for Option<T> {
    fn from_panic(_: ConnectionPanic) -> Self {
        None
    }
}

/// `Err(panic.into())`, for every `E: From<ConnectionPanic>` (the bound is
/// spelled through a hidden trait implemented for exactly those types, so
/// that a missing `From` is reported with both ways to fix it).
impl<T, E: FromPanic> PanicFallback for Result<T, E> {
    fn from_panic(panic: ConnectionPanic) -> Self {
        Err(E::from(panic))
    }
}

/// The error type of a `Result` returned by a `contain` handler: it must
/// implement `From<ConnectionPanic>`. A trait of its own so a missing
/// `From` is reported with both fixes rather than as a bare bound.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot carry a contained panic: it does not implement `From<ConnectionPanic>`",
    label = "the error type of a `contain` handler's `Result` must hold the contained panic",
    note = "implement `From<wireframe_monitor::ConnectionPanic> for {Self}`",
    note = "or write `#[monitored_connection(on_panic = \"resume\")]` to re-raise the panic after recording it"
)]
pub trait FromPanic: From<ConnectionPanic> {}

#[diagnostic::do_not_recommend]
impl<E: From<ConnectionPanic>> FromPanic for E {}

/// The text of a panic payload, when it is one (`&'static str` or
/// `String`, what `panic!` makes), and its kind.
pub(crate) fn payload_text(payload: &(dyn Any + Send)) -> (Option<&str>, PayloadKind) {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (Some(s), PayloadKind::Str)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        (Some(s.as_str()), PayloadKind::String)
    } else {
        (None, PayloadKind::Other)
    }
}
