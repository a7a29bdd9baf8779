//! `active` goes back to 0 after a contained panic, a resumed panic, an
//! early `return`, a `?` error and a cancelled future (timed out, or
//! dropped after one poll); it is 1 while a call is in flight.

use std::future::Future;
use std::panic::catch_unwind;
use std::pin::pin;
use std::task::{Context, Waker};
use std::time::Duration;

use wireframe_monitor::monitored_connection;

use crate::support::{self, block_on, row};

fn counts(handler: &str) -> (u64, u64, u64) {
    let row = row(handler).expect("a row");
    (row.calls(), row.active(), row.panics())
}

#[monitored_connection(name = "active_contained")]
fn contained() -> Option<()> {
    panic!("contained");
}

#[monitored_connection(name = "active_resumed", on_panic = "resume")]
fn resumed() {
    panic!("resumed");
}

#[test]
fn active_returns_to_zero_after_panics() {
    let _shared = support::shared();
    assert_eq!(contained(), None);
    assert_eq!(counts("active_contained"), (1, 0, 1));
    catch_unwind(resumed).expect_err("resumed");
    assert_eq!(counts("active_resumed"), (1, 0, 1));
}

#[monitored_connection(name = "active_early")]
fn early(n: u32) -> Option<u32> {
    if n == 0 {
        return Some(100);
    }
    let parsed: u32 = "7".parse().ok()?;
    Some(n + parsed)
}

#[monitored_connection(name = "active_question")]
fn question(text: &str) -> std::io::Result<u32> {
    let n: u32 = text.parse().map_err(std::io::Error::other)?;
    Ok(n * 2)
}

#[monitored_connection(name = "active_async_question")]
async fn async_question(text: &str) -> std::io::Result<u32> {
    tokio::task::yield_now().await;
    let n: u32 = text.parse().map_err(std::io::Error::other)?;
    if n == 0 {
        return Ok(0);
    }
    Ok(n * 2)
}

#[test]
fn active_returns_to_zero_after_return_and_question_mark() {
    let _shared = support::shared();
    assert_eq!(early(0), Some(100));
    assert_eq!(early(1), Some(8));
    assert_eq!(counts("active_early"), (2, 0, 0));
    assert_eq!(question("21").unwrap(), 42);
    let err = question("x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid digit found in string",
        "the error passes through"
    );
    assert_eq!(counts("active_question"), (2, 0, 0));
    assert!(block_on(async_question("x")).is_err());
    assert_eq!(block_on(async_question("0")).unwrap(), 0);
    assert_eq!(block_on(async_question("4")).unwrap(), 8);
    assert_eq!(counts("active_async_question"), (3, 0, 0));
}

#[monitored_connection(name = "active_sleeper")]
async fn sleeper() {
    tokio::time::sleep(Duration::from_secs(30)).await;
}

#[monitored_connection(name = "active_dropped", on_panic = "resume")]
async fn dropped() {
    std::future::pending::<()>().await;
}

#[test]
fn active_returns_to_zero_after_cancellation() {
    let _shared = support::shared();
    let timed_out =
        block_on(async { tokio::time::timeout(Duration::from_millis(20), sleeper()).await });
    assert!(timed_out.is_err(), "the sleeper must time out");
    assert_eq!(counts("active_sleeper"), (1, 0, 0));

    {
        let mut future = pin!(dropped());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut cx).is_pending());
        assert_eq!(counts("active_dropped"), (1, 1, 0), "in flight");
    }
    assert_eq!(
        counts("active_dropped"),
        (1, 0, 0),
        "dropped: cancelled, not a panic"
    );
    // Calling the `async fn` is the call: a future built and dropped
    // without a poll counts once and is not left active.
    drop(dropped());
    assert_eq!(counts("active_dropped"), (2, 0, 0));
}

#[test]
fn active_counts_calls_in_flight() {
    let _shared = support::shared();
    let (entered_tx, entered_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let worker = std::thread::spawn(move || blocking(&entered_tx, &release_rx));
    entered_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("entered");
    assert_eq!(counts("active_blocking"), (1, 1, 0));
    release_tx.send(()).unwrap();
    worker.join().unwrap();
    assert_eq!(counts("active_blocking"), (1, 0, 0));
}

#[monitored_connection(name = "active_blocking")]
fn blocking(entered: &std::sync::mpsc::Sender<()>, release: &std::sync::mpsc::Receiver<()>) {
    entered.send(()).unwrap();
    release.recv_timeout(Duration::from_secs(10)).unwrap();
}

#[monitored_connection(name = "active_per_thread")]
fn per_thread(fail: bool) -> Option<()> {
    assert!(!fail, "per-thread failure");
    Some(())
}

#[test]
fn thread_per_connection_recycles_counters_and_keeps_counts() {
    const THREADS: u64 = 64;
    // Exclusive: no other test's threads take or free counters meanwhile.
    let _exclusive = support::exclusive();
    let shards = wireframe_monitor::counter_shards();
    for i in 0..THREADS {
        std::thread::spawn(move || {
            per_thread(false);
            per_thread(i % 8 == 0);
        })
        .join()
        .unwrap();
    }
    // Counts of exited threads are kept...
    assert_eq!(counts("active_per_thread"), (2 * THREADS, 0, THREADS / 8));
    // ...and their counters reused: one thread at a time needs at most one
    // more set of counters, not 64.
    let grown = wireframe_monitor::counter_shards() - shards;
    assert!(
        grown <= 2,
        "{grown} new shards for {THREADS} sequential threads"
    );
}

struct CallsOnDrop;

impl Drop for CallsOnDrop {
    fn drop(&mut self) {
        assert_eq!(in_destructor(false), Some(()));
        assert_eq!(in_destructor(true), None);
    }
}

thread_local! {
    static ON_EXIT: std::cell::RefCell<Option<CallsOnDrop>> = const { std::cell::RefCell::new(None) };
}

#[monitored_connection(name = "active_tls_destructor")]
fn in_destructor(fail: bool) -> Option<()> {
    assert!(!fail, "panic in a thread-local destructor");
    Some(())
}

#[test]
fn handlers_called_from_thread_local_destructors_are_counted() {
    let _shared = support::shared();
    std::thread::spawn(|| {
        // Touch the monitor's own thread-locals first, so they are
        // destroyed before (or after) ours, whichever order the platform uses.
        assert_eq!(in_destructor(false), Some(()));
        ON_EXIT.with(|slot| *slot.borrow_mut() = Some(CallsOnDrop));
    })
    .join()
    .expect("the thread exits cleanly");
    assert_eq!(counts("active_tls_destructor"), (3, 0, 1));
}
