//! The attribute goes on the methods of the `impl` blocks, not on the trait.
use wireframe_monitor::monitored_connection;

#[monitored_connection]
trait Handler {
    fn handle(&self);
}

fn main() {}
