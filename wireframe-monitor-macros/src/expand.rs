//! Writing the guarded function from a valid model.
//!
//! The signature, visibility and outer attributes stay as written; inner
//! attributes move to the top of the new body. The original body becomes a
//! `move` closure (sync) or an `async move` block (async) passed to a guard
//! in `::wireframe_monitor::__private`, with a `static` site holding the
//! handler's name and labels, reached through a nested `fn` so the guard
//! stores nothing for it.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::args::{self, Args, LabelValue, OnPanic};
use crate::item::{self, Function, Kind};
use crate::{fallback, validate};

/// The whole attribute: parse, validate, expand; on error, the error and the
/// original item.
pub(crate) fn monitored_connection(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = (args::parse(args), item::parse(&item));
    let (args, function) = match parsed {
        (Ok(args), Ok(function)) => (args, function),
        (Err(mut error), Err(other)) => {
            error.combine(other);
            return fallback::with_original(&error, &item);
        }
        (Err(error), Ok(_)) | (Ok(_), Err(error)) => return fallback::with_original(&error, &item),
    };
    if let Err(error) = validate::check(&args, &function) {
        return fallback::with_original(&error, &item);
    }
    if cfg!(feature = "enabled") {
        expand(&args, &function)
    } else {
        item
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
        fn __wm_site() -> &'static ::wireframe_monitor::__private::Site {
            static __WM_SITE: ::wireframe_monitor::__private::Site =
                ::wireframe_monitor::__private::Site::new(#handler, &[#(#labels),*]);
            &__WM_SITE
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

/// The guard function; spanned on the return type so a missing
/// `PanicFallback` impl is reported there.
fn guard(args: &Args, function: &Function, sync: &str, future: &str) -> TokenStream {
    let mode = args.on_panic.as_ref().map_or(OnPanic::Contain, |a| a.mode);
    let prefix = match mode {
        OnPanic::Contain => "contain",
        OnPanic::Resume => "resume",
    };
    let name = match function.kind {
        Kind::Sync => format!("{prefix}{sync}"),
        Kind::Async | Kind::ReturnsFuture => format!("{prefix}{future}"),
    };
    let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
    let span = match function.return_type() {
        Some(ty) => ty.span(),
        None => function.sig.ident.span(),
    };
    quote_spanned!(span=> ::wireframe_monitor::__private::#ident)
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
    let peer = peer(args);
    let body = match kind {
        Kind::Sync => {
            let guard = guard(args, function, "", "");
            let annotation = match function.return_type() {
                Some(ty) if function.return_type_is_nameable() => quote!(-> #ty),
                _ => quote!(),
            };
            quote!(#guard(__wm_site, #peer, move || #annotation #block))
        }
        Kind::Async => {
            let guard = guard(args, function, "", "_async");
            let hint = match function.return_type() {
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
            };
            let stmts = &block.stmts;
            quote!(#guard(__wm_site, #peer, async move { #hint #(#stmts)* }).await)
        }
        Kind::ReturnsFuture => {
            let guard = guard(args, function, "", "_future");
            quote!(#guard(__wm_site, #peer, move || #block))
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
