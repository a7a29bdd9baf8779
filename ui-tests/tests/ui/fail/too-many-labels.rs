//! At most 8 labels per handler.
use wireframe_monitor::monitored_connection;

#[monitored_connection(labels(
    a = "1",
    b = "2",
    c = "3",
    d = "4",
    e = "5",
    f = "6",
    g = "7",
    h = "8",
    i = "9"
))]
fn handle() {}

fn main() {}
