//! `bench-doors [OUT_DIR]`: the added cost of the run-time door
//! (`MonitoredHandler::run` / `guard`) against the attribute's, over the
//! same bare handlers, sync and async (no-op waker). Each of
//! `BENCH_PROCESSES` processes (default 11) measures bare, attribute and
//! run-time door in the same rounds ([`added::measure`]); where a process
//! places its stack moves a few-nanosecond difference by more than the
//! doors differ, so the verdict is the median over processes of
//! `run-time added / attribute added` (target: at most 1.2), written with
//! the quartiles to `OUT_DIR/doors.json` (default: `$CRITERION_HOME`, else
//! `target/criterion`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use wireframe_monitor_benches::common::{noop_copies, sync_copies};
use wireframe_monitor_benches::procs::{self, quantile_of};
use wireframe_monitor_benches::{added, paired, runtime, setup};

/// The input every call gets.
const X: u64 = 0x5EED;

/// One process's measurements, as JSON lines on stdout.
fn child() {
    setup::install_all();
    let rounds = 201;
    let round = paired::round_from_env(20);
    let sync = added::measure(
        "sync",
        rounds,
        round,
        &mut |n| sync_copies(false, n, X),
        &mut |n| sync_copies(true, n, X),
        &mut |n| runtime::sync_copies(n, X),
    );
    let noop = added::measure(
        "async_noop",
        rounds,
        round,
        &mut |n| noop_copies(false, n, X),
        &mut |n| noop_copies(true, n, X),
        &mut |n| runtime::noop_copies(n, X),
    );
    println!("[\n  {},\n  {}\n]", sync.json(), noop.json());
}

/// Runs the children, prints each, and folds them per kind.
fn parent(out: &Path, processes: usize) -> Result<(), String> {
    let runs = procs::children("bench-doors", processes, |e| {
        format!(
            "{} +{:.2} / +{:.2} ns = {:.2}",
            e["name"].as_str().unwrap_or("?"),
            e["second_added_ns"].as_f64().unwrap_or(f64::NAN),
            e["first_added_ns"].as_f64().unwrap_or(f64::NAN),
            e["ratio"].as_f64().unwrap_or(f64::NAN)
        )
    })?;
    let mut folded = Vec::new();
    for name in ["sync", "async_noop"] {
        let field = |key: &str| -> Vec<f64> {
            runs.iter()
                .filter_map(|run| run.iter().find(|e| e["name"] == name))
                .filter_map(|e| e[key].as_f64())
                .collect()
        };
        let mut ratios = field("ratio");
        let (q1, median, q3) = (
            quantile_of(&mut ratios, 0.25),
            quantile_of(&mut ratios, 0.5),
            quantile_of(&mut ratios, 0.75),
        );
        let attribute = quantile_of(&mut field("first_added_ns"), 0.5);
        let door = quantile_of(&mut field("second_added_ns"), 0.5);
        let bare = quantile_of(&mut field("bare_ns"), 0.5);
        eprintln!(
            "doors {name}: bare {bare:.2} ns, attribute +{attribute:.2} ns, run-time door +{door:.2} ns; added cost run-time / attribute = {median:.2} (IQR {q1:.2}..{q3:.2}, {} processes; target <= 1.2)",
            ratios.len()
        );
        folded.push(format!(
            "{{\"name\": \"doors/{name}\", \"bare_ns\": {bare}, \"a_ns\": {attribute}, \"b_ns\": {door}, \"ratio\": {median}, \"ratio_q1\": {q1}, \"ratio_q3\": {q3}, \"processes\": {}}}",
            ratios.len()
        ));
    }
    let path = out.join("doors.json");
    std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(&path, format!("[\n  {}\n]\n", folded.join(",\n  "))))
        .map_err(|e| format!("write {}: {e}", path.display()))
}

/// `--count VARIANT N`: only `N` calls of one variant, for an instruction
/// counter (`valgrind --tool=callgrind`): the difference between `N` and 0
/// calls, divided by `N`, is the instructions of one call, which code
/// placement and background load do not move.
fn count(variant: &str, iters: u64) -> Result<(), String> {
    setup::install_all();
    let _ = match variant {
        "sync_bare" => sync_copies(false, iters, X),
        "sync_attribute" => sync_copies(true, iters, X),
        "sync_runtime" => runtime::sync_copies(iters, X),
        "async_noop_bare" => noop_copies(false, iters, X),
        "async_noop_attribute" => noop_copies(true, iters, X),
        "async_noop_runtime" => runtime::noop_copies(iters, X),
        _ => {
            return Err(format!(
                "unknown variant `{variant}`: {{sync,async_noop}}_{{bare,attribute,runtime}}"
            ));
        }
    };
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("--child") {
        child();
        return ExitCode::SUCCESS;
    }
    if first.as_deref() == Some("--count") {
        let variant = args.next().unwrap_or_default();
        let iters = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        return match count(&variant, iters) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("bench-doors: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let out = first.map_or_else(paired::out_dir, PathBuf::from);
    let processes = std::env::var("BENCH_PROCESSES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(11);
    match parent(&out, processes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-doors: {error}");
            ExitCode::FAILURE
        }
    }
}
