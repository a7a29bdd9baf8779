//! Sync free functions: `()`, `Option`, `Result` returns; a contained panic
//! returns the fallback; visibilities are kept.
#![deny(warnings)]
use std::io;

use wireframe_monitor::monitored_connection;

#[monitored_connection]
pub fn unit(counter: &mut u32) {
    *counter += 1;
}

#[monitored_connection]
pub(crate) fn first_byte(frame: &[u8]) -> Option<u8> {
    Some(frame[0])
}

#[monitored_connection]
fn parse(frame: &[u8]) -> io::Result<u8> {
    if frame.is_empty() {
        return Err(io::Error::other("empty frame"));
    }
    Ok(frame[0])
}

mod inner {
    use wireframe_monitor::monitored_connection;

    #[monitored_connection]
    pub(super) fn restricted() -> Option<&'static str> {
        Some("restricted")
    }

    #[monitored_connection]
    pub(in crate::inner) fn private_to_inner() {}

    pub(super) fn call_private() {
        private_to_inner();
    }
}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));

    let mut counter = 0;
    unit(&mut counter);
    assert_eq!(counter, 1);

    assert_eq!(first_byte(b"ab"), Some(b'a'));
    assert_eq!(
        first_byte(b""),
        None,
        "index out of bounds is contained as `None`"
    );

    assert_eq!(parse(b"z").unwrap(), b'z');
    assert_eq!(parse(b"").unwrap_err().to_string(), "empty frame");

    assert_eq!(inner::restricted(), Some("restricted"));
    inner::call_private();
}
