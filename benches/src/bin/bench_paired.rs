//! `bench-paired [OUT_DIR]`: the paired comparisons whose ratio depends on
//! where one process happens to place its stack and heap (address space
//! layout randomisation moves a whole echo connection by ±3 % between two
//! runs of the same binary, and a tokio round by about 1 %), each run in
//! `BENCH_PROCESSES` separate processes (default 21). Every process runs
//! the alternating rounds of [`paired::compare`]; the result is the median
//! of the per-process ratios, with their quartiles, written to
//! `OUT_DIR/paired-procs.json` (default: `$CRITERION_HOME`, else
//! `target/criterion`) for `bench-summary`.
//!
//! Compared: a tokio task awaiting the bare vs the monitored async handler
//! and vs a per-call `counter!`, an echo connection to the bare vs the
//! monitored handler, two copies of the bare echo handler (A/A: what
//! placement alone does), and a task spawned and joined with
//! `wireframe_monitor::spawn` (outside and inside a monitored call) vs
//! `tokio::spawn`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use wireframe_monitor_benches::alternatives::counter_async;
use wireframe_monitor_benches::common::{in_task, task_copies};
use wireframe_monitor_benches::echo::{bare_echo, bare_echo_1, echo_copies, echo_timed};
use wireframe_monitor_benches::paired::{self, Paired};
use wireframe_monitor_benches::procs::{self, quantile_of};
use wireframe_monitor_benches::runtime::{Spawner, spawn_loop};
use wireframe_monitor_benches::setup;

/// The input every call gets.
const X: u64 = 0x5EED;

/// One process's comparisons, as JSON on stdout.
fn child() {
    setup::install_all();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("build a current-thread runtime");
    let rounds = 31;
    let round = paired::round_from_env(100);
    let results = [
        paired::compare(
            "async_tokio/monitored_vs_bare",
            rounds,
            round,
            &mut |n| task_copies(&rt, false, n, X),
            &mut |n| task_copies(&rt, true, n, X),
        ),
        paired::compare(
            "async_tokio/counter_vs_bare",
            rounds,
            round,
            &mut |n| task_copies(&rt, false, n, X),
            &mut |n| in_task(&rt, n, || counter_async(black_box(X))),
        ),
        paired::compare(
            "echo/monitored_vs_bare",
            rounds,
            round,
            &mut |n| echo_copies(&rt, false, n),
            &mut |n| echo_copies(&rt, true, n),
        ),
        paired::compare(
            "echo/bare_copy_vs_bare",
            rounds,
            round,
            &mut |n| echo_timed(&rt, n, bare_echo),
            &mut |n| echo_timed(&rt, n, bare_echo_1),
        ),
        paired::compare(
            "spawn/outside_vs_tokio",
            rounds,
            round,
            &mut |n| spawn_loop(&rt, n, Spawner::Tokio),
            &mut |n| spawn_loop(&rt, n, Spawner::Outside),
        ),
        paired::compare(
            "spawn/monitored_vs_tokio",
            rounds,
            round,
            &mut |n| spawn_loop(&rt, n, Spawner::Tokio),
            &mut |n| spawn_loop(&rt, n, Spawner::Monitored),
        ),
    ];
    println!("{}", paired::to_json(&results));
}

/// Runs the children and folds their results per comparison.
fn parent(out: &Path, processes: usize) -> Result<(), String> {
    let runs = procs::children("bench-paired", processes, |e| {
        format!(
            "{} {:.4}",
            e["name"],
            e["ratio"].as_f64().unwrap_or(f64::NAN)
        )
    })?;
    let names: Vec<String> = runs
        .first()
        .map(|first| {
            first
                .iter()
                .filter_map(|e| e["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let folded: Vec<Paired> = names
        .iter()
        .map(|name| {
            let field = |key: &str| -> Vec<f64> {
                runs.iter()
                    .filter_map(|run| run.iter().find(|e| e["name"] == name.as_str()))
                    .filter_map(|e| e[key].as_f64())
                    .collect()
            };
            let mut ratios = field("ratio");
            Paired {
                name: name.clone(),
                a_ns: quantile_of(&mut field("a_ns"), 0.5),
                b_ns: quantile_of(&mut field("b_ns"), 0.5),
                ratio: quantile_of(&mut ratios, 0.5),
                ratio_iqr: (
                    quantile_of(&mut ratios, 0.25),
                    quantile_of(&mut ratios, 0.75),
                ),
                rounds: ratios.len(),
            }
        })
        .collect();
    paired::report(&folded, out, "paired-procs.json");
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("--child") {
        child();
        return ExitCode::SUCCESS;
    }
    let out = first.map_or_else(paired::out_dir, PathBuf::from);
    let processes = std::env::var("BENCH_PROCESSES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(21);
    match parent(&out, processes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-paired: {error}");
            ExitCode::FAILURE
        }
    }
}
