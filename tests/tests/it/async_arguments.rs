//! The arguments of an annotated `async fn` behave as without the
//! attribute: each is moved into the future even when the body never names
//! it, lives until the body ends, and pattern arguments are destructured
//! inside. This holds in both forms the expansion takes: a plain `async fn`
//! becomes the `fn` rustc lowers it to, returning the guarded future; one
//! with an attribute other than docs, lints, `inline` or `cfg` (here
//! `#[must_use]`) stays an `async fn`. The one difference a caller sees:
//! the first counts a call when it is made, the second at its first poll.

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use wireframe_monitor::monitored_connection;

use crate::support::{self, block_on, row};

type Log = Arc<Mutex<Vec<&'static str>>>;

/// Writes `name` to the log when dropped.
struct Noted(Log, &'static str);

impl Drop for Noted {
    fn drop(&mut self) {
        self.0.lock().unwrap().push(self.1);
    }
}

fn note(log: &Log, what: &'static str) {
    log.lock().unwrap().push(what);
}

fn entries(log: &Log) -> Vec<&'static str> {
    log.lock().unwrap().clone()
}

#[monitored_connection(name = "lowered_args")]
async fn lowered(
    log: Log,
    _permit: Noted,
    _: Noted,
    (a, b): (u8, u8),
    mut total: u8,
) -> Option<u8> {
    tokio::task::yield_now().await;
    total += a + b;
    note(&log, "body end");
    Some(total)
}

#[monitored_connection(name = "kept_args")]
#[must_use]
async fn kept(log: Log, _permit: Noted, _: Noted, (a, b): (u8, u8), mut total: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    total += a + b;
    note(&log, "body end");
    Some(total)
}

/// Polls `future` once without completing it, then to completion, and
/// returns what the log held before the first poll, after it and at the end
/// (before the future is dropped).
fn run<F: Future<Output = Option<u8>>>(log: &Log, future: F) -> [Vec<&'static str>; 3] {
    let mut future = pin!(future);
    let before = entries(log);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_pending(), "yields once");
    let polled = entries(log);
    let Poll::Ready(out) = future.as_mut().poll(&mut cx) else {
        panic!("ready after the yield");
    };
    assert_eq!(out, Some(6));
    [before, polled, entries(log)]
}

fn check(f: impl Fn(Log) -> [Vec<&'static str>; 3]) {
    let log = Log::default();
    let [before, polled, done] = f(log.clone());
    assert!(
        before.is_empty(),
        "no argument dropped at the call: {before:?}"
    );
    assert!(polled.is_empty(), "none dropped while pending: {polled:?}");
    assert_eq!(
        done,
        ["body end", "wild", "permit"],
        "unused arguments live until the body ends, then drop in reverse order"
    );
}

#[test]
fn unused_and_pattern_arguments_live_until_the_body_ends() {
    let _shared = support::shared();
    check(|log| {
        let future = lowered(
            log.clone(),
            Noted(log.clone(), "permit"),
            Noted(log.clone(), "wild"),
            (1, 2),
            3,
        );
        run(&log, future)
    });
    check(|log| {
        let future = kept(
            log.clone(),
            Noted(log.clone(), "permit"),
            Noted(log.clone(), "wild"),
            (1, 2),
            3,
        );
        run(&log, future)
    });
}

#[monitored_connection(name = "lowered_count")]
async fn lowered_count(x: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(x)
}

#[monitored_connection(name = "kept_count")]
#[must_use]
async fn kept_count(x: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(x)
}

#[test]
fn a_lowered_call_counts_from_the_call_a_kept_one_from_the_first_poll() {
    let _shared = support::shared();
    drop(lowered_count(1));
    let lowered = row("lowered_count").expect("counted at the call");
    assert_eq!((lowered.calls(), lowered.active()), (1, 0));

    drop(kept_count(1));
    // Its row exists (at 0) once some test ran `install()`, which registers
    // every annotated function.
    assert!(
        row("kept_count").is_none_or(|row| row.calls() == 0),
        "not counted before a poll"
    );
    assert_eq!(block_on(kept_count(2)), Some(2));
    let kept = row("kept_count").expect("counted at the first poll");
    assert_eq!((kept.calls(), kept.active()), (1, 0));
}
