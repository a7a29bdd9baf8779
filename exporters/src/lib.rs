//! The workload every exporter test runs, and what it made: each test in
//! `tests/` installs one real `metrics` exporter as the global recorder
//! (a process of its own) and checks that the exporter's own output equals
//! [`Made`] exactly.
//!
//! ```
//! assert_eq!(wireframe_monitor_exporters::handlers(), ["exporter_plain", "exporter_labelled"]);
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use wireframe_monitor::{Installer, monitored_connection, names};

/// The handler without static labels.
pub const PLAIN: &str = "exporter_plain";
/// The handler with static labels ([`LABELS`]).
pub const LABELLED: &str = "exporter_labelled";
/// The static labels of [`LABELLED`].
pub const LABELS: [(&str, &str); 2] = [("proto", "v2"), ("tier", "edge")];

/// Every metric the workload makes, sorted by name (`build_info` too: the
/// workload sets it).
pub const ALL_METRICS: [&str; 7] = [
    names::BUILD_INFO,
    names::ACTIVE,
    names::CALLS_TOTAL,
    names::LAST_PANIC_TIMESTAMP_SECONDS,
    names::OBJECTIVE_RATIO,
    names::PANIC_SITES_TOTAL,
    names::PANICS_TOTAL,
];

/// The objective of [`LABELLED`] (`objective = "99.9"`), as published;
/// [`PLAIN`] has none, so no objective series.
pub const OBJECTIVE: f64 = 0.999;

/// Threads of the concurrent phase.
pub const THREADS: u64 = 2;
/// Calls per thread in the concurrent phase; 1 % of them panic (one in
/// 100 per handler).
pub const CALLS_PER_THREAD: u64 = 5_000;

#[monitored_connection(name = "exporter_plain")]
fn plain(fail: bool) -> Option<()> {
    assert!(!fail, "exporter_plain failed");
    Some(())
}
const PLAIN_LINE: u32 = line!() - 3;

#[monitored_connection(
    name = "exporter_labelled",
    labels(proto = "v2", tier = "edge"),
    objective = "99.9"
)]
fn labelled(fail: bool) -> Option<()> {
    assert!(!fail, "exporter_labelled failed");
    Some(())
}
const LABELLED_LINE: u32 = line!() - 3;

/// The one panic site of `handler`, as the `site` label shows it
/// (`src/lib.rs:<line>`, relative to this crate).
///
/// ```
/// use wireframe_monitor_exporters::{PLAIN, site_of};
///
/// assert!(site_of(PLAIN).unwrap().starts_with("src/lib.rs:"));
/// ```
#[must_use]
pub fn site_of(handler: &str) -> Option<String> {
    let line = match handler {
        PLAIN => PLAIN_LINE,
        LABELLED => LABELLED_LINE,
        _ => return None,
    };
    Some(format!("src/lib.rs:{line}"))
}

/// One call of [`PLAIN`] that does not panic.
///
/// # Panics
///
/// If the call does not return `Some`.
pub fn call_plain() {
    assert_eq!(plain(false), Some(()));
}

/// The two handler names, in the order of [`Made`]'s arrays.
#[must_use]
pub fn handlers() -> [&'static str; 2] {
    [PLAIN, LABELLED]
}

/// What the workload made, per handler (`[PLAIN, LABELLED]`): every call,
/// and the panics made while the exporter was the recorder (a panic is
/// published through the recorder current at the time of the panic).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Made {
    /// Calls started.
    pub calls: [u64; 2],
    /// Panics caught after the exporter was installed.
    pub panics: [u64; 2],
}

impl Made {
    fn call(&mut self, handler: usize, fail: bool, recorded: bool) {
        let result = if handler == 0 {
            plain(fail)
        } else {
            labelled(fail)
        };
        assert_eq!(result.is_none(), fail, "a contained panic returns None");
        self.calls[handler] += 1;
        if fail && recorded {
            self.panics[handler] += 1;
        }
    }

    /// `(metric name, handler) -> value` of the three counters and the
    /// `active` gauge (0 once every call ended), as an exporter must show
    /// them: each handler panics at one site, so its site series equals its
    /// `panics_total`.
    #[must_use]
    pub fn expected(&self) -> BTreeMap<(String, String), u64> {
        let mut out = BTreeMap::new();
        for (i, handler) in handlers().into_iter().enumerate() {
            let h = handler.to_owned();
            out.insert((names::CALLS_TOTAL.to_owned(), h.clone()), self.calls[i]);
            out.insert((names::PANICS_TOTAL.to_owned(), h.clone()), self.panics[i]);
            out.insert(
                (names::PANIC_SITES_TOTAL.to_owned(), h.clone()),
                self.panics[i],
            );
            out.insert((names::ACTIVE.to_owned(), h), 0);
        }
        out
    }
}

/// Runs the workload: calls before any recorder, `install_recorder`, calls
/// and a panic per handler before `install()`, `install()` (publishing
/// every 10 ms; the workers pause every 1,000 calls, so the background
/// publisher runs several times during the concurrent phase), [`THREADS`] threads × [`CALLS_PER_THREAD`] calls over the two
/// handlers with 1 % contained panics, then `flush()`.
///
/// # Panics
///
/// If a monitored call does not behave as annotated, or the registry's
/// counts differ from what was made.
pub fn run(install_recorder: impl FnOnce()) -> Made {
    let mut made = Made::default();
    // Before any recorder: calls only (a panic now has no recorder to reach).
    for i in 0..7 {
        made.call(i % 2, false, false);
    }
    install_recorder();
    // A recorder, but no `install()` yet: calls and one panic per handler.
    for i in 0..6 {
        made.call(i % 2, i >= 4, true);
    }
    Installer::new()
        .build_info("0.0.0-exporters")
        .quiet_contained(true)
        .publish_interval(Duration::from_millis(10))
        .install();

    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            std::thread::spawn(|| {
                let mut made = Made::default();
                for i in 0..CALLS_PER_THREAD {
                    let handler = usize::from(i % 2 == 1);
                    made.call(handler, i % 200 == 98 || i % 200 == 199, true);
                    if i % 1_000 == 999 {
                        // Let the background publisher run mid-phase.
                        std::thread::sleep(Duration::from_millis(15));
                    }
                }
                made
            })
        })
        .collect();
    for thread in threads {
        let part = thread.join().expect("worker thread");
        for i in 0..2 {
            made.calls[i] += part.calls[i];
            made.panics[i] += part.panics[i];
        }
    }
    wireframe_monitor::flush();

    for (i, handler) in handlers().into_iter().enumerate() {
        let row = wireframe_monitor::snapshot()
            .into_iter()
            .find(|s| s.handler() == handler)
            .expect("a registry row");
        assert_eq!(row.calls(), made.calls[i], "{handler}: registry calls");
        assert_eq!(row.active(), 0, "{handler}: registry active");
        // Every panic was made after the recorder was installed.
        assert_eq!(row.panics(), made.panics[i], "{handler}: registry panics");
    }
    assert_eq!(
        wireframe_monitor::recording_failures(),
        0,
        "no recorder failed"
    );
    made
}

/// The `handler` label's value if `labels` are exactly those of one of the
/// two handlers (`handler` first, then [`LABELS`] for [`LABELLED`]), else
/// `None`: a stream with missing or extra labels does not count.
#[must_use]
pub fn handler_of<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let mut labels: Vec<(&str, &str)> = labels.into_iter().collect();
    labels.sort_unstable();
    let handler = labels
        .iter()
        .find(|(k, _)| *k == names::HANDLER_LABEL)?
        .1
        .to_owned();
    let mut want: Vec<(&str, &str)> = vec![(names::HANDLER_LABEL, handler.as_str())];
    if handler == LABELLED {
        want.extend(LABELS);
    }
    want.sort_unstable();
    (labels == want && handlers().contains(&handler.as_str())).then_some(handler)
}

/// `handler -> ratio` of the objective gauges an exporter must show: only
/// [`LABELLED`]'s.
#[must_use]
pub fn expected_objectives() -> BTreeMap<String, f64> {
    BTreeMap::from([(LABELLED.to_owned(), OBJECTIVE)])
}

/// The `handler` label's value if `labels` are exactly those of a series
/// of metric `name` of one of the two handlers: as [`handler_of`], plus,
/// for `wireframe_handler_panic_sites_total`, a `site` label that is the
/// handler's [`site_of`].
#[must_use]
pub fn series_of<'a>(
    name: &str,
    labels: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<String> {
    let labels: Vec<(&str, &str)> = labels.into_iter().collect();
    if name != names::PANIC_SITES_TOTAL {
        return handler_of(labels);
    }
    let site = labels.iter().find(|(k, _)| *k == names::SITE_LABEL)?.1;
    let handler = handler_of(
        labels
            .iter()
            .copied()
            .filter(|(k, _)| *k != names::SITE_LABEL),
    )?;
    (site_of(&handler).as_deref() == Some(site)).then_some(handler)
}

/// Whether `name` is one of the four metrics [`Made::expected`] covers.
#[must_use]
pub fn is_checked(name: &str) -> bool {
    [
        names::CALLS_TOTAL,
        names::PANICS_TOTAL,
        names::PANIC_SITES_TOTAL,
        names::ACTIVE,
    ]
    .contains(&name)
}
