//! [`PanicHandler`]: the user's hook, called once per recorded panic.

use std::sync::{Arc, PoisonError, RwLock};

use crate::panic_path::event::PanicEvent;

/// Called once for every panic a monitored handler records, after the
/// metrics and the tracing event, before the panic is contained or resumed.
///
/// Implemented for every `Fn(&PanicEvent<'_>) + Send + Sync + 'static`.
/// A handler that panics is caught and counted in
/// [`recording_failures`](crate::recording_failures); it never escapes.
/// A monitored handler called from inside the panic handler is recorded
/// normally, but the panic handler is not called again for it (no recursion).
///
/// ```
/// use wireframe_monitor::{set_panic_handler, PanicEvent, PanicHandler};
///
/// struct Pager;
///
/// impl PanicHandler for Pager {
///     fn on_connection_panic(&self, event: &PanicEvent<'_>) {
///         eprintln!("page: {} panicked at {:?}", event.handler(), event.location());
///     }
/// }
///
/// set_panic_handler(Pager);
/// # wireframe_monitor::clear_panic_handler();
/// ```
pub trait PanicHandler: Send + Sync + 'static {
    /// Reacts to one recorded panic.
    fn on_connection_panic(&self, event: &PanicEvent<'_>);
}

impl<F> PanicHandler for F
where
    F: Fn(&PanicEvent<'_>) + Send + Sync + 'static,
{
    fn on_connection_panic(&self, event: &PanicEvent<'_>) {
        self(event);
    }
}

static HANDLER: RwLock<Option<Arc<dyn PanicHandler>>> = RwLock::new(None);

/// Installs `handler`, replacing the previous one.
///
/// Safe to call while other threads panic: a running handler keeps its own
/// reference and no lock is held while it runs.
///
/// ```
/// wireframe_monitor::set_panic_handler(|event: &wireframe_monitor::PanicEvent<'_>| {
///     eprintln!("{} panicked", event.handler());
/// });
/// # wireframe_monitor::clear_panic_handler();
/// ```
pub fn set_panic_handler<H: PanicHandler>(handler: H) {
    let previous = HANDLER
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .replace(Arc::new(handler));
    // Dropped outside the lock: its `Drop` may do anything.
    drop(previous);
}

/// Removes the panic handler; panics are still counted and logged.
///
/// ```
/// wireframe_monitor::clear_panic_handler();
/// ```
pub fn clear_panic_handler() {
    let previous = HANDLER
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    drop(previous);
}

/// The current handler, cloned out of the lock.
pub(crate) fn current() -> Option<Arc<dyn PanicHandler>> {
    HANDLER
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}
