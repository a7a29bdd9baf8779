//! The guarded futures of `async fn` and of `fn … -> impl Future`: the
//! call is counted while the future lives, each poll runs under
//! `catch_unwind`, and a panic is contained or resumed like in a sync guard.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::common::panic::ConnectionPanic;
use crate::common::panic::PanicFallback;
use crate::doors::diagnose::Checked;
use crate::doors::guard::{Peer, caught, contained, fallback, resumed};
use crate::doors::monitored_future::{Contain, Resume};
use crate::doors::site::{Calls, SiteOf};

pin_project_lite::pin_project! {
    /// The future of a monitored `async fn`: the call is counted from its
    /// construction until it is dropped. The macro lowers the `async fn` to
    /// a `fn` returning this future, so it is built by the call itself
    /// (kept as an `async fn`, beside another attribute macro, by its first
    /// poll). It needs no state of its own: it is as large as `F`.
    pub struct Guarded<S, P, F, M>
    where
        S: SiteOf,
    {
        // First: dropped (the call ended) before the inner future is.
        site: Ends<S>,
        peer: P,
        mode: PhantomData<M>,
        #[pin]
        inner: F,
    }
}

/// The site of a [`Guarded`] future, which ends the call when dropped: a
/// plain `Drop`, inlined into the future's drop glue, where a `PinnedDrop`
/// would leave an out-of-line copy of it per handler beside that (70 bytes
/// each).
struct Ends<S: SiteOf>(S);

impl<S: SiteOf> Drop for Ends<S> {
    #[inline]
    fn drop(&mut self) {
        self.0.site().exit_here();
    }
}

/// Guards a future whose panic becomes `F::Output::from_panic`. The
/// returned future is opaque, so an output that is not [`Checked`]
/// reports that bound only, not also the guarded future's type.
#[inline]
pub fn contain_async<S, P, F>(site: S, peer: P, inner: F) -> impl Future<Output = F::Output>
where
    S: SiteOf,
    P: Peer,
    F: Future,
    F::Output: Checked,
{
    // Built first, then counted: nothing runs between building the future
    // and moving it into place, so it is built in place.
    let guarded = Guarded::<S, P, F, Contain>::started(site, peer, inner);
    guarded.site.0.site().enter();
    guarded
}

/// Guards a future whose panic is recorded and re-raised.
#[inline]
pub fn resume_async<S, P, F>(site: S, peer: P, inner: F) -> Guarded<S, P, F, Resume>
where
    S: SiteOf,
    P: Peer,
    F: Future,
{
    let guarded = Guarded::started(site, peer, inner);
    guarded.site.0.site().enter();
    guarded
}

impl<S, P, F, M> Guarded<S, P, F, M>
where
    S: SiteOf,
    P: Peer,
{
    /// For a call already counted by the caller.
    #[inline]
    fn started(site: S, peer: P, inner: F) -> Self {
        Self {
            site: Ends(site),
            peer,
            mode: PhantomData,
            inner,
        }
    }
}

impl<S, P, F> Future for Guarded<S, P, F, Contain>
where
    S: SiteOf,
    P: Peer,
    F: Future,
    F::Output: PanicFallback,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        match caught(true, this.site.0.site().running(), || this.inner.poll(cx)) {
            Ok(poll) => poll,
            Err(caught) => Poll::Ready(fallback(this.site.0.site(), *this.peer, caught)),
        }
    }
}

impl<S, P, F> Future for Guarded<S, P, F, Resume>
where
    S: SiteOf,
    P: Peer,
    F: Future,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        match caught(false, this.site.0.site().running(), || this.inner.poll(cx)) {
            Ok(poll) => poll,
            Err(caught) => resumed(this.site.0.site(), this.peer.get(), caught),
        }
    }
}

pin_project_lite::pin_project! {
    /// The future returned by a non-async `fn … -> impl Future`: the one the
    /// body built, or, when building it panicked, the contained panic.
    #[project = EagerProj]
    #[expect(missing_docs, reason = "pin-project-lite cannot carry doc comments on enum fields")]
    pub enum Eager<F> {
        /// The body returned a future.
        Running {
            #[pin]
            future: F,
        },
        /// The body panicked before returning one (`contain` only).
        Failed {
            panic: Option<ConnectionPanic>,
        },
    }
}

impl<F> Future for Eager<F>
where
    F: Future,
    F::Output: PanicFallback,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        match self.project() {
            EagerProj::Running { future } => future.poll(cx),
            EagerProj::Failed { panic } => match panic.take() {
                Some(panic) => Poll::Ready(F::Output::from_panic(panic)),
                None => Poll::Pending,
            },
        }
    }
}

/// A non-async `fn … -> impl Future`, `contain`: the synchronous part runs
/// now under the guard, the returned future is guarded when polled.
#[inline]
pub fn contain_future<S, P, F, B>(site: S, peer: P, body: B) -> Guarded<S, P, Eager<F>, Contain>
where
    S: SiteOf,
    P: Peer,
    F: Future,
    F::Output: PanicFallback,
    B: FnOnce() -> F,
{
    site.site().enter();
    let inner = match caught(true, site.site().running(), body) {
        Ok(future) => Eager::Running { future },
        Err(caught) => Eager::Failed {
            panic: Some(contained(site.site(), peer.get(), caught)),
        },
    };
    // The call ends when the returned future is dropped.
    Guarded::started(site, peer, inner)
}

/// A non-async `fn … -> impl Future`, `resume`: a panic while building the
/// future is recorded and re-raised at once; the future is guarded.
#[inline]
pub fn resume_future<S, P, F, B>(site: S, peer: P, body: B) -> Guarded<S, P, F, Resume>
where
    S: SiteOf,
    P: Peer,
    F: Future,
    B: FnOnce() -> F,
{
    let refs = site.site();
    let counted = refs.enter();
    match caught(false, refs.running(), body) {
        Ok(future) => Guarded::started(site, peer, future),
        Err(caught) => {
            refs.exit(counted);
            resumed(refs, peer.get(), caught)
        }
    }
}

/// Boxes a guarded future again for a `fn … -> Pin<Box<dyn Future>>`.
#[inline]
pub fn box_pin<F: Future>(future: F) -> Pin<Box<F>> {
    Box::pin(future)
}
