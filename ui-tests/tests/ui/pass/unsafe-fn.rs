//! `unsafe fn`, sync and async: the signature keeps `unsafe`, the body's
//! `unsafe` blocks still compile.
#![deny(warnings)]
#![allow(unsafe_code)]

use wireframe_monitor::monitored_connection;

/// # Safety
/// `ptr` must point to a readable `u8`.
#[monitored_connection]
unsafe fn read(ptr: *const u8) -> Option<u8> {
    // SAFETY: the caller guarantees `ptr` is readable.
    Some(unsafe { *ptr })
}

/// # Safety
/// `ptr` must point to a readable `u8` until the future completes.
#[monitored_connection]
async unsafe fn read_later(ptr: *const u8) -> Option<u8> {
    tokio::task::yield_now().await;
    // SAFETY: the caller guarantees `ptr` is readable.
    Some(unsafe { *ptr })
}

fn main() {
    let value = 42_u8;
    // SAFETY: `value` is alive for both calls.
    assert_eq!(unsafe { read(&raw const value) }, Some(42));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // SAFETY: `value` outlives the future.
    let got = runtime.block_on(unsafe { read_later(&raw const value) });
    assert_eq!(got, Some(42));
}
