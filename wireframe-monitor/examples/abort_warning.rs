//! What `install()` says in a `panic = "abort"` build, where no guard can
//! catch anything: `cargo run --profile panic-abort --example abort_warning`
//! prints the warning once on stderr (CI checks it); a normal build prints
//! nothing. Exits 0 either way.

fn main() {
    wireframe_monitor::install();
    wireframe_monitor::install(); // idempotent: still one warning
    if cfg!(panic = "abort") {
        println!("built with panic = \"abort\": install() warned on stderr, once");
    } else {
        println!("built with panic = \"unwind\": panics in monitored handlers are caught");
    }
}
