//! What every shape test uses: a log of drops, the row and counts of a
//! handler, a runtime, and the checks.

use std::fmt::Debug;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, UnwindSafe};
use std::sync::{Arc, Mutex, Once, PoisonError};

/// What was noted and dropped, in order.
pub type Log = Arc<Mutex<Vec<&'static str>>>;

/// Notes its name in the log when dropped.
pub struct Noted(pub Log, pub &'static str);

impl Drop for Noted {
    fn drop(&mut self) {
        note(&self.0, self.1);
    }
}

/// Appends `what` to `log`.
pub fn note(log: &Log, what: &'static str) {
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(what);
}

/// The entries of `log`.
pub fn entries(log: &Log) -> Vec<&'static str> {
    log.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// A panic hook that prints into the captured test output (the suite
/// panics on purpose), then `install()`.
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // Captured by libtest: shown for failing tests only.
        std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
        wireframe_monitor::install();
    });
}

/// Runs `future` on a fresh current-thread runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// The row of `handler` in `snapshot()`.
pub fn row(handler: &str) -> wireframe_monitor::HandlerStats {
    wireframe_monitor::snapshot()
        .into_iter()
        .find(|s| s.handler() == handler)
        .unwrap_or_else(|| panic!("{handler} was never called"))
}

/// `(calls, active, panics)` of `handler`.
pub fn counts(handler: &str) -> (u64, u64, u64) {
    let stats = row(handler);
    (stats.calls(), stats.active(), stats.panics())
}

/// A `contain` shape: `happy` returns `want`, `panicking` the fallback,
/// and `handler` counted two calls, one panic, none active.
pub fn check<T: PartialEq + Debug>(
    handler: &str,
    happy: impl FnOnce() -> T,
    want: &T,
    panicking: impl FnOnce() -> T,
    fallback: &T,
) {
    init();
    assert_eq!(&happy(), want, "{handler}: the happy path");
    assert_eq!(&panicking(), fallback, "{handler}: the fallback");
    assert_eq!(
        counts(handler),
        (2, 0, 1),
        "{handler}: (calls, active, panics)"
    );
}

/// A `resume` shape: `happy` returns `want`, `panicking` re-raises a panic
/// whose message is `message`, and `handler` counted as in [`check`].
pub fn check_resume<T: PartialEq + Debug>(
    handler: &str,
    happy: impl FnOnce() -> T,
    want: &T,
    panicking: impl FnOnce() -> T + UnwindSafe,
    message: &str,
) {
    init();
    assert_eq!(&happy(), want, "{handler}: the happy path");
    let payload = catch_unwind(panicking).expect_err("the panic is resumed");
    let text = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()));
    assert_eq!(text.as_deref(), Some(message), "{handler}: the payload");
    assert_eq!(
        counts(handler),
        (2, 0, 1),
        "{handler}: (calls, active, panics)"
    );
}

/// A shape taking `(log, permit, _, n)`: `guarded` (annotated) and `plain`
/// (the same function without the attribute) must return the same on the
/// happy path (`n = 1`) and note and drop the same things in the same
/// order; with `n = 0` the guarded one returns `None` where the plain one
/// panics, again with the same log.
pub fn check_twins(
    handler: &str,
    guarded: impl Fn(Log, Noted, Noted, u8) -> Option<u8>,
    plain: impl Fn(Log, Noted, Noted, u8) -> Option<u8>,
) {
    init();
    let run = |f: &dyn Fn(Log, Noted, Noted, u8) -> Option<u8>, n| {
        let log = Log::default();
        let out = f(
            log.clone(),
            Noted(log.clone(), "permit"),
            Noted(log.clone(), "wild"),
            n,
        );
        (out, entries(&log))
    };
    let (guarded_out, guarded_log) = run(&guarded, 1);
    let (plain_out, plain_log) = run(&plain, 1);
    assert!(guarded_out.is_some(), "{handler}: the happy path");
    assert_eq!(guarded_out, plain_out, "{handler}: the same value");
    assert_eq!(guarded_log, plain_log, "{handler}: the same drops");

    let (fallback, contained_log) = run(&guarded, 0);
    assert_eq!(fallback, None, "{handler}: the fallback");
    let log = Log::default();
    let unwound = catch_unwind(AssertUnwindSafe(|| {
        plain(
            log.clone(),
            Noted(log.clone(), "permit"),
            Noted(log.clone(), "wild"),
            0,
        )
    }));
    assert!(unwound.is_err(), "{handler}: the plain twin panics");
    assert_eq!(
        contained_log,
        entries(&log),
        "{handler}: the same drops when panicking"
    );
    assert_eq!(
        counts(handler),
        (2, 0, 1),
        "{handler}: (calls, active, panics)"
    );
}
