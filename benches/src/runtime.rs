//! The sync and async handlers of [`crate::common`], guarded through the
//! run-time door ([`MonitoredHandler`]) instead of the attribute: the same
//! body ([`work`], [`YieldOnce`]), in four copies each like theirs, so the
//! two doors are compared call for call. The handler is a value the caller
//! holds (a route table, a middleware), passed by reference as a method
//! of such a holder would read it. Beside them, [`spawn_loop`]:
//! `wireframe_monitor::spawn` against `tokio::spawn`.

use std::future::Future;
use std::future::{Ready, ready};
use std::hint::black_box;
use std::io;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use wireframe_monitor::MonitoredHandler;

use crate::common::{YieldOnce, in_task, noop_loop, spread, sync_loop, work};

/// The run-time handler of the sync copies.
///
/// # Panics
/// Never: the name is valid.
pub fn sync_handler() -> MonitoredHandler {
    static HANDLER: OnceLock<MonitoredHandler> = OnceLock::new();
    *HANDLER.get_or_init(|| MonitoredHandler::named("runtime_sync").expect("a valid name"))
}

/// The run-time handler of the async copies.
///
/// # Panics
/// Never: the name is valid.
pub fn async_handler() -> MonitoredHandler {
    static HANDLER: OnceLock<MonitoredHandler> = OnceLock::new();
    *HANDLER.get_or_init(|| MonitoredHandler::named("runtime_async").expect("a valid name"))
}

macro_rules! runtime_copies {
    ($($sync:ident, $async:ident);+ $(;)?) => {$(
        /// [`crate::common::bare_sync`] under [`MonitoredHandler::run`].
        ///
        /// # Errors
        /// Only a contained panic, which this body never raises.
        #[inline(never)]
        pub fn $sync(handler: &MonitoredHandler, x: u64) -> io::Result<u64> {
            handler.run(|| Ok(work(x)))
        }

        /// [`crate::common::bare_async`] under [`MonitoredHandler::guard`].
        #[inline(never)]
        pub fn $async(handler: &MonitoredHandler, x: u64) -> impl Future<Output = io::Result<u64>> {
            handler.guard(async move {
                YieldOnce::default().await;
                Ok(work(x))
            })
        }
    )+};
}

runtime_copies!(
    runtime_sync, runtime_async;
    runtime_sync_1, runtime_async_1;
    runtime_sync_2, runtime_async_2;
    runtime_sync_3, runtime_async_3;
);

/// [`sync_loop`] over the four run-time sync copies (see
/// [`crate::common::sync_copies`]).
#[must_use]
pub fn sync_copies(iters: u64, x: u64) -> Duration {
    let h = sync_handler();
    spread(
        iters,
        &mut [
            &mut |n| sync_loop(n, || runtime_sync(&h, black_box(x))),
            &mut |n| sync_loop(n, || runtime_sync_1(&h, black_box(x))),
            &mut |n| sync_loop(n, || runtime_sync_2(&h, black_box(x))),
            &mut |n| sync_loop(n, || runtime_sync_3(&h, black_box(x))),
        ],
    )
}

/// [`noop_loop`] over the four run-time async copies.
#[must_use]
pub fn noop_copies(iters: u64, x: u64) -> Duration {
    let h = async_handler();
    spread(
        iters,
        &mut [
            &mut |n| noop_loop(n, || runtime_async(&h, black_box(x))),
            &mut |n| noop_loop(n, || runtime_async_1(&h, black_box(x))),
            &mut |n| noop_loop(n, || runtime_async_2(&h, black_box(x))),
            &mut |n| noop_loop(n, || runtime_async_3(&h, black_box(x))),
        ],
    )
}

/// [`in_task`] over the four run-time async copies.
pub fn task_copies(rt: &tokio::runtime::Runtime, iters: u64, x: u64) -> Duration {
    let h = async_handler();
    spread(
        iters,
        &mut [
            &mut |n| in_task(rt, n, || runtime_async(&h, black_box(x))),
            &mut |n| in_task(rt, n, || runtime_async_1(&h, black_box(x))),
            &mut |n| in_task(rt, n, || runtime_async_2(&h, black_box(x))),
            &mut |n| in_task(rt, n, || runtime_async_3(&h, black_box(x))),
        ],
    )
}

/// Which spawn [`spawn_loop`] measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spawner {
    /// `tokio::spawn`.
    Tokio,
    /// `wireframe_monitor::spawn` outside any monitored call (plain
    /// `tokio::spawn` after one thread-local read).
    Outside,
    /// `wireframe_monitor::spawn` inside a monitored call: each task is
    /// guarded (`catch_unwind` per poll, the handler marked as running).
    Monitored,
}

/// Spawns `iters` tasks on `rt` one after the other, each awaited before
/// the next (a task of one ready future running [`work`]), from inside
/// one monitored call for [`Spawner::Monitored`]; the time they took.
///
/// # Panics
/// Never: the tasks do not panic.
pub fn spawn_loop(rt: &tokio::runtime::Runtime, iters: u64, spawner: Spawner) -> Duration {
    match spawner {
        Spawner::Tokio => rt.block_on(spawned(iters, tokio::spawn::<Ready<u64>>)),
        Spawner::Outside => rt.block_on(spawned(iters, wireframe_monitor::spawn::<Ready<u64>>)),
        Spawner::Monitored => rt.block_on(
            async_handler().guard_resume(spawned(iters, wireframe_monitor::spawn::<Ready<u64>>)),
        ),
    }
}

/// The loop of [`spawn_loop`], one per spawn function.
async fn spawned(
    iters: u64,
    spawn: impl Fn(Ready<u64>) -> tokio::task::JoinHandle<u64>,
) -> Duration {
    let start = Instant::now();
    for i in 0..iters {
        let task = spawn(ready(work(black_box(i))));
        black_box(task.await.expect("the task does not panic"));
    }
    start.elapsed()
}
