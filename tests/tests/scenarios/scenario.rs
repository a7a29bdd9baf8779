//! Running a scenario in a child process of its own, and reading rows.

use std::process::Command;

use wireframe_monitor::{HandlerStats, snapshot};

const VAR: &str = "WM_ONCE_SCENARIO";

/// In the parent: re-runs this binary for `name` only and asserts it
/// passed. In the child (`WM_ONCE_SCENARIO=name`): runs `scenario`.
pub fn child(name: &str, scenario: fn()) {
    let _ = child_stderr(name, scenario);
}

/// As [`child`]; in the parent, returns the child's stderr.
pub fn child_stderr(name: &str, scenario: fn()) -> Option<String> {
    if std::env::var(VAR).as_deref() == Ok(name) {
        // Scenarios silence the panic hook: print their own failure.
        if let Err(payload) = std::panic::catch_unwind(scenario) {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()));
            eprintln!("scenario {name} failed: {}", message.unwrap_or_default());
            std::panic::resume_unwind(payload);
        }
        return None;
    }
    let test = std::thread::current()
        .name()
        .expect("libtest names its threads")
        .to_owned();
    let exe = std::env::current_exe().expect("the test binary");
    let output = Command::new(exe)
        .args([test.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(VAR, name)
        .output()
        .expect("re-run the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "scenario {name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{}",
        output.status,
        tail(&stderr)
    );
    Some(stderr.into_owned())
}

/// The last 40 lines of `text`.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// The snapshot row of handler `name`.
pub fn row(name: &str) -> HandlerStats {
    snapshot()
        .into_iter()
        .find(|s| s.handler() == name)
        .unwrap_or_else(|| panic!("no row for {name}"))
}

/// Panics counted for handler `name` (0 when it has no row yet).
pub fn panics(name: &str) -> u64 {
    snapshot()
        .into_iter()
        .find(|s| s.handler() == name)
        .map_or(0, |s| s.panics())
}
