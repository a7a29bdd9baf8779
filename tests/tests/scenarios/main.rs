//! Scenarios that need a process of their own, each run in a child process
//! (this binary re-executed with `WM_ONCE_SCENARIO` set): a panic is
//! recorded once under hostile interleavings, with the panic hook
//! `install()`ed, never installed, or replaced by the application without
//! chaining it; a panic storm's reports are limited, with the chained
//! hook's stderr captured; a panic without a captured location counts
//! under `site="unknown"`, and sites add up under a storm; and every
//! annotated function is registered at start-up.

#![cfg(feature = "enabled")]

mod cleanup;
mod cross_runtime;
mod reentrant;
mod scenario;
mod sites;
mod stalled;
mod startup;
mod storm;
#[cfg(target_os = "linux")]
mod threads;

use scenario::{child, child_stderr};

/// (a) inner `resume` handlers on another runtime, re-raised by the outer
/// one, 1,000 tasks at once: 0 extra counts.
#[test]
fn a_cross_runtime_reraise_counted_once() {
    child("a_cross_runtime", cross_runtime::run);
}

/// (b) + (c) with `install()`: a cleanup `Drop` calling monitored code while
/// a fresh panic unwinds, after freed re-raised payloads: 200 of 200 counted,
/// each with its location.
#[test]
fn b_c_cleanup_during_unwind_installed() {
    child("b_c_installed", cleanup::installed);
}

/// (d) without `install()`: an outer `contain` handler owning such a guard
/// calls a `resume` handler that panics: counted once, under the inner one.
#[test]
fn d_nested_without_install() {
    child("d_without_install", cleanup::without_install);
}

/// (e) the application replaces the panic hook after `install()` without
/// chaining it: no fresh panic is lost.
#[test]
fn e_hook_replaced_by_application() {
    child("e_hook_replaced", cleanup::hook_replaced);
}

/// (e) the same through the run-time door (`MonitoredHandler`).
#[test]
fn e_hook_replaced_by_application_runtime_door() {
    child("e_hook_replaced_runtime", cleanup::hook_replaced_runtime);
}

/// (f) a tracing layer that calls a monitored handler which panics while
/// the event is being recorded: recorded, bounded, a recording failure.
#[test]
fn f_tracing_layer_reenters() {
    child("f_tracing", reentrant::tracing_layer);
}

/// (f) a metrics recorder that does the same.
#[test]
fn f_metrics_recorder_reenters() {
    child("f_metrics", reentrant::metrics_recorder);
}

/// A storm of 120,000 panics on one handler beside a rarely panicking one:
/// exact counts, bounded events and hook reports, summaries that add up, a
/// backtrace on reported panics.
#[test]
fn storm_is_limited_and_exact() {
    let stderr = child_stderr("storm", storm::run);
    if let Some(stderr) = stderr {
        storm::check_stderr(&stderr);
    }
}

/// The publisher stuck 3 s inside a recorder's registration: 8 new threads
/// x 10,000 calls with 1 % panics and a `snapshot()` do not wait for it,
/// and the counts are exact in `snapshot()` and, after, in the recorder.
#[test]
fn g_stalled_publisher_never_waited_for() {
    child("g_stalled", stalled::run);
}

/// The threads `install()` starts have names distinct in the 15 bytes
/// Linux keeps.
#[cfg(target_os = "linux")]
#[test]
fn h_thread_names_distinct_in_15_bytes() {
    child("h_threads", threads::run);
}

/// A panic whose location was not captured (a re-raised payload of
/// unmonitored code, the application's hook in place of ours) counts under
/// `site="unknown"`, in `snapshot()` and the metric.
#[test]
fn sites_unknown_without_a_captured_location() {
    child("sites_unknown", sites::unknown_location);
}

/// 60,000 panics from four threads over twelve sites through a global
/// Prometheus recorder: eight sites and `other`, adding up to
/// `panics_total` exactly in `snapshot()` and the exposition.
#[test]
fn sites_add_up_under_a_storm_through_a_global_recorder() {
    child("sites_storm", sites::storm_through_a_global_recorder);
}

/// Every annotated function linked into the binary (sync, async, `-> impl
/// Future`, generic), none of them called, and a run-time handler made but
/// never run: all at 0 in the Prometheus exposition after `install()` and
/// `flush()`, and one row each in `snapshot()`.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "fuchsia",
    target_os = "macos",
    target_os = "ios",
    target_os = "tvos",
    target_os = "windows",
    target_os = "illumos",
    target_os = "freebsd",
    target_os = "openbsd",
))]
#[test]
fn i_every_handler_at_zero_from_start_up() {
    child("i_startup", startup::run);
}
