//! The published metrics (names, kinds, help texts), the keys of a registry
//! entry and the handles kept for the global recorder.

use std::sync::Arc;

use metrics::{Counter, Gauge, Key, Label, Level, Metadata, Recorder, Unit};

use crate::common::names;
use crate::registry::Entry;

static METADATA: Metadata<'static> =
    Metadata::new("wireframe_monitor", Level::INFO, Some(module_path!()));

/// One published metric: its name, kind, unit and help text.
pub(super) struct Metric {
    name: &'static str,
    gauge: bool,
    unit: Option<Unit>,
    help: &'static str,
}

pub(super) const CALLS: Metric = Metric {
    name: names::CALLS_TOTAL,
    gauge: false,
    unit: None,
    help: "Calls started of a #[monitored_connection] handler",
};
pub(super) const ACTIVE: Metric = Metric {
    name: names::ACTIVE,
    gauge: true,
    unit: None,
    help: "Calls of a #[monitored_connection] handler in flight",
};
pub(super) const PANICS: Metric = Metric {
    name: names::PANICS_TOTAL,
    gauge: false,
    unit: None,
    help: "Panics caught in a #[monitored_connection] handler, each counted once",
};
pub(super) const SITES: Metric = Metric {
    name: names::PANIC_SITES_TOTAL,
    gauge: false,
    unit: None,
    help: "Panics caught in a #[monitored_connection] handler, per panic site (crate-relative path:line, other or unknown)",
};
pub(super) const LAST_PANIC: Metric = Metric {
    name: names::LAST_PANIC_TIMESTAMP_SECONDS,
    gauge: true,
    unit: Some(Unit::Seconds),
    help: "Unix time of the last panic caught in a #[monitored_connection] handler",
};
pub(super) const OBJECTIVE: Metric = Metric {
    name: names::OBJECTIVE_RATIO,
    gauge: true,
    unit: None,
    help: "Objective of a #[monitored_connection] handler: the share of its calls that must not panic (0.9995 for objective \"99.95\")",
};
pub(super) const BUILD_INFO: Metric = Metric {
    name: names::BUILD_INFO,
    gauge: true,
    unit: None,
    help: "Always 1; the version label identifies the running build",
};

impl Metric {
    pub(super) fn describe(&self, recorder: &dyn Recorder) {
        let help = self.help.into();
        if self.gauge {
            recorder.describe_gauge(self.name.into(), self.unit, help);
        } else {
            recorder.describe_counter(self.name.into(), self.unit, help);
        }
    }

    /// Describes, then registers: the description is never missing from a
    /// registration, whichever comes first in the process.
    pub(super) fn counter(&self, recorder: &dyn Recorder, key: &Key) -> Counter {
        self.describe(recorder);
        recorder.register_counter(key, &METADATA)
    }

    pub(super) fn gauge(&self, recorder: &dyn Recorder, key: &Key) -> Gauge {
        self.describe(recorder);
        recorder.register_gauge(key, &METADATA)
    }
}

/// The metric keys of one registry entry.
pub(super) struct Keys {
    pub(super) calls: Key,
    pub(super) active: Key,
    pub(super) panics: Key,
    pub(super) last_panic: Key,
    pub(super) objective: Key,
    /// `handler` and the static labels, for the keys of the sites.
    labels: Vec<Label>,
}

impl Keys {
    pub(super) fn new(entry: &Entry) -> Self {
        let labels: Vec<Label> = std::iter::once(Label::from_static_parts(
            names::HANDLER_LABEL,
            entry.handler,
        ))
        .chain(
            entry
                .labels
                .iter()
                .map(|&(k, v)| Label::from_static_parts(k, v)),
        )
        .collect();
        let key = |name: &'static str| Key::from_parts(name, labels.clone());
        Self {
            calls: key(names::CALLS_TOTAL),
            active: key(names::ACTIVE),
            panics: key(names::PANICS_TOTAL),
            last_panic: key(names::LAST_PANIC_TIMESTAMP_SECONDS),
            objective: key(names::OBJECTIVE_RATIO),
            labels,
        }
    }

    /// The key of `wireframe_handler_panic_sites_total` at `site`.
    pub(super) fn site(&self, site: &Arc<str>) -> Key {
        let mut labels = self.labels.clone();
        labels.push(Label::new(names::SITE_LABEL, Arc::clone(site)));
        Key::from_parts(names::PANIC_SITES_TOTAL, labels)
    }
}

/// The handles of one entry on the global recorder, and the `calls_total`
/// already sent through them.
pub(super) struct Handles {
    pub(super) calls: Counter,
    pub(super) active: Gauge,
    pub(super) panics: Counter,
    /// Registered at the first panic: a handler that never panicked has no
    /// timestamp series.
    pub(super) last_panic: Option<Gauge>,
    /// Registered once the entry has an objective: a handler without one
    /// has no objective series.
    pub(super) objective: Option<Gauge>,
    /// By the index of the entry's site row, registered at the site's
    /// first panic.
    pub(super) sites: Vec<Option<Counter>>,
    pub(super) calls_sent: u64,
}

impl Handles {
    pub(super) fn register(recorder: &dyn Recorder, keys: &Keys) -> Self {
        let panics = PANICS.counter(recorder, &keys.panics);
        // Creates the panic series at 0, so `rate()` works before the first panic.
        panics.increment(0);
        Self {
            calls: CALLS.counter(recorder, &keys.calls),
            active: ACTIVE.gauge(recorder, &keys.active),
            panics,
            last_panic: None,
            objective: None,
            sites: Vec::new(),
            calls_sent: 0,
        }
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "a gauge is an f64; in-flight calls stay far below 2^52"
)]
pub(super) fn gauge_value(active: u64) -> f64 {
    active as f64
}

/// Sets `wireframe_build_info{version="…"} 1` on `recorder`.
pub(super) fn set_build_info(recorder: &dyn Recorder, version: &str) {
    let key = Key::from_parts(
        names::BUILD_INFO,
        vec![Label::new("version", version.to_owned())],
    );
    BUILD_INFO.gauge(recorder, &key).set(1.0);
}
