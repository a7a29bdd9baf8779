//! Checks of the options against the rules of the contract and against the
//! function; every problem found is reported, merged with `combine`.

use std::collections::HashSet;

use syn::{FnArg, Pat};

use crate::args::{Args, LabelValue, OnPanic};
use crate::item::{Function, Kind};

/// At most this many labels per handler.
const MAX_LABELS: usize = 8;

/// All problems of `args` on `function`, or `Ok`.
pub(crate) fn check(args: &Args, function: &Function) -> syn::Result<()> {
    let mut errors: Vec<syn::Error> = Vec::new();
    check_fn(args, function, &mut errors);
    check_name(args, &mut errors);
    check_labels(args, &mut errors);
    check_peer(args, function, &mut errors);
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

fn check_fn(args: &Args, function: &Function, errors: &mut Vec<syn::Error>) {
    // Containing needs `catch_unwind`, whose body is a closure, and a closure
    // cannot be `#[track_caller]` on stable Rust: `Location::caller()` in
    // the body would silently change meaning. A sync `resume` handler runs
    // its body inline under a drop guard instead (`expand.rs`).
    if let Some(attr) = function.track_caller() {
        let resume = args
            .on_panic
            .as_ref()
            .is_some_and(|a| a.mode == OnPanic::Resume);
        if !matches!(function.kind, Kind::Sync) {
            errors.push(syn::Error::new_spanned(
                attr,
                "#[monitored_connection] keeps `#[track_caller]` only on a plain sync `fn`: a returned future is guarded from a closure, where `Location::caller()` would name this function, not its caller; remove `#[track_caller]`",
            ));
        } else if !resume {
            errors.push(syn::Error::new_spanned(
                attr,
                "a `#[track_caller]` handler needs `on_panic = \"resume\"`: containing a panic runs the body in a closure, which cannot be `#[track_caller]` on stable Rust; write `#[monitored_connection(on_panic = \"resume\")]` (the panic is recorded and goes on, as without the attribute) or remove `#[track_caller]`",
            ));
        }
    }
    if let Some(constness) = &function.sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            "#[monitored_connection] cannot guard a `const fn`: catching a panic is not possible in const evaluation; remove `const` or the attribute",
        ));
    }
}

fn check_name(args: &Args, errors: &mut Vec<syn::Error>) {
    let Some(name) = &args.name else { return };
    let value = name.value();
    if value.is_empty() {
        errors.push(syn::Error::new_spanned(
            name,
            "`name` must not be empty; write the handler's name, for example `name = \"login\"`, or drop `name` to use the function's",
        ));
    } else if value.chars().any(char::is_control) {
        errors.push(syn::Error::new_spanned(
            name,
            "`name` must be printable: remove the control characters (newlines, tabs, escapes)",
        ));
    }
}

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_labels(args: &Args, errors: &mut Vec<syn::Error>) {
    let Some(labels) = &args.labels else { return };
    if labels.entries.len() > MAX_LABELS {
        errors.push(syn::Error::new_spanned(
            &labels.keyword,
            format!(
                "too many labels: {} given, at most {MAX_LABELS} allowed; remove {} (every label multiplies the series an exporter keeps)",
                labels.entries.len(),
                labels.entries.len() - MAX_LABELS
            ),
        ));
    }
    let mut seen = HashSet::new();
    for label in &labels.entries {
        let key = label.key.to_string();
        if !valid_key(&key) {
            errors.push(syn::Error::new_spanned(
                &label.key,
                format!(
                    "label key `{key}` is not a valid Prometheus label name; use only ASCII letters, digits and `_`, not starting with a digit"
                ),
            ));
        } else if key == "handler" {
            errors.push(syn::Error::new_spanned(
                &label.key,
                "label key `handler` is reserved for the handler's name; set it with `name = \"…\"` or pick another key",
            ));
        } else if key.starts_with("__") {
            errors.push(syn::Error::new_spanned(
                &label.key,
                format!("label key `{key}` starts with `__`, which Prometheus reserves; rename it"),
            ));
        } else if !seen.insert(key.clone()) {
            errors.push(syn::Error::new_spanned(
                &label.key,
                format!("label key `{key}` is given twice; keep one"),
            ));
        }
        match &label.value {
            LabelValue::Literal(lit) if lit.value().chars().any(char::is_control) => {
                errors.push(syn::Error::new_spanned(
                    lit,
                    "a label value must be printable: remove the control characters",
                ));
            }
            LabelValue::Const(path) if path.segments.first().is_some_and(|s| s.ident == "Self") => {
                errors.push(syn::Error::new_spanned(
                    path,
                    "a label value cannot name `Self::…`; move the const to the module and name it by path",
                ));
            }
            _ => {}
        }
    }
}

fn check_peer(args: &Args, function: &Function, errors: &mut Vec<syn::Error>) {
    let Some(peer) = &args.peer else { return };
    let mut names = Vec::new();
    for input in &function.sig.inputs {
        if let FnArg::Typed(typed) = input
            && let Pat::Ident(pat) = &*typed.pat
        {
            if pat.ident == *peer {
                return;
            }
            names.push(format!("`{}`", pat.ident));
        }
    }
    let hint = if let [only] = names.as_slice() {
        format!("did you mean {only}?")
    } else if names.is_empty() {
        "the function has no argument bound to a plain name; add one whose type implements `PeerAddr`, such as `addr: SocketAddr`".to_owned()
    } else {
        format!("expected one of {}", names.join(", "))
    };
    errors.push(syn::Error::new_spanned(
        peer,
        format!(
            "`peer = {peer}` names no argument of `{}`; {hint}",
            function.sig.ident
        ),
    ));
}
