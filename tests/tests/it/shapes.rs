//! In every shape of handler, one panic is exactly one count in
//! `wireframe_handler_panics_total` with the right `handler` and labels (a
//! literal and a const-path value) plus a plausible
//! `last_panic_timestamp_seconds`; a call that does not panic records no
//! panic.

use std::future::Future;
use std::sync::Arc;

use wireframe_monitor::monitored_connection;
use wireframe_monitor::names::{LAST_PANIC_TIMESTAMP_SECONDS, PANICS_TOTAL};
use wireframe_monitor_tests::{Samples, recorded, unix_now};

use crate::support::{self, block_on, row};

const REGION: &str = "eu-west";

/// Runs `ok` then `panicking` (each under its own debugging recorder) and
/// checks the metrics and the snapshot row of `handler`.
fn check(handler: &str, shape: &str, ok: impl FnOnce(), panicking: impl FnOnce()) {
    let _shared = support::shared();
    let ((), quiet) = recorded(ok);
    assert_eq!(
        quiet.counter(PANICS_TOTAL, handler),
        None,
        "{handler}: {quiet:?}"
    );
    assert_eq!(quiet.gauge(LAST_PANIC_TIMESTAMP_SECONDS, handler), None);

    let before = unix_now();
    let ((), samples) = recorded(panicking);
    let after = unix_now();
    assert_one_panic(&samples, handler, shape, (before, after));

    let row = row(handler).expect("a snapshot row");
    assert_eq!(
        (row.calls(), row.active(), row.panics()),
        (2, 0, 1),
        "{row}"
    );
}

fn assert_one_panic(samples: &Samples, handler: &str, shape: &str, (before, after): (f64, f64)) {
    let panics = samples
        .find(PANICS_TOTAL, handler)
        .expect("a panics series");
    let mut labels = panics.labels.clone();
    labels.sort();
    let mut expected = vec![
        ("handler".to_owned(), handler.to_owned()),
        ("region".to_owned(), REGION.to_owned()),
        ("shape".to_owned(), shape.to_owned()),
    ];
    expected.sort();
    assert_eq!(labels, expected);
    assert_eq!(
        samples.counter(PANICS_TOTAL, handler),
        Some(1),
        "{samples:?}"
    );
    let at = samples
        .gauge(LAST_PANIC_TIMESTAMP_SECONDS, handler)
        .expect("a last-panic gauge");
    assert!(
        at >= before - 1.0 && at <= after + 1.0,
        "{before} <= {at} <= {after}"
    );
    let series = samples.all(LAST_PANIC_TIMESTAMP_SECONDS, handler).count();
    assert_eq!(series, 1);
}

#[monitored_connection(name = "shape_sync", labels(shape = "sync", region = REGION))]
fn sync_fn(frame: &[u8]) -> Option<u8> {
    Some(frame[0])
}

#[test]
fn sync_fn_counts_one_panic() {
    check(
        "shape_sync",
        "sync",
        || assert_eq!(sync_fn(&[3]), Some(3)),
        || assert_eq!(sync_fn(&[]), None),
    );
}

#[monitored_connection(name = "shape_async", labels(shape = "async", region = REGION))]
async fn async_fn(frame: Vec<u8>) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(frame[0])
}

#[test]
fn async_fn_counts_one_panic_across_await() {
    check(
        "shape_async",
        "async",
        || assert_eq!(block_on(async_fn(vec![4])), Some(4)),
        || assert_eq!(block_on(async_fn(Vec::new())), None),
    );
}

#[monitored_connection(name = "shape_impl_future", labels(shape = "impl_future", region = REGION))]
fn returns_future(build_ok: bool, frame: Vec<u8>) -> impl Future<Output = Option<u8>> {
    assert!(build_ok, "building the future failed");
    async move {
        tokio::task::yield_now().await;
        Some(frame[0])
    }
}

#[test]
fn impl_future_fn_counts_a_panic_in_the_future() {
    check(
        "shape_impl_future",
        "impl_future",
        || assert_eq!(block_on(returns_future(true, vec![5])), Some(5)),
        || assert_eq!(block_on(returns_future(true, Vec::new())), None),
    );
}

#[monitored_connection(name = "shape_impl_future_build", labels(shape = "build", region = REGION))]
fn builds_future(build_ok: bool) -> impl Future<Output = Option<u8>> {
    assert!(build_ok, "building the future failed");
    async { Some(1) }
}

#[test]
fn impl_future_fn_counts_a_panic_while_building() {
    check(
        "shape_impl_future_build",
        "build",
        || assert_eq!(block_on(builds_future(true)), Some(1)),
        || assert_eq!(block_on(builds_future(false)), None),
    );
}

struct Conn {
    frames: Vec<u8>,
}

impl Conn {
    #[monitored_connection(name = "shape_ref_self", labels(shape = "ref_self", region = REGION))]
    fn first(&self) -> Option<u8> {
        Some(self.frames[0])
    }

    #[monitored_connection(name = "shape_mut_self", labels(shape = "mut_self", region = REGION))]
    fn pop(&mut self) -> Option<u8> {
        let last = self.frames.pop();
        Some(last.expect("no frame left"))
    }

    #[monitored_connection(name = "shape_self", labels(shape = "self", region = REGION))]
    fn into_first(self) -> Option<u8> {
        Some(self.frames[0])
    }

    #[monitored_connection(name = "shape_arc_self", labels(shape = "arc_self", region = REGION))]
    fn shared_first(self: Arc<Self>) -> Option<u8> {
        Some(self.frames[0])
    }

    #[monitored_connection(name = "shape_async_method", labels(shape = "async_method", region = REGION))]
    async fn async_first(&self) -> Option<u8> {
        tokio::task::yield_now().await;
        Some(self.frames[0])
    }
}

fn conn(frames: &[u8]) -> Conn {
    Conn {
        frames: frames.to_vec(),
    }
}

#[test]
fn ref_self_method_counts_one_panic() {
    check(
        "shape_ref_self",
        "ref_self",
        || assert_eq!(conn(&[1]).first(), Some(1)),
        || assert_eq!(conn(&[]).first(), None),
    );
}

#[test]
fn mut_self_method_counts_one_panic() {
    let (mut full, mut empty) = (conn(&[9]), conn(&[]));
    check(
        "shape_mut_self",
        "mut_self",
        || assert_eq!(full.pop(), Some(9)),
        || assert_eq!(empty.pop(), None),
    );
    assert!(
        full.frames.is_empty(),
        "the body ran on the same `&mut self`"
    );
}

#[test]
fn self_method_counts_one_panic() {
    check(
        "shape_self",
        "self",
        || assert_eq!(conn(&[2]).into_first(), Some(2)),
        || assert_eq!(conn(&[]).into_first(), None),
    );
}

#[test]
fn arc_self_method_counts_one_panic() {
    check(
        "shape_arc_self",
        "arc_self",
        || assert_eq!(Arc::new(conn(&[6])).shared_first(), Some(6)),
        || assert_eq!(Arc::new(conn(&[])).shared_first(), None),
    );
}

#[test]
fn async_method_counts_one_panic() {
    check(
        "shape_async_method",
        "async_method",
        || assert_eq!(block_on(conn(&[8]).async_first()), Some(8)),
        || assert_eq!(block_on(conn(&[]).async_first()), None),
    );
}

trait Handler {
    fn handle(&self, frame: &[u8]) -> std::io::Result<usize>;
}

struct Echo;

impl Handler for Echo {
    #[monitored_connection(name = "shape_trait", labels(shape = "trait", region = REGION))]
    fn handle(&self, frame: &[u8]) -> std::io::Result<usize> {
        assert!(!frame.is_empty(), "empty frame");
        Ok(frame.len())
    }
}

#[test]
fn trait_impl_method_counts_one_panic() {
    let handler: &dyn Handler = &Echo;
    check(
        "shape_trait",
        "trait",
        || assert_eq!(handler.handle(b"ab").unwrap(), 2),
        || assert!(handler.handle(b"").is_err()),
    );
}

#[monitored_connection(name = "shape_generic", labels(shape = "generic", region = REGION))]
fn generic<'a, T, U>(frame: &'a U, parse: impl Fn(u8) -> T) -> Option<T>
where
    U: AsRef<[u8]> + ?Sized + 'a,
{
    Some(parse(frame.as_ref()[0]))
}

#[test]
fn generic_fn_counts_one_panic() {
    check(
        "shape_generic",
        "generic",
        || assert_eq!(generic("a", u32::from), Some(97)),
        || assert_eq!(generic(&[][..], u32::from), None),
    );
}

#[expect(unsafe_code, reason = "the contract covers `unsafe fn` handlers")]
mod raw {
    use super::{REGION, monitored_connection};

    /// # Safety
    ///
    /// `frame` must point to at least `len` readable bytes.
    #[monitored_connection(name = "shape_unsafe", labels(shape = "unsafe", region = REGION))]
    pub unsafe fn first(frame: *const u8, len: usize) -> Option<u8> {
        assert!(len > 0, "empty raw frame");
        // SAFETY: the caller promises `len > 0` readable bytes.
        Some(unsafe { *frame })
    }

    pub fn call(frame: &[u8]) -> Option<u8> {
        // SAFETY: `frame` has `frame.len()` readable bytes.
        unsafe { first(frame.as_ptr(), frame.len()) }
    }
}

#[test]
fn unsafe_fn_counts_one_panic() {
    check(
        "shape_unsafe",
        "unsafe",
        || assert_eq!(raw::call(&[7]), Some(7)),
        || assert_eq!(raw::call(&[]), None),
    );
}

struct Frame {
    len: usize,
    tag: u8,
}

#[monitored_connection(name = "shape_pattern", labels(shape = "pattern", region = REGION))]
fn pattern((a, b): (u8, u8), Frame { len, tag }: Frame, _: ()) -> Option<u8> {
    assert!(len > 0, "empty frame");
    Some(a + b + tag)
}

#[test]
fn pattern_args_count_one_panic() {
    check(
        "shape_pattern",
        "pattern",
        || assert_eq!(pattern((1, 2), Frame { len: 1, tag: 3 }, ()), Some(6)),
        || assert_eq!(pattern((1, 2), Frame { len: 0, tag: 3 }, ()), None),
    );
}

#[monitored_connection(name = "shape_build_dropped", labels(shape = "dropped", region = REGION))]
fn build_dropped(build_ok: bool) -> impl Future<Output = Option<u8>> {
    assert!(build_ok, "building the future failed");
    async { Some(1) }
}

#[monitored_connection(name = "shape_build_resumed", on_panic = "resume")]
fn build_resumed() -> impl Future<Output = u8> {
    panic!("building the future failed");
    #[expect(unreachable_code, reason = "the body panics while building the future")]
    async {
        1
    }
}

#[test]
fn a_panic_while_building_a_future_is_also_a_call() {
    let _shared = support::shared();
    // The panic is recorded when the function is called; the call must be
    // counted too, or panics / calls (the alerting ratio) exceeds 1.
    drop(build_dropped(false));
    let row_dropped = row("shape_build_dropped").unwrap();
    assert!(std::panic::catch_unwind(build_resumed).is_err(), "resumed");
    let row_resumed = row("shape_build_resumed").unwrap();
    assert_eq!(
        [
            (
                row_dropped.calls(),
                row_dropped.active(),
                row_dropped.panics()
            ),
            (
                row_resumed.calls(),
                row_resumed.active(),
                row_resumed.panics()
            )
        ],
        [(1, 0, 1), (1, 0, 1)],
        "(calls, active, panics) of a contained and a resumed building panic"
    );
}
