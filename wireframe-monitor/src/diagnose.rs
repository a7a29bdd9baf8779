//! Items the expansion names that are not guards: the type `!` spelled so
//! that stable Rust accepts it anywhere ([`Never`]). Not public API.

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
