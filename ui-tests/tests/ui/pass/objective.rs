//! `objective = "…"` on sync and async handlers, beside the other options;
//! the registry shows it as a ratio, and a handler without one has none.
#![deny(warnings)]
use wireframe_monitor::{monitored_connection, snapshot};

#[monitored_connection(name = "ui_objective", objective = "99.95")]
fn strict() {}

#[monitored_connection(labels(tier = "edge"), objective = "99", on_panic = "resume")]
async fn relaxed() -> u8 {
    7
}

#[monitored_connection(name = "ui_no_objective")]
fn none() {}

fn objective_of(handler: &str) -> Option<f64> {
    snapshot()
        .into_iter()
        .find(|s| s.handler() == handler)
        .unwrap_or_else(|| panic!("no snapshot entry for {handler}"))
        .objective()
}

fn main() {
    strict();
    none();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(relaxed()), 7);
    assert_eq!(objective_of("ui_objective"), Some(0.9995));
    assert_eq!(objective_of("relaxed"), Some(0.99));
    assert_eq!(objective_of("ui_no_objective"), None);
}
