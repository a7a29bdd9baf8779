//! Feature `enabled` off: the function exactly as written, plus zero-cost
//! uses of what only the options referred to (the `peer` argument, label
//! consts), so that turning the guard off raises no `unused` warnings, and
//! of the `crate = "…"` path, so that a wrong one fails in both modes.

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::quote;

use crate::args::{Args, LabelValue};
use crate::item::Function;

/// The unguarded function.
pub(crate) fn expand(args: &Args, function: &Function) -> TokenStream {
    let Function {
        outer_attrs,
        inner_attrs,
        vis,
        sig,
        block,
        ..
    } = function;
    let consts = args
        .labels
        .iter()
        .flat_map(|l| &l.entries)
        .filter_map(|label| match &label.value {
            LabelValue::Const(path) => Some(quote!(let _: &'static str = #path;)),
            LabelValue::Literal(_) => None,
        });
    let peer = args.peer.iter().map(|arg| quote!(let _ = &#arg;));
    let krate = args
        .krate
        .iter()
        .map(|path| quote!(let _ = #path::__private::NoPeer;));
    let stmts = &block.stmts;
    // The user's braces: the item's span stays the user's (`dead_code`).
    let mut body = Group::new(
        Delimiter::Brace,
        quote! {
            #(#inner_attrs)*
            #(#peer)*
            #(#consts)*
            #(#krate)*
            #(#stmts)*
        },
    );
    body.set_span(block.brace_token.span.join());
    quote! {
        #(#outer_attrs)*
        #vis #sig #body
    }
}
