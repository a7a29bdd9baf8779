//! The doors: every way a call enters a guard.
//!
//! - The attribute's expansion: [`guard`] (sync bodies, shared catch,
//!   contain and resume steps), [`attribute_future`] (async bodies and
//!   `fn … -> impl Future`), [`site`] (the per-function `static`),
//!   [`linked`] (the sites collected at link time, for `install()`),
//!   [`diagnose`] (what the expansion names for its diagnostics).
//! - The run-time API: [`monitored_handler`] (`MonitoredHandler`) and
//!   [`monitored_future`] (its future and the `OnPanic` modes).
//! - [`tower`]'s `MonitorLayer` (feature `tower`).
//! - The tasks of a call: [`spawn`] (`MonitoredHandler::current()`, and
//!   `spawn` with feature `tokio`), reading which handler's code every
//!   guard marks as running.
//!
//! What flows through: a call, counted on the way in and out through the
//! counting layer; on a panic, the caught payload handed to the panic path.
//! What it must never do: lock, allocate or hash when the body does not
//! panic; every panic-time step is a `#[cold]` call into the panic path.

pub(crate) mod attribute_future;
pub(crate) mod diagnose;
pub(crate) mod guard;
pub(crate) mod linked;
pub(crate) mod monitored_future;
pub(crate) mod monitored_handler;
pub(crate) mod site;
pub(crate) mod spawn;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;
