//! Rewriting an `async fn` as the `fn` rustc would lower it to, returning
//! its guarded future directly, so the guard adds no second state machine.
//!
//! `async fn f(args) -> T { body }` becomes `fn f(args) -> impl Future<Output
//! = T> { guard(async move { let args = args; body }) }`: every argument is
//! moved into the future and bound there, in order, as rustc's lowering does
//! (so an unused `_permit: OwnedSemaphorePermit` still lives until the body
//! ends, and pattern arguments are destructured inside the body). The `impl`
//! token comes from this macro, whose edition (2024) captures every
//! lifetime in scope, as an `async fn` does, whatever the user's edition.
//!
//! Only done when nothing else will read the function as an `async fn`:
//! every other attribute on it must be inert (`doc`, lints, `inline`, `cfg`,
//! …). Another attribute macro below ours (`#[tokio::main]`,
//! `#[tracing::instrument]`), `#[must_use]` (which means something else on
//! an `async fn`) or an attribute on an argument keeps the `async fn`, guarded
//! by an inner future.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Pat, PatIdent, ReturnType, Signature, Token, Type};

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
            FnArg::Receiver(receiver) => receiver.attrs.is_empty(),
            FnArg::Typed(typed) => typed.attrs.is_empty(),
        })
}

fn is_inert(attr: &Attribute) -> bool {
    let path = attr.path();
    path.segments.len() == 1
        && path.leading_colon.is_none()
        && INERT.iter().any(|name| path.is_ident(name))
}

/// The signature of the lowered `fn` and the statements that move its
/// arguments into the future, first thing in the `async move` block.
pub(crate) struct Lowered {
    pub(crate) sig: Signature,
    pub(crate) bindings: TokenStream,
}

/// Lowers the signature of an `async fn`. The new return type's tokens are
/// spanned `at`: a call-site span (this crate's edition, 2024, so the
/// future captures every lifetime in scope like an `async fn`'s) located
/// where an unmet `PanicFallback` bound is reported. `peer` names the
/// argument of the `peer` option.
pub(crate) fn lower(function: &Function, peer: Option<&Ident>, at: Span) -> Lowered {
    let mut sig = function.sig.clone();
    sig.asyncness = None;
    let mut bindings = TokenStream::new();
    for (index, input) in sig.inputs.iter_mut().enumerate() {
        match input {
            // `self`, `&self`, `mut self`, `self: Box<Self>`: mentioned so
            // the `move` block takes it whole, as an `async fn` does.
            FnArg::Receiver(receiver) => {
                let token = &receiver.self_token;
                bindings.extend(quote!(let _ = &#token;));
            }
            FnArg::Typed(typed) => match &mut *typed.pat {
                Pat::Ident(PatIdent {
                    by_ref: None,
                    mutability,
                    ident,
                    subpat: None,
                    ..
                }) => {
                    // `mut x: T` binds `x` in the signature and `mut x` in
                    // the future, where the body mutates it.
                    // `_permit`: naming it to move it is the point; the
                    // `peer` argument is used already, by the guard.
                    let mutability = mutability.take();
                    let allow = if peer.is_some_and(|peer| peer == ident) {
                        quote!(#[allow(unused_variables)])
                    } else if ident.to_string().starts_with('_') {
                        quote!(#[allow(clippy::used_underscore_binding)])
                    } else {
                        quote!()
                    };
                    bindings.extend(quote!(#allow let #mutability #ident = #ident;));
                }
                pat => {
                    let arg = format_ident!("__wm_arg{}", index, span = pat.span());
                    let original = std::mem::replace(
                        pat,
                        Pat::Ident(PatIdent {
                            attrs: Vec::new(),
                            by_ref: None,
                            mutability: None,
                            ident: arg.clone(),
                            subpat: None,
                        }),
                    );
                    bindings.extend(quote!(let #arg = #arg;));
                    if !matches!(original, Pat::Wild(_)) {
                        bindings.extend(quote!(let #original = #arg;));
                    }
                }
            },
        }
    }
    let output = match function.return_type() {
        None => quote!(()),
        Some(ty) => quote!(#ty),
    };
    sig.output = ReturnType::Type(
        Token![->](at),
        Box::new(Type::Verbatim(quote_spanned!(at=>
            impl ::core::future::Future<Output = #output>
        ))),
    );
    Lowered { sig, bindings }
}
