//! The process-wide set-up of the "with recorder" benches: a silent panic
//! hook, the Prometheus recorder, a no-op tracing subscriber and
//! `wireframe_monitor::install()`, done once and in that order.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::alternatives::NoopSubscriber;
use crate::panicking::silent;

/// How often the exporter's upkeep (draining histograms) runs, as the
/// exporter's own `install()` would do it.
const UPKEEP: Duration = Duration::from_secs(5);

/// Installs everything once and returns the exporter's handle.
///
/// # Panics
/// If another global recorder or tracing subscriber was installed first.
pub fn install_all() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        // Before install(), which chains it: the silent hook is the one
        // non-contained panics reach.
        std::panic::set_hook(Box::new(silent));
        let handle = PrometheusBuilder::new()
            .install_recorder()
            .expect("the benches install the only global recorder");
        tracing::subscriber::set_global_default(NoopSubscriber)
            .expect("the benches install the only global subscriber");
        wireframe_monitor::install();
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("prometheus-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP);
                    upkeep.run_upkeep();
                }
            })
            .expect("spawn the upkeep thread");
        handle
    })
}
