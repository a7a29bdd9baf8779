//! The handlers measured with and without the guard, shared word for word by
//! the `enabled`-on benches (`wireframe-monitor-benches`) and the
//! `enabled`-off ones (`wireframe-monitor-benches-off`, which includes this
//! file with `#[path]`), so both builds compile the same source.
//!
//! Every variant runs the same body, [`work`], on an input hidden from the
//! optimizer with [`black_box`]; every handler is `#[inline(never)]` so a call
//! is a real call in every variant.

use std::future::Future;
use std::hint::black_box;
use std::io;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use wireframe_monitor::monitored_connection;

/// The body of every handler: a few dependent integer operations.
#[expect(
    clippy::inline_always,
    reason = "the same body must be inlined into every variant compared"
)]
#[inline(always)]
#[must_use]
pub fn work(x: u64) -> u64 {
    let x = black_box(x);
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17) ^ x
}

/// A future that is pending once (waking itself) and then ready, so an async
/// handler is polled twice, as a real handler waiting on I/O is. Its `poll`
/// is never inlined: like a socket read, it stays opaque to the optimizer,
/// which could otherwise fold a whole bare handler into a few instructions
/// and compare that, rather than the guard, with the monitored one.
#[derive(Debug, Default)]
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    #[inline(never)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Polls `future` to completion with a no-op waker. Never inlined, like an
/// executor's poll, so every variant is the same loop around its `poll`.
#[inline(never)]
pub fn poll_noop<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Copies of [`bare_async`] and [`monitored_async`]: the same source in other
/// functions, so at other addresses. A difference of a nanosecond or a
/// percent between two functions is within what code placement alone moves
/// (two copies of the same handler differ by up to 2 % here); the async
/// variants are timed over all copies ([`spread`]) so that placement
/// averages out instead of deciding the verdict.
macro_rules! async_copies {
    ($($bare:ident, $monitored:ident);+ $(;)?) => {$(
        /// A copy of [`bare_async`].
        ///
        /// # Errors
        /// Never; the type is that of a connection handler.
        #[inline(never)]
        pub async fn $bare(x: u64) -> io::Result<u64> {
            YieldOnce::default().await;
            Ok(work(x))
        }

        /// A copy of [`monitored_async`], counted under the same name.
        ///
        /// # Errors
        /// Only a contained panic, which this body never raises.
        #[monitored_connection(name = "monitored_async")]
        #[inline(never)]
        pub async fn $monitored(x: u64) -> io::Result<u64> {
            YieldOnce::default().await;
            Ok(work(x))
        }
    )+};
}

async_copies!(
    bare_async_1, monitored_async_1;
    bare_async_2, monitored_async_2;
    bare_async_3, monitored_async_3;
);

/// Times `iters` iterations split evenly over `loops` (each a copy of the
/// same variant, see [`async_copies`]), scaled to exactly `iters`.
pub fn spread(iters: u64, loops: &mut [&mut dyn FnMut(u64) -> Duration]) -> Duration {
    let copies = loops.len().max(1) as u64;
    let each = iters.div_ceil(copies).max(1);
    let total: Duration = loops.iter_mut().map(|run| run(each)).sum();
    #[expect(
        clippy::cast_precision_loss,
        reason = "iteration counts stay far below 2^52"
    )]
    let scale = iters as f64 / (each * copies) as f64;
    total.mul_f64(scale)
}

/// Polls `iters` futures made by `make` to completion with a no-op waker,
/// one after the other; one function per future type.
#[inline(never)]
pub fn noop_loop<F: Future>(iters: u64, make: impl Fn() -> F) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(poll_noop(make()));
    }
    start.elapsed()
}

/// [`spread`] over the four copies of a handler, bare or monitored (see
/// [`async_copies`]): `$time` times `$n` calls of the copy bound to `$f`.
/// `sync` and `async` name the copies in this file, written here only;
/// `of [...]` takes a list written beside other copies (`echo.rs`'s), so
/// this file names no handler defined elsewhere.
macro_rules! each_copy {
    (of [$($copy:path),+ $(,)?], $iters:expr, |$n:ident, $f:ident| $time:expr) => {
        crate::common::spread($iters, &mut [$(&mut |$n| { let $f = $copy; $time }),+])
    };
    (async, $monitored:expr, $iters:expr, |$n:ident, $f:ident| $time:expr) => {
        if $monitored {
            each_copy!(of [
                crate::common::monitored_async, crate::common::monitored_async_1,
                crate::common::monitored_async_2, crate::common::monitored_async_3
            ], $iters, |$n, $f| $time)
        } else {
            each_copy!(of [
                crate::common::bare_async, crate::common::bare_async_1,
                crate::common::bare_async_2, crate::common::bare_async_3
            ], $iters, |$n, $f| $time)
        }
    };
    (sync, $monitored:expr, $iters:expr, |$n:ident, $f:ident| $time:expr) => {
        if $monitored {
            each_copy!(of [
                crate::common::monitored_sync, crate::common::monitored_sync_1,
                crate::common::monitored_sync_2, crate::common::monitored_sync_3
            ], $iters, |$n, $f| $time)
        } else {
            each_copy!(of [
                crate::common::bare_sync, crate::common::bare_sync_1,
                crate::common::bare_sync_2, crate::common::bare_sync_3
            ], $iters, |$n, $f| $time)
        }
    };
}

#[allow(
    unused_imports,
    reason = "used by `echo.rs`, which the enabled-off bench does not include"
)]
pub(crate) use each_copy;

/// [`noop_loop`] over the four copies of the bare async handler, or of the
/// monitored one, with input `x`.
#[must_use]
pub fn noop_copies(monitored: bool, iters: u64, x: u64) -> Duration {
    each_copy!(async, monitored, iters, |n, f| noop_loop(n, || f(
        black_box(x)
    )))
}

/// [`in_task`] over the four copies of the bare async handler, or of the
/// monitored one, with input `x`.
pub fn task_copies(rt: &tokio::runtime::Runtime, monitored: bool, iters: u64, x: u64) -> Duration {
    each_copy!(async, monitored, iters, |n, f| in_task(rt, n, || f(
        black_box(x)
    )))
}

/// Awaits `iters` calls of `call`, one after the other, in one task
/// (`block_on`) of the current-thread runtime `rt`: a connection task
/// handling frames. The runtime's entry and exit are paid once per
/// measurement, not per call, so the per-call difference between two
/// handlers is not lost in `block_on`'s own cost (about 170 ns here).
pub fn in_task<F: Future>(
    rt: &tokio::runtime::Runtime,
    iters: u64,
    call: impl Fn() -> F,
) -> Duration {
    rt.block_on(async {
        let start = Instant::now();
        for _ in 0..iters {
            black_box(call().await);
        }
        start.elapsed()
    })
}

/// Sync handler without any instrumentation.
///
/// # Errors
/// Never; the type is that of a connection handler.
#[inline(never)]
pub fn bare_sync(x: u64) -> io::Result<u64> {
    Ok(work(x))
}

/// Sync handler under `#[monitored_connection]`.
///
/// # Errors
/// Only a contained panic, which this body never raises.
#[monitored_connection]
#[inline(never)]
pub fn monitored_sync(x: u64) -> io::Result<u64> {
    Ok(work(x))
}

/// Async handler without any instrumentation.
///
/// # Errors
/// Never; the type is that of a connection handler.
#[inline(never)]
pub async fn bare_async(x: u64) -> io::Result<u64> {
    YieldOnce::default().await;
    Ok(work(x))
}

/// Async handler under `#[monitored_connection]`.
///
/// # Errors
/// Only a contained panic, which this body never raises.
#[monitored_connection]
#[inline(never)]
pub async fn monitored_async(x: u64) -> io::Result<u64> {
    YieldOnce::default().await;
    Ok(work(x))
}

/// Copies of [`bare_sync`] and [`monitored_sync`], timed together like the
/// async ones (see [`async_copies`]).
macro_rules! sync_copies {
    ($($bare:ident, $monitored:ident);+ $(;)?) => {$(
        /// A copy of [`bare_sync`].
        ///
        /// # Errors
        /// Never; the type is that of a connection handler.
        #[inline(never)]
        pub fn $bare(x: u64) -> io::Result<u64> {
            Ok(work(x))
        }

        /// A copy of [`monitored_sync`], counted under the same name.
        ///
        /// # Errors
        /// Only a contained panic, which this body never raises.
        #[monitored_connection(name = "monitored_sync")]
        #[inline(never)]
        pub fn $monitored(x: u64) -> io::Result<u64> {
            Ok(work(x))
        }
    )+};
}

sync_copies!(
    bare_sync_1, monitored_sync_1;
    bare_sync_2, monitored_sync_2;
    bare_sync_3, monitored_sync_3;
);

/// Calls `call` `iters` times; one function per handler.
#[inline(never)]
pub fn sync_loop(iters: u64, call: impl Fn() -> io::Result<u64>) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        drop(black_box(call()));
    }
    start.elapsed()
}

/// [`sync_loop`] over the four copies of the bare sync handler, or of the
/// monitored one, with input `x`.
#[must_use]
pub fn sync_copies(monitored: bool, iters: u64, x: u64) -> Duration {
    each_copy!(sync, monitored, iters, |n, f| sync_loop(n, || f(
        black_box(x)
    )))
}
