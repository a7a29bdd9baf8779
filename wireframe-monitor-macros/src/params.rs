//! Moving the arguments into the body, as rustc does for an `async fn`.
//!
//! Every form runs the body inside a `move` closure or `async move` block.
//! Each argument is renamed in the signature to a hygienic name (same text,
//! [`Span::mixed_site`], so rustdoc shows it unchanged and the body cannot
//! see it) and bound again, first thing in the body, under the name or
//! pattern the user wrote: `let x = x;`, `let (a, b) = __wm_arg1;`. So
//! every argument is moved whole into the body even when unused (and lives
//! until the body ends, dropped in reverse order, as in the function
//! without the attribute), a `peer` argument is read before it is moved,
//! and the names the expansion uses cannot collide with the user's.

use proc_macro2::{Span, TokenStream};
use std::collections::HashSet;

use quote::quote;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, Pat, PatIdent, Signature, Token};

/// The rewritten arguments of a signature.
pub(crate) struct Params {
    /// The signature's inputs with hygienic names.
    pub(crate) inputs: Punctuated<FnArg, Token![,]>,
    /// The statements that bind the user's names, first in the body.
    pub(crate) bindings: TokenStream,
    /// The hygienic name of the `peer` argument in the signature.
    pub(crate) peer: Option<Ident>,
    /// Names of arguments, which the expansion's own locals must not take:
    /// they share one hygiene context with the renamed arguments.
    taken: HashSet<String>,
}

impl Params {
    /// A local of the expansion named `base` (plus `_`s when an argument
    /// has that name), invisible to the body.
    pub(crate) fn local(&self, base: &str, span: Span) -> Ident {
        hidden(&fresh(base, &self.taken), span)
    }
}

/// `base`, or `base_`, `base__`, … whichever is not `taken`.
fn fresh(base: &str, taken: &HashSet<String>) -> String {
    let mut name = base.to_owned();
    while taken.contains(&name) {
        name.push('_');
    }
    name
}

/// A name the body cannot see, located at `span` for diagnostics.
pub(crate) fn hidden(name: &str, span: Span) -> Ident {
    let span = Span::mixed_site().located_at(span);
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, span),
        None => Ident::new(name, span),
    }
}

/// Lint attributes: they move from the argument to its binding, where the
/// lints they name fire (an unused argument is reported on the binding).
fn is_lint(attr: &Attribute) -> bool {
    ["allow", "warn", "deny", "forbid", "expect"]
        .iter()
        .any(|name| attr.path().is_ident(name))
}

/// `cfg` and `cfg_attr`: kept on the argument and copied to its binding, so
/// both are there or neither.
fn is_cfg(attr: &Attribute) -> bool {
    attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr")
}

/// Whether a pattern borrows mutably from the value it destructures
/// (`ref mut b`): that value must then be bound `mut`.
fn binds_ref_mut(pat: &Pat) -> bool {
    match pat {
        Pat::Ident(ident) => {
            (ident.by_ref.is_some() && ident.mutability.is_some())
                || ident
                    .subpat
                    .as_ref()
                    .is_some_and(|(_, sub)| binds_ref_mut(sub))
        }
        Pat::Or(or) => or.cases.iter().any(binds_ref_mut),
        Pat::Paren(paren) => binds_ref_mut(&paren.pat),
        Pat::Reference(reference) => binds_ref_mut(&reference.pat),
        Pat::Slice(slice) => slice.elems.iter().any(binds_ref_mut),
        Pat::Struct(st) => st.fields.iter().any(|field| binds_ref_mut(&field.pat)),
        Pat::Tuple(tuple) => tuple.elems.iter().any(binds_ref_mut),
        Pat::TupleStruct(tuple) => tuple.elems.iter().any(binds_ref_mut),
        Pat::Type(typed) => binds_ref_mut(&typed.pat),
        _ => false,
    }
}

/// Rewrites the inputs of `sig`; `peer` names the argument of the `peer`
/// option.
pub(crate) fn rewrite(sig: &Signature, peer: Option<&Ident>) -> Params {
    let mut inputs = sig.inputs.clone();
    let mut bindings = TokenStream::new();
    let mut peer_ident = None;
    let mut taken: HashSet<String> = sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(pat) => Some(pat.ident.to_string()),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect();
    for (index, input) in inputs.iter_mut().enumerate() {
        match input {
            // `self`, `&self`, `mut self`, `self: Box<Self>`: mentioned so
            // the `move` body takes it whole, as an `async fn` does.
            FnArg::Receiver(receiver) => {
                let cfgs = receiver.attrs.iter().filter(|a| is_cfg(a));
                let self_token = &receiver.self_token;
                bindings.extend(quote!(#(#cfgs)* let _ = &#self_token;));
            }
            FnArg::Typed(typed) => {
                let (lints, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut typed.attrs)
                    .into_iter()
                    .partition(is_lint);
                let cfgs: Vec<_> = kept.iter().filter(|a| is_cfg(a)).cloned().collect();
                typed.attrs = kept;
                let attrs = quote!(#(#cfgs)* #(#lints)*);
                match &mut *typed.pat {
                    Pat::Ident(PatIdent {
                        by_ref: None,
                        mutability,
                        ident,
                        subpat: None,
                        ..
                    }) => {
                        // `mut x: T` becomes `x: T` and `let mut x = x;`.
                        let mutability = mutability.take();
                        let user = ident.clone();
                        let renamed = hidden(&user.to_string(), user.span());
                        *ident = renamed.clone();
                        // The attribute reads the `peer` argument: the body
                        // need not.
                        let allow = if peer.is_some_and(|peer| *peer == user) {
                            peer_ident = Some(renamed.clone());
                            quote!(#[allow(unused_variables)])
                        } else {
                            quote!()
                        };
                        // `let _x = _x;` is a binding "with no side-effect"
                        // to clippy; a one-element tuple moves the same.
                        let binding = if user.to_string().starts_with('_') {
                            quote!(let (#mutability #user,) = (#renamed,);)
                        } else {
                            quote!(let #mutability #user = #renamed;)
                        };
                        bindings.extend(quote!(#attrs #allow #binding));
                    }
                    pat => {
                        let name = fresh(&format!("__wm_arg{index}"), &taken);
                        taken.insert(name.clone());
                        let arg = hidden(&name, pat.span());
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
                        if let Pat::Ident(PatIdent { ident, .. }) = &original
                            && peer.is_some_and(|peer| peer == ident)
                        {
                            peer_ident = Some(arg.clone());
                        }
                        let mutability = binds_ref_mut(&original).then(|| quote!(mut));
                        let moved = Ident::new(&name, arg.span());
                        if matches!(original, Pat::Wild(_)) {
                            bindings.extend(quote!(#attrs let #moved = #arg;));
                        } else {
                            bindings.extend(quote!(#(#cfgs)* let #mutability #moved = #arg;));
                            bindings.extend(quote!(#attrs let #original = #moved;));
                        }
                    }
                }
            }
        }
    }
    Params {
        inputs,
        bindings,
        peer: peer_ident,
        taken,
    }
}
