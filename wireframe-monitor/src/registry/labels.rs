//! The naming rules of handlers made at run time ([`MonitoredHandler::new`]):
//! the attribute's rules for names and labels, checked into a [`LabelError`].
//!
//! [`MonitoredHandler::new`]: crate::MonitoredHandler::new

use std::collections::HashSet;
use std::fmt;

use crate::common::text::Escaped;

/// At most this many labels per handler (the attribute's limit).
pub(crate) const MAX_LABELS: usize = 8;

/// Why a name or label set given at run time was refused; the rules are the
/// attribute's, checked when the handler is made instead of at compile time.
///
/// ```
/// use wireframe_monitor::{LabelError, MonitoredHandler};
///
/// let err = MonitoredHandler::new("login", [("handler", "x")]).unwrap_err();
/// assert_eq!(err, LabelError::ReservedKey);
/// assert!(err.to_string().contains("reserved for the handler's name"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LabelError {
    /// The handler's name is empty.
    EmptyName,
    /// The handler's name holds control characters.
    NameNotPrintable,
    /// More than 8 labels (the count given).
    TooMany(usize),
    /// A key that is not a Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    InvalidKey(String),
    /// The key `handler`, which carries the handler's name.
    ReservedKey,
    /// A key starting with `__`, which Prometheus reserves.
    DoubleUnderscore(String),
    /// A key given twice.
    DuplicateKey(String),
    /// The value of this key holds control characters.
    ValueNotPrintable(String),
    /// 2^24 (16,777,216) handlers, the most a handler made at run time can
    /// be one of, are registered already: names or label values are being
    /// made per connection or per request.
    TooManyHandlers,
}

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyName => f.write_str(
                "the handler's name must not be empty; give its name, for example \"login\"",
            ),
            Self::NameNotPrintable => f.write_str(
                "the handler's name must be printable: remove the control characters (newlines, tabs, escapes)",
            ),
            Self::TooMany(n) => write!(
                f,
                "too many labels: {n} given, at most {MAX_LABELS} allowed; remove {} (every label multiplies the series an exporter keeps)",
                n - MAX_LABELS
            ),
            Self::InvalidKey(key) => write!(
                f,
                "label key `{}` is not a valid Prometheus label name; use only ASCII letters, digits and `_`, not starting with a digit",
                Escaped(key)
            ),
            Self::ReservedKey => f.write_str(
                "label key `handler` is reserved for the handler's name; pass the name as the first argument or pick another key",
            ),
            Self::DoubleUnderscore(key) => write!(
                f,
                "label key `{key}` starts with `__`, which Prometheus reserves; rename it"
            ),
            Self::DuplicateKey(key) => write!(f, "label key `{key}` is given twice; keep one"),
            Self::ValueNotPrintable(key) => write!(
                f,
                "the value of label `{key}` must be printable: remove the control characters"
            ),
            Self::TooManyHandlers => write!(
                f,
                "too many handlers: {} names and label sets are registered already, the most a handler made at run time can use; a name or label value that changes per connection or per request (an id, an address, a time) makes a new handler every time: use a fixed set of names and values",
                crate::registry::MAX_RUN_TIME
            ),
        }
    }
}

impl std::error::Error for LabelError {}

/// Checks a handler's name.
pub(crate) fn check_name(name: &str) -> Result<(), LabelError> {
    if name.is_empty() {
        Err(LabelError::EmptyName)
    } else if name.chars().any(char::is_control) {
        Err(LabelError::NameNotPrintable)
    } else {
        Ok(())
    }
}

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks a label set; the first problem found.
pub(crate) fn check_labels<K: AsRef<str>, V: AsRef<str>>(
    labels: &[(K, V)],
) -> Result<(), LabelError> {
    if labels.len() > MAX_LABELS {
        return Err(LabelError::TooMany(labels.len()));
    }
    let mut seen = HashSet::new();
    for (key, value) in labels {
        let (key, value) = (key.as_ref(), value.as_ref());
        if !valid_key(key) {
            return Err(LabelError::InvalidKey(key.to_owned()));
        } else if key == crate::common::names::HANDLER_LABEL {
            return Err(LabelError::ReservedKey);
        } else if key.starts_with("__") {
            return Err(LabelError::DoubleUnderscore(key.to_owned()));
        } else if !seen.insert(key) {
            return Err(LabelError::DuplicateKey(key.to_owned()));
        } else if value.chars().any(char::is_control) {
            return Err(LabelError::ValueNotPrintable(key.to_owned()));
        }
    }
    Ok(())
}
