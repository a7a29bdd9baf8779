//! The tasks a monitored call starts: [`MonitoredHandler::current`], the
//! handler whose code runs on this thread now (what every guard marks
//! around the code it runs, `counting::shard::run_begin`), and [`spawn`]
//! (feature `tokio`), `tokio::spawn` whose task's panics are recorded under
//! that handler, then delivered to the `JoinHandle` as tokio would.

#[cfg(feature = "tokio")]
use std::future::Future;
#[cfg(feature = "tokio")]
use std::pin::Pin;
#[cfg(feature = "tokio")]
use std::task::{Context, Poll};

use crate::counting::shard;
#[cfg(feature = "tokio")]
use crate::doors::guard::{Caught, caught_task, resumed_in};
use crate::doors::monitored_handler::MonitoredHandler;
use crate::doors::site::running_id;
use crate::registry;

impl MonitoredHandler {
    /// The handler of the innermost monitored call running on this thread
    /// or task: an annotated function's body or poll, a
    /// [`run`](Self::run) closure, a [`guard`](Self::guard)ed future's
    /// poll, a tower `MonitorLayer` call, a task started by
    /// [`spawn`](crate::spawn) from one of these; `None` outside them.
    /// The handler comes without the call's peer address.
    ///
    /// For code that leaves the call for another thread or executor, where
    /// [`spawn`](crate::spawn) does not reach: take the handler with you
    /// and guard the work there with [`run`](Self::run),
    /// [`run_resume`](Self::run_resume), [`guard`](Self::guard) or
    /// [`guard_resume`](Self::guard_resume). Each is a call of the handler
    /// (counted in `calls` and `active`), unlike a task of `spawn`.
    ///
    /// ```
    /// use wireframe_monitor::{MonitoredHandler, monitored_connection};
    ///
    /// #[monitored_connection(name = "upload", labels(protocol = "v2"), on_panic = "resume")]
    /// fn upload(chunks: Vec<Vec<u8>>) -> usize {
    ///     let me = MonitoredHandler::current().expect("inside a monitored call");
    ///     assert_eq!((me.name(), me.labels()), ("upload", &[("protocol", "v2")][..]));
    ///     // A worker thread of this call: its panic counts under `upload`.
    ///     let worker = std::thread::spawn(move || me.run_resume(|| chunks.concat().len()));
    ///     worker.join().unwrap()
    /// }
    ///
    /// assert!(MonitoredHandler::current().is_none());
    /// assert_eq!(upload(vec![vec![1], vec![2, 3]]), 3);
    /// assert!(MonitoredHandler::current().is_none());
    /// ```
    ///
    /// One thread-local load; the registry entry is found by id. `None`
    /// also for the rare annotated function registered after 2^24 handlers
    /// made at run time (a `MonitoredHandler` cannot name it; `spawn` still
    /// records its tasks' panics).
    #[must_use]
    pub fn current() -> Option<Self> {
        let id = running_id(shard::running())?;
        MonitoredHandler::of_entry(registry::by_id(id))
    }
}

/// Spawns `future` on the current tokio runtime, exactly like
/// [`tokio::spawn`], and returns its [`JoinHandle`](tokio::task::JoinHandle).
///
/// Started inside a monitored call (where [`MonitoredHandler::current`]
/// is `Some`), the task belongs to that call's handler:
/// - A panic in it is recorded once under the handler's name and labels
///   (`panics_total`, the last panic, the tracing event, the
///   [`PanicHandler`](crate::PanicHandler), the `snapshot()` row), then
///   goes on as tokio delivers it: awaiting the `JoinHandle` gives a
///   [`JoinError`](tokio::task::JoinError) whose
///   [`is_panic`](tokio::task::JoinError::is_panic) is true and whose
///   [`into_panic`](tokio::task::JoinError::into_panic) is the original
///   payload. It is recorded whether or not the handle is kept.
/// - A task is not a call: `calls` and `active` do not change, and the
///   call may return while its task runs on (`active` then goes down as
///   usual).
/// - Inside the task, `current()` is the handler and tasks it starts with
///   `spawn` belong to the handler too.
/// - A handler that re-raises the payload it joined
///   (`resume_unwind(err.into_panic())`) does not count it again.
///
/// Outside a monitored call it is `tokio::spawn`. The peer address of the
/// call is not carried into the task's tracing event.
///
/// ```
/// use wireframe_monitor::{monitored_connection, spawn};
///
/// #[monitored_connection(name = "session")]
/// async fn session() -> std::io::Result<()> {
///     // A keep-alive task: its panic counts under `session`.
///     let keep_alive = spawn(async { panic!("keep-alive broke") });
///     let err = keep_alive.await.unwrap_err();
///     assert!(err.is_panic());
///     assert_eq!(err.into_panic().downcast_ref::<&str>(), Some(&"keep-alive broke"));
///     Ok(())
/// }
///
/// # std::panic::set_hook(Box::new(|_| {}));
/// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(session()).unwrap();
/// let row = wireframe_monitor::snapshot().into_iter().find(|r| r.handler() == "session").unwrap();
/// assert_eq!((row.calls(), row.panics()), (1, 1)); // one call, one panic
/// ```
///
/// Each poll of such a task runs under `catch_unwind` and marks the
/// handler as running, like a poll of a monitored `async fn`; the task
/// carries 8 bytes more.
///
/// # Panics
///
/// Outside a tokio runtime, as [`tokio::spawn`].
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
#[track_caller]
pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match shard::running() {
        0 => tokio::spawn(future),
        running => tokio::spawn(Task {
            running,
            inner: future,
        }),
    }
}

#[cfg(feature = "tokio")]
pin_project_lite::pin_project! {
    /// A task of the handler that `running` marks (the word its call had
    /// set where `spawn` ran): each poll runs as the handler's code under
    /// `catch_unwind`; a panic is recorded under the handler (not a call:
    /// nothing counted on the way in or out), listed as recorded, and
    /// re-raised for the executor.
    struct Task<F> {
        running: u64,
        #[pin]
        inner: F,
    }
}

#[cfg(feature = "tokio")]
impl<F: Future> Future for Task<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let running = *this.running;
        match caught_task(running, || this.inner.poll(cx)) {
            Ok(poll) => poll,
            Err(caught) => task_panicked(running, caught),
        }
    }
}

/// A task's panic, recorded like a `resume` guard's: counted here only,
/// then listed so that a guard that catches it again (a handler re-raising
/// the joined payload) skips it, and re-raised for the executor.
#[cfg(feature = "tokio")]
#[cold]
#[inline(never)]
fn task_panicked(running: u64, caught: Caught) -> ! {
    match running_id(running) {
        Some(id) => resumed_in(registry::by_id(id), None, caught),
        // Not made by `spawn` (its word is never 0): re-raised untouched.
        None => caught.resume(),
    }
}
