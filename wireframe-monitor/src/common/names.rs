//! The metric names wireframe-monitor publishes, as constants.
//!
//! Every metric carries the `handler` label (the handler's `name`, by default
//! its identifier) and the static `labels(…)` of the attribute; never a peer
//! address, a panic message or a location.
//!
//! ```
//! use wireframe_monitor::names;
//!
//! assert_eq!(names::PANICS_TOTAL, "wireframe_handler_panics_total");
//! assert_eq!(names::HANDLER_LABEL, "handler");
//! ```

/// Counter: calls started of a monitored handler.
pub const CALLS_TOTAL: &str = "wireframe_handler_calls_total";
/// Gauge: calls of a monitored handler in flight right now.
pub const ACTIVE: &str = "wireframe_handler_active";
/// Counter: panics caught in a monitored handler (each panic counted once).
pub const PANICS_TOTAL: &str = "wireframe_handler_panics_total";
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
