//! Writing the guarded function from a valid model.
//!
//! The signature, visibility and outer attributes stay as written (except
//! that arguments get hygienic names, see `params.rs`, and an `async fn` is
//! lowered to a `fn` returning its guarded future, see `desugar.rs`); inner
//! attributes move to the top of the new body. The original body becomes a
//! `move` closure (sync, or a `fn` returning a future, whose future is then
//! guarded too, and boxed again for `Pin<Box<dyn Future>>`) or an `async
//! move` block (async), passed to a guard in `<runtime>::__private` (the
//! runtime crate's path, `::wireframe_monitor` unless `runtime.rs` finds
//! another) with the handler's site (one `static` with its name, labels and
//! objective, which `install()` registers; by reference, or for futures
//! through a zero-sized type implementing `SiteOf`, so the guard stores
//! nothing for it) and the peer address, read before the body takes its
//! argument. Every local the expansion adds is hygienic
//! ([`Span::mixed_site`]). The guard call is spanned on the return type
//! ([`FallbackSpans`]) so a missing `PanicFallback` is reported there. No
//! lint is allowed on the user's function: the generated code gives clippy
//! no reason to fire, and the user's own lints still see the body.

use proc_macro2::{Delimiter, Group, Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Block, Ident};

use crate::args::{self, Args, LabelValue, OnPanic};
use crate::item::{self, Function, Kind};
use crate::params::{self, Params};
use crate::spans::{FallbackSpans, call_between};
use crate::{desugar, disabled, fallback, runtime, validate};

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
    // In both modes: a crate that builds with `enabled` off builds with it on.
    let krate = if errors.is_empty() {
        runtime::path(&args)
            .map_err(|error| errors.push(error))
            .ok()
    } else {
        None
    };
    let error = errors.into_iter().reduce(|mut all, next| {
        all.combine(next);
        all
    });
    match (error, function, krate) {
        (Some(error), _, _) => fallback::with_original(&error, &item),
        (None, Some(function), Some(krate)) if cfg!(feature = "enabled") => {
            expand(&args, &function, &krate)
        }
        (None, Some(function), _) => disabled::expand(&args, &function),
        (None, _, _) => item,
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

/// How the guard reaches the handler's site (a `static`, in a block of its
/// own so the body cannot see it), bound to a hygienic local.
#[derive(Clone, Copy, PartialEq)]
enum SiteRef {
    /// `&'static Site`: for guards that return before the call ends.
    Static,
    /// A zero-sized type implementing `SiteOf` to return it, for the
    /// guarded futures: they store nothing for it.
    ZeroSized,
}

/// `let __wm_site = …;`: the handler's site, as `form` says.
fn site_binding(
    args: &Args,
    function: &Function,
    params: &Params,
    rt: &TokenStream,
    form: SiteRef,
) -> TokenStream {
    let handler = handler_name(args, function);
    let labels = args.labels.iter().flat_map(|l| &l.entries).map(|label| {
        let key = label.key.to_string();
        match &label.value {
            LabelValue::Literal(lit) => quote!((#key, #lit)),
            LabelValue::Const(path) => quote!((#key, #path)),
        }
    });
    let local = params.local("__wm_site", Span::call_site());
    // `objective = "…"` (validated): its ratio, static data of the site.
    let ratio = args
        .objective
        .as_ref()
        .and_then(|o| validate::objective_ratio(&o.value()).ok());
    let site = if let Some(ratio) = ratio {
        let ratio = Literal::f64_suffixed(ratio);
        quote!(#rt::__private::Site::with_objective(#handler, &[#(#labels),*], #ratio))
    } else {
        quote!(#rt::__private::Site::new(#handler, &[#(#labels),*]))
    };
    // In the slice `install()` registers (on targets with link-time
    // collection).
    let site = quote! {
        #rt::__private::site! {
            static __WM_SITE: #rt::__private::Site = #site;
        }
    };
    match form {
        SiteRef::Static => quote! {
            let #local = {
                #site
                &__WM_SITE
            };
        },
        SiteRef::ZeroSized => quote! {
            let #local = {
                struct __WmSite;
                impl #rt::__private::SiteOf for __WmSite {
                    #[inline]
                    fn site(&self) -> &'static #rt::__private::Site {
                        #site
                        &__WM_SITE
                    }
                }
                __WmSite
            };
        },
    }
}

/// `let __wm_peer = …;`: the address of the `peer` argument (its hygienic
/// name in the signature), read before the body takes the argument.
fn peer_binding(params: &Params, rt: &TokenStream) -> TokenStream {
    let local = params.local("__wm_peer", Span::call_site());
    let value = if let Some(arg) = &params.peer {
        quote!(#rt::__private::peer_of(&#arg))
    } else {
        quote!(#rt::__private::NoPeer)
    };
    quote!(let #local = #value;)
}

/// How the guard is called on the body.
#[derive(Clone, Copy, PartialEq)]
enum Call {
    /// A closure (sync body, or one that builds a future), written as the
    /// argument so it is inferred `FnOnce` (it may return a borrow of what
    /// it took): spanned on the whole return type.
    Closure,
    /// An `async move` block bound to `__wm_body`, the lowered `async fn`'s
    /// future.
    AsyncBlock,
    /// The same, awaited inside the `async fn` kept as written.
    AwaitAsyncBlock,
}

/// What every call of a guard is written from: the options, the function,
/// its rewritten arguments and the path of the runtime crate.
struct Guard<'a> {
    args: &'a Args,
    function: &'a Function,
    params: &'a Params,
    rt: &'a TokenStream,
}

/// The call of the guard on `body`, spanned as [`FallbackSpans`] says.
fn guard_call(guard: &Guard<'_>, suffix: &str, call: Call, body: &TokenStream) -> TokenStream {
    let Guard {
        args,
        function,
        params,
        rt,
    } = *guard;
    let mode = args.on_panic.as_ref().map_or(OnPanic::Contain, |a| a.mode);
    let prefix = match mode {
        OnPanic::Contain => "contain",
        OnPanic::Resume => "resume",
    };
    let spans = FallbackSpans::new(function);
    let guard = Ident::new(&format!("{prefix}{suffix}"), Span::call_site());
    let path = quote!(#rt::__private::#guard);
    let site = params.local("__wm_site", Span::call_site());
    let peer = params.local("__wm_peer", Span::call_site());
    if call == Call::Closure {
        return call_between(spans.first, spans.last, path, quote!(#site, #peer, #body));
    }
    // Call-site resolution (the span of the call itself), so the unmet
    // bound on the argument and on the call are one error. The body cannot
    // see it (it is bound after the block) nor an argument of that name
    // (those are mixed-site).
    let local = Ident::new("__wm_body", spans.name);
    let guarded = call_between(spans.name, spans.name, path, quote!(#site, #peer, #local));
    let guarded = if call == Call::AwaitAsyncBlock {
        quote_spanned!(spans.name=> #guarded.await)
    } else {
        guarded
    };
    // The `async` block is the expansion's, not the user's: a body that
    // returns a future (`-> Ready<u8>`) is an `async fn`'s, which clippy's
    // `async_yields_async` does not lint.
    quote! {
        #[allow(clippy::async_yields_async)]
        let #local = #body;
        #guarded
    }
}

/// The declared return type as the expansion writes it: `()` for none, and
/// `!` (which only a function's return type may name on stable) as
/// `__private::Never`.
fn output(function: &Function, rt: &TokenStream) -> TokenStream {
    match function.return_type() {
        None => quote!(()),
        Some(_) if function.returns_never() => quote!(#rt::__private::Never),
        Some(ty) => quote!(#ty),
    }
}

/// For an `async` body: a never-taken `return` of the declared type, so
/// `?` and `return` in the body infer as they do in the `async fn`. It
/// comes before the body's block, so names the body imports cannot change
/// what the return type means.
fn return_hint(function: &Function, params: &Params, rt: &TokenStream) -> TokenStream {
    if function.return_type().is_none() || !function.return_type_is_nameable() {
        return quote!();
    }
    let ty = output(function, rt);
    let fake = params.local("__wm_fake_return", Span::call_site());
    quote! {
        #[allow(
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::empty_loop,
            clippy::let_unit_value,
            clippy::needless_return,
            clippy::unreachable
        )]
        if false {
            let #fake: #ty = loop {};
            return #fake;
        }
    }
}

/// The body as the guard runs it: the arguments bound under the user's
/// names, then the user's block as the body of a match arm, a temporary
/// scope of its own: its temporaries are dropped before the arguments, as
/// in the function (rustc's `async fn` lowering does the same).
fn body(params: &Params, hint: &TokenStream, block: &Block) -> TokenStream {
    let bindings = &params.bindings;
    let stmts = &block.stmts;
    // The user's braces: the block's edition (when its tail temporaries are
    // dropped) is the user's.
    let mut user = Group::new(Delimiter::Brace, quote!(#(#stmts)*));
    user.set_span(block.brace_token.span.join());
    quote! {
        #bindings
        #hint
        match () {
            () => #user
        }
    }
}

/// The guarded function; `rt` is the path of the runtime crate.
fn expand(args: &Args, function: &Function, rt: &TokenStream) -> TokenStream {
    let Function {
        outer_attrs,
        inner_attrs,
        vis,
        sig,
        block,
        kind,
    } = function;
    let params = params::rewrite(sig, args.peer.as_ref());
    let form = match kind {
        Kind::Sync => SiteRef::Static,
        Kind::Async | Kind::ReturnsFuture | Kind::ReturnsBoxedFuture => SiteRef::ZeroSized,
    };
    let site = site_binding(args, function, &params, rt, form);
    let peer = peer_binding(&params, rt);
    let guard = Guard {
        args,
        function,
        params: &params,
        rt,
    };
    let mut sig = sig.clone();
    sig.inputs.clone_from(&params.inputs);
    let call = match kind {
        // Validated: `on_panic = "resume"`. The body runs inline, under a
        // guard that counts the call and records a panic unwinding through
        // it; declared first, it is dropped after the arguments.
        Kind::Sync if function.track_caller().is_some() => {
            let guard = params.local("__wm_guard", Span::call_site());
            let site = params.local("__wm_site", Span::call_site());
            let peer = params.local("__wm_peer", Span::call_site());
            let body = body(&params, &quote!(), block);
            quote! {
                let #guard = #rt::__private::Unwinding::enter(#site, #peer);
                #body
            }
        }
        Kind::Sync => {
            let annotation = match function.return_type() {
                Some(ty) if function.return_type_is_nameable() => quote!(-> #ty),
                _ => quote!(),
            };
            let body = body(&params, &quote!(), block);
            let closure = quote!(move || #annotation { #body });
            guard_call(&guard, "", Call::Closure, &closure)
        }
        Kind::Async => {
            let call = if desugar::applies(function) {
                let at = FallbackSpans::new(function).name;
                desugar::lower(&mut sig, &output(function, rt), at);
                Call::AsyncBlock
            } else {
                Call::AwaitAsyncBlock
            };
            let body = body(&params, &return_hint(function, &params, rt), block);
            guard_call(&guard, "_async", call, &quote!(async move { #body }))
        }
        Kind::ReturnsFuture => {
            let body = body(&params, &quote!(), block);
            let closure = quote!(move || { #body });
            guard_call(&guard, "_future", Call::Closure, &closure)
        }
        Kind::ReturnsBoxedFuture => {
            let ty = function.return_type();
            let body = body(&params, &quote!(), block);
            let closure = quote!(move || -> #ty { #body });
            let call = guard_call(&guard, "_future", Call::Closure, &closure);
            let spans = FallbackSpans::new(function);
            call_between(
                spans.first,
                spans.last,
                quote!(#rt::__private::box_pin),
                call,
            )
        }
    };
    // The body's braces keep the user's span, so the item's span is the
    // user's: lints about the item (`dead_code`) see it as written.
    let mut body = Group::new(
        Delimiter::Brace,
        quote! {
            #(#inner_attrs)*
            #site
            #peer
            #call
        },
    );
    body.set_span(block.brace_token.span.join());
    quote! {
        #(#outer_attrs)*
        #vis #sig #body
    }
}
