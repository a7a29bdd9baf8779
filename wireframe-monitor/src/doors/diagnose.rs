//! What the expansion names for its diagnostics and for shapes stable Rust
//! cannot spell: the bound of the `contain` guards that reports a missing
//! fallback once, with both fixes ([`Checked`]; `FromPanic` sits beside
//! `PanicFallback`), and `!` where only a function's return type may name
//! it ([`Never`]). Not public API.

pub use crate::common::panic::FromPanic;
use crate::common::panic::PanicFallback;

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
