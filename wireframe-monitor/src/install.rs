//! [`install`] and [`Installer`]: the process panic hook, metric
//! descriptions, the redaction policy and the background publisher.

use std::sync::Once;
use std::time::Duration;

use crate::policy::{self, MessagePolicy, PeerPolicy, Policy};
use crate::{hook, hot};

/// Installs wireframe-monitor with the default options; same as
/// `Installer::new().install()`. Call it once at start-up, **after**
/// installing your metrics recorder (for example
/// `metrics_exporter_prometheus::PrometheusBuilder::install`). Calling it
/// again is harmless.
///
/// What it does:
/// - chains a process panic hook that captures `file:line:col` of panics, so
///   events, snapshots and [`ConnectionPanic`](crate::ConnectionPanic) carry
///   the location; the previous hook (by default, the stderr report) still
///   runs for every panic, unless [`Installer::quiet_contained`] asks it to
///   stay quiet for those a `contain` guard will catch;
/// - describes the four metrics to the recorder (help text and units);
/// - sets the redaction policy;
/// - starts a background thread that publishes `calls_total` and `active`
///   to the global recorder every `publish_interval` (1 s by default);
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
        }
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
    /// Knowing that a panic will be contained takes a mark around every run
    /// of a `contain` guard's code (each poll of an async handler): a
    /// thread-local save and restore, at most about 0.5 ns per poll as
    /// measured under tokio (`docs/benchmarks.md`). Off, a guard only reads this option.
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

    /// Applies the options. Idempotent: the hook and publisher are set up
    /// once per process; policy and descriptions are updated every time.
    pub fn install(self) {
        policy::set(Policy {
            message: self.message,
            peer: self.peer,
        });
        hot::mark_contain(self.quiet_contained);
        hook::reinstall();
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
