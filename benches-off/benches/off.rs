//! The `enabled`-off build: `#[monitored_connection]` emits the function
//! exactly as written, so "monitored" must cost what "bare" does. The
//! handlers are those of the `enabled`-on benches, from the same file.
//!
//! Run alone (`cargo bench -p wireframe-monitor-benches-off`): in a
//! workspace-wide build, cargo unifies features and the guard is on; the
//! binary detects that and measures nothing.

use std::hint::black_box;

use criterion::Criterion;

#[allow(
    clippy::unnecessary_wraps,
    reason = "the handlers have the type of connection handlers; in this binary they are not exported"
)]
#[path = "../../benches/src/common.rs"]
mod common;

use common::{bare_async, bare_sync, monitored_async, monitored_sync, poll_noop};

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
    group.bench_function("bare", |b| b.iter(|| bare_sync(black_box(X))));
    group.bench_function("monitored", |b| b.iter(|| monitored_sync(black_box(X))));
    group.finish();

    let mut group = c.benchmark_group("off_async_noop");
    group.bench_function("bare", |b| b.iter(|| poll_noop(bare_async(black_box(X)))));
    group.bench_function("monitored", |b| {
        b.iter(|| poll_noop(monitored_async(black_box(X))));
    });
    group.finish();

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("build a current-thread runtime");
    let mut group = c.benchmark_group("off_async_tokio");
    group.bench_function("bare", |b| b.iter(|| rt.block_on(bare_async(black_box(X)))));
    group.bench_function("monitored", |b| {
        b.iter(|| rt.block_on(monitored_async(black_box(X))));
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    off(&mut c);
    c.final_summary();
}
