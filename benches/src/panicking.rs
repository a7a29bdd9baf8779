//! The panic path: the same panicking body caught by a raw `catch_unwind`
//! and contained by the guard.

use std::hint::black_box;
use std::io;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};

use wireframe_monitor::monitored_connection;

use crate::common::work;

/// The panic message of both variants (a `&'static str` payload).
pub const MESSAGE: &str = "connection reset by peer";

/// Handler that panics, without instrumentation.
///
/// # Errors
/// Never returns normally.
///
/// # Panics
/// Always, with [`MESSAGE`].
#[inline(never)]
pub fn bare_panicking(x: u64) -> io::Result<u64> {
    assert!(!black_box(true), "connection reset by peer");
    Ok(work(x))
}

/// The same handler under `#[monitored_connection]` (contain).
///
/// # Errors
/// Always: the contained panic.
#[expect(
    clippy::missing_panics_doc,
    reason = "the body's panic is contained: it never reaches the caller"
)]
#[monitored_connection]
#[inline(never)]
pub fn monitored_panicking(x: u64) -> io::Result<u64> {
    assert!(!black_box(true), "connection reset by peer");
    Ok(work(x))
}

/// The raw alternative: `catch_unwind` around the bare handler, the payload
/// dropped. Returns whether a panic was caught.
#[must_use]
pub fn raw_catch(x: u64) -> bool {
    match panic::catch_unwind(AssertUnwindSafe(|| bare_panicking(x))) {
        Ok(_) => false,
        Err(payload) => {
            drop(black_box(payload));
            true
        }
    }
}

/// A panic hook that prints nothing.
pub fn silent(_: &PanicHookInfo<'_>) {}

/// Runs `f` with only the silent hook set, then puts the previous hook
/// (for example the one `install()` chained) back.
pub fn with_silent_hook<T>(f: impl FnOnce() -> T) -> T {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(silent));
    let out = f();
    panic::set_hook(previous);
    out
}
