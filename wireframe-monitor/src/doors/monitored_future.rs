//! [`MonitoredFuture`], the future [`MonitoredHandler::guard`] returns, and
//! what a panic becomes: [`Contain`], [`ContainWith`] a fallback, or
//! [`Resume`].
//!
//! [`MonitoredHandler::guard`]: crate::MonitoredHandler::guard

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::common::panic::ConnectionPanic;
use crate::common::panic::PanicFallback;
use crate::doors::guard::{Caught, NoPeer, Peer, caught, contained_in, resumed_in};
use crate::doors::site::{Calls, EntryRefs};
use crate::registry::Entry;

/// What a panic in a guarded future becomes: [`Contain`] (for outputs
/// with [`PanicFallback`]), [`ContainWith`] a closure, or [`Resume`].
/// Sealed: the modes are these three (and the tower layer's).
///
/// ```
/// use wireframe_monitor::{Contain, ContainWith, OnPanic, Resume};
///
/// fn takes<M: OnPanic<Option<u8>>>(_: M) {}
/// takes(Contain); // `Option<u8>: PanicFallback`
/// takes(ContainWith(|_| Some(0)));
/// takes(Resume);
/// ```
pub trait OnPanic<T>: sealed::Mode<T> {}

impl<T, M: sealed::Mode<T>> OnPanic<T> for M {}

pub(crate) mod sealed {
    use std::net::SocketAddr;

    use crate::doors::guard::Caught;
    use crate::registry::Entry;

    /// The mode's work after a panic was caught under `handler`.
    pub trait Mode<T> {
        /// Whether the panic is contained (marks the guarded code as such).
        const CONTAIN: bool;
        /// Records the panic and makes the output (or re-raises it).
        fn on_panic(
            &mut self,
            entry: &'static Entry,
            peer: Option<SocketAddr>,
            caught: Caught,
        ) -> T;
    }
}

/// Contain a panic as [`PanicFallback::from_panic`] (the attribute's default):
/// the mode of [`MonitoredHandler::guard`](crate::MonitoredHandler::guard).
///
/// ```
/// let handler = wireframe_monitor::MonitoredHandler::named("contain_doc")?;
/// let _: wireframe_monitor::MonitoredFuture<_, wireframe_monitor::Contain> =
///     handler.guard(async { Some(1) });
/// # Ok::<(), wireframe_monitor::LabelError>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Contain;

impl<T: PanicFallback> sealed::Mode<T> for Contain {
    const CONTAIN: bool = true;

    #[inline]
    fn on_panic(&mut self, entry: &'static Entry, peer: Option<SocketAddr>, caught: Caught) -> T {
        T::from_panic(contained_in(entry, peer, caught))
    }
}

/// Contain a panic as the value the closure makes of it: the mode of
/// [`MonitoredHandler::guard_or`](crate::MonitoredHandler::guard_or).
///
/// ```
/// let handler = wireframe_monitor::MonitoredHandler::named("contain_with_doc")?;
/// let _: wireframe_monitor::MonitoredFuture<_, wireframe_monitor::ContainWith<_>> =
///     handler.guard_or(|_| 0u8, async { 1u8 });
/// # Ok::<(), wireframe_monitor::LabelError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ContainWith<G>(pub G);

impl<T, G: FnMut(ConnectionPanic) -> T> sealed::Mode<T> for ContainWith<G> {
    const CONTAIN: bool = true;

    #[inline]
    fn on_panic(&mut self, entry: &'static Entry, peer: Option<SocketAddr>, caught: Caught) -> T {
        (self.0)(contained_in(entry, peer, caught))
    }
}

/// Record a panic, then re-raise it (`on_panic = "resume"`): the mode of
/// [`MonitoredHandler::guard_resume`](crate::MonitoredHandler::guard_resume).
///
/// ```
/// let handler = wireframe_monitor::MonitoredHandler::named("resume_mode_doc")?;
/// let _: wireframe_monitor::MonitoredFuture<_, wireframe_monitor::Resume> =
///     handler.guard_resume(async { 1 });
/// # Ok::<(), wireframe_monitor::LabelError>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Resume;

impl<T> sealed::Mode<T> for Resume {
    const CONTAIN: bool = false;

    #[inline]
    fn on_panic(&mut self, entry: &'static Entry, peer: Option<SocketAddr>, caught: Caught) -> T {
        resumed_in(entry, peer, caught)
    }
}

pin_project_lite::pin_project! {
    /// A future guarded by a [`MonitoredHandler`](crate::MonitoredHandler): counted as one call from
    /// its creation until it is dropped (so `active` is right after a
    /// completion, a panic or a cancellation alike), each poll under the
    /// guard; `M` says what a panic becomes ([`Contain`], [`ContainWith`],
    /// [`Resume`]).
    ///
    /// ```
    /// use wireframe_monitor::MonitoredHandler;
    ///
    /// # std::panic::set_hook(Box::new(|_| {}));
    /// let handler = MonitoredHandler::named("future_doc")?;
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let reply: Option<u8> = rt.block_on(handler.guard(async { panic!("boom") }));
    /// assert_eq!(reply, None);
    /// let reply = rt.block_on(handler.guard_or(|panic| panic.handler().len(), async { panic!() }));
    /// assert_eq!(reply, "future_doc".len());
    /// # Ok::<(), wireframe_monitor::LabelError>(())
    /// ```
    pub struct MonitoredFuture<F, M, P = NoPeer> {
        refs: EntryRefs,
        peer: P,
        mode: M,
        #[pin]
        inner: F,
    }

    impl<F, M, P> PinnedDrop for MonitoredFuture<F, M, P> {
        fn drop(this: Pin<&mut Self>) {
            this.project().refs.exit_here();
        }
    }
}

impl<F, M, P> MonitoredFuture<F, M, P> {
    /// A call starts now.
    #[inline]
    pub(crate) fn start(refs: EntryRefs, peer: P, mode: M, inner: F) -> Self {
        refs.enter();
        Self::started(refs, peer, mode, inner)
    }

    /// For a call already counted by the caller.
    #[inline]
    pub(crate) fn started(refs: EntryRefs, peer: P, mode: M, inner: F) -> Self {
        Self {
            refs,
            peer,
            mode,
            inner,
        }
    }
}

impl<F, M, P> Future for MonitoredFuture<F, M, P>
where
    F: Future,
    M: OnPanic<F::Output>,
    P: Peer,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        match caught(M::CONTAIN, this.refs.running(), || this.inner.poll(cx)) {
            Ok(poll) => poll,
            Err(caught) => Poll::Ready(this.mode.on_panic(
                this.refs.entry(),
                this.peer.get(),
                caught,
            )),
        }
    }
}
