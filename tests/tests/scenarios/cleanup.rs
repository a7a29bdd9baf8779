//! (b)–(e): cleanup code that calls monitored functions while a panic
//! unwinds, after payloads re-raised earlier were caught and freed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use wireframe_monitor::{MonitoredHandler, PanicEvent, monitored_connection};

use crate::scenario::{panics, row};

const ROUNDS: u64 = 200;

#[monitored_connection(name = "cleanup_log")]
fn log_line(_line: &str) {}

/// Calls a monitored function from `Drop`, as a connection's cleanup does.
struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        log_line("connection closed");
    }
}

#[monitored_connection(name = "cleanup_resume", on_panic = "resume")]
fn resume_handler(n: u64) -> u64 {
    assert!(n == u64::MAX, "resume handler failed");
    n
}

#[monitored_connection(name = "cleanup_contain")]
fn contain_handler(n: u64) -> Option<u64> {
    let _cleanup = Cleanup;
    assert!(n == u64::MAX, "contain handler failed");
    Some(n)
}

/// The alternating loop of (b) and (e): a `resume` panic whose payload the
/// caller catches and drops, then a fresh panic under a cleanup guard.
fn alternate() {
    for n in 0..ROUNDS {
        let payload = catch_unwind(AssertUnwindSafe(|| resume_handler(n))).expect_err("resumed");
        drop(payload);
        assert_eq!(contain_handler(n), None);
    }
    assert_eq!(panics("cleanup_resume"), ROUNDS);
    assert_eq!(panics("cleanup_contain"), ROUNDS, "fresh panics lost");
    assert_eq!(row("cleanup_log").panics(), 0);
    assert_eq!(row("cleanup_log").calls(), ROUNDS);
}

static EVENT_LOCATIONS: Mutex<Vec<Option<String>>> = Mutex::new(Vec::new());

pub fn installed() {
    std::panic::set_hook(Box::new(|_| {}));
    // Every panic reported, so each must carry its location.
    wireframe_monitor::Installer::new()
        .no_report_limit()
        .install();
    wireframe_monitor::set_panic_handler(|event: &PanicEvent<'_>| {
        if event.handler() == "cleanup_contain" {
            EVENT_LOCATIONS
                .lock()
                .unwrap()
                .push(event.location().map(str::to_owned));
        }
    });
    alternate();
    // (c): the location of the contain handler's own panic, not None.
    let locations = EVENT_LOCATIONS.lock().unwrap();
    assert_eq!(locations.len() as u64, ROUNDS);
    let expected = format!("{}:", file!());
    for location in locations.iter() {
        let location = location.as_deref().expect("location in the PanicEvent");
        assert!(location.starts_with(&expected), "{location}");
    }
    let row = row("cleanup_contain");
    let last = row.last_location().expect("location in snapshot()");
    assert!(last.starts_with(&expected), "{last}");
    assert_eq!(row.last_message(), Some("contain handler failed"));
}

#[monitored_connection(name = "d_outer")]
fn outer_with_cleanup(n: u64) -> Option<u64> {
    let _cleanup = Cleanup;
    Some(resume_handler(n))
}

pub fn without_install() {
    std::panic::set_hook(Box::new(|_| {}));
    for n in 0..ROUNDS {
        assert_eq!(outer_with_cleanup(n), None);
    }
    assert_eq!(panics("cleanup_resume"), ROUNDS);
    assert_eq!(panics("d_outer"), 0, "counted again by the outer handler");
    assert_eq!(row("d_outer").active(), 0);
}

pub fn hook_replaced() {
    wireframe_monitor::install();
    // The application's own hook, not chaining the previous one.
    std::panic::set_hook(Box::new(|_| {}));
    alternate();
    // A plain nested pair still counts once on one thread.
    for n in 0..ROUNDS {
        assert_eq!(outer_with_cleanup(n), None);
    }
    assert_eq!(panics("cleanup_resume"), 2 * ROUNDS);
    assert_eq!(panics("d_outer"), 0);
}

/// Calls a run-time handler from `Drop`.
struct RuntimeCleanup(MonitoredHandler);

impl Drop for RuntimeCleanup {
    fn drop(&mut self) {
        self.0.run(|| ());
    }
}

/// (b) and (e) through the run-time door, whose fast path reads no flags:
/// with the application's hook in place of ours, the same-thread marks
/// that `resume` guards leave must still be cleared by the next call, or a
/// fresh panic whose payload reuses a freed address is taken for a
/// re-raised one.
pub fn hook_replaced_runtime() {
    wireframe_monitor::install();
    std::panic::set_hook(Box::new(|_| {}));
    let resume = MonitoredHandler::named("rt_cleanup_resume").unwrap();
    let contain = MonitoredHandler::named("rt_cleanup_contain").unwrap();
    let log = MonitoredHandler::named("rt_cleanup_log").unwrap();
    let failing = |n: u64| {
        assert!(n == u64::MAX, "resume handler failed");
        n
    };
    for n in 0..ROUNDS {
        let payload = catch_unwind(AssertUnwindSafe(|| resume.run_resume(|| failing(n))))
            .expect_err("resumed");
        drop(payload);
        let got: Option<u64> = contain.run(|| {
            let _cleanup = RuntimeCleanup(log);
            assert!(n == u64::MAX, "contain handler failed");
            Some(n)
        });
        assert_eq!(got, None);
    }
    assert_eq!(panics("rt_cleanup_resume"), ROUNDS);
    assert_eq!(panics("rt_cleanup_contain"), ROUNDS, "fresh panics lost");
    assert_eq!(row("rt_cleanup_log").calls(), ROUNDS);
    // A nested pair: counted once, by the inner guard.
    let outer = MonitoredHandler::named("rt_d_outer").unwrap();
    for n in 0..ROUNDS {
        let got: Option<u64> = outer.run(|| {
            let _cleanup = RuntimeCleanup(log);
            Some(resume.run_resume(|| failing(n)))
        });
        assert_eq!(got, None);
    }
    assert_eq!(panics("rt_cleanup_resume"), 2 * ROUNDS);
    assert_eq!(panics("rt_d_outer"), 0);
    for name in [
        "rt_cleanup_resume",
        "rt_cleanup_contain",
        "rt_cleanup_log",
        "rt_d_outer",
    ] {
        assert_eq!(row(name).active(), 0, "{name}");
    }
}
