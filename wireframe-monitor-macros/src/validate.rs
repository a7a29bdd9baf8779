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
    check_objective(args, &mut errors);
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

fn check_objective(args: &Args, errors: &mut Vec<syn::Error>) {
    let Some(objective) = &args.objective else {
        return;
    };
    if let Err(message) = objective_ratio(&objective.value()) {
        errors.push(syn::Error::new_spanned(objective, message));
    }
}

/// The first words of every objective error but the `%` one.
const RANGE: &str =
    "`objective` must be a percentage strictly between 0 and 100, for example \"99.9\"";

/// The ratio of an `objective = "…"` percentage, or the error message: the
/// decimal point moved two places to the left ("99.95" is "0.9995"), read
/// as the nearest `f64`, strictly between 0 and 1. The runtime's
/// `registry/objective.rs` applies the same rules to objectives made at run
/// time; keep the two in step.
pub(crate) fn objective_ratio(text: &str) -> Result<f64, String> {
    let not_a_number = || format!("{RANGE}; {text:?} is not a decimal number");
    if let Some(number) = text.strip_suffix('%') {
        // The number's own problem, if it has one.
        let number = number.trim_end();
        objective_ratio(number)?;
        return Err(format!(
            "`objective` is a number of percent, written without `%`: write `objective = {number:?}`"
        ));
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let Some((whole, fraction)) = decimal(unsigned) else {
        return Err(not_a_number());
    };
    let whole = format!("{whole:0>2}");
    let (units, hundredths) = whole.split_at(whole.len() - 2);
    let units = if units.is_empty() { "0" } else { units };
    let ratio: f64 = format!("{units}.{hundredths}{fraction}")
        .parse()
        .map_err(|_| not_a_number())?;
    if negative || ratio <= 0.0 {
        Err(RANGE.to_owned())
    } else if units.trim_start_matches('0').is_empty() && ratio >= 1.0 {
        Err(format!(
            "{RANGE}; {text:?} is 100 once stored as a ratio (an `f64`), which leaves no error budget: use fewer nines"
        ))
    } else if ratio >= 1.0 {
        Err(format!(
            "{RANGE}; 100 or more would leave no error budget (no panic allowed at all)"
        ))
    } else {
        Ok(ratio)
    }
}

/// `digits[.digits]` split at the point, or `None`.
fn decimal(text: &str) -> Option<(&str, &str)> {
    let (whole, fraction) = match text.split_once('.') {
        Some((_, "")) => return None,
        Some(parts) => parts,
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (!whole.is_empty() && digits(whole) && digits(fraction)).then_some((whole, fraction))
}

#[cfg(test)]
mod tests {
    use super::objective_ratio;

    #[test]
    fn objectives_become_the_nearest_ratio_of_their_digits() {
        for (text, want) in [
            ("99.95", 0.9995),
            ("99.9", 0.999),
            ("99", 0.99),
            ("5", 0.05),
            ("0.5", 0.005),
            ("099.9", 0.999),
        ] {
            assert_eq!(objective_ratio(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn misuses_name_the_fix() {
        let message = |text: &str| objective_ratio(text).unwrap_err();
        for text in [
            "", "nan", "inf", "1e2", "+99", " 99", "99.", ".5", "high", "high%",
        ] {
            assert!(
                message(text).ends_with("is not a decimal number"),
                "{text:?}"
            );
        }
        assert!(message("99.9%").contains("write `objective = \"99.9\"`"));
        assert_eq!(message("-5%"), super::RANGE);
        for text in ["0", "0.00", "-0", "-5"] {
            assert_eq!(message(text), super::RANGE, "{text:?}");
        }
        for text in ["100", "100.0", "101", "1000"] {
            assert!(message(text).contains("100 or more"), "{text:?}");
        }
        assert!(message("99.99999999999999999").contains("use fewer nines"));
    }

    /// Checked before the expansion is chosen: with the `enabled` feature
    /// off (`cargo test -p wireframe-monitor-macros --no-default-features`)
    /// too.
    #[test]
    fn a_bad_objective_fails_in_either_mode() {
        let out = crate::expand::monitored_connection(
            quote::quote!(objective = "100"),
            quote::quote!(
                fn handle() {}
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("100 or more"), "{out}");
        let out = crate::expand::monitored_connection(
            quote::quote!(objective = "99.5", crate = "::wireframe_monitor"),
            quote::quote!(
                fn handle() {}
            ),
        )
        .to_string();
        assert!(!out.contains("compile_error"), "{out}");
        assert_eq!(out.contains("0.995f64"), cfg!(feature = "enabled"), "{out}");
    }
}
