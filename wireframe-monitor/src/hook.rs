//! Our process panic hook: it tells fresh panics from re-raised ones (see
//! `fresh.rs`), captures where they happened, then runs the hook it
//! replaced, unless a `contain` guard will catch the panic and
//! `Installer::quiet_contained` asks for quiet.
//!
//! The first call of any monitored handler installs it ([`ensure`]), so
//! "recorded once" never depends on the user calling `install()`; `install()`
//! installs it again ([`reinstall`]) around whatever hook the application
//! set meanwhile. Hooks are only set from a thread that is not panicking
//! (setting one there would panic).

use std::cell::Cell;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

use crate::fresh::{self, FreshPanic};
use crate::hot;

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
    if outermost {
        fresh::note(capture(info));
    }
    // Guards mark themselves only while quiet_contained is on.
    if !hot::in_contain() {
        previous(info);
    }
    if outermost {
        let _ = IN_HOOK.try_with(|h| h.set(false));
    }
}

/// What the hook keeps of a fresh panic.
fn capture(info: &PanicHookInfo<'_>) -> FreshPanic {
    FreshPanic {
        location: info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())),
    }
}
