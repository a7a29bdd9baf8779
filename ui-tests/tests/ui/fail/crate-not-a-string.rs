//! `crate` is given a bare path instead of a string literal.
use wireframe_monitor::monitored_connection;

#[monitored_connection(crate = ::wireframe_monitor)]
fn handle() {}

fn main() {}
