//! The attribute goes on a function, not on a struct.
use wireframe_monitor::monitored_connection;

#[monitored_connection]
struct Handler {
    id: u8,
}

fn main() {}
