//! `crate = "…"`: the runtime named through a facade module, by a relative
//! path and by a `crate::` path, and by its absolute path; each handler
//! runs guarded and is counted under its own row.
#![deny(warnings)]

mod facade {
    pub use ::wireframe_monitor as monitor;
}

#[wireframe_monitor::monitored_connection(name = "ui_crate_relative", crate = "facade::monitor")]
fn relative(n: u8) -> Option<u8> {
    Some(n)
}

#[facade::monitor::monitored_connection(
    name = "ui_crate_from_root",
    crate = "crate::facade::monitor",
    on_panic = "resume"
)]
fn from_root(n: u8) -> u8 {
    n
}

#[wireframe_monitor::monitored_connection(name = "ui_crate_absolute", crate = "::wireframe_monitor")]
async fn absolute() -> Option<u8> {
    Some(1)
}

fn calls(handler: &str) -> u64 {
    facade::monitor::snapshot()
        .iter()
        .find(|s| s.handler() == handler)
        .map_or(0, |s| s.calls())
}

fn main() {
    assert_eq!(relative(2), Some(2));
    assert_eq!(from_root(3), 3);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(absolute()), Some(1));
    for handler in ["ui_crate_relative", "ui_crate_from_root", "ui_crate_absolute"] {
        assert_eq!(calls(handler), 1, "{handler}");
    }
}
