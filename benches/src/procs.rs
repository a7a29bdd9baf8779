//! Measurements run in several processes (`bench-paired`, `bench-doors`):
//! where a process places its stack and heap moves a few-nanosecond
//! difference, so each binary re-runs itself with `--child`, once per
//! process, and folds the JSON arrays the children print.

use std::process::Command;

use crate::paired;

/// Runs this executable with `--child` `processes` times and returns each
/// child's JSON array, printing `tag: process k/n: ` and what `describe`
/// makes of each.
///
/// # Errors
///
/// A child that cannot start, fails, or prints no JSON.
pub fn children(
    tag: &str,
    processes: usize,
    describe: impl Fn(&serde_json::Value) -> String,
) -> Result<Vec<Vec<serde_json::Value>>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let mut runs = Vec::with_capacity(processes);
    for k in 1..=processes {
        let output = Command::new(&exe)
            .arg("--child")
            .output()
            .map_err(|e| format!("run {}: {e}", exe.display()))?;
        if !output.status.success() {
            return Err(format!(
                "process {k} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("process {k} printed no JSON: {e}"))?;
        let entries = value.as_array().cloned().unwrap_or_default();
        let line: Vec<String> = entries.iter().map(&describe).collect();
        eprintln!("{tag}: process {k}/{processes}: {}", line.join(", "));
        runs.push(entries);
    }
    Ok(runs)
}

/// The `q` quantile of `values` (sorted here).
pub fn quantile_of(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    paired::quantile(values, q)
}
