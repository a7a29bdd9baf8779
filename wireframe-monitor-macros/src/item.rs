//! The function model: the annotated item split into what the expansion
//! keeps (attributes, signature, body) and what it needs to know (async,
//! returned future, return type).

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{
    AttrStyle, Attribute, Block, GenericArgument, Item, ItemFn, PathArguments, ReturnType,
    Signature, Type, TypeParamBound, Visibility,
};

/// How the function produces its value.
pub(crate) enum Kind {
    /// `fn … -> T`
    Sync,
    /// `async fn … -> T`
    Async,
    /// `fn … -> impl Future<Output = T>`: the returned future is guarded.
    ReturnsFuture,
    /// `fn … -> Pin<Box<dyn Future<Output = T> …>>`: the returned future is
    /// guarded and boxed again.
    ReturnsBoxedFuture,
}

/// An annotated function.
pub(crate) struct Function {
    pub(crate) outer_attrs: Vec<Attribute>,
    pub(crate) inner_attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) block: Box<Block>,
    pub(crate) kind: Kind,
}

/// Parses the item; anything but a function with a body is an error that
/// says where the attribute goes instead.
pub(crate) fn parse(tokens: &TokenStream) -> syn::Result<Function> {
    let item: Item = syn::parse2(tokens.clone()).map_err(|_| not_a_function(tokens))?;
    let what = match item {
        Item::Fn(function) => return Ok(Function::new(function)),
        Item::Impl(imp) => {
            return Err(syn::Error::new(
                imp.impl_token.span(),
                "#[monitored_connection] goes on a function, not on an `impl` block; put it on each handler method inside",
            ));
        }
        Item::Trait(tr) => {
            return Err(syn::Error::new(
                tr.trait_token.span(),
                "#[monitored_connection] goes on a function, not on a trait; put it on the methods of the trait's `impl` blocks",
            ));
        }
        Item::Struct(s) => ("struct", s.struct_token.span()),
        Item::Enum(e) => ("enum", e.enum_token.span()),
        Item::Union(u) => ("union", u.union_token.span()),
        Item::Const(c) => ("const", c.const_token.span()),
        Item::Static(s) => ("static", s.static_token.span()),
        Item::Mod(m) => ("module", m.mod_token.span()),
        Item::Type(t) => ("type alias", t.type_token.span()),
        Item::Use(u) => ("use declaration", u.use_token.span()),
        other => ("item", other.span()),
    };
    Err(syn::Error::new(
        what.1,
        format!(
            "#[monitored_connection] goes on a function (`fn` or `async fn`), not on a {}; \
             annotate the connection handler function instead",
            what.0
        ),
    ))
}

fn not_a_function(tokens: &TokenStream) -> syn::Error {
    syn::Error::new_spanned(
        tokens,
        "#[monitored_connection] goes on a function with a body (`fn` or `async fn`); \
         a method declaration without a body cannot be guarded",
    )
}

impl Function {
    fn new(function: ItemFn) -> Self {
        let ItemFn {
            attrs,
            vis,
            sig,
            block,
        } = function;
        let (inner_attrs, outer_attrs) = attrs
            .into_iter()
            .partition(|attr| matches!(attr.style, AttrStyle::Inner(_)));
        let kind = if sig.asyncness.is_some() {
            Kind::Async
        } else if returns_impl_future(&sig.output) {
            Kind::ReturnsFuture
        } else if returns_boxed_future(&sig.output) {
            Kind::ReturnsBoxedFuture
        } else {
            Kind::Sync
        };
        Self {
            outer_attrs,
            inner_attrs,
            vis,
            sig,
            block,
            kind,
        }
    }

    /// The declared return type, `None` for `()` written as nothing.
    pub(crate) fn return_type(&self) -> Option<&Type> {
        match &self.sig.output {
            ReturnType::Default => None,
            ReturnType::Type(_, ty) => Some(ty),
        }
    }

    /// Whether the function returns `!` (`-> !`, or a fragment holding it).
    /// The `#[track_caller]` attribute, if the function has one.
    pub(crate) fn track_caller(&self) -> Option<&Attribute> {
        self.outer_attrs
            .iter()
            .find(|attr| attr.path().is_ident("track_caller"))
    }

    pub(crate) fn returns_never(&self) -> bool {
        self.return_type()
            .is_some_and(|ty| matches!(ungroup(ty), Type::Never(_)))
    }

    /// Whether the return type can be written as a `let` type annotation:
    /// not when it contains `impl Trait`.
    pub(crate) fn return_type_is_nameable(&self) -> bool {
        self.return_type().is_none_or(|ty| !contains_impl_trait(ty))
    }
}

/// The type inside the invisible group a `macro_rules!` fragment (`$r:ty`)
/// is passed in, or inside parentheses: `$r` and `(impl Future<…>)` are the
/// types they contain.
pub(crate) fn ungroup(mut ty: &Type) -> &Type {
    loop {
        match ty {
            Type::Group(group) => ty = &group.elem,
            Type::Paren(paren) => ty = &paren.elem,
            _ => return ty,
        }
    }
}

fn returns_impl_future(output: &ReturnType) -> bool {
    let ReturnType::Type(_, ty) = output else {
        return false;
    };
    let Type::ImplTrait(imp) = ungroup(ty) else {
        return false;
    };
    names_future(&imp.bounds)
}

/// Whether one of `bounds` is a trait whose last path segment is `Future`.
fn names_future<P>(bounds: &syn::punctuated::Punctuated<TypeParamBound, P>) -> bool {
    bounds.iter().any(|bound| match bound {
        TypeParamBound::Trait(tr) => tr
            .path
            .segments
            .last()
            .is_some_and(|seg| seg.ident == "Future"),
        _ => false,
    })
}

/// `Pin<Box<dyn Future<…> …>>`, each named by any path (`std::pin::Pin`).
fn returns_boxed_future(output: &ReturnType) -> bool {
    /// The single type argument of a path type whose last segment is `name`.
    fn argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
        let Type::Path(path) = ungroup(ty) else {
            return None;
        };
        let segment = path.path.segments.last()?;
        if segment.ident != name {
            return None;
        }
        let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
            return None;
        };
        match arguments.args.first()? {
            GenericArgument::Type(ty) if arguments.args.len() == 1 => Some(ty),
            _ => None,
        }
    }
    let ReturnType::Type(_, ty) = output else {
        return false;
    };
    let Some(Type::TraitObject(object)) = argument(ty, "Pin")
        .and_then(|ty| argument(ty, "Box"))
        .map(ungroup)
    else {
        return false;
    };
    names_future(&object.bounds)
}

fn contains_impl_trait(ty: &Type) -> bool {
    // Token-level scan: `impl` can only appear in a type as `impl Trait`.
    fn scan(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(ident) => ident == "impl",
            proc_macro2::TokenTree::Group(group) => scan(group.stream()),
            _ => false,
        })
    }
    scan(quote::ToTokens::to_token_stream(ty))
}
