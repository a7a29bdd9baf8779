//! The threads `install()` starts are told apart in `ps -L` and `top -H`:
//! Linux keeps 15 bytes of a thread's name.

use std::collections::HashSet;
use std::time::{Duration, Instant};

/// What the kernel shows for every thread of this process.
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .expect("procfs")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|comm| comm.trim_end().to_owned())
        .collect()
}

pub fn run() {
    wireframe_monitor::install();
    wireframe_monitor::flush();
    // A new thread names itself once it runs: wait for both (bounded).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut names = thread_names();
    while names.iter().filter(|n| n.starts_with("wfmon-")).count() < 2 && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
        names = thread_names();
    }
    let ours: Vec<&String> = names.iter().filter(|n| n.starts_with("wfmon")).collect();
    for expected in ["wfmon-publisher", "wfmon-storms"] {
        assert!(
            ours.iter().any(|n| *n == expected),
            "no thread named {expected} in {names:?}"
        );
    }
    let distinct: HashSet<&&String> = ours.iter().collect();
    assert_eq!(distinct.len(), ours.len(), "names repeat: {ours:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("wireframe-moni")),
        "a name cut to 15 bytes: {names:?}"
    );
}
