//! What the expansion names for its diagnostics and for shapes stable Rust
//! cannot spell: the `contain` guards under bounds that report a missing
//! fallback once, with both fixes ([`Checked`]; `FromPanic` sits beside
//! `PanicFallback`), and `!`
//! where only a function's return type may name it ([`Never`]). Not public
//! API.

use std::future::Future;

pub use crate::common::panic::FromPanic;
use crate::common::panic::PanicFallback;
use crate::doors::attribute_future::contain_async;
use crate::doors::guard::{Peer, contain};
use crate::doors::site::SiteRefs;

/// The output type of a function pointer type, so that `fn() -> !` names
/// `!` where stable Rust does not let a program write it.
pub trait FnOutput {
    /// The function's return type.
    type Output;
}

impl<T> FnOutput for fn() -> T {
    type Output = T;
}

/// `!`: the return type of an `async fn … -> !`, written where its future's
/// `Output` and its body's return type are named.
pub type Never = <fn() -> ! as FnOutput>::Output;

/// A `contain` handler's return type: `PanicFallback`, under a bound of
/// its own so that a missing fallback is one error naming both fixes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot stand in for a contained panic: it does not implement `PanicFallback`",
    label = "`on_panic = \"contain\"` (the default) needs a fallback value of this type",
    note = "write `#[monitored_connection(on_panic = \"resume\")]` to re-raise the panic after recording it",
    note = "or implement `wireframe_monitor::PanicFallback` for `{Self}`, or return `Result<_, E>` with `E: From<ConnectionPanic>`"
)]
pub trait Checked: PanicFallback {}

impl<R: PanicFallback> Checked for R {}

/// [`contain`] of a sync `contain` handler, whose return type is
/// [`Checked`].
#[inline]
pub fn contain_checked<S, P, R, F>(site: S, peer: P, body: F) -> R
where
    S: FnOnce() -> SiteRefs,
    P: Peer,
    R: Checked,
    F: FnOnce() -> R,
{
    contain(site, peer, body)
}

/// [`contain_async`] of an `async` `contain` handler, whose output is
/// [`Checked`]. The returned future is opaque, so an output that is not
/// reports this bound only, not also the guarded future's type.
#[inline]
pub fn contain_async_checked<S, P, F>(site: S, peer: P, inner: F) -> impl Future<Output = F::Output>
where
    S: Fn() -> SiteRefs,
    P: Peer,
    F: Future,
    F::Output: Checked,
{
    contain_async(site, peer, inner)
}
