//! `bench-summary [CRITERION_DIR]`: reads the results criterion saved for
//! the `overhead` and `off` benches (default dir: `$CRITERION_HOME`, else
//! `$CARGO_TARGET_DIR/criterion`, else `target/criterion`) and prints, as
//! Markdown, every measurement (median ns per call) and every target of the
//! benchmarks issue with the ratio measured and whether it is met.
//! Exits 1 if a measurement is missing, 0 otherwise (a missed target is
//! reported in the table, not by the exit code).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reads the median (ns) of `group/bench`, if criterion saved it.
fn median(dir: &Path, group: &str, bench: &str) -> Option<f64> {
    let path = dir.join(group).join(bench).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// The results, with a record of what was missing.
struct Results {
    dir: PathBuf,
    missing: Vec<String>,
}

impl Results {
    fn get(&mut self, group: &str, bench: &str) -> f64 {
        median(&self.dir, group, bench).unwrap_or_else(|| {
            self.missing.push(format!("{group}/{bench}"));
            f64::NAN
        })
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**MISSED**" }
}

/// Rows `| group | bench | ns | added vs bare |` for every variant.
fn measurements(r: &mut Results, out: &mut String) {
    let groups: &[(&str, &[&str])] = &[
        ("sync_no_recorder", &["bare", "monitored"]),
        ("async_noop_no_recorder", &["bare", "monitored"]),
        ("async_tokio_no_recorder", &["bare", "monitored"]),
        (
            "sync",
            &["bare", "monitored", "counter", "autometrics", "instrument"],
        ),
        (
            "async_noop",
            &["bare", "monitored", "counter", "autometrics", "instrument"],
        ),
        (
            "async_tokio",
            &["bare", "monitored", "counter", "autometrics", "instrument"],
        ),
        ("off_sync", &["bare", "monitored"]),
        ("off_async_noop", &["bare", "monitored"]),
        ("off_async_tokio", &["bare", "monitored"]),
        ("panic", &["raw", "raw_install_hook", "monitored"]),
        ("echo", &["bare", "monitored"]),
        (
            "contention",
            &["bare_1", "bare_2", "monitored_1", "monitored_2"],
        ),
        ("scale", &["handlers_1", "handlers_100", "handlers_1000"]),
    ];
    out.push_str(
        "| group | variant | ns/call (median) | added vs first row |\n|---|---|---:|---:|\n",
    );
    for (group, benches) in groups {
        let base = r.get(group, benches[0]);
        for bench in *benches {
            let ns = r.get(group, bench);
            let _ = writeln!(out, "| {group} | {bench} | {ns:.2} | {:+.2} |", ns - base);
        }
    }
}

/// Rows `| target | measured | bar | met |`.
fn targets(r: &mut Results, out: &mut String) {
    out.push_str("| target | measured | bar | verdict |\n|---|---:|---:|---|\n");
    for group in ["sync", "async_noop", "async_tokio"] {
        let bare = r.get(group, "bare");
        let added = r.get(group, "monitored") - bare;
        let counter = r.get(group, "counter") - bare;
        let auto = r.get(group, "autometrics") - bare;
        let ratio = added / counter;
        let _ = writeln!(
            out,
            "| {group}: monitored added / `counter!` added ({added:.2} / {counter:.2} ns) \
             | {ratio:.3} | ≤ 0.04 | {} |",
            verdict(ratio <= 0.04)
        );
        let ratio = added / auto;
        let _ = writeln!(
            out,
            "| {group}: monitored added / autometrics added ({added:.2} / {auto:.2} ns) \
             | {ratio:.4} | ≤ 0.01 | {} |",
            verdict(ratio <= 0.01)
        );
    }
    for group in ["off_sync", "off_async_noop", "off_async_tokio"] {
        let ratio = r.get(group, "monitored") / r.get(group, "bare");
        let _ = writeln!(
            out,
            "| {group}: `enabled` off / bare | {ratio:.3} | 1 ± 0.05 (noise) | {} |",
            verdict((ratio - 1.0).abs() <= 0.05)
        );
    }
    let rows = [
        (
            "echo: monitored / bare",
            "echo",
            "monitored",
            "echo",
            "bare",
            1.02,
        ),
        (
            "panic: monitored / raw (silent hook)",
            "panic",
            "monitored",
            "panic",
            "raw",
            1.5,
        ),
        (
            "scale: 1000 handlers / 1",
            "scale",
            "handlers_1000",
            "scale",
            "handlers_1",
            1.1,
        ),
        (
            "contention: monitored 2 threads / 1 thread",
            "contention",
            "monitored_2",
            "contention",
            "monitored_1",
            1.2,
        ),
        (
            "contention (reference): bare 2 threads / 1 thread",
            "contention",
            "bare_2",
            "contention",
            "bare_1",
            1.2,
        ),
    ];
    for (label, g1, b1, g2, b2, bar) in rows {
        let ratio = r.get(g1, b1) / r.get(g2, b2);
        let _ = writeln!(
            out,
            "| {label} | {ratio:.3} | ≤ {bar} | {} |",
            verdict(ratio <= bar)
        );
    }
}

fn main() -> ExitCode {
    let dir = std::env::args_os().nth(1).map_or_else(
        || {
            std::env::var_os("CRITERION_HOME").map_or_else(
                || {
                    std::env::var_os("CARGO_TARGET_DIR")
                        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
                        .join("criterion")
                },
                PathBuf::from,
            )
        },
        PathBuf::from,
    );
    let mut results = Results {
        dir,
        missing: Vec::new(),
    };
    let mut out = String::new();
    targets(&mut results, &mut out);
    out.push('\n');
    measurements(&mut results, &mut out);
    print!("{out}");
    if results.missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        results.missing.sort();
        results.missing.dedup();
        eprintln!(
            "bench-summary: no results in {} for: {}",
            results.dir.display(),
            results.missing.join(", ")
        );
        ExitCode::FAILURE
    }
}
