//! Writing the guarded function from a valid model.
//!
//! The signature, visibility and outer attributes stay as written (except
//! that an `async fn` is lowered to a `fn` returning its guarded future, see
//! `desugar.rs`); inner attributes move to the top of the new body. The
//! original body becomes a `move` closure (sync, or a `fn` returning a
//! future, whose future is then guarded too, and boxed again for
//! `Pin<Box<dyn Future>>`) or an `async move` block (async), bound to
//! `__wm_body` and passed to a guard in `::wireframe_monitor::__private`,
//! with a `static` site holding the handler's name and labels and a
//! per-thread `thread_local!` slot cache, both reached through a nested `fn`
//! so the guard stores nothing for it. The guard call is spanned on the
//! return type ([`FallbackSpans`]) so a missing `PanicFallback` is reported
//! there.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Type};

use crate::args::{self, Args, LabelValue, OnPanic};
use crate::item::{self, Function, Kind};
use crate::{desugar, disabled, fallback, validate};

/// The whole attribute: parse, validate, expand; on error, the error and the
/// original item.
pub(crate) fn monitored_connection(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, mut errors) = args::parse(args);
    let function = item::parse(&item).map_err(|error| errors.push(error)).ok();
    if let Some(function) = &function
        && let Err(error) = validate::check(&args, function)
    {
        errors.push(error);
    }
    let error = errors.into_iter().reduce(|mut all, next| {
        all.combine(next);
        all
    });
    match (error, function) {
        (Some(error), _) => fallback::with_original(&error, &item),
        (None, Some(function)) if cfg!(feature = "enabled") => expand(&args, &function),
        (None, Some(function)) => disabled::expand(&args, &function),
        (None, None) => item,
    }
}

fn handler_name(args: &Args, function: &Function) -> String {
    if let Some(name) = &args.name {
        name.value()
    } else {
        let ident = function.sig.ident.to_string();
        ident
            .strip_prefix("r#")
            .map_or(ident.clone(), str::to_owned)
    }
}

fn site_fn(args: &Args, function: &Function) -> TokenStream {
    let handler = handler_name(args, function);
    let labels = args.labels.iter().flat_map(|l| &l.entries).map(|label| {
        let key = label.key.to_string();
        match &label.value {
            LabelValue::Literal(lit) => quote!((#key, #lit)),
            LabelValue::Const(path) => quote!((#key, #path)),
        }
    });
    quote! {
        #[inline]
        fn __wm_site() -> ::wireframe_monitor::__private::SiteRefs {
            static __WM_SITE: ::wireframe_monitor::__private::Site =
                ::wireframe_monitor::__private::Site::new(#handler, &[#(#labels),*]);
            ::wireframe_monitor::__private::thread_local! {
                static __WM_SLOT: ::wireframe_monitor::__private::SlotCache =
                    const { ::wireframe_monitor::__private::SlotCache::new() };
            }
            ::wireframe_monitor::__private::SiteRefs::new(&__WM_SITE, &__WM_SLOT)
        }
    }
}

fn peer(args: &Args) -> TokenStream {
    if let Some(arg) = &args.peer {
        quote!(::wireframe_monitor::__private::peer_of(&#arg))
    } else {
        quote!(::wireframe_monitor::__private::NoPeer)
    }
}

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
struct FallbackSpans {
    first: Span,
    last: Span,
    name: Span,
}

impl FallbackSpans {
    fn new(function: &Function) -> Self {
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
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .map(|segment| segment.ident.span()),
        Type::Reference(reference) => name_span(&reference.elem),
        Type::Ptr(pointer) => name_span(&pointer.elem),
        Type::Group(group) => name_span(&group.elem),
        Type::Tuple(tuple) => Some(tuple.paren_token.span.join()),
        Type::Paren(paren) => Some(paren.paren_token.span.join()),
        Type::Array(array) => Some(array.bracket_token.span.join()),
        Type::Slice(slice) => Some(slice.bracket_token.span.join()),
        _ => None,
    }
}

/// `path(arguments)` spanning from `first` to `last`: the tokens of `path`
/// (a path has no groups) at `first`, the parentheses at `last`.
fn call_between(first: Span, last: Span, path: TokenStream, arguments: TokenStream) -> TokenStream {
    let mut arguments = Group::new(Delimiter::Parenthesis, arguments);
    arguments.set_span(last);
    let path = path.into_iter().map(|mut token| {
        token.set_span(first);
        token
    });
    quote!(#(#path)* #arguments)
}

/// How the guard is called on the body bound to `__wm_body`.
#[derive(Clone, Copy, PartialEq)]
enum Call {
    /// A closure (sync body, or one that builds a future): spanned on the
    /// whole return type.
    Closure,
    /// An `async move` block, the lowered `async fn`'s future.
    AsyncBlock,
    /// An `async move` block awaited inside the `async fn` kept as written.
    AwaitAsyncBlock,
}

/// The call of the guard on the body bound to `__wm_body`, spanned as
/// [`FallbackSpans`] says.
fn guard_call(args: &Args, function: &Function, suffix: &str, call: Call) -> TokenStream {
    let mode = args.on_panic.as_ref().map_or(OnPanic::Contain, |a| a.mode);
    let prefix = match mode {
        OnPanic::Contain => "contain",
        OnPanic::Resume => "resume",
    };
    let spans = FallbackSpans::new(function);
    let guard = Ident::new(&format!("{prefix}{suffix}"), Span::call_site());
    let path = quote!(::wireframe_monitor::__private::#guard);
    let peer = peer(args);
    if call == Call::Closure {
        return call_between(
            spans.first,
            spans.last,
            path,
            quote!(__wm_site, #peer, __wm_body),
        );
    }
    let body = Ident::new("__wm_body", spans.name);
    let guarded = call_between(
        spans.name,
        spans.name,
        path,
        quote!(__wm_site, #peer, #body),
    );
    if call == Call::AwaitAsyncBlock {
        quote_spanned!(spans.name=> #guarded.await)
    } else {
        guarded
    }
}

/// For an `async` body: a never-taken `return` of the declared type, so
/// `?` and `return` in the body infer as they do in the `async fn`.
fn return_hint(function: &Function) -> TokenStream {
    match function.return_type() {
        Some(ty) if function.return_type_is_nameable() => quote! {
            #[allow(
                unreachable_code,
                clippy::diverging_sub_expression,
                clippy::empty_loop,
                clippy::let_unit_value,
                clippy::needless_return,
                clippy::unreachable
            )]
            if false {
                let __wm_fake_return: #ty = loop {};
                return __wm_fake_return;
            }
        },
        _ => quote!(),
    }
}

fn expand(args: &Args, function: &Function) -> TokenStream {
    let Function {
        outer_attrs,
        inner_attrs,
        vis,
        sig,
        block,
        kind,
    } = function;
    let site = site_fn(args, function);
    let mut sig = sig.clone();
    let body = match kind {
        Kind::Sync => {
            let call = guard_call(args, function, "", Call::Closure);
            let annotation = match function.return_type() {
                Some(ty) if function.return_type_is_nameable() => quote!(-> #ty),
                _ => quote!(),
            };
            quote! {
                let __wm_body = move || #annotation #block;
                #call
            }
        }
        Kind::Async if desugar::applies(function) => {
            let lowered = desugar::lower(
                function,
                args.peer.as_ref(),
                FallbackSpans::new(function).name,
            );
            let call = guard_call(args, function, "_async", Call::AsyncBlock);
            let hint = return_hint(function);
            let bindings = lowered.bindings;
            let stmts = &block.stmts;
            sig = lowered.sig;
            quote! {
                let __wm_body = async move { #bindings #hint #(#stmts)* };
                #call
            }
        }
        Kind::Async => {
            let call = guard_call(args, function, "_async", Call::AwaitAsyncBlock);
            let hint = return_hint(function);
            let stmts = &block.stmts;
            quote! {
                let __wm_body = async move { #hint #(#stmts)* };
                #call
            }
        }
        Kind::ReturnsFuture => {
            let call = guard_call(args, function, "_future", Call::Closure);
            quote! {
                let __wm_body = move || #block;
                #call
            }
        }
        Kind::ReturnsBoxedFuture => {
            let call = guard_call(args, function, "_future", Call::Closure);
            let ty = function.return_type();
            let spans = FallbackSpans::new(function);
            let boxed = call_between(
                spans.first,
                spans.last,
                quote!(::wireframe_monitor::__private::box_pin),
                call,
            );
            quote! {
                let __wm_body = move || -> #ty #block;
                #boxed
            }
        }
    };
    quote! {
        #(#outer_attrs)*
        #vis #sig {
            #(#inner_attrs)*
            #site
            #body
        }
    }
}
