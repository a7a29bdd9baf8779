//! The metric names wireframe-monitor publishes, as constants.
//!
//! Every metric carries the `handler` label (the handler's `name`, by default
//! its identifier) and the static `labels(…)` of the attribute; never a peer
//! address or a panic message. [`PANIC_SITES_TOTAL`] adds one more, [`SITE_LABEL`]:
//! the panic's location as a crate-relative `path:line`, at most
//! [`Installer::panic_sites`](crate::Installer::panic_sites) values per
//! handler plus [`SITE_OTHER`] and [`SITE_UNKNOWN`].
//!
//! ```
//! use wireframe_monitor::names;
//!
//! assert_eq!(names::PANICS_TOTAL, "wireframe_handler_panics_total");
//! assert_eq!(names::PANIC_SITES_TOTAL, "wireframe_handler_panic_sites_total");
//! assert_eq!(names::HANDLER_LABEL, "handler");
//! assert_eq!((names::SITE_LABEL, names::SITE_OTHER, names::SITE_UNKNOWN), ("site", "other", "unknown"));
//! ```

/// Counter: calls started of a monitored handler.
pub const CALLS_TOTAL: &str = "wireframe_handler_calls_total";
/// Gauge: calls of a monitored handler in flight right now.
pub const ACTIVE: &str = "wireframe_handler_active";
/// Counter: panics caught in a monitored handler (each panic counted once).
pub const PANICS_TOTAL: &str = "wireframe_handler_panics_total";
/// Counter: panics caught in a monitored handler per panic site (label
/// [`SITE_LABEL`]); its sum over sites equals [`PANICS_TOTAL`].
pub const PANIC_SITES_TOTAL: &str = "wireframe_handler_panic_sites_total";
/// Gauge: Unix time in seconds of the last panic of a monitored handler.
pub const LAST_PANIC_TIMESTAMP_SECONDS: &str = "wireframe_handler_last_panic_timestamp_seconds";
/// Gauge: the objective of a monitored handler, the share of its calls that
/// must not panic (0.9995 for `objective = "99.95"`), with the handler's
/// labels; only for handlers with an objective (see
/// [`Objective`](crate::Objective)).
pub const OBJECTIVE_RATIO: &str = "wireframe_handler_objective_ratio";
/// Gauge: always 1, labelled with `version`; exported by
/// [`Installer::build_info`](crate::Installer::build_info) to correlate panics
/// with deploys.
pub const BUILD_INFO: &str = "wireframe_build_info";
/// The label that carries the handler's name on every metric.
pub const HANDLER_LABEL: &str = "handler";
/// The label of [`PANIC_SITES_TOTAL`] that carries the panic's site:
/// `path:line` relative to its crate (`src/conn.rs:42`, a dependency's
/// `tokio-1.38.0/src/…`, the standard library's `core/src/…`), or
/// [`SITE_OTHER`] or [`SITE_UNKNOWN`].
pub const SITE_LABEL: &str = "site";
/// The site of the panics of a handler at sites beyond its first
/// [`Installer::panic_sites`](crate::Installer::panic_sites).
pub const SITE_OTHER: &str = "other";
/// The site of a panic whose location was not captured (our panic hook did
/// not see it: the application replaced the hook without chaining it, or
/// the payload was re-raised with `resume_unwind` by code that is not
/// monitored).
pub const SITE_UNKNOWN: &str = "unknown";
