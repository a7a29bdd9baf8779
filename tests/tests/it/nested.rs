//! A panic is recorded once: an inner `resume` handler records it, and the
//! outer monitored handler that receives it does not count it again, sync
//! and async, also for zero-sized payloads, while a later fresh panic with
//! an equal zero-sized payload is counted again.

use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};

use wireframe_monitor::monitored_connection;
use wireframe_monitor::names::PANICS_TOTAL;
use wireframe_monitor_tests::recorded;

use crate::support::{self, Capture, block_on, row};

#[monitored_connection(name = "nested_inner", on_panic = "resume")]
fn inner(fail: bool) -> u8 {
    assert!(!fail, "inner failed");
    1
}

#[monitored_connection(name = "nested_outer_contain")]
fn outer_contain(fail: bool) -> Option<u8> {
    Some(inner(fail) + 1)
}

#[monitored_connection(name = "nested_outer_resume", on_panic = "resume")]
fn outer_resume(fail: bool) -> u8 {
    inner(fail) + 1
}

#[test]
fn sync_nested_handlers_count_once() {
    let _shared = support::shared();
    let capture = Capture::default();
    let (value, samples) = recorded(|| capture.run(|| outer_contain(true)));
    assert_eq!(value, None);
    assert_eq!(samples.counter(PANICS_TOTAL, "nested_inner"), Some(1));
    assert_eq!(samples.counter(PANICS_TOTAL, "nested_outer_contain"), None);
    assert_eq!(capture.monitor_events().len(), 1);

    let (payload, samples) =
        recorded(|| catch_unwind(|| outer_resume(true)).expect_err("resumed twice"));
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"inner failed"));
    assert_eq!(samples.counter(PANICS_TOTAL, "nested_inner"), Some(1));
    assert_eq!(samples.counter(PANICS_TOTAL, "nested_outer_resume"), None);

    assert_eq!(outer_contain(false), Some(2));
    assert_eq!(row("nested_outer_contain").unwrap().panics(), 0);
    assert_eq!(row("nested_outer_resume").unwrap().panics(), 0);
    assert_eq!(row("nested_outer_resume").unwrap().active(), 0);
}

#[monitored_connection(name = "nested_async_inner", on_panic = "resume")]
async fn async_inner(fail: bool) -> u8 {
    tokio::task::yield_now().await;
    assert!(!fail, "async inner failed");
    1
}

#[monitored_connection(name = "nested_async_outer_contain")]
async fn async_outer_contain(fail: bool) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(async_inner(fail).await + 1)
}

#[monitored_connection(name = "nested_async_outer_resume", on_panic = "resume")]
async fn async_outer_resume(fail: bool) -> u8 {
    async_inner(fail).await + 1
}

#[test]
fn async_nested_handlers_count_once() {
    let _shared = support::shared();
    let (value, samples) = recorded(|| block_on(async_outer_contain(true)));
    assert_eq!(value, None);
    assert_eq!(samples.counter(PANICS_TOTAL, "nested_async_inner"), Some(1));
    assert_eq!(
        samples.counter(PANICS_TOTAL, "nested_async_outer_contain"),
        None
    );

    let (payload, samples) = recorded(|| {
        catch_unwind(|| block_on(async_outer_resume(true))).expect_err("resumed twice")
    });
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"async inner failed"));
    assert_eq!(samples.counter(PANICS_TOTAL, "nested_async_inner"), Some(1));
    assert_eq!(
        samples.counter(PANICS_TOTAL, "nested_async_outer_resume"),
        None
    );
    assert_eq!(row("nested_async_outer_contain").unwrap().panics(), 0);
    assert_eq!(row("nested_async_outer_resume").unwrap().panics(), 0);
}

#[monitored_connection(name = "nested_zst_inner", on_panic = "resume")]
fn zst_inner() {
    panic_any(());
}

#[monitored_connection(name = "nested_zst_outer")]
fn zst_outer(nest: bool) {
    if nest {
        zst_inner();
    } else {
        panic_any(());
    }
}

#[test]
fn zero_sized_payloads_count_once_then_again_when_fresh() {
    let _shared = support::shared();
    // Nested: recorded by the inner handler only.
    zst_outer(true);
    assert_eq!(row("nested_zst_inner").unwrap().panics(), 1);
    assert_eq!(row("nested_zst_outer").unwrap().panics(), 0);
    // A second, fresh `()` panic (same address and type) counts again.
    zst_outer(false);
    assert_eq!(row("nested_zst_outer").unwrap().panics(), 1);
    // A resumed `()` caught by plain `catch_unwind` leaves no stale mark:
    // the next fresh `()` panic in a monitored handler still counts.
    catch_unwind(AssertUnwindSafe(zst_inner)).expect_err("resumed");
    assert_eq!(row("nested_zst_inner").unwrap().panics(), 2);
    zst_outer(false);
    assert_eq!(row("nested_zst_outer").unwrap().panics(), 2);
    assert_eq!(row("nested_zst_inner").unwrap().panics(), 2);
}

#[monitored_connection(name = "nested_cross_inner", on_panic = "resume")]
fn cross_inner() {
    panic!("inner, on a worker thread");
}

#[monitored_connection(name = "nested_cross_outer")]
fn cross_outer() -> Option<()> {
    // The pattern of `JoinError::into_panic` + `resume_unwind` in tokio: the
    // inner handler ran on another thread and its payload is re-raised here.
    let payload = std::thread::spawn(cross_inner)
        .join()
        .expect_err("the worker panicked");
    std::panic::resume_unwind(payload);
}

#[test]
fn a_panic_resumed_across_threads_counts_once() {
    let _shared = support::shared();
    assert_eq!(cross_outer(), None);
    let inner = row("nested_cross_inner").unwrap().panics();
    let outer = row("nested_cross_outer").unwrap().panics();
    assert_eq!(
        (inner, outer),
        (1, 0),
        "the same payload, recorded by the inner handler, was counted again by the outer one"
    );
}
