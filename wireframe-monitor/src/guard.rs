//! The code `#[monitored_connection]` expands to calls into: a `static`
//! [`Site`] per annotated function and the sync and async guards. Not public
//! API: reached as `::wireframe_monitor::__private::…` by generated code only.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::task::{Context, Poll};

use crate::registry::{self, Entry};
use crate::{ConnectionPanic, PanicFallback, PeerAddr, record, shard};

/// The per-function data of one annotated function, in a `static`.
pub struct Site {
    handler: &'static str,
    labels: &'static [(&'static str, &'static str)],
    /// Registry id + 1; 0 until the first call registered it.
    id: AtomicU32,
    entry: OnceLock<&'static Entry>,
}

impl Site {
    /// A site for handler `handler` with static `labels`.
    #[must_use]
    pub const fn new(
        handler: &'static str,
        labels: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self {
            handler,
            labels,
            id: AtomicU32::new(0),
            entry: OnceLock::new(),
        }
    }

    #[inline]
    fn id(&self) -> u32 {
        match self.id.load(Relaxed) {
            0 => self.register().id,
            id => id - 1,
        }
    }

    #[cold]
    #[inline(never)]
    fn register(&self) -> &'static Entry {
        let entry = *self
            .entry
            .get_or_init(|| registry::register(self.handler, self.labels));
        self.id.store(entry.id + 1, Relaxed);
        entry
    }

    fn entry(&self) -> &'static Entry {
        match self.entry.get() {
            Some(entry) => entry,
            None => self.register(),
        }
    }
}

/// Where the peer address of a call comes from: nothing ([`NoPeer`], zero
/// bytes) or an address read before the body ran.
pub trait Peer: Copy {
    /// The address, if any.
    fn get(self) -> Option<SocketAddr>;
}

/// No `peer = …` option: nothing is stored.
#[derive(Clone, Copy)]
pub struct NoPeer;

impl Peer for NoPeer {
    #[inline]
    fn get(self) -> Option<SocketAddr> {
        None
    }
}

impl Peer for Option<SocketAddr> {
    #[inline]
    fn get(self) -> Option<SocketAddr> {
        self
    }
}

/// Reads the peer address of a `peer = arg` argument.
#[inline]
pub fn peer_of<T: PeerAddr + ?Sized>(arg: &T) -> Option<SocketAddr> {
    arg.peer_addr()
}

#[cold]
#[inline(never)]
fn contained(
    site: &'static Site,
    peer: Option<SocketAddr>,
    payload: Box<dyn Any + Send>,
) -> ConnectionPanic {
    let panic = record::record(site.entry(), peer, &*payload);
    record::drop_payload(payload);
    panic
}

#[cold]
#[inline(never)]
fn resumed(site: &'static Site, peer: Option<SocketAddr>, payload: Box<dyn Any + Send>) -> ! {
    let _ = record::record(site.entry(), peer, &*payload);
    crate::once::mark_resumed(&*payload);
    resume_unwind(payload)
}

/// Runs a sync body; a panic is recorded and turned into `R::from_panic`.
#[inline]
pub fn contain<S, P, R, F>(site: S, peer: P, body: F) -> R
where
    S: FnOnce() -> &'static Site,
    P: Peer,
    R: PanicFallback,
    F: FnOnce() -> R,
{
    let site = site();
    let id = site.id();
    shard::enter(id, true);
    let result = catch_unwind(AssertUnwindSafe(body));
    shard::exit(id, true);
    match result {
        Ok(value) => value,
        Err(payload) => R::from_panic(contained(site, peer.get(), payload)),
    }
}

/// Runs a sync body; a panic is recorded and re-raised.
#[inline]
pub fn resume<S, P, R, F>(site: S, peer: P, body: F) -> R
where
    S: FnOnce() -> &'static Site,
    P: Peer,
    F: FnOnce() -> R,
{
    let site = site();
    let id = site.id();
    shard::enter(id, false);
    let result = catch_unwind(AssertUnwindSafe(body));
    shard::exit(id, false);
    match result {
        Ok(value) => value,
        Err(payload) => resumed(site, peer.get(), payload),
    }
}

/// A panic caught while polling: the site, the peer and the payload.
type Caught = (&'static Site, Option<SocketAddr>, Box<dyn Any + Send>);

/// `on_panic = "contain"` for [`Guarded`].
pub struct Contain;
/// `on_panic = "resume"` for [`Guarded`].
pub struct Resume;

pin_project_lite::pin_project! {
    /// The future of a monitored `async fn`: counts the call from its first
    /// poll until it completes, panics or is dropped.
    pub struct Guarded<S, P, F, M>
    where
        S: Fn() -> &'static Site,
    {
        site: S,
        peer: P,
        started: bool,
        mode: PhantomData<M>,
        #[pin]
        inner: F,
    }

    impl<S, P, F, M> PinnedDrop for Guarded<S, P, F, M>
    where
        S: Fn() -> &'static Site,
    {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if *this.started {
                // Cancelled: dropped before it completed.
                shard::exit((this.site)().id(), false);
            }
        }
    }
}

/// Guards a future whose panic becomes `F::Output::from_panic`.
#[inline]
pub fn contain_async<S, P, F>(site: S, peer: P, inner: F) -> Guarded<S, P, F, Contain>
where
    S: Fn() -> &'static Site,
    P: Peer,
    F: Future,
    F::Output: PanicFallback,
{
    Guarded {
        site,
        peer,
        started: false,
        mode: PhantomData,
        inner,
    }
}

/// Guards a future whose panic is recorded and re-raised.
#[inline]
pub fn resume_async<S, P, F>(site: S, peer: P, inner: F) -> Guarded<S, P, F, Resume>
where
    S: Fn() -> &'static Site,
    P: Peer,
    F: Future,
{
    Guarded {
        site,
        peer,
        started: false,
        mode: PhantomData,
        inner,
    }
}

impl<S, P, F, M> Guarded<S, P, F, M>
where
    S: Fn() -> &'static Site,
    P: Peer,
    F: Future,
{
    /// Polls the inner future under `catch_unwind`.
    #[inline]
    fn poll_guarded(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        contain: bool,
    ) -> Result<Poll<F::Output>, Caught> {
        let this = self.project();
        let site = (this.site)();
        let id = site.id();
        if *this.started {
            if contain {
                shard::contain_scope(true);
            }
        } else {
            *this.started = true;
            shard::enter(id, contain);
        }
        let inner = this.inner;
        let result = catch_unwind(AssertUnwindSafe(|| inner.poll(cx)));
        match result {
            Ok(Poll::Pending) => {
                if contain {
                    shard::contain_scope(false);
                }
                Ok(Poll::Pending)
            }
            Ok(ready) => {
                *this.started = false;
                shard::exit(id, contain);
                Ok(ready)
            }
            Err(payload) => {
                *this.started = false;
                shard::exit(id, contain);
                Err((site, this.peer.get(), payload))
            }
        }
    }
}

impl<S, P, F> Future for Guarded<S, P, F, Contain>
where
    S: Fn() -> &'static Site,
    P: Peer,
    F: Future,
    F::Output: PanicFallback,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        match self.poll_guarded(cx, true) {
            Ok(poll) => poll,
            Err((site, peer, payload)) => {
                Poll::Ready(F::Output::from_panic(contained(site, peer, payload)))
            }
        }
    }
}

impl<S, P, F> Future for Guarded<S, P, F, Resume>
where
    S: Fn() -> &'static Site,
    P: Peer,
    F: Future,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        match self.poll_guarded(cx, false) {
            Ok(poll) => poll,
            Err((site, peer, payload)) => resumed(site, peer, payload),
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
    S: Fn() -> &'static Site,
    P: Peer,
    F: Future,
    F::Output: PanicFallback,
    B: FnOnce() -> F,
{
    let id = site().id();
    shard::enter(id, true);
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(future) => {
            shard::contain_scope(false);
            Guarded {
                site,
                peer,
                started: true,
                mode: PhantomData,
                inner: Eager::Running { future },
            }
        }
        Err(payload) => {
            shard::contain_scope(false);
            let panic = contained(site(), peer.get(), payload);
            // The call ends when the future is polled or dropped.
            Guarded {
                site,
                peer,
                started: true,
                mode: PhantomData,
                inner: Eager::Failed { panic: Some(panic) },
            }
        }
    }
}

/// A non-async `fn … -> impl Future`, `resume`: a panic while building the
/// future is recorded and re-raised at once; the future is guarded.
#[inline]
pub fn resume_future<S, P, F, B>(site: S, peer: P, body: B) -> Guarded<S, P, F, Resume>
where
    S: Fn() -> &'static Site,
    P: Peer,
    F: Future,
    B: FnOnce() -> F,
{
    let id = site().id();
    shard::enter(id, false);
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(future) => Guarded {
            site,
            peer,
            started: true,
            mode: PhantomData,
            inner: future,
        },
        Err(payload) => {
            shard::exit(id, false);
            resumed(site(), peer.get(), payload)
        }
    }
}
