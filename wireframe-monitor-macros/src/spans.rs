//! Where the guard call is spanned, so that an unmet `PanicFallback`
//! bound is reported on the handler's return type.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::Type;
use syn::spanned::Spanned;

use crate::item::{Function, Kind, ungroup};

/// Where an unmet `PanicFallback` bound is reported.
///
/// rustc reports the bound of a sync guard on the call, of an async guard
/// on its argument and again on `.await` (a `Guarded` is a `Future` only
/// with a fallback), and for `-> impl Future` again on the return type. A
/// repeated error at the same span is dropped, so: a sync or `impl Future`
/// call spans the whole return type (with the user's spans for `impl
/// Future`, to match the return type's own error); an async argument and
/// `.await` share one token of it (the type's name, `Vec` in
/// `std::vec::Vec<u8>`), since `.await` cannot span more. Call-site
/// resolution keeps the tokens hygienic and seen by lints as generated.
pub(crate) struct FallbackSpans {
    pub(crate) first: Span,
    pub(crate) last: Span,
    pub(crate) name: Span,
}

impl FallbackSpans {
    pub(crate) fn new(function: &Function) -> Self {
        let at = |location| Span::call_site().located_at(location);
        let Some(ty) = function.return_type() else {
            let ident = at(function.sig.ident.span());
            return Self {
                first: ident,
                last: ident,
                name: ident,
            };
        };
        let tokens = ty.to_token_stream();
        let first = tokens
            .clone()
            .into_iter()
            .next()
            .map_or_else(|| ty.span(), |tt| tt.span());
        let last = tokens.into_iter().last().map_or_else(
            || ty.span(),
            |tt| match tt {
                TokenTree::Group(group) => group.span_close(),
                other => other.span(),
            },
        );
        let name = name_span(ty).unwrap_or(first);
        if matches!(function.kind, Kind::ReturnsFuture) {
            Self { first, last, name }
        } else {
            Self {
                first: at(first),
                last: at(last),
                name: at(name),
            }
        }
    }
}

/// The token naming a type: the last path segment (`Vec` in
/// `std::vec::Vec<u8>`), through references; a tuple, array or slice whole.
fn name_span(ty: &Type) -> Option<Span> {
    match ungroup(ty) {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .map(|segment| segment.ident.span()),
        Type::Reference(reference) => name_span(&reference.elem),
        Type::Ptr(pointer) => name_span(&pointer.elem),
        Type::Tuple(tuple) => Some(tuple.paren_token.span.join()),
        Type::Array(array) => Some(array.bracket_token.span.join()),
        Type::Slice(slice) => Some(slice.bracket_token.span.join()),
        _ => None,
    }
}

/// `path(arguments)` spanning from `first` to `last`: the tokens of `path`
/// (a path has no groups) at `first`, the parentheses at `last`.
pub(crate) fn call_between(
    first: Span,
    last: Span,
    path: TokenStream,
    arguments: TokenStream,
) -> TokenStream {
    let mut arguments = Group::new(Delimiter::Parenthesis, arguments);
    arguments.set_span(last);
    let path = path.into_iter().map(|mut token| {
        token.set_span(first);
        token
    });
    quote!(#(#path)* #arguments)
}
