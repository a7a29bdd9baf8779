//! The attribute goes on each handler method, not on the `impl` block.
use wireframe_monitor::monitored_connection;

struct Server;

#[monitored_connection]
impl Server {
    fn handle(&self) {}
}

fn main() {}
