//! The demo reads in one screen: `cargo run --example demo` exits 0, its
//! stderr holds at most a few plain-text lines per panic (its events and
//! storm summaries: no multi-line panic report, no backtrace frame on a line
//! of its own, no colour codes when it is not a terminal), and its stdout
//! ends with the exposition, the snapshot table and the check.
//!
//! An example has no `CARGO_BIN_EXE_…`, so the test builds the demo as the
//! README's first command does (`cargo build --example demo` in the
//! workspace root, into this test's target directory and profile), then runs
//! the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Lines of stderr allowed per panic.
const LINES_PER_PANIC: usize = 3;

/// Builds the demo with the cargo running this test; its path.
fn build_demo() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/demo_output-<hash>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps");
    let target_dir = profile_dir.parent().expect("a target directory");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev",
        Some("release") => "release",
        Some(other) => other,
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the example crate is a workspace member");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--quiet",
            "--example",
            "demo",
            "--profile",
            profile,
        ])
        .arg("--target-dir")
        .arg(target_dir)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build --example demo: {status}");
    profile_dir
        .join("examples")
        .join(format!("demo{}", std::env::consts::EXE_SUFFIX))
}

/// The panic count of the demo's closing `check: OK: N panics …` line.
fn panics_checked(stdout: &str) -> usize {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("check: OK: "))
        .and_then(|rest| rest.split_once(' '))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no `check: OK: N panics` line in:\n{stdout}"))
}

#[test]
fn the_demo_writes_a_few_stderr_lines_per_panic() {
    let demo = build_demo();
    // `RUST_BACKTRACE` set as a newcomer debugging something might have it:
    // the demo's output must not depend on it.
    let output = Command::new(&demo)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", demo.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the demo failed ({}):\n{stdout}\n{stderr}",
        output.status
    );

    let panics = panics_checked(&stdout);
    assert!(panics > 0, "the demo provokes panics");
    let lines: Vec<&str> = stderr.lines().collect();
    let head = lines[..lines.len().min(40)].join("\n");
    assert!(
        lines.len() <= LINES_PER_PANIC * panics,
        "{} stderr lines for {panics} panics (at most {LINES_PER_PANIC} each); the first:\n{head}",
        lines.len()
    );
    for line in &lines {
        assert!(
            line.contains("connection handler panic") || line.starts_with("wireframe-monitor: "),
            "not an event or a storm summary: {line:?}\nstderr:\n{head}"
        );
        assert!(!line.contains('\u{1b}'), "colour codes in a file: {line:?}");
    }
    let events = lines
        .iter()
        .filter(|l| l.contains("connection handler panicked"))
        .count();
    assert!(
        (1..=panics).contains(&events),
        "{events} events for {panics} panics"
    );

    for section in [
        "--- Prometheus exposition ---",
        "--- wireframe_monitor::snapshot() ---",
    ] {
        assert!(stdout.contains(section), "no {section:?} in:\n{stdout}");
    }
}
