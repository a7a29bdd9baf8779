//! Count, time-stamp and alert on panics in the connection handlers of
//! binary-protocol servers.
//!
//! Put [`#[monitored_connection]`](macro@monitored_connection) on a handler:
//! its body then runs under a panic guard. A panic is recorded once, as the
//! `wireframe_handler_panics_total` counter, the
//! `wireframe_handler_panic_sites_total` counter of its site (its
//! crate-relative `path:line`) and the
//! `wireframe_handler_last_panic_timestamp_seconds` gauge (labelled with the
//! handler's name and its static labels, never with client data), one
//! structured `tracing` event, a call of your [`PanicHandler`] and a row of
//! [`snapshot`]. Then the panic is contained (the handler returns
//! [`PanicFallback::from_panic`]) or resumed. Every call also counts in
//! `wireframe_handler_calls_total` and `wireframe_handler_active`, on
//! per-thread counters that cost a few nanoseconds.
//!
//! ```
//! use wireframe_monitor::monitored_connection;
//!
//! #[monitored_connection(name = "login", labels(protocol = "v2"))]
//! fn login(frame: &[u8]) -> std::io::Result<u8> {
//!     Ok(frame[0]) // panics on an empty frame
//! }
//!
//! wireframe_monitor::install(); // after installing your metrics recorder
//! assert_eq!(login(&[7]).unwrap(), 7);
//! let err = login(&[]).unwrap_err(); // contained: an io::Error
//! assert!(err.to_string().contains("connection handler `login` panicked"));
//!
//! let row = wireframe_monitor::snapshot().into_iter().find(|s| s.handler() == "login").unwrap();
//! assert_eq!((row.calls(), row.panics()), (2, 1));
//! ```
//!
//! # Without a function to annotate
//!
//! The attribute is one client of the guard. [`MonitoredHandler`] is the
//! same guard for closures and futures, made at run time from a name and
//! labels (checked into a [`LabelError`]); `tower::MonitorLayer`
//! (feature `tower`) guards any tower `Service`; the crate
//! `wireframe-monitor-wireframe` guards every route of a wireframe app in
//! one line. All record the same way, into the same metrics and rows.
//!
//! # Tasks a handler spawns
//!
//! [`spawn`] (feature `tokio`) is `tokio::spawn` whose task belongs to the
//! monitored call that started it: the task's panic is recorded once under
//! that handler (not as a call of it), then reaches the `JoinHandle` as
//! tokio delivers it. [`MonitoredHandler::current`] is the handler of the
//! innermost monitored call running on this thread or task, to take along
//! to other threads and executors.
//!
//! # Objectives
//!
//! `#[monitored_connection(objective = "99.95")]` (or an [`Objective`] on
//! the other doors: [`MonitoredHandler::with_objective`],
//! `MonitorLayer::objective`, `RouteMonitor::objective`, and
//! [`Installer::default_objective`] for handlers without one) publishes the
//! constant gauge `wireframe_handler_objective_ratio` (0.9995) with the
//! handler's labels, which the error-budget alerts of `ops/prometheus` join:
//! one rule serves every objective. [`HandlerStats::objective`] shows it.
//!
//! # Cargo features
//!
//! All on by default:
//! - `enabled`: off, the attribute emits the function exactly as written
//!   (its options are still checked): zero cost, panics propagate as if the
//!   function were not annotated, nothing is recorded.
//! - `metrics`: publish through the [`metrics`](https://docs.rs/metrics) facade.
//! - `tracing`: emit the [`tracing`](https://docs.rs/tracing) event.
//! - `tokio`: [`PeerAddr`] for `tokio::net::TcpStream`, and `spawn`. Off,
//!   tokio is not a dependency: a std-only server does not pull it.
//!
//! Off by default:
//! - `tower`: `tower::MonitorLayer`, the guard as a tower `Layer` around
//!   any `Service` (dependencies `tower-layer`, `tower-service`).
//!
//! # Panic hooks and error reporters
//!
//! [`install`] chains the panic hook set before it: Rust's stderr report, or
//! an error reporter's panic integration (Sentry's, for one). By default that
//! hook still runs for every panic, so a reporter sees each contained panic
//! as an ordinary, unhandled one, with its unredacted message. With
//! [`Installer::quiet_contained(true)`](Installer::quiet_contained) it runs
//! only for panics that are not contained, and the reporter gets nothing for
//! contained ones: report those from a [`PanicHandler`] as handled errors,
//! tagged with [`PanicEvent::handler`] ([the README shows
//! one](https://github.com/wireframe-monitor/wireframe-monitor/blob/main/README.md#error-reporters-sentry-and-the-like)).
//! Install the reporter first, then call [`install`].
//!
//! # Faults the guard cannot contain
//!
//! - A destructor that panics while a handler's panic unwinds aborts the
//!   process (Rust's rule for a panic during unwinding) before any guard
//!   runs. Keep `Drop` code of connection state panic-free.
//! - [`PanicFallback::from_panic`] runs after the guard recorded the panic;
//!   if it panics, that panic propagates to the caller of the handler.
//! - Everything else that can go wrong while recording (a panicking panic
//!   handler, subscriber or recorder, a payload whose `Drop` panics, a
//!   monitored handler called while recording) is swallowed and counted in
//!   [`recording_failures`].
//!
//! # `panic = "abort"`
//!
//! With `panic = "abort"` in the Cargo profile a panic ends the process
//! before any guard runs: nothing can be caught, counted or contained.
//! [`install`] logs a warning once in such a build.

#![cfg_attr(docsrs, feature(doc_cfg))]

// The stages of a call, top down; a module imports only from the stages
// below it (docs/architecture.md):
mod common;
mod counting;
mod doors;
mod install;
mod panic_path;
#[cfg(feature = "metrics")]
mod publish;
mod registry;

pub use common::failures::recording_failures;
pub use common::names;
pub use common::panic::{ConnectionPanic, PanicFallback, PayloadKind};
pub use common::peer::PeerAddr;
pub use common::policy::{MessagePolicy, PeerPolicy};
pub use doors::monitored_future::{Contain, ContainWith, MonitoredFuture, OnPanic, Resume};
pub use doors::monitored_handler::MonitoredHandler;
#[cfg(feature = "tokio")]
pub use doors::spawn::spawn;
#[cfg(feature = "tower")]
pub use doors::tower;
pub use install::{Installer, install};
pub use panic_path::event::PanicEvent;
pub use panic_path::panic_handler::{PanicHandler, clear_panic_handler, set_panic_handler};
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub use publish::flush;
pub use registry::labels::LabelError;
pub use registry::objective::{Objective, ObjectiveError};
pub use registry::snapshot::{HandlerStats, counter_shards, snapshot};

/// Runs a connection handler under a panic guard that counts, time-stamps,
/// logs and reports its panics, then contains or resumes them.
///
/// ```
/// use std::net::SocketAddr;
/// use wireframe_monitor::monitored_connection;
///
/// const REGION: &str = "eu-west";
///
/// #[monitored_connection]
/// async fn handle(stream: tokio::net::TcpStream) -> std::io::Result<()> {
///     let _ = stream;
///     Ok(())
/// }
///
/// #[monitored_connection(name = "login", labels(protocol = "v2", region = REGION), on_panic = "resume", peer = addr)]
/// fn login(addr: SocketAddr, frame: &[u8]) -> Result<usize, std::io::Error> {
///     Ok(frame.len())
/// }
///
/// assert_eq!(login("127.0.0.1:9".parse().unwrap(), b"hi").unwrap(), 2);
/// ```
///
/// Options (all optional):
///
/// | option | value | default |
/// |---|---|---|
/// | `name` | string literal, the `handler` label | the function's name |
/// | `labels(k = v, …)` | string literal or path to a `&'static str` const; at most 8 | none |
/// | `on_panic` | `"contain"` (return [`PanicFallback::from_panic`]) or `"resume"` (re-raise) | `"contain"` |
/// | `peer` | an argument implementing [`PeerAddr`], for logs and [`PanicEvent`] only | none |
/// | `objective` | string literal: the percentage of calls that must not panic, strictly between 0 and 100, such as `"99.95"` ([`Objective`]); published as `wireframe_handler_objective_ratio` (0.9995) | [`Installer::default_objective`], else none |
/// | `crate` | string literal: the path of this crate, renamed (`"wm"`) or re-exported (`"my_facade::monitor"`) | its name in `Cargo.toml` |
///
/// Works on `fn` and `async fn`, free functions and methods, generic,
/// `unsafe`, with pattern arguments, of any visibility; a non-async `fn`
/// returning `impl Future<Output = T>` has its returned future guarded.
///
/// An `async fn` is rewritten as the `fn … -> impl Future<Output = T>`
/// rustc lowers it to, returning the guarded future (arguments are moved
/// into it as in the `async fn`); the call is counted when the future is
/// created. With another attribute macro after this one (`#[tokio::test]`
/// below it) or `#[must_use]`, it stays an `async fn` around the guarded
/// future, counted from its first poll.
pub use wireframe_monitor_macros::monitored_connection;

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "fuchsia",
    target_os = "macos",
    target_os = "ios",
    target_os = "tvos",
    target_os = "windows",
    target_os = "illumos",
    target_os = "freebsd",
    target_os = "openbsd",
))]
/// Wraps the `static` of an annotated function's site (generated code
/// only): the linker puts it in `WIREFRAME_MONITOR_SITES_0_1` (`doors/linked.rs`).
#[doc(hidden)]
#[macro_export]
macro_rules! __wireframe_monitor_site {
    ($($site:tt)*) => {
        $crate::__private::SITES! {
            #![linkme_macro = $crate::__private::SITES]
            $($site)*
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::__wireframe_monitor_site as site;
    pub use crate::doors::attribute_future::{
        Eager, Guarded, box_pin, contain_async, contain_future, resume_async, resume_future,
    };
    pub use crate::doors::diagnose::{Checked, FnOutput, FromPanic, Never};
    pub use crate::doors::guard::{NoPeer, Peer, Unwinding, contain, peer_of, resume};
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "fuchsia",
        target_os = "macos",
        target_os = "ios",
        target_os = "tvos",
        target_os = "windows",
        target_os = "illumos",
        target_os = "freebsd",
        target_os = "openbsd",
    ))]
    pub use crate::doors::linked::WIREFRAME_MONITOR_SITES_0_1 as SITES;
    pub use crate::doors::monitored_future::{Contain, Resume};
    pub use crate::doors::site::{Site, SiteOf};
}
