//! Every comparison behind the targets of `docs/benchmarks.md`, in one
//! criterion run, in this order (`main` runs them in order: the global
//! recorder can be set only once per process):
//!
//! 1. `*_no_recorder`: bare vs monitored, before any recorder exists;
//! 2. then [`setup::install_all`]: silent panic hook, Prometheus recorder,
//!    no-op tracing subscriber, `wireframe_monitor::install()`;
//! 3. `sync`, `async_noop`, `async_tokio`: bare, monitored and the
//!    alternatives (`counter!`, `#[autometrics]`, `#[instrument]`);
//! 4. `panic`, `echo`, `contention`, `scale`;
//! 5. `doors`: the same handlers through the run-time door
//!    (`MonitoredHandler`) beside the attribute and bare; `spawn`:
//!    `wireframe_monitor::spawn` outside and inside a monitored call
//!    beside `tokio::spawn`;
//! 6. paired (alternating) runs of the noise-sensitive ratios (sync,
//!    contention), see [`paired`]; last, a check that the guard's counts
//!    reached the Prometheus exposition. The echo and tokio ratios, which
//!    also depend on the process's memory layout, are paired over several
//!    processes by `bench-paired` (`src/bin/bench_paired.rs`), and the
//!    run-time door's added cost against the attribute's by `bench-doors`
//!    (`src/bin/bench_doors.rs`).
//!
//! The `enabled`-off build is measured by `wireframe-monitor-benches-off`;
//! `benches/run.sh` runs both and prints the table.

use std::hint::black_box;
use std::io;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::Criterion;
use tokio::runtime::{Builder, Runtime};
use wireframe_monitor_benches::alternatives::{
    autometrics_async, autometrics_sync, counter_async, counter_sync, instrument_async,
    instrument_sync,
};
use wireframe_monitor_benches::common::{
    bare_async, bare_async_1, bare_async_2, bare_async_3, bare_sync, in_task, monitored_async,
    monitored_async_1, monitored_async_2, monitored_async_3, monitored_sync, noop_copies,
    noop_loop, spread, sync_copies, task_copies,
};
use wireframe_monitor_benches::echo::echo_copies;
use wireframe_monitor_benches::panicking::{monitored_panicking, raw_catch, with_silent_hook};
use wireframe_monitor_benches::runtime::{Spawner, spawn_loop};
use wireframe_monitor_benches::{paired, runtime, scale, setup};

/// The input every call gets (hidden from the optimizer at each call).
const X: u64 = 0x5EED;

fn runtime() -> Runtime {
    Builder::new_current_thread()
        .build()
        .expect("build a current-thread runtime")
}

/// `group/name` for each sync handler `name => path`.
macro_rules! bench_sync {
    ($c:expr, $group:expr $(, $name:literal => $f:path)* $(,)?) => {{
        let mut group = $c.benchmark_group($group);
        group.bench_function("bare", |b| b.iter_custom(|n| sync_copies(false, n, X)));
        group.bench_function("monitored", |b| b.iter_custom(|n| sync_copies(true, n, X)));
        $(group.bench_function($name, |b| b.iter(|| $f(black_box(X))));)*
        group.finish();
    }};
}

/// `group/name` for each async handler, polled with a no-op waker; a
/// variant with copies is timed over all of them ([`spread`]).
macro_rules! bench_noop {
    ($c:expr, $group:expr, $($name:literal => [$($f:path),+]),+ $(,)?) => {{
        let mut group = $c.benchmark_group($group);
        $(group.bench_function($name, |b| {
            b.iter_custom(|n| spread(n, &mut [$(&mut |n| noop_loop(n, || $f(black_box(X)))),+]));
        });)+
        group.finish();
    }};
}

/// `group/name` for each async handler (and its copies), awaited in a loop
/// inside one task of a tokio current-thread runtime ([`in_task`]).
macro_rules! bench_tokio {
    ($c:expr, $group:expr, $($name:literal => [$($f:path),+]),+ $(,)?) => {{
        let rt = runtime();
        let mut group = $c.benchmark_group($group);
        $(group.bench_function($name, |b| {
            b.iter_custom(|n| spread(n, &mut [$(&mut |n| in_task(&rt, n, || $f(black_box(X)))),+]));
        });)+
        group.finish();
    }};
}

/// The copies of the bare and monitored async handlers, for the macros.
macro_rules! with_copies {
    ($m:ident!($c:expr, $group:expr $(, $name:literal => $f:path)* $(,)?)) => {
        $m!($c, $group,
            "bare" => [bare_async, bare_async_1, bare_async_2, bare_async_3],
            "monitored" => [monitored_async, monitored_async_1, monitored_async_2, monitored_async_3],
            $($name => [$f]),*
        )
    };
}

fn no_recorder(c: &mut Criterion) {
    bench_sync!(c, "sync_no_recorder");
    with_copies!(bench_noop!(c, "async_noop_no_recorder"));
    with_copies!(bench_tokio!(c, "async_tokio_no_recorder"));
}

fn with_recorder(c: &mut Criterion) {
    setup::install_all();
    bench_sync!(c, "sync",
        "counter" => counter_sync,
        "autometrics" => autometrics_sync,
        "instrument" => instrument_sync,
    );
    with_copies!(bench_noop!(c, "async_noop",
        "counter" => counter_async,
        "autometrics" => autometrics_async,
        "instrument" => instrument_async,
    ));
    with_copies!(bench_tokio!(c, "async_tokio",
        "counter" => counter_async,
        "autometrics" => autometrics_async,
        "instrument" => instrument_async,
    ));
}

fn panic_path(c: &mut Criterion) {
    setup::install_all();
    let mut group = c.benchmark_group("panic");
    group.bench_function("raw", |b| {
        with_silent_hook(|| b.iter(|| raw_catch(black_box(X))));
    });
    group.bench_function("raw_install_hook", |b| {
        b.iter(|| raw_catch(black_box(X)));
    });
    group.bench_function("monitored", |b| {
        b.iter(|| monitored_panicking(black_box(X)).is_err());
    });
    group.finish();
}

fn echo(c: &mut Criterion) {
    setup::install_all();
    let rt = runtime();
    let mut group = c.benchmark_group("echo");
    group.bench_function("bare", |b| b.iter_custom(|n| echo_copies(&rt, false, n)));
    group.bench_function("monitored", |b| {
        b.iter_custom(|n| echo_copies(&rt, true, n));
    });
    group.finish();
}

/// Runs `f` `iters` times on each of `threads` threads started together;
/// the slowest thread's time. Thread start-up is not timed.
fn threads<F>(threads: usize, iters: u64, f: F) -> Duration
where
    F: Fn(u64) -> io::Result<u64> + Sync,
{
    let barrier = Barrier::new(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    // The first call of a thread takes its counter shard.
                    let _ = black_box(f(black_box(X)));
                    barrier.wait();
                    let start = Instant::now();
                    for i in 0..iters {
                        let _ = black_box(f(black_box(i)));
                    }
                    start.elapsed()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("bench thread"))
            .max()
            .unwrap_or_default()
    })
}

fn contention(c: &mut Criterion) {
    setup::install_all();
    let mut group = c.benchmark_group("contention");
    group.bench_function("bare_1", |b| b.iter_custom(|n| threads(1, n, bare_sync)));
    group.bench_function("bare_2", |b| b.iter_custom(|n| threads(2, n, bare_sync)));
    group.bench_function("monitored_1", |b| {
        b.iter_custom(|n| threads(1, n, monitored_sync));
    });
    group.bench_function("monitored_2", |b| {
        b.iter_custom(|n| threads(2, n, monitored_sync));
    });
    group.finish();
}

fn scale_handlers(c: &mut Criterion) {
    setup::install_all();
    let all = scale::handlers();
    let mut group = c.benchmark_group("scale");
    for (registered, from) in [(1, 0), (100, 1), (1000, 100)] {
        // Register (first call of) the next handlers, then time the last one.
        for handler in &all[from..registered] {
            let _ = handler(X);
        }
        let handler = black_box(all[registered - 1]);
        group.bench_function(format!("handlers_{registered}"), |b| {
            b.iter(|| handler(black_box(X)));
        });
    }
    group.finish();
}

/// The attribute and the run-time door (`MonitoredHandler::run` /
/// `guard`) side by side on the same bodies, sync and async.
fn doors(c: &mut Criterion) {
    setup::install_all();
    let mut group = c.benchmark_group("doors_sync");
    group.bench_function("bare", |b| b.iter_custom(|n| sync_copies(false, n, X)));
    group.bench_function("attribute", |b| b.iter_custom(|n| sync_copies(true, n, X)));
    group.bench_function("runtime", |b| b.iter_custom(|n| runtime::sync_copies(n, X)));
    group.finish();
    let mut group = c.benchmark_group("doors_async_noop");
    group.bench_function("bare", |b| b.iter_custom(|n| noop_copies(false, n, X)));
    group.bench_function("attribute", |b| b.iter_custom(|n| noop_copies(true, n, X)));
    group.bench_function("runtime", |b| b.iter_custom(|n| runtime::noop_copies(n, X)));
    group.finish();
    let rt = runtime();
    let mut group = c.benchmark_group("doors_async_tokio");
    group.bench_function("bare", |b| b.iter_custom(|n| task_copies(&rt, false, n, X)));
    group.bench_function("attribute", |b| {
        b.iter_custom(|n| task_copies(&rt, true, n, X));
    });
    group.bench_function("runtime", |b| {
        b.iter_custom(|n| runtime::task_copies(&rt, n, X));
    });
    group.finish();
}

/// `wireframe_monitor::spawn` against `tokio::spawn`: a task spawned and
/// joined per iteration on a current-thread runtime, outside and inside a
/// monitored call.
fn spawn_tasks(c: &mut Criterion) {
    setup::install_all();
    let rt = runtime();
    let mut group = c.benchmark_group("spawn");
    for (name, spawner) in [
        ("tokio", Spawner::Tokio),
        ("outside", Spawner::Outside),
        ("monitored", Spawner::Monitored),
    ] {
        group.bench_function(name, |b| b.iter_custom(|n| spawn_loop(&rt, n, spawner)));
    }
    group.finish();
}

/// Paired comparisons (see [`paired`]) of the ratios criterion's sequential
/// runs cannot resolve under background load; written to
/// `$CRITERION_HOME/paired.json` for `bench-summary`. Run only when
/// benchmarking (`--bench`), unless `BENCH_PAIRED=0`.
fn paired_ratios() {
    if !paired::wanted() {
        return;
    }
    setup::install_all();
    let rounds = 31;
    let round = paired::round_from_env(100);
    let results = [
        paired::compare(
            "sync/monitored_vs_bare",
            rounds,
            round,
            &mut |n| sync_copies(false, n, X),
            &mut |n| sync_copies(true, n, X),
        ),
        paired::compare(
            "contention/bare_2_vs_1",
            rounds,
            round,
            &mut |n| threads(1, n, bare_sync),
            &mut |n| threads(2, n, bare_sync),
        ),
        paired::compare(
            "contention/monitored_2_vs_1",
            rounds,
            round,
            &mut |n| threads(1, n, monitored_sync),
            &mut |n| threads(2, n, monitored_sync),
        ),
    ];
    paired::report(&results, &paired::out_dir(), "paired.json");
}

/// Not a benchmark: checks that the monitored calls above reached the
/// Prometheus exposition, so what was measured is the real guard.
fn exported(_: &mut Criterion) {
    let handle = setup::install_all();
    wireframe_monitor::flush();
    let text = handle.render();
    let line = text
        .lines()
        .find(|l| l.starts_with("wireframe_handler_calls_total{handler=\"monitored_sync\"}"));
    match line {
        Some(line) => eprintln!("exported: {line}"),
        None => eprintln!("exported: MISSING wireframe_handler_calls_total for monitored_sync"),
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    // In this order: the recorder is installed by the second group.
    no_recorder(&mut c);
    with_recorder(&mut c);
    panic_path(&mut c);
    echo(&mut c);
    contention(&mut c);
    scale_handlers(&mut c);
    doors(&mut c);
    spawn_tasks(&mut c);
    paired_ratios();
    exported(&mut c);
    c.final_summary();
}
