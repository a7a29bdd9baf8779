//! Parsing the options: `name = "…"`, `labels(k = v, …)`,
//! `on_panic = "contain" | "resume"`, `peer = arg`, `objective = "99.95"`,
//! `crate = "path"`.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprLit, ExprPath, Ident, Lit, LitInt, LitStr, Path, Token};

/// The options of one attribute, as written.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) name: Option<LitStr>,
    pub(crate) labels: Option<Labels>,
    pub(crate) on_panic: Option<OnPanicArg>,
    pub(crate) peer: Option<Ident>,
    /// `objective = "…"`: the literal as written (checked in `validate.rs`).
    pub(crate) objective: Option<LitStr>,
    /// `crate = "path"`: the path of the runtime crate, its tokens spanned
    /// on the literal.
    pub(crate) krate: Option<Path>,
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

const OPTIONS: &str = "expected one of `name`, `labels`, `on_panic`, `peer`, `objective`, `crate`";

/// Parses the attribute's arguments. A bad option or label is recorded and
/// parsing goes on, so every one is reported at once; a syntax error stops
/// it. The options read so far are returned in any case.
pub(crate) fn parse(tokens: TokenStream) -> (Args, Vec<syn::Error>) {
    let mut args = Args::default();
    let mut errors = Vec::new();
    let parsed = syn::meta::parser(|meta| args.parse_one(&meta, &mut errors)).parse2(tokens);
    if let Err(error) = parsed {
        errors.push(error);
    }
    (args, errors)
}

/// Keeps the first value of an option; a second one is an error.
fn store<T>(
    slot: &mut Option<T>,
    option: &Ident,
    value: syn::Result<T>,
    errors: &mut Vec<syn::Error>,
) {
    if slot.is_some() {
        errors.push(syn::Error::new_spanned(
            option,
            format!("option `{option}` is given twice; keep one `{option}`"),
        ));
        return;
    }
    match value {
        Ok(value) => *slot = Some(value),
        Err(error) => errors.push(error),
    }
}

/// Steps over the value of an option or label that is not used: `= expr`
/// or `(…)`.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
}

impl Args {
    fn parse_one(
        &mut self,
        meta: &ParseNestedMeta<'_>,
        errors: &mut Vec<syn::Error>,
    ) -> syn::Result<()> {
        let Some(option) = meta.path.get_ident().cloned() else {
            skip_value(meta)?;
            errors.push(syn::Error::new_spanned(
                &meta.path,
                format!("unknown option; {OPTIONS}"),
            ));
            return Ok(());
        };
        match option.to_string().as_str() {
            "name" => {
                let name = name_from(meta.value()?.parse()?);
                store(&mut self.name, &option, name, errors);
            }
            "labels" => {
                if let Some(labels) = parse_labels(meta, option.clone(), errors)? {
                    store(&mut self.labels, &option, Ok(labels), errors);
                }
            }
            "on_panic" => {
                let on_panic = on_panic_from(meta.value()?.parse()?);
                store(&mut self.on_panic, &option, on_panic, errors);
            }
            "peer" => {
                let peer = peer_from(meta.value()?.parse()?);
                store(&mut self.peer, &option, peer, errors);
            }
            "objective" => {
                let objective = objective_from(meta.value()?.parse()?);
                store(&mut self.objective, &option, objective, errors);
            }
            "crate" => {
                let krate = crate_from(meta.value()?.parse()?);
                store(&mut self.krate, &option, krate, errors);
            }
            other => {
                skip_value(meta)?;
                errors.push(syn::Error::new_spanned(
                    &option,
                    format!("unknown option `{other}`; {OPTIONS}"),
                ));
            }
        }
        Ok(())
    }
}

/// The expression inside the invisible group a `macro_rules!` fragment
/// (`$l:literal`, `$e:expr`) is passed in: `name = $l` is `name = "…"`.
fn ungroup(mut value: Expr) -> Expr {
    while let Expr::Group(group) = value {
        value = *group.expr;
    }
    value
}

fn name_from(value: Expr) -> syn::Result<LitStr> {
    match ungroup(value) {
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

fn on_panic_from(value: Expr) -> syn::Result<OnPanicArg> {
    const HINT: &str = "`on_panic` must be \"contain\" (return a fallback value) or \"resume\" (re-raise the panic)";
    let value = ungroup(value);
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

fn peer_from(value: Expr) -> syn::Result<Ident> {
    let value = ungroup(value);
    if let Expr::Path(ExprPath {
        path,
        qself: None,
        attrs,
    }) = &value
        && attrs.is_empty()
        && let Some(ident) = path.get_ident()
    {
        return Ok(ident.clone());
    }
    Err(syn::Error::new_spanned(
        value,
        "`peer` must name an argument of the function, for example `peer = addr`",
    ))
}

/// `objective = "…"`: a string literal; a number written without quotes
/// gets the quoted form to write instead.
fn objective_from(value: Expr) -> syn::Result<LitStr> {
    match ungroup(value) {
        Expr::Lit(ExprLit {
            lit: Lit::Str(objective),
            ..
        }) => Ok(objective),
        Expr::Lit(ExprLit {
            lit: number @ (Lit::Float(_) | Lit::Int(_)),
            ..
        }) => {
            let written = number.to_token_stream().to_string();
            Err(syn::Error::new_spanned(
                number,
                format!(
                    "`objective` takes the percentage as a string literal: write `objective = \"{written}\"`"
                ),
            ))
        }
        other => Err(syn::Error::new_spanned(
            other,
            "`objective` must be a string literal holding a percentage, for example `objective = \"99.95\"`",
        )),
    }
}

/// `crate = "path"`: the literal parsed as a module path (`wm`, `::wm`,
/// `crate::facade::monitor`), spanned on the literal.
fn crate_from(value: Expr) -> syn::Result<Path> {
    const EXAMPLE: &str = "for example `crate = \"wm\"` for a dependency renamed `wm`, or `crate = \"my_facade::monitor\"` for a re-export";
    match ungroup(value) {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => lit.parse_with(Path::parse_mod_style).map_err(|_| {
            syn::Error::new_spanned(
                &lit,
                format!(
                    "{:?} is not a path: `crate` takes the path of the wireframe-monitor crate, {EXAMPLE}",
                    lit.value()
                ),
            )
        }),
        Expr::Path(ExprPath {
            path, qself: None, ..
        }) => {
            let written = path.to_token_stream().to_string().replace(' ', "");
            Err(syn::Error::new_spanned(
                path,
                format!("`crate` takes the path as a string literal: write `crate = \"{written}\"`"),
            ))
        }
        other => Err(syn::Error::new_spanned(
            other,
            format!("`crate` must be a string literal holding the path of the wireframe-monitor crate, {EXAMPLE}"),
        )),
    }
}

fn label_value_from(key: &Ident, value: Expr) -> syn::Result<LabelValue> {
    match ungroup(value) {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(LabelValue::Literal(lit)),
        Expr::Path(ExprPath {
            path, qself: None, ..
        }) => Ok(LabelValue::Const(path)),
        other => Err(syn::Error::new_spanned(
            other,
            format!(
                "the value of label `{key}` must be a string literal or the path of a `&'static str` const, \
                 for example `{key} = \"v2\"` or `{key} = REGION`"
            ),
        )),
    }
}

/// `labels(k = v, …)`; `None` when not written as a list (the error is
/// recorded). A bad label is recorded and left out.
fn parse_labels(
    meta: &ParseNestedMeta<'_>,
    keyword: Ident,
    errors: &mut Vec<syn::Error>,
) -> syn::Result<Option<Labels>> {
    if !meta.input.peek(syn::token::Paren) {
        skip_value(meta)?;
        errors.push(syn::Error::new_spanned(
            &keyword,
            "write labels as a list: `labels(key = \"value\", …)`",
        ));
        return Ok(None);
    }
    let mut entries = Vec::new();
    meta.parse_nested_meta(|label| {
        let Some(key) = label.path.get_ident().cloned() else {
            skip_value(&label)?;
            errors.push(syn::Error::new_spanned(
                &label.path,
                "a label key must be a plain identifier such as `protocol`",
            ));
            return Ok(());
        };
        if label.input.peek(Token![-]) {
            errors.push(dashed_key(&key, label.input));
            return skip_value(&label);
        }
        match label_value_from(&key, label.value()?.parse()?) {
            Ok(value) => entries.push(Label { key, value }),
            Err(error) => errors.push(error),
        }
        Ok(())
    })?;
    Ok(Some(Labels { keyword, entries }))
}

/// `my-key = …`: the error spans the whole dashed key and suggests `my_key`.
fn dashed_key(first: &Ident, input: ParseStream<'_>) -> syn::Error {
    let mut tokens = first.to_token_stream();
    let mut written = first.to_string();
    while input.peek(Token![-]) {
        let Ok(dash) = input.parse::<Token![-]>() else {
            break;
        };
        dash.to_tokens(&mut tokens);
        written.push('-');
        if let Ok(part) = input.call(Ident::parse_any) {
            part.to_tokens(&mut tokens);
            written.push_str(&part.to_string());
        } else if let Ok(part) = input.parse::<LitInt>() {
            part.to_tokens(&mut tokens);
            written.push_str(&part.to_string());
        } else {
            break;
        }
    }
    let suggestion = written.replace('-', "_");
    syn::Error::new_spanned(
        tokens,
        format!(
            "label key `{written}` contains `-`, which label names cannot; write `{suggestion}` (keys match `[a-zA-Z_][a-zA-Z0-9_]*`)"
        ),
    )
}
