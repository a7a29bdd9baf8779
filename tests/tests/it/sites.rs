//! Each panic counts once under its site, the crate-relative `path:line`
//! of its location (here `tests/it/sites.rs:<line>`, relative to this
//! crate, `tests/`; a dependency's from its crate folder on; the standard
//! library's from `core/…`), in `HandlerStats::sites()` and in
//! `wireframe_handler_panic_sites_total`; past `Installer::panic_sites`
//! sites under `other`; `panic_sites(0)` turns them off; the sums equal the
//! panic counts under threads. (`unknown` and storms: the `scenarios`
//! binary, which can replace the panic hook and install a global recorder.)

use std::time::Duration;

use metrics_exporter_prometheus::PrometheusBuilder;
use metrics_util::debugging::DebuggingRecorder;
use wireframe_monitor::names::{PANIC_SITES_TOTAL, PANICS_TOTAL, SITE_LABEL, SITE_OTHER};
use wireframe_monitor::{Installer, monitored_connection};
use wireframe_monitor_tests::{Samples, Value, recorded};

use crate::support::{self, row};

/// This file as the `site` label shows it.
const FILE: &str = "tests/it/sites.rs";

/// `FILE:line`.
fn here(line: u32) -> String {
    format!("{FILE}:{line}")
}

/// `HandlerStats::sites()` of `handler`, owned.
fn sites(handler: &str) -> Vec<(String, u64)> {
    let row = row(handler).expect("a row");
    let sites: Vec<(String, u64)> = row
        .sites()
        .into_iter()
        .map(|(s, n)| (s.to_owned(), n))
        .collect();
    assert_eq!(
        sites.iter().map(|(_, n)| n).sum::<u64>(),
        row.panics(),
        "{handler}: sites add up to panics"
    );
    sites
}

/// `(site, count)` of every `wireframe_handler_panic_sites_total` sample of
/// `handler`, sorted by site; asserts each has exactly the label keys `keys`.
fn site_samples(samples: &Samples, handler: &str, keys: &[&str]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = samples
        .all(PANIC_SITES_TOTAL, handler)
        .map(|s| {
            let got: Vec<&str> = s.labels.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(got, keys, "{s:?}");
            let Value::Counter(n) = s.value else {
                panic!("not a counter: {s:?}")
            };
            (s.label(SITE_LABEL).expect("site").to_owned(), n)
        })
        .collect();
    out.sort();
    out
}

#[monitored_connection(name = "sites_per_location")]
fn per_location(f: impl FnOnce() -> u8) -> Option<u8> {
    Some(f())
}

#[monitored_connection(name = "sites_labelled", labels(proto = "v2"))]
fn labelled(f: impl FnOnce() -> u8) -> Option<u8> {
    Some(f())
}

#[test]
fn each_site_counts_under_its_crate_relative_path_and_line() {
    let _shared = support::shared();
    let ((first, second), samples) = recorded(|| {
        let first = line!() + 2;
        for _ in 0..3 {
            assert_eq!(per_location(|| panic!("sites: first")), None);
        }
        let second = line!() + 1;
        assert_eq!(per_location(|| panic!("sites: second")), None);
        assert_eq!(per_location(|| 7), Some(7));
        (first, second)
    });
    assert_eq!(
        sites("sites_per_location"),
        [(here(first), 3), (here(second), 1)]
    );
    assert_eq!(
        site_samples(&samples, "sites_per_location", &["handler", "site"]),
        [(here(first), 3), (here(second), 1)]
    );
    assert_eq!(samples.counter(PANICS_TOTAL, "sites_per_location"), Some(4));

    // User labels sit between `handler` and `site`.
    let (line, samples) = recorded(|| {
        let line = line!() + 1;
        assert_eq!(labelled(|| panic!("sites: labelled")), None);
        line
    });
    assert_eq!(sites("sites_labelled"), [(here(line), 1)]);
    assert_eq!(
        site_samples(&samples, "sites_labelled", &["handler", "proto", "site"]),
        [(here(line), 1)]
    );
}

#[monitored_connection(name = "sites_elsewhere")]
fn elsewhere(in_std: bool) -> Option<()> {
    if in_std {
        // Overflow: panics inside `core` (`impl Sub for Duration`).
        #[expect(
            clippy::unchecked_time_subtraction,
            reason = "the overflow's panic is the point"
        )]
        let _ = std::hint::black_box(Duration::from_secs(1)) - Duration::from_secs(2);
    } else {
        // Indexing an array by key: panics inside serde_json.
        let mut value = serde_json::json!([1]);
        value["key"] = serde_json::Value::Null;
    }
    Some(())
}

/// Whether `text` is `<digits>`.
fn is_line(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn dependency_and_std_sites_start_at_their_crate() {
    let _shared = support::shared();
    assert_eq!(elsewhere(false), None);
    assert_eq!(elsewhere(true), None);
    let sites = sites("sites_elsewhere");
    assert_eq!(sites.len(), 2, "{sites:?}");
    let dependency = sites
        .iter()
        .find_map(|(s, _)| s.strip_prefix("serde_json-1."))
        .unwrap_or_else(|| panic!("a serde_json site in {sites:?}"));
    let (_, line) = dependency
        .split_once("/src/value/index.rs:")
        .unwrap_or_else(|| panic!("serde_json's index.rs in {dependency}"));
    assert!(is_line(line), "{dependency}");
    let std_line = sites
        .iter()
        .find_map(|(s, _)| s.strip_prefix("core/src/time.rs:"))
        .unwrap_or_else(|| panic!("a core site in {sites:?}"));
    assert!(is_line(std_line), "{sites:?}");
    for (site, count) in &sites {
        assert_eq!(*count, 1);
        for leak in [
            "/rustc",
            "registry",
            ".cargo",
            "index.crates.io",
            "/home",
            "/work",
        ] {
            assert!(!site.contains(leak), "{site}");
        }
        assert!(!site.starts_with('/'), "{site}");
    }
}

/// Twelve closures, each panicking on its own line: `FIRST_OF_TWELVE + i`.
#[rustfmt::skip]
fn twelve() -> [fn() -> u8; 12] {
    [
        || panic!("sites: 0"),
        || panic!("sites: 1"),
        || panic!("sites: 2"),
        || panic!("sites: 3"),
        || panic!("sites: 4"),
        || panic!("sites: 5"),
        || panic!("sites: 6"),
        || panic!("sites: 7"),
        || panic!("sites: 8"),
        || panic!("sites: 9"),
        || panic!("sites: 10"),
        || panic!("sites: 11"),
    ]
}
const FIRST_OF_TWELVE: u32 = line!() - 14;

/// The site of closure `i` of [`twelve`].
fn twelfth(i: usize) -> String {
    here(FIRST_OF_TWELVE + u32::try_from(i).expect("small"))
}

/// Restores the default options on drop.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        Installer::new().install();
    }
}

#[monitored_connection(name = "sites_limited")]
fn limited(f: fn() -> u8) -> Option<u8> {
    Some(f())
}

#[monitored_connection(name = "sites_default_limit")]
fn default_limit(f: fn() -> u8) -> Option<u8> {
    Some(f())
}

#[test]
fn sites_past_the_limit_count_under_other() {
    let _exclusive = support::exclusive();
    let _restore = Restore;
    Installer::new().panic_sites(3).install();
    let ((), samples) = recorded(|| {
        for f in &twelve()[..5] {
            for _ in 0..2 {
                assert_eq!(limited(*f), None);
            }
        }
    });
    let want = vec![
        (SITE_OTHER.to_owned(), 4),
        (twelfth(0), 2),
        (twelfth(1), 2),
        (twelfth(2), 2),
    ];
    assert_eq!(sites("sites_limited"), want);
    let mut want_sorted = want;
    want_sorted.sort();
    assert_eq!(
        site_samples(&samples, "sites_limited", &["handler", "site"]),
        want_sorted
    );

    // The default is 8.
    Installer::new().install();
    for f in twelve() {
        assert_eq!(default_limit(f), None);
    }
    let mut want: Vec<(String, u64)> = (0..8).map(|i| (twelfth(i), 1)).collect();
    want.insert(0, (SITE_OTHER.to_owned(), 4));
    assert_eq!(sites("sites_default_limit"), want);
}

#[monitored_connection(name = "sites_off")]
fn off(f: fn() -> u8) -> Option<u8> {
    Some(f())
}

#[test]
fn zero_sites_turn_the_metric_off() {
    let _exclusive = support::exclusive();
    let _restore = Restore;
    Installer::new().panic_sites(0).install();
    let ((), samples) = recorded(|| assert_eq!(off(twelve()[0]), None));
    assert_eq!(samples.counter(PANICS_TOTAL, "sites_off"), Some(1));
    assert_eq!(samples.all(PANIC_SITES_TOTAL, "sites_off").count(), 0);
    let stats = row("sites_off").expect("a row");
    assert_eq!((stats.panics(), stats.sites()), (1, vec![]));

    // On again: counted from then on.
    Installer::new().install();
    let ((), samples) = recorded(|| assert_eq!(off(twelve()[0]), None));
    assert_eq!(
        site_samples(&samples, "sites_off", &["handler", "site"]),
        [(twelfth(0), 1)]
    );
    let stats = row("sites_off").expect("a row");
    assert_eq!(stats.panics(), 2);
    let (site, count) = stats.sites()[0];
    assert_eq!((site, count), (twelfth(0).as_str(), 1));
}

#[monitored_connection(name = "sites_threads", labels(test = "threads"))]
fn threaded(f: fn() -> u8) -> Option<u8> {
    Some(f())
}

const THREADS: usize = 4;
const CALLS: usize = 3_000;

#[test]
fn sites_add_up_to_panics_across_threads() {
    let _shared = support::shared();
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let recorder = &recorder;
            scope.spawn(move || {
                let _local = metrics::set_default_local_recorder(recorder);
                let twelve = twelve();
                for n in 0..CALLS {
                    // Every third call panics, at one of the twelve sites.
                    if n % 3 == 0 {
                        assert_eq!(threaded(twelve[(n / 3 + t) % 12]), None);
                    } else {
                        assert_eq!(threaded(|| 1), Some(1));
                    }
                }
            });
        }
    });
    let panics = u64::try_from(THREADS * CALLS / 3).expect("small");
    let sites = sites("sites_threads");
    assert_eq!(row("sites_threads").expect("a row").panics(), panics);
    assert_eq!(sites.len(), 9, "8 sites and other: {sites:?}");
    let all: Vec<String> = (0..12).map(twelfth).collect();
    assert!(
        sites
            .iter()
            .all(|(s, _)| s == SITE_OTHER || all.contains(s)),
        "{sites:?}"
    );

    let samples = Samples::take(&snapshotter);
    assert_eq!(samples.counter(PANICS_TOTAL, "sites_threads"), Some(panics));
    let mut want = sites;
    want.sort();
    assert_eq!(
        site_samples(&samples, "sites_threads", &["handler", "test", "site"]),
        want,
        "the recorder saw the same sites and counts"
    );
}

#[monitored_connection(name = "sites_exposed", labels(proto = "v2"))]
fn exposed(f: fn() -> u8) -> Option<u8> {
    Some(f())
}

#[test]
fn the_prometheus_exposition_shows_sites_without_absolute_paths() {
    let _shared = support::shared();
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        for f in [twelve()[0], twelve()[1], twelve()[0]] {
            assert_eq!(exposed(f), None);
        }
    });
    let text = handle.render();
    assert!(
        text.contains(&format!("# TYPE {PANIC_SITES_TOTAL} counter")),
        "{text}"
    );
    assert!(
        text.contains(&format!("# HELP {PANIC_SITES_TOTAL} ")),
        "{text}"
    );
    for (i, count) in [(0, 2), (1, 1)] {
        let line = format!(
            "{PANIC_SITES_TOTAL}{{handler=\"sites_exposed\",proto=\"v2\",site=\"{}\"}} {count}",
            twelfth(i)
        );
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    let panics = format!("{PANICS_TOTAL}{{handler=\"sites_exposed\",proto=\"v2\"}} 3");
    assert!(text.lines().any(|l| l == panics), "{panics} in\n{text}");
    for line in text.lines().filter(|l| l.starts_with(PANIC_SITES_TOTAL)) {
        assert!(!line.contains("=\"/") && !line.contains("/work/"), "{line}");
    }
}
