//! The demo's final check: the snapshot and the Prometheus exposition must
//! show exactly the calls and panics the client triggered, each panic under
//! its site (crate-relative `path:line`), and every handler's objective.

use wireframe_monitor::{HandlerStats, names};

use crate::client::Tally;
use crate::routes;

/// The value of the sample `name{labels}` (labels in any order) in a text
/// exposition.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut want = labels.to_vec();
    want.sort_unstable();
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        let (set, value) = match rest.strip_prefix('{') {
            Some(rest) => rest.split_once("} ")?,
            None => ("", rest.strip_prefix(' ')?),
        };
        let mut got: Vec<(&str, &str)> = set
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k, v.trim_matches('"')))
            .collect();
        got.sort_unstable();
        if got == want {
            value.trim().parse().ok()
        } else {
            None
        }
    })
}

/// `(site, value)` of every `wireframe_handler_panic_sites_total` sample
/// whose other labels are `labels` (in any order), sorted by site.
fn sites(text: &str, labels: &[(&str, &str)]) -> Vec<(String, u64)> {
    let mut want = labels.to_vec();
    want.sort_unstable();
    let mut out: Vec<(String, u64)> = text
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(names::PANIC_SITES_TOTAL)?;
            let (set, value) = rest.strip_prefix('{')?.split_once("} ")?;
            let mut site = None;
            let mut got: Vec<(&str, &str)> = Vec::new();
            for (k, v) in set.split(',').filter_map(|kv| kv.split_once('=')) {
                let v = v.trim_matches('"');
                if k == names::SITE_LABEL {
                    site = Some(v);
                } else {
                    got.push((k, v));
                }
            }
            got.sort_unstable();
            (got == want).then_some((site?.to_owned(), value.trim().parse().ok()?))
        })
        .collect();
    out.sort();
    out
}

/// Whether `site` reads `examples/demo.rs:<line>` or `src/lib.rs:<line>`:
/// a file of this package, relative to it, and a line.
fn is_demo_site(site: &str) -> bool {
    ["examples/demo.rs:", "src/lib.rs:"]
        .iter()
        .filter_map(|file| site.strip_prefix(file))
        .any(|line| !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()))
}

/// The sites of `row` (`handler` and labels `full`): the same in the
/// snapshot and the exposition, `site_count` of them, in this package,
/// adding up to `panics`; else what differs.
fn check_sites(
    row: &HandlerStats,
    exposition: &str,
    full: &[(&str, &str)],
    panics: u64,
    site_count: usize,
) -> Option<String> {
    let mut in_row: Vec<(String, u64)> = row
        .sites()
        .into_iter()
        .map(|(s, n)| (s.to_owned(), n))
        .collect();
    in_row.sort();
    let exposed = sites(exposition, full);
    let sum: u64 = exposed.iter().map(|(_, n)| n).sum();
    let fine = exposed == in_row
        && sum == panics
        && exposed.len() == site_count
        && exposed.iter().all(|(s, _)| is_demo_site(s));
    (!fine).then(|| {
        format!(
            "{full:?}: sites in the exposition {exposed:?} (sum {sum}), in the snapshot \
             {in_row:?}; expected {site_count} sites of this package adding up to {panics}"
        )
    })
}

/// The demo's `Installer::default_objective`, in percent.
pub const DEFAULT_OBJECTIVE: &str = "99";

/// A handler's name, static labels, expected calls, panics and panic
/// sites, and the ratio of its objective.
type Expected<'a> = (&'a str, &'a [(&'a str, &'a str)], u64, u64, usize, f64);

/// Compares the snapshot and the exposition with the plan; one line per
/// mismatch.
pub fn check(
    plan: &Tally,
    rows: &[HandlerStats],
    exposition: &str,
    kinds: [u64; 3],
    with_peer: u64,
) -> Vec<String> {
    let mut problems = Vec::new();
    // Sites: `crash` and `crash-id`; `fail-str` and `fail-string`;
    // `pay-fail`; the wireframe route's one.
    let handlers: [Expected<'_>; 4] = [
        (
            "connection",
            &[("protocol", "demo-v1")],
            plan.connection_calls,
            plan.connection_panics,
            2,
            0.99,
        ),
        ("frame", &[], plan.frame_calls, plan.frame_panics, 2, 0.999),
        (
            "frame",
            &[("tier", "critical")],
            plan.critical_calls,
            plan.critical_panics,
            1,
            0.9995,
        ),
        (
            routes::HANDLER,
            routes::LABELS,
            routes::CALLS,
            routes::PANICS,
            1,
            0.995,
        ),
    ];
    for (handler, labels, calls, panics, site_count, objective) in handlers {
        let mut full = vec![(names::HANDLER_LABEL, handler)];
        full.extend_from_slice(labels);
        let series: Vec<String> = full.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let series = format!("{{{}}}", series.join(","));
        match rows
            .iter()
            .find(|r| r.handler() == handler && r.labels() == labels)
        {
            None => problems.push(format!("snapshot has no row for {series}")),
            Some(row) => {
                let got = (row.calls(), row.active(), row.panics());
                if got != (calls, 0, panics) {
                    problems.push(format!(
                        "snapshot {series}: (calls, active, panics) = {got:?}, expected {:?}",
                        (calls, 0, panics)
                    ));
                }
                problems.extend(check_sites(row, exposition, &full, panics, site_count));
            }
        }
        for (name, want) in [(names::CALLS_TOTAL, calls), (names::PANICS_TOTAL, panics)] {
            #[expect(clippy::cast_precision_loss, reason = "small counts")]
            let want = want as f64;
            let got = sample(exposition, name, &full);
            if got != Some(want) {
                problems.push(format!(
                    "exposition {name}{series} = {got:?}, expected {want}"
                ));
            }
        }
        let got = sample(exposition, names::OBJECTIVE_RATIO, &full);
        let row = rows
            .iter()
            .find(|r| r.handler() == handler && r.labels() == labels)
            .and_then(HandlerStats::objective);
        if got != Some(objective) || row != Some(objective) {
            problems.push(format!(
                "objective of {series}: exposition {got:?}, snapshot {row:?}, expected {objective}"
            ));
        }
        let stamp = sample(exposition, names::LAST_PANIC_TIMESTAMP_SECONDS, &full);
        if panics > 0 && stamp.is_none_or(|s| s <= 0.0) {
            problems.push(format!(
                "exposition has no last panic timestamp for {series}"
            ));
        }
    }
    // The wireframe route's panics carry a formatted message: `String`.
    let mut expected = plan.kinds;
    expected[1] += routes::PANICS;
    if kinds != expected {
        problems.push(format!(
            "payload kinds [str, String, other] = {kinds:?}, expected {expected:?}"
        ));
    }
    if with_peer != plan.connection_panics {
        problems.push(format!(
            "{with_peer} panic events carried a peer, expected {}",
            plan.connection_panics
        ));
    }
    let version = [("version", env!("CARGO_PKG_VERSION"))];
    if sample(exposition, names::BUILD_INFO, &version) != Some(1.0) {
        problems.push(format!(
            "exposition lacks {}{{version=\"{}\"}} 1",
            names::BUILD_INFO,
            version[0].1
        ));
    }
    problems
}
