//! The code `#[monitored_connection]` expands to calls into: a `static`
//! [`Site`] per annotated function and the sync guards (the async ones are
//! in `future.rs`). Not public
//! API: reached as `::wireframe_monitor::__private::…` by generated code only.

use std::any::Any;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread::LocalKey;

use crate::registry::{self, Entry};
use crate::shard::SlotCache;
use crate::{ConnectionPanic, PanicFallback, PeerAddr, record, shard};

/// What the nested `fn __wm_site` of an annotated function returns: its
/// `static` site and its per-thread slot cache. The function item itself is
/// zero-sized, so guards store nothing to reach these.
#[derive(Clone, Copy)]
pub struct SiteRefs {
    pub(crate) site: &'static Site,
    pub(crate) cache: &'static LocalKey<SlotCache>,
}

impl SiteRefs {
    /// Bundles a site and its slot cache.
    #[inline]
    #[must_use]
    pub const fn new(site: &'static Site, cache: &'static LocalKey<SlotCache>) -> Self {
        Self { site, cache }
    }
}

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
    pub(crate) fn id(&self) -> u32 {
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
pub(crate) fn contained(
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
pub(crate) fn resumed(
    site: &'static Site,
    peer: Option<SocketAddr>,
    payload: Box<dyn Any + Send>,
) -> ! {
    let _ = record::record(site.entry(), peer, &*payload);
    crate::once::mark_resumed(&*payload);
    resume_unwind(payload)
}

/// Runs `f` under `catch_unwind`; for a `contain` guard, marks its code as
/// running (only while `quiet_contained` is on) so the panic hook can stay
/// quiet for panics it will contain. The one place every guard (sync, poll,
/// building a future) catches panics.
#[inline]
pub(crate) fn caught<R>(contain: bool, f: impl FnOnce() -> R) -> Result<R, Box<dyn Any + Send>> {
    if contain {
        let depth = shard::contain_begin();
        let result = catch_unwind(AssertUnwindSafe(f));
        shard::contain_end(depth);
        result
    } else {
        catch_unwind(AssertUnwindSafe(f))
    }
}

/// Runs a sync body; a panic is recorded and turned into `R::from_panic`.
#[inline]
pub fn contain<S, P, R, F>(site: S, peer: P, body: F) -> R
where
    S: FnOnce() -> SiteRefs,
    P: Peer,
    R: PanicFallback,
    F: FnOnce() -> R,
{
    let site = site();
    let counted = shard::enter(site);
    let result = caught(true, body);
    shard::exit(site, counted);
    match result {
        Ok(value) => value,
        Err(payload) => R::from_panic(contained(site.site, peer.get(), payload)),
    }
}

/// Runs a sync body; a panic is recorded and re-raised.
#[inline]
pub fn resume<S, P, R, F>(site: S, peer: P, body: F) -> R
where
    S: FnOnce() -> SiteRefs,
    P: Peer,
    F: FnOnce() -> R,
{
    let site = site();
    let counted = shard::enter(site);
    let result = caught(false, body);
    shard::exit(site, counted);
    match result {
        Ok(value) => value,
        Err(payload) => resumed(site.site, peer.get(), payload),
    }
}
