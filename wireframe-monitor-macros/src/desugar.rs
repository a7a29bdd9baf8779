//! Rewriting an `async fn` as the `fn` rustc would lower it to, returning
//! its guarded future directly, so the guard adds no second state machine.
//!
//! `async fn f(args) -> T { body }` becomes `fn f(args) -> impl Future<Output
//! = T> { guard(async move { let args = args; body }) }`: every argument is
//! moved into the future and bound there, in order, as rustc's lowering does
//! (see `params.rs`: an unused `_permit: OwnedSemaphorePermit` still lives
//! until the body ends, and pattern arguments are destructured inside the
//! body). The `impl` token comes from this macro, whose edition (2024)
//! captures every lifetime in scope, as an `async fn` does, whatever the
//! user's edition.
//!
//! Only done when nothing else will read the function as an `async fn`:
//! every other attribute on it and on its arguments must be inert (`doc`,
//! lints, `inline`, `cfg`, …). Another attribute macro below ours
//! (`#[tokio::main]`, `#[tracing::instrument]`) or `#[must_use]` (which
//! means something else on an `async fn`) keeps the `async fn`, guarded by
//! an inner future.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::{Attribute, FnArg, ReturnType, Signature, Token, Type};

use crate::item::Function;

/// Attributes that mean the same on `async fn` and on the `fn` it lowers to,
/// and that no macro expands later.
const INERT: &[&str] = &[
    "allow",
    "cfg",
    "cold",
    "deny",
    "deprecated",
    "doc",
    "expect",
    "forbid",
    "inline",
    "warn",
];

/// Whether `function` (an `async fn`) can be rewritten as a plain `fn`.
pub(crate) fn applies(function: &Function) -> bool {
    function.outer_attrs.iter().all(is_inert)
        && function.sig.inputs.iter().all(|input| match input {
            FnArg::Receiver(receiver) => receiver.attrs.iter().all(is_inert),
            FnArg::Typed(typed) => typed.attrs.iter().all(is_inert),
        })
}

fn is_inert(attr: &Attribute) -> bool {
    let path = attr.path();
    path.segments.len() == 1
        && path.leading_colon.is_none()
        && INERT.iter().any(|name| path.is_ident(name))
}

/// Lowers the signature of an `async fn` whose arguments were rewritten
/// already (see `params.rs`): no `async`, and `-> impl Future<Output =
/// output>`. The new return type's tokens are spanned `at`: a call-site
/// span (this crate's edition, 2024, so the future captures every lifetime
/// in scope like an `async fn`'s) located where an unmet `PanicFallback`
/// bound is reported.
pub(crate) fn lower(sig: &mut Signature, output: &TokenStream, at: Span) {
    sig.asyncness = None;
    sig.output = ReturnType::Type(
        Token![->](at),
        Box::new(Type::Verbatim(quote_spanned!(at=>
            impl ::core::future::Future<Output = #output>
        ))),
    );
}
