//! The sync guards `#[monitored_connection]` expands to (the async ones are
//! in `attribute_future.rs`), the peer address a call carries, and
//! [`caught`], where every guard runs its code under `catch_unwind`. Not
//! public API: reached as `::wireframe_monitor::__private::…` by generated
//! code only.
//!
//! Each guard is one generic function (the body's type is the handler's
//! own): it counts the call, runs the body under `catch_unwind`, and hands
//! a caught payload to one non-generic `#[cold]` function.

use std::any::Any;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::common::failures::drop_payload;
use crate::common::panic::{ConnectionPanic, PanicFallback};
use crate::common::peer::PeerAddr;
use crate::counting::shard;
use crate::doors::diagnose::Checked;
use crate::doors::site::{Calls, Counted, Site};
use crate::panic_path::fresh;
use crate::panic_path::once;
use crate::panic_path::report;
use crate::registry::Entry;

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

/// A payload a guard caught. `pub` only to appear in the sealed
/// trait of [`OnPanic`](crate::OnPanic); not reachable from outside.
pub struct Caught {
    payload: Box<dyn Any + Send>,
}

impl Caught {
    /// Re-raises the payload as it is, unrecorded.
    #[cfg(feature = "tokio")]
    pub(crate) fn resume(self) -> ! {
        resume_unwind(self.payload)
    }
}

/// Records a panic a `contain` guard of `site` caught.
#[cold]
#[inline(never)]
pub(crate) fn contained(
    site: &'static Site,
    peer: Option<SocketAddr>,
    caught: Caught,
) -> ConnectionPanic {
    contained_in(site.entry(), peer, caught)
}

/// Records a panic a `contain` guard of `site` caught and makes its
/// fallback: the whole panic path of a guard in one out-of-line call,
/// generic over the return type and the peer source only (handlers
/// returning the same type share it).
#[cold]
#[inline(never)]
pub(crate) fn fallback<R: PanicFallback, P: Peer>(
    site: &'static Site,
    peer: P,
    caught: Caught,
) -> R {
    R::from_panic(contained(site, peer.get(), caught))
}

#[cold]
#[inline(never)]
pub(crate) fn resumed(site: &'static Site, peer: Option<SocketAddr>, caught: Caught) -> ! {
    resumed_in(site.entry(), peer, caught)
}

/// Records a panic a `contain` guard of `entry` caught; what the guard's
/// fallback is made from.
#[cold]
#[inline(never)]
pub(crate) fn contained_in(
    entry: &'static Entry,
    peer: Option<SocketAddr>,
    caught: Caught,
) -> ConnectionPanic {
    let panic = report::record(entry, peer, &*caught.payload);
    drop_payload(caught.payload);
    panic
}

/// Records a panic a `resume` guard of `entry` caught, and re-raises it.
#[cold]
#[inline(never)]
pub(crate) fn resumed_in(entry: &'static Entry, peer: Option<SocketAddr>, caught: Caught) -> ! {
    let panic = report::record(entry, peer, &*caught.payload);
    once::reraised(&*caught.payload, panic.location().map(str::to_owned));
    drop(panic);
    resume_unwind(caught.payload)
}

/// Runs `f` under `catch_unwind`, as code of the handler `running`
/// ([`Calls::running`]; what `MonitoredHandler::current()` and `spawn`
/// read meanwhile), marked as contained for the panic hook (which can
/// keep quiet for panics a guard will contain) when this guard or one
/// around it contains. The one place every guard (sync, poll, building a
/// future) catches panics.
#[inline]
pub(crate) fn caught<R>(contain: bool, running: u64, f: impl FnOnce() -> R) -> Result<R, Caught> {
    let outer = shard::run_begin(running, contain, true);
    let result = catch_unwind(AssertUnwindSafe(f));
    shard::run_end(outer);
    match result {
        Ok(value) => Ok(value),
        Err(payload) => Err(Caught { payload }),
    }
}

/// [`caught`] for a poll of a task of the handler `running` (`spawn`): a
/// panic there goes to the task's `JoinHandle`, whichever guard polls the
/// task, so it is never marked as contained.
#[cfg(feature = "tokio")]
#[inline]
pub(crate) fn caught_task<R>(running: u64, f: impl FnOnce() -> R) -> Result<R, Caught> {
    let outer = shard::run_begin(running, false, false);
    let result = catch_unwind(AssertUnwindSafe(f));
    shard::run_end(outer);
    match result {
        Ok(value) => Ok(value),
        Err(payload) => Err(Caught { payload }),
    }
}

/// The guard of a sync `#[track_caller]` handler (`on_panic = "resume"`):
/// its body runs inline, not in a closure, so `Location::caller()` keeps
/// its meaning; the call is counted from [`Unwinding::enter`] to the
/// guard's drop, and a panic of the body is recorded as it unwinds through
/// the guard (from what the panic hook captured), then goes on.
pub struct Unwinding<P: Peer> {
    site: &'static Site,
    counted: Counted,
    peer: P,
    /// This thread's latest fresh panic when the call started.
    after: u64,
    panicking: bool,
    /// The handler whose code ran on this thread before the body.
    outer: u64,
}

impl<P: Peer> Unwinding<P> {
    /// A call starts.
    #[inline]
    pub fn enter(site: &'static Site, peer: P) -> Self {
        let counted = site.enter();
        Self {
            counted,
            outer: shard::run_begin(site.running(), false, true),
            site,
            peer,
            after: fresh::last_seq(),
            panicking: std::thread::panicking(),
        }
    }
}

impl<P: Peer> Drop for Unwinding<P> {
    #[inline]
    fn drop(&mut self) {
        shard::run_end(self.outer);
        self.site.exit(self.counted);
        if !self.panicking && std::thread::panicking() {
            report::record_unwinding(self.site.entry(), self.peer.get(), self.after);
        }
    }
}

/// Runs a sync body; a panic is recorded and turned into `R::from_panic`
/// (`R` is [`Checked`], so a missing fallback is one error naming both
/// fixes).
#[inline]
pub fn contain<P, R, F>(site: &'static Site, peer: P, body: F) -> R
where
    P: Peer,
    R: Checked,
    F: FnOnce() -> R,
{
    let counted = site.enter();
    let result = caught(true, site.running(), body);
    site.exit(counted);
    match result {
        Ok(value) => value,
        Err(caught) => fallback(site, peer, caught),
    }
}

/// Runs a sync body; a panic is recorded and re-raised.
#[inline]
pub fn resume<P, R, F>(site: &'static Site, peer: P, body: F) -> R
where
    P: Peer,
    F: FnOnce() -> R,
{
    let counted = site.enter();
    let result = caught(false, site.running(), body);
    site.exit(counted);
    match result {
        Ok(value) => value,
        Err(caught) => resumed(site, peer.get(), caught),
    }
}
