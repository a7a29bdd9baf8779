//! Panic sites where a process of its own is needed: a panic whose
//! location was not captured counts under `site="unknown"` (a payload of
//! unmonitored code re-raised, then the application's hook in place of
//! ours); a storm of panics from several threads over more sites than the
//! limit, through a global Prometheus recorder, adds up exactly.

use std::panic::resume_unwind;

use metrics_exporter_prometheus::PrometheusBuilder;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use wireframe_monitor::names::{PANIC_SITES_TOTAL, PANICS_TOTAL, SITE_OTHER, SITE_UNKNOWN};
use wireframe_monitor::{Installer, monitored_connection};

use crate::scenario::row;

/// This file as the `site` label shows it.
const FILE: &str = "tests/scenarios/sites.rs";

/// `HandlerStats::sites()` of `handler`, owned; asserts they add up.
fn sites(handler: &str) -> Vec<(String, u64)> {
    let row = row(handler);
    let sites: Vec<(String, u64)> = row
        .sites()
        .into_iter()
        .map(|(s, n)| (s.to_owned(), n))
        .collect();
    assert_eq!(sites.iter().map(|(_, n)| n).sum::<u64>(), row.panics());
    sites
}

#[monitored_connection(name = "sites_unknown")]
fn unknown(f: impl FnOnce()) -> Option<()> {
    f();
    Some(())
}

pub fn unknown_location() {
    // Silent, and chained by `install()`.
    std::panic::set_hook(Box::new(|_| {}));
    wireframe_monitor::install();
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let line = metrics::with_local_recorder(&recorder, || {
        let line = line!() + 1;
        assert_eq!(unknown(|| panic!("sites: captured")), None);
        // A payload of a thread nobody monitors, re-raised: our hook saw
        // its panic on that thread, not here.
        let payload = std::thread::spawn(|| panic!("sites: plain thread"))
            .join()
            .expect_err("the thread panicked");
        assert_eq!(unknown(|| resume_unwind(payload)), None);
        // The application replaces the hook without chaining ours.
        std::panic::set_hook(Box::new(|_| {}));
        assert_eq!(unknown(|| panic!("sites: hook replaced")), None);
        line
    });
    assert_eq!(
        sites("sites_unknown"),
        [(SITE_UNKNOWN.to_owned(), 2), (format!("{FILE}:{line}"), 1)]
    );
    let mut seen: Vec<(String, u64)> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(key, _, _, _)| key.key().name() == PANIC_SITES_TOTAL)
        .map(|(key, _, _, value)| {
            let site = key.key().labels().find(|l| l.key() == "site");
            let DebugValue::Counter(n) = value else {
                panic!("a counter")
            };
            (site.expect("a site label").value().to_owned(), n)
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [(format!("{FILE}:{line}"), 1), (SITE_UNKNOWN.to_owned(), 2)]
    );
}

/// Twelve functions, each panicking on its own line: `FIRST_OF_TWELVE + i`.
#[rustfmt::skip]
fn twelve() -> [fn(); 12] {
    [
        || panic!("storm site 0"),
        || panic!("storm site 1"),
        || panic!("storm site 2"),
        || panic!("storm site 3"),
        || panic!("storm site 4"),
        || panic!("storm site 5"),
        || panic!("storm site 6"),
        || panic!("storm site 7"),
        || panic!("storm site 8"),
        || panic!("storm site 9"),
        || panic!("storm site 10"),
        || panic!("storm site 11"),
    ]
}
const FIRST_OF_TWELVE: u32 = line!() - 14;

#[monitored_connection(name = "sites_storm", labels(proto = "v2"))]
fn stormy(f: fn()) -> Option<()> {
    f();
    Some(())
}

const THREADS: usize = 4;
const PER_THREAD: usize = 15_000;

/// The value of the samples of `name` for `sites_storm` in a Prometheus
/// text exposition, by `site` label (`""` for none).
fn exposed(text: &str, name: &str) -> Vec<(String, u64)> {
    let prefix = format!("{name}{{handler=\"sites_storm\",proto=\"v2\"");
    let mut out: Vec<(String, u64)> = text
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(&prefix)?;
            let (labels, value) = rest.split_once("} ")?;
            let site = labels
                .strip_prefix(",site=\"")
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or_default();
            Some((site.to_owned(), value.trim().parse().ok()?))
        })
        .collect();
    out.sort();
    out
}

pub fn storm_through_a_global_recorder() {
    std::panic::set_hook(Box::new(|_| {}));
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .expect("the only recorder");
    Installer::new().install();
    // The global recorder is known from here on: panics use kept handles.
    wireframe_monitor::flush();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            scope.spawn(move || {
                let twelve = twelve();
                for n in 0..PER_THREAD {
                    assert_eq!(stormy(twelve[(n + t) % 12]), None);
                }
            });
        }
    });
    let panics = u64::try_from(THREADS * PER_THREAD).expect("small");
    let sites = sites("sites_storm");
    assert_eq!(row("sites_storm").panics(), panics);
    assert_eq!(sites.len(), 9, "8 sites and other: {sites:?}");
    let named = (0..12).map(|i| format!("{FILE}:{}", FIRST_OF_TWELVE + i));
    let named: Vec<String> = named.collect();
    for (site, _) in &sites {
        assert!(site == SITE_OTHER || named.contains(site), "{site}");
    }

    let text = handle.render();
    assert_eq!(exposed(&text, PANICS_TOTAL), [(String::new(), panics)]);
    let mut want = sites;
    want.sort();
    assert_eq!(exposed(&text, PANIC_SITES_TOTAL), want, "\n{text}");
}
