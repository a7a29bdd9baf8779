//! Parsing the options: `name = "…"`, `labels(k = v, …)`,
//! `on_panic = "contain" | "resume"`, `peer = arg`.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Expr, ExprLit, ExprPath, Ident, Lit, LitStr, Path, Token};

/// The options of one attribute, as written.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) name: Option<LitStr>,
    pub(crate) labels: Option<Labels>,
    pub(crate) on_panic: Option<OnPanicArg>,
    pub(crate) peer: Option<Ident>,
}

/// `labels(…)` and the token naming it (for spans).
pub(crate) struct Labels {
    pub(crate) keyword: Ident,
    pub(crate) entries: Vec<Label>,
}

pub(crate) struct Label {
    pub(crate) key: Ident,
    pub(crate) value: LabelValue,
}

pub(crate) enum LabelValue {
    Literal(LitStr),
    Const(Path),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnPanic {
    Contain,
    Resume,
}

pub(crate) struct OnPanicArg {
    pub(crate) mode: OnPanic,
}

const OPTIONS: &str = "expected one of `name`, `labels`, `on_panic`, `peer`";

/// Parses the attribute's arguments; an error stops at the first bad option.
pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Args> {
    let mut args = Args::default();
    syn::meta::parser(|meta| args.parse_one(&meta)).parse2(tokens)?;
    Ok(args)
}

fn repeated(meta: &ParseNestedMeta<'_>, option: &str) -> syn::Error {
    meta.error(format_args!(
        "option `{option}` is given twice; keep one `{option}`"
    ))
}

impl Args {
    fn parse_one(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let Some(option) = meta.path.get_ident() else {
            return Err(meta.error(format_args!("unknown option; {OPTIONS}")));
        };
        match option.to_string().as_str() {
            "name" => {
                if self.name.is_some() {
                    return Err(repeated(meta, "name"));
                }
                self.name = Some(parse_name(meta)?);
            }
            "labels" => {
                if self.labels.is_some() {
                    return Err(repeated(meta, "labels"));
                }
                self.labels = Some(parse_labels(meta, option.clone())?);
            }
            "on_panic" => {
                if self.on_panic.is_some() {
                    return Err(repeated(meta, "on_panic"));
                }
                self.on_panic = Some(parse_on_panic(meta)?);
            }
            "peer" => {
                if self.peer.is_some() {
                    return Err(repeated(meta, "peer"));
                }
                self.peer = Some(parse_peer(meta)?);
            }
            other => {
                return Err(meta.error(format_args!("unknown option `{other}`; {OPTIONS}")));
            }
        }
        Ok(())
    }
}

fn parse_name(meta: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    let value: Expr = meta.value()?.parse()?;
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(name),
            ..
        }) => Ok(name),
        other => Err(syn::Error::new_spanned(
            other,
            "`name` must be a string literal, for example `name = \"login\"`",
        )),
    }
}

fn parse_on_panic(meta: &ParseNestedMeta<'_>) -> syn::Result<OnPanicArg> {
    const HINT: &str = "`on_panic` must be \"contain\" (return a fallback value) or \"resume\" (re-raise the panic)";
    let value: Expr = meta.value()?.parse()?;
    let Expr::Lit(ExprLit {
        lit: Lit::Str(lit), ..
    }) = &value
    else {
        return Err(syn::Error::new_spanned(value, HINT));
    };
    let mode = match lit.value().as_str() {
        "contain" => OnPanic::Contain,
        "resume" => OnPanic::Resume,
        _ => return Err(syn::Error::new_spanned(lit, HINT)),
    };
    Ok(OnPanicArg { mode })
}

fn parse_peer(meta: &ParseNestedMeta<'_>) -> syn::Result<Ident> {
    let value: Expr = meta.value()?.parse()?;
    match &value {
        Expr::Path(ExprPath {
            path,
            qself: None,
            attrs,
        }) if attrs.is_empty() => {
            if let Some(ident) = path.get_ident() {
                return Ok(ident.clone());
            }
        }
        _ => {}
    }
    Err(syn::Error::new_spanned(
        value,
        "`peer` must name an argument of the function, for example `peer = addr`",
    ))
}

fn parse_labels(meta: &ParseNestedMeta<'_>, keyword: Ident) -> syn::Result<Labels> {
    let mut entries = Vec::new();
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error("write labels as `labels(key = \"value\", …)`"));
    }
    meta.parse_nested_meta(|label| {
        let Some(key) = label.path.get_ident().cloned() else {
            return Err(label.error(
                "a label key must be a plain identifier such as `protocol`",
            ));
        };
        if label.input.peek(Token![-]) {
            return Err(label.error(format_args!(
                "label key `{key}-…` contains `-`; label keys match `[a-zA-Z_][a-zA-Z0-9_]*`, use `_` instead"
            )));
        }
        let value: Expr = label.value()?.parse()?;
        let value = match value {
            Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) => LabelValue::Literal(lit),
            Expr::Path(ExprPath { path, qself: None, .. }) => LabelValue::Const(path),
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    format!(
                        "the value of label `{key}` must be a string literal or the path of a `&'static str` const, \
                         for example `{key} = \"v2\"` or `{key} = REGION`"
                    ),
                ));
            }
        };
        entries.push(Label { key, value });
        Ok(())
    })?;
    Ok(Labels { keyword, entries })
}
