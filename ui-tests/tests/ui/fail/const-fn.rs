//! `const fn` cannot be guarded: catching a panic is not possible in const evaluation.
use wireframe_monitor::monitored_connection;

#[monitored_connection]
const fn handle() -> u8 {
    1
}

fn main() {}
