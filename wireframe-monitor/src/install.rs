//! [`install`] and [`Installer`]: the process panic hook, metric
//! descriptions, the redaction policy and the background publisher.

use std::sync::Once;
use std::time::Duration;

use crate::common::policy::{self, MessagePolicy, PeerPolicy, Policy};
use crate::counting::flags;
use crate::doors::linked;
use crate::panic_path::hook;
use crate::panic_path::storm;
use crate::registry::objective::{self, Objective};
use crate::registry::sites;

/// Installs wireframe-monitor with the default options; same as
/// `Installer::new().install()`. Call it once at start-up, **after**
/// installing your metrics recorder (for example
/// `metrics_exporter_prometheus::PrometheusBuilder::install`). Calling it
/// again is harmless.
///
/// What it does:
/// - sets the process panic hook that tells fresh panics from re-raised ones
///   and captures `file:line:col`, so events, snapshots and
///   [`ConnectionPanic`](crate::ConnectionPanic) carry the location. The
///   first call of any monitored handler already installs it (exactness
///   does not depend on `install()`); `install()` wraps it again around
///   whatever hook the application set since, so call it **after** setting
///   your own hook. The previous hook (by default, the stderr report) still
///   runs for every panic, unless [`Installer::quiet_contained`] asks it to
///   stay quiet for those a `contain` guard will catch. An application that
///   later replaces the hook without chaining it keeps exact counts for
///   handlers nested on one thread, and never loses a fresh panic, but a
///   payload re-raised on another thread (`JoinError::into_panic`) may then
///   be counted twice;
/// - describes the metrics to the recorder (help text and units);
/// - sets the redaction policy and the default objective;
/// - starts a background thread, `wfmon-publisher`, that publishes
///   `calls_total` and `active` to the global recorder every
///   `publish_interval` (1 s by default). No handler ever waits for it: a
///   panic that finds it busy inside a slow recorder leaves its count for
///   the publisher's next pass;
/// - starts a thread, `wfmon-storms`, that writes the storm summaries of
///   intervals that ended quietly. Both names are distinct in the 15 bytes
///   Linux keeps (`ps -L`, `top -H`); `flush()` may briefly start a third,
///   `wfmon-probe`, to tell the global recorder from a local one;
/// - under `panic = "abort"`, logs once that panics cannot be caught.
///
/// ```
/// wireframe_monitor::install();
/// wireframe_monitor::install(); // idempotent
/// ```
pub fn install() {
    Installer::new().install();
}

/// Options for [`install`].
///
/// ```
/// use std::time::Duration;
/// use wireframe_monitor::{Installer, MessagePolicy, PeerPolicy};
///
/// Installer::new()
///     .message(MessagePolicy::Truncate(120))
///     .peer(PeerPolicy::Omit)
///     .quiet_contained(true)
///     .publish_interval(Duration::from_millis(500))
///     .build_info(env!("CARGO_PKG_VERSION"))
///     .panic_sites(16)
///     .install();
/// ```
#[derive(Clone, Debug)]
#[must_use = "an Installer does nothing until `.install()` is called"]
pub struct Installer {
    message: MessagePolicy,
    peer: PeerPolicy,
    quiet_contained: bool,
    publish_interval: Duration,
    build_info: Option<String>,
    report_max: u32,
    report_interval: Duration,
    limit_hook: bool,
    backtraces: bool,
    panic_sites: usize,
    default_objective: Option<Objective>,
}

impl Default for Installer {
    fn default() -> Self {
        Self::new()
    }
}

impl Installer {
    /// The defaults: full message, peer shown, the previous hook runs for
    /// every panic, publish every second, no build info.
    pub fn new() -> Self {
        Self {
            message: MessagePolicy::Full,
            peer: PeerPolicy::Show,
            quiet_contained: false,
            publish_interval: Duration::from_secs(1),
            build_info: None,
            report_max: storm::DEFAULT_MAX,
            report_interval: Duration::from_millis(storm::DEFAULT_INTERVAL_MS),
            limit_hook: true,
            backtraces: true,
            panic_sites: sites::DEFAULT_LIMIT,
            default_objective: None,
        }
    }

    /// Panic sites per handler (name and label set): each of the first `n`
    /// sites where a handler panics gets its own series of
    /// `wireframe_handler_panic_sites_total` and row of
    /// [`HandlerStats::sites`](crate::HandlerStats::sites), labelled with
    /// its crate-relative `path:line` (see
    /// [`names::SITE_LABEL`](crate::names::SITE_LABEL)); panics at further
    /// sites count under `site="other"`, panics whose location was not
    /// captured under `site="unknown"`, so a handler has at most `n + 2`
    /// site series and they add up to its `panics_total`. Default 8. `0`
    /// turns sites off: no site series, no site rows, from then on. A change
    /// applies to sites not seen yet: a site that has its own series keeps
    /// it.
    ///
    /// ```
    /// wireframe_monitor::Installer::new().panic_sites(3).install();
    /// # wireframe_monitor::install();
    /// ```
    pub fn panic_sites(mut self, n: usize) -> Self {
        self.panic_sites = n;
        self
    }

    /// Panic storms: at most `max` panics of one handler (name and label set)
    /// per `interval` reach `tracing` and the [`PanicHandler`](crate::PanicHandler);
    /// when an interval with more ends, one `WARN` event (target
    /// `wireframe_monitor`) says how many were not reported and when the
    /// last happened. The chained panic hook (Rust's stderr report, by
    /// default) is limited the same way per panic location, with its own
    /// summary line. Metrics, [`snapshot`](crate::snapshot) and
    /// [`recording_failures`](crate::recording_failures) stay exact; each
    /// row counts what was not reported in
    /// [`HandlerStats::suppressed`](crate::HandlerStats::suppressed).
    /// Default: 5 per second. `interval` is at least 1 ms.
    ///
    /// ```
    /// use std::time::Duration;
    /// use wireframe_monitor::Installer;
    ///
    /// Installer::new().report_limit(20, Duration::from_secs(10)).install();
    /// ```
    pub fn report_limit(mut self, max: u32, interval: Duration) -> Self {
        self.report_max = max;
        self.report_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Reports every panic: no storm limit for events, the panic handler
    /// and the chained hook (and a backtrace for each, unless
    /// [`backtraces(false)`](Self::backtraces)).
    ///
    /// ```
    /// wireframe_monitor::Installer::new().no_report_limit().install();
    /// # wireframe_monitor::install();
    /// ```
    pub fn no_report_limit(mut self) -> Self {
        self.report_max = u32::MAX;
        self
    }

    /// `false`: the chained panic hook runs for every panic, only events and
    /// the panic handler are limited. Default `true`. (Before `install()`
    /// runs, the panic hook that a first handler call sets on its own never
    /// limits the hook it chains.)
    ///
    /// ```
    /// wireframe_monitor::Installer::new().limit_chained_hook(false).install();
    /// # wireframe_monitor::install();
    /// ```
    pub fn limit_chained_hook(mut self, limit: bool) -> Self {
        self.limit_hook = limit;
        self
    }

    /// Whether the panic hook captures a backtrace at the panic site for
    /// the panics that will be reported (the first few per location and
    /// interval, see [`report_limit`](Self::report_limit)), whatever
    /// `RUST_BACKTRACE` says: [`PanicEvent::backtrace`](crate::PanicEvent::backtrace)
    /// and [`HandlerStats::last_backtrace`](crate::HandlerStats::last_backtrace)
    /// (the whole capture), and the `panic.backtrace` field of the event
    /// (its short form on one line: the panic site down to the guard).
    /// Default `true`; a capture costs tens of microseconds, paid only by
    /// reported panics.
    ///
    /// ```
    /// wireframe_monitor::Installer::new().backtraces(false).install();
    /// # wireframe_monitor::install();
    /// ```
    pub fn backtraces(mut self, capture: bool) -> Self {
        self.backtraces = capture;
        self
    }

    /// How much of the panic message to keep in logs, events and snapshots.
    pub fn message(mut self, policy: MessagePolicy) -> Self {
        self.message = policy;
        self
    }

    /// Whether the peer address reaches logs and events.
    pub fn peer(mut self, policy: PeerPolicy) -> Self {
        self.peer = policy;
        self
    }

    /// `true`: the previous panic hook (by default, the stderr report) is
    /// skipped for panics a `contain` guard will catch, which the tracing
    /// event reports anyway. `false` (default): it runs for every panic.
    ///
    /// Knowing that a panic will be contained costs nothing more: every
    /// guard marks the code it runs anyway (the running word that
    /// `MonitoredHandler::current()` reads carries a "contained" bit), and
    /// only the hook reads this option.
    pub fn quiet_contained(mut self, quiet: bool) -> Self {
        self.quiet_contained = quiet;
        self
    }

    /// How often `calls_total` and `active` are published to the global
    /// recorder; clamped to 10 ms ..= 1 s. Only the first `install()` of a
    /// process starts the publisher.
    pub fn publish_interval(mut self, interval: Duration) -> Self {
        self.publish_interval = interval.clamp(Duration::from_millis(10), Duration::from_secs(1));
        self
    }

    /// Exports `wireframe_build_info{version="…"} 1`, to correlate panics
    /// with deploys in `PromQL`.
    pub fn build_info(mut self, version: impl Into<String>) -> Self {
        self.build_info = Some(version.into());
        self
    }

    /// The objective of every handler that declares none (the attribute's
    /// `objective = "…"`, [`MonitoredHandler::with_objective`](crate::MonitoredHandler::with_objective),
    /// `MonitorLayer::objective`, `RouteMonitor::objective`): each then
    /// publishes `wireframe_handler_objective_ratio` with this ratio, so the
    /// error-budget alerts cover it. Default: none, and a handler without an
    /// objective publishes no such series. Like the other options it is set
    /// by every `install()`: one without it removes the default (a series
    /// already published keeps its last value in the recorder).
    ///
    /// ```
    /// use wireframe_monitor::{Installer, Objective};
    ///
    /// Installer::new().default_objective(Objective::percent(99.9)?).install();
    /// # Ok::<(), wireframe_monitor::ObjectiveError>(())
    /// ```
    pub fn default_objective(mut self, objective: Objective) -> Self {
        self.default_objective = Some(objective);
        self
    }

    /// Applies the options. Idempotent: the publisher is started once per
    /// process, the hook is set again only if another hook replaced it;
    /// policy and descriptions are updated every time.
    pub fn install(self) {
        policy::set(Policy {
            message: self.message,
            peer: self.peer,
        });
        flags::mark_contain(self.quiet_contained);
        storm::configure(
            self.report_max,
            self.report_interval,
            self.limit_hook,
            self.backtraces,
        );
        sites::set_limit(self.panic_sites);
        objective::set_default(self.default_objective);
        hook::reinstall();
        // Every annotated function linked in: its series exist from now on.
        linked::register_all();
        crate::panic_path::start_sweeper();
        warn_if_abort();
        #[cfg(feature = "metrics")]
        {
            crate::publish::describe();
            if let Some(version) = &self.build_info {
                crate::publish::build_info(version);
            }
            crate::publish::start_publisher(self.publish_interval);
        }
        #[cfg(not(feature = "metrics"))]
        let _ = (self.build_info, self.publish_interval);
    }
}

fn warn_if_abort() {
    static WARN: Once = Once::new();
    if cfg!(panic = "abort") {
        WARN.call_once(|| {
            let text = "wireframe-monitor: this binary is built with `panic = \"abort\"`, so panics \
                        in monitored handlers abort the process and cannot be counted or contained; \
                        remove `panic = \"abort\"` from your Cargo profile to use the guard";
            #[cfg(feature = "tracing")]
            tracing::warn!(target: "wireframe_monitor", "{text}");
            eprintln!("{text}");
        });
    }
}
