//! Registration of handlers made at run time: a checked name and label set
//! becomes a registry entry, kept for the process, once per name and
//! label set.

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};

use crate::registry::labels::LabelError;
use crate::registry::{self, Entry};

/// Makes one handler made at run time at a time, so the same name and
/// labels given twice at once are kept once.
static MAKING: Mutex<()> = Mutex::new(());

type Text = Cow<'static, str>;

/// The registry entry of `name` and `labels` (already checked): the
/// existing one when one has the same name and label set, else a new one
/// whose owned strings are leaked, once, for the life of the process.
///
/// # Errors
///
/// [`LabelError::TooManyHandlers`] when the entry's id would be
/// [`registry::MAX_RUN_TIME`] or more (nothing is registered then).
#[cold]
pub(crate) fn entry(name: Text, labels: Vec<(Text, Text)>) -> Result<&'static Entry, LabelError> {
    let _making = MAKING.lock().unwrap_or_else(PoisonError::into_inner);
    let pairs: Vec<(&str, &str)> = labels
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    let found = match registry::find(&name, &pairs) {
        Some(entry) => entry,
        None if registry::count() >= registry::MAX_RUN_TIME as usize => {
            return Err(LabelError::TooManyHandlers);
        }
        None => {
            let labels: Vec<(&'static str, &'static str)> = labels
                .into_iter()
                .map(|(k, v)| (keep(k), keep(v)))
                .collect();
            registry::register(keep(name), Box::leak(labels.into_boxed_slice()))
        }
    };
    if found.id >= registry::MAX_RUN_TIME {
        // Registered by an annotated function, after the others.
        return Err(LabelError::TooManyHandlers);
    }
    Ok(found)
}

/// A `'static` string: borrowed as is, owned leaked (once per handler).
fn keep(text: Text) -> &'static str {
    match text {
        Cow::Borrowed(text) => text,
        Cow::Owned(text) => Box::leak(text.into_boxed_str()),
    }
}
