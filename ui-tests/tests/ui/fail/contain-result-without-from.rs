//! A `contain` handler returning `Result<_, E>` whose `E` lacks
//! `From<ConnectionPanic>`: one error per handler, on the return type,
//! naming both fixes (implement the `From`, or `on_panic = "resume"`).
use wireframe_monitor::monitored_connection;

#[derive(Debug)]
pub struct MyErr;

#[monitored_connection]
fn sync_handler(frame: &[u8]) -> Result<u8, MyErr> {
    frame.first().copied().ok_or(MyErr)
}

#[monitored_connection]
async fn async_handler(frame: Vec<u8>) -> Result<u8, MyErr> {
    frame.first().copied().ok_or(MyErr)
}

type Reply = Result<u8, MyErr>;

#[monitored_connection]
fn aliased(frame: &[u8]) -> Reply {
    frame.first().copied().ok_or(MyErr)
}

fn main() {
    let _ = sync_handler(b"x");
    let _ = async_handler(vec![1]);
    let _ = aliased(b"x");
}
