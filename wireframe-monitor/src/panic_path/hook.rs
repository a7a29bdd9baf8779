//! Our process panic hook: it tells fresh panics from re-raised ones (see
//! `fresh.rs`), captures where they happened (location, current span, and a
//! backtrace for the first few panics per location and interval), then runs
//! the hook it replaced: for the first few panics per location and interval
//! (`storm.rs`; a summary line tells how many were skipped), and not for
//! panics a `contain` guard will catch when `Installer::quiet_contained`
//! asks for quiet.
//!
//! The first call of any monitored handler installs it ([`ensure`]), so
//! "recorded once" never depends on the user calling `install()`; `install()`
//! installs it again ([`reinstall`]) around whatever hook the application
//! set meanwhile. Hooks are only set from a thread that is not panicking
//! (setting one there would panic).

use std::backtrace::Backtrace;
use std::cell::Cell;
use std::io::Write;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime};

use crate::common::map::Map;
use crate::common::panic::payload_text;
use crate::common::text::{Escaped, Utc};
use crate::common::window::{Summary, Window};
use crate::counting::shard;
use crate::panic_path::fresh::{self, FreshPanic};
use crate::panic_path::storm;

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Serialises setting the hook.
static SETTING: Mutex<()> = Mutex::new(());
/// Some version of our hook was set.
static SET: AtomicBool = AtomicBool::new(false);
/// Address of the hook we set last, to recognise it in `take_hook`.
static OURS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Our hook runs on this thread now: a hook chained twice (ours, then
    /// the application's wrapping an older copy of ours) notes the panic once.
    static IN_HOOK: Cell<bool> = const { Cell::new(false) };
}

/// Installs the hook unless some version of it was set already.
pub(crate) fn ensure() {
    if !SET.load(Relaxed) {
        set(false);
    }
}

/// Installs the hook again around the current one, unless the current one
/// is ours.
pub(crate) fn reinstall() {
    set(true);
}

fn set(again: bool) {
    if std::thread::panicking() {
        return;
    }
    let _setting = SETTING.lock().unwrap_or_else(PoisonError::into_inner);
    if SET.load(Relaxed) && !again {
        return;
    }
    let current = std::panic::take_hook();
    if address(&current) == OURS.load(Relaxed) {
        std::panic::set_hook(current);
        return;
    }
    let ours: Hook = Box::new(move |info: &PanicHookInfo<'_>| run(info, &current));
    OURS.store(address(&ours), Relaxed);
    std::panic::set_hook(ours);
    SET.store(true, Relaxed);
    fresh::set_hooked();
}

fn address(hook: &Hook) -> usize {
    std::ptr::from_ref(&**hook).cast::<()>() as usize
}

fn run(info: &PanicHookInfo<'_>, previous: &Hook) {
    let outermost = IN_HOOK.try_with(|h| !h.replace(true)).unwrap_or(false);
    if !outermost {
        // A copy of our hook chained inside ours: it was noted already.
        previous(info);
        return;
    }
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
    let (report, summary) = admit(location.as_deref().unwrap_or(""));
    let payload = info.payload();
    let (message, kind) = payload_text(payload);
    let message = message.map(str::to_owned);
    fresh::note(FreshPanic {
        backtrace: (report && storm::backtraces()).then(|| Arc::new(Backtrace::force_capture())),
        #[cfg(feature = "tracing")]
        span: Some(tracing::Span::current()),
        location,
        message,
        kind,
        ..FreshPanic::default()
    });
    // `in_contain` is false unless quiet_contained is on.
    if !shard::in_contain() && (report || !storm::limit_hook()) {
        if let Some(summary) = summary {
            write_summary(info.location().map(ToString::to_string).as_deref(), summary);
        }
        previous(info);
    }
    let _ = IN_HOOK.try_with(|h| h.set(false));
}

/// Panic locations the chained hook reported recently; at most
/// [`LOCATIONS`] are limited, panics at further ones are always reported.
static WINDOWS: Mutex<Option<Map<String, Window>>> = Mutex::new(None);
const LOCATIONS: usize = 1024;

/// Whether the panic at `location` is among the first few there in this
/// interval (then it gets a backtrace, and the chained hook runs).
fn admit(location: &str) -> (bool, Option<Summary>) {
    let mut windows = WINDOWS.lock().unwrap_or_else(PoisonError::into_inner);
    let windows = windows.get_or_insert_with(Map::default);
    let (now, at) = (Instant::now(), SystemTime::now());
    if let Some(window) = windows.get_mut(location) {
        return storm::admit(window, now, at);
    }
    if windows.len() >= LOCATIONS {
        return (true, None);
    }
    storm::admit(windows.entry(location.to_owned()).or_default(), now, at)
}

/// Writes the chained hook's summary line for a location, to stderr.
fn write_summary(location: Option<&str>, summary: Summary) {
    let secs = summary
        .last
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // One `write` call, so the line stays whole beside other threads' panic
    // reports (Rust's hook writes to stderr without taking its lock); the
    // location escaped, so no file name can end it early.
    let line = format!(
        "wireframe-monitor: {} more panics at {} were not passed to the panic hook within {:?} \
         (the last at {}); counts and metrics include them\n",
        summary.suppressed,
        Escaped(location.unwrap_or("an unknown location")),
        storm::interval(),
        Utc(secs),
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Writes the summaries of locations whose interval ended (called by the
/// background thread of `install()`).
pub(crate) fn sweep() {
    if !storm::limit_hook() {
        return;
    }
    let now = Instant::now();
    let ended: Vec<(String, Summary)> = {
        let mut windows = WINDOWS.lock().unwrap_or_else(PoisonError::into_inner);
        windows
            .iter_mut()
            .flat_map(|windows| windows.iter_mut())
            .filter_map(|(location, window)| Some((location.clone(), storm::roll(window, now)?)))
            .collect()
    };
    for (location, summary) in ended {
        write_summary(Some(&location), summary);
    }
}
