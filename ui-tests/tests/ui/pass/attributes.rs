//! Doc comments and other attributes stay on the function; inner
//! attributes stay at the top of the body; the expansion is clean under
//! `#[deny(...)]` lints.
#![deny(warnings, unused_braces, unused_qualifications)]

use wireframe_monitor::monitored_connection;

/// Handles one frame.
///
/// Kept as a doc comment.
#[must_use]
#[inline]
#[monitored_connection]
pub fn documented(frame: &[u8]) -> Option<usize> {
    Some(frame.len())
}

#[monitored_connection]
#[deny(unused_braces)]
#[allow(clippy::needless_pass_by_value)]
fn braces(frame: Vec<u8>) -> Option<usize> {
    Some(frame.len())
}

#[monitored_connection]
fn inner_attributes(frame: &[u8]) -> Option<usize> {
    #![allow(unused_variables)]
    //! An inner doc comment is an inner attribute too.
    let unused = 1;
    Some(frame.len())
}

#[monitored_connection]
async fn inner_attributes_async(frame: &[u8]) -> Option<usize> {
    #![allow(unused_mut)]
    let mut length = frame.len();
    length += 0;
    Some(length)
}

#[monitored_connection]
#[deny(unused_braces)]
async fn braces_async() {}

#[cfg(any())]
#[monitored_connection]
fn configured_out() -> u8 {
    // Never compiled: `u8` has no `PanicFallback`.
    0
}

fn main() {
    let length = documented(b"abc");
    assert_eq!(length, Some(3));
    assert_eq!(braces(vec![1]), Some(1));
    assert_eq!(inner_attributes(b"ab"), Some(2));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(inner_attributes_async(b"a").await, Some(1));
        braces_async().await;
    });
}
