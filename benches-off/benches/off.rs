//! The `enabled`-off build: `#[monitored_connection]` emits the function
//! exactly as written, so "monitored" must cost what "bare" does. The
//! handlers are those of the `enabled`-on benches, from the same file.
//!
//! Run alone (`cargo bench -p wireframe-monitor-benches-off`): in a
//! workspace-wide build, cargo unifies features and the guard is on; the
//! binary detects that and measures nothing.

use criterion::Criterion;

#[allow(
    clippy::unnecessary_wraps,
    reason = "the handlers have the type of connection handlers; in this binary they are not exported"
)]
#[path = "../../benches/src/common.rs"]
mod common;

#[allow(
    dead_code,
    reason = "shared with the enabled-on bench, which uses all of it"
)]
#[path = "../../benches/src/paired.rs"]
mod paired;

use common::{monitored_sync, noop_copies, sync_copies, task_copies};

/// The input every call gets (hidden from the optimizer at each call).
const X: u64 = 0x5EED;

/// Whether the guard is compiled in: a monitored call registers a handler.
fn guard_compiled_in() -> bool {
    let _ = monitored_sync(X);
    wireframe_monitor::snapshot()
        .iter()
        .any(|s| s.handler() == "monitored_sync")
}

fn off(c: &mut Criterion) {
    if guard_compiled_in() {
        eprintln!(
            "benches-off: the `enabled` feature is on in this build (cargo feature unification); \
             run `cargo bench -p wireframe-monitor-benches-off` alone. Nothing measured."
        );
        return;
    }
    let mut group = c.benchmark_group("off_sync");
    group.bench_function("bare", |b| b.iter_custom(|n| sync_copies(false, n, X)));
    group.bench_function("monitored", |b| b.iter_custom(|n| sync_copies(true, n, X)));
    group.finish();

    let mut group = c.benchmark_group("off_async_noop");
    group.bench_function("bare", |b| b.iter_custom(|n| noop_copies(false, n, X)));
    group.bench_function("monitored", |b| b.iter_custom(|n| noop_copies(true, n, X)));
    group.finish();

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("build a current-thread runtime");
    let mut group = c.benchmark_group("off_async_tokio");
    group.bench_function("bare", |b| b.iter_custom(|n| task_copies(&rt, false, n, X)));
    group.bench_function("monitored", |b| {
        b.iter_custom(|n| task_copies(&rt, true, n, X));
    });
    group.finish();
}

/// Paired (alternating) runs of `enabled`-off vs bare, written to
/// `$CRITERION_HOME/paired-off.json`; only when benchmarking (`--bench`)
/// and unless `BENCH_PAIRED=0`.
fn paired_off() {
    if !paired::wanted() || guard_compiled_in() {
        return;
    }
    let rounds = 31;
    let round = paired::round_from_env(50);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("build a current-thread runtime");
    let results = [
        paired::compare(
            "off_sync/monitored_vs_bare",
            rounds,
            round,
            &mut |n| sync_copies(false, n, X),
            &mut |n| sync_copies(true, n, X),
        ),
        paired::compare(
            "off_async_noop/monitored_vs_bare",
            rounds,
            round,
            &mut |n| noop_copies(false, n, X),
            &mut |n| noop_copies(true, n, X),
        ),
        paired::compare(
            "off_async_tokio/monitored_vs_bare",
            rounds,
            round,
            &mut |n| task_copies(&rt, false, n, X),
            &mut |n| task_copies(&rt, true, n, X),
        ),
    ];
    paired::report(&results, &paired::out_dir(), "paired-off.json");
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    off(&mut c);
    paired_off();
    c.final_summary();
}
