//! Issue 21 point 4: `wireframe_monitor::spawn`, a task of the monitored
//! call that started it (its panic recorded once under the handler, not a
//! call, then delivered to the `JoinHandle` as `tokio::spawn` would), and
//! `MonitoredHandler::current()`, the handler of the innermost monitored
//! call running on this thread or task.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tower::{Layer, ServiceExt, service_fn};
use wireframe_monitor::names::PANICS_TOTAL;
use wireframe_monitor::tower::MonitorLayer;
use wireframe_monitor::{MonitoredHandler, monitored_connection, spawn};
use wireframe_monitor_tests::recorded;

use crate::support::{self, Capture, block_on, row};

/// A multi-thread runtime with two workers.
fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// `(calls, active, panics)` of `handler`'s row.
fn counts(handler: &str) -> (u64, u64, u64) {
    let row = row(handler).expect("the handler was called");
    (row.calls(), row.active(), row.panics())
}

/// Waits (up to 10 s) until `handler` has `panics` panics recorded.
fn wait_for_panics(handler: &str, panics: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while row(handler).is_none_or(|r| r.panics() < panics) {
        assert!(Instant::now() < deadline, "{handler}: no panic recorded");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The name and labels of the handler `current()` gives here.
fn current() -> Option<(&'static str, &'static [(&'static str, &'static str)])> {
    MonitoredHandler::current().map(|h| (h.name(), h.labels()))
}

#[monitored_connection(name = "spawn_detached", labels(task = "keep_alive"))]
async fn detached() -> std::io::Result<()> {
    drop(spawn(async {
        tokio::task::yield_now().await;
        panic!("keep-alive broke");
    }));
    Ok(())
}

#[test]
fn a_detached_task_that_panics_is_counted_once_under_the_handler() {
    // Alone: a `tracing` subscriber set on another thread meanwhile (a
    // test's `Capture`) can leave this thread's events disabled
    // (tracing-core's interest cache, seen in about half the runs).
    let _alone = support::exclusive();
    let capture = Capture::default();
    let (res, samples) = recorded(|| {
        capture.run(|| {
            block_on(async {
                detached().await?;
                // The task runs once the handler has returned.
                while row("spawn_detached").is_none_or(|r| r.panics() == 0) {
                    tokio::task::yield_now().await;
                }
                std::io::Result::Ok(())
            })
        })
    });
    res.unwrap();
    assert_eq!(samples.counter(PANICS_TOTAL, "spawn_detached"), Some(1));
    let sample = samples.find(PANICS_TOTAL, "spawn_detached").unwrap();
    assert_eq!(sample.label("task"), Some("keep_alive"));
    assert_eq!(counts("spawn_detached"), (1, 0, 1));
    let events = capture.monitor_events();
    let events: Vec<_> = events
        .iter()
        .filter(|e| e.field("handler") == Some("spawn_detached"))
        .collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].field("labels"), Some("task=keep_alive"));
    assert_eq!(
        row("spawn_detached").unwrap().last_message(),
        Some("keep-alive broke")
    );

    // On a multi-thread runtime, the task on another worker (the runtime
    // kept until then: dropping it cancels the task).
    let rt = multi_thread();
    rt.block_on(detached()).unwrap();
    wait_for_panics("spawn_detached", 2);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(counts("spawn_detached"), (2, 0, 2));
}

#[monitored_connection(name = "spawn_awaited")]
async fn awaited(n: u32) -> Option<Result<String, tokio::task::JoinError>> {
    let task = spawn(async move {
        tokio::task::yield_now().await;
        assert!(n == 0, "task {n} failed");
        n
    });
    Some(task.await.map(|n| n.to_string()))
}

#[test]
fn an_awaited_task_is_counted_once_and_its_join_error_carries_the_payload() {
    let _shared = support::shared();
    for rt in [
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
        multi_thread(),
    ] {
        let before = row("spawn_awaited").map_or(0, |r| r.panics());
        assert_eq!(rt.block_on(awaited(0)).unwrap().unwrap(), "0");
        let err = rt.block_on(awaited(7)).unwrap().unwrap_err();
        assert!(err.is_panic());
        let payload = err.into_panic();
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("task 7 failed")
        );
        let row = row("spawn_awaited").unwrap();
        assert_eq!((row.active(), row.panics()), (0, before + 1));
    }
    assert_eq!(counts("spawn_awaited"), (4, 0, 2));
}

#[monitored_connection(name = "spawn_rejoined")]
async fn rejoined() -> std::io::Result<()> {
    let err = spawn(async { panic!("task failed") }).await.unwrap_err();
    // Re-raised in the handler: contained there, not counted again.
    resume_unwind(err.into_panic())
}

#[test]
fn a_joined_payload_re_raised_in_the_handler_is_not_counted_again() {
    let _shared = support::shared();
    let err = block_on(rejoined()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "connection handler `spawn_rejoined` panicked"
    );
    assert_eq!(counts("spawn_rejoined"), (1, 0, 1));
    let err = multi_thread().block_on(rejoined()).unwrap_err();
    assert!(err.to_string().contains("spawn_rejoined"));
    assert_eq!(counts("spawn_rejoined"), (2, 0, 2));
}

#[monitored_connection(name = "spawn_nested", labels(depth = "2"))]
async fn nested() -> Option<bool> {
    let outer = spawn(async {
        let inner = spawn(async {
            tokio::task::yield_now().await;
            // A failed assertion would panic with another payload.
            assert_eq!(current(), Some(("spawn_nested", &[("depth", "2")][..])));
            panic!("grandchild failed");
        });
        let err = inner.await.unwrap_err();
        err.is_panic() && err.into_panic().downcast_ref::<&str>() == Some(&"grandchild failed")
    });
    outer.await.ok()
}

#[test]
fn a_task_spawned_from_a_spawned_task_still_belongs_to_the_handler() {
    let _shared = support::shared();
    assert_eq!(block_on(nested()), Some(true));
    assert_eq!(counts("spawn_nested"), (1, 0, 1));
    assert_eq!(multi_thread().block_on(nested()), Some(true));
    assert_eq!(counts("spawn_nested"), (2, 0, 2));
}

#[monitored_connection(name = "spawn_resumed", on_panic = "resume")]
async fn resumed() -> u8 {
    let err = spawn(async { panic!("the task failed") })
        .await
        .unwrap_err();
    assert!(err.is_panic());
    panic!("then the handler");
}

#[test]
fn a_resumed_handler_panic_plus_a_task_panic_count_two() {
    let _shared = support::shared();
    let payload = catch_unwind(|| multi_thread().block_on(resumed())).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"then the handler"));
    assert_eq!(counts("spawn_resumed"), (1, 0, 2));
}

#[monitored_connection(name = "spawn_active")]
async fn long_lived(go: oneshot::Receiver<()>, done: Arc<AtomicBool>) -> Option<()> {
    assert_eq!(counts("spawn_active"), (1, 1, 0));
    drop(spawn(async move {
        let _ = go.await;
        done.store(true, Ordering::SeqCst);
        panic!("late task failure");
    }));
    // The task is no call: still one call, one active.
    assert_eq!(counts("spawn_active"), (1, 1, 0));
    Some(())
}

#[test]
fn active_counts_the_call_not_its_tasks() {
    let _shared = support::shared();
    let rt = multi_thread();
    let (go, wait) = oneshot::channel();
    let done = Arc::new(AtomicBool::new(false));
    assert_eq!(rt.block_on(long_lived(wait, done.clone())), Some(()));
    // The handler returned; its task runs on, counted nowhere.
    assert_eq!(counts("spawn_active"), (1, 0, 0));
    assert!(!done.load(Ordering::SeqCst));
    go.send(()).unwrap();
    wait_for_panics("spawn_active", 1);
    assert!(done.load(Ordering::SeqCst));
    assert_eq!(counts("spawn_active"), (1, 0, 1));
}

#[test]
fn outside_a_monitored_call_spawn_is_tokio_spawn_and_records_nothing() {
    // Alone, as the detached-task test (its `Capture`).
    let _alone = support::exclusive();
    let capture = Capture::default();
    let (err, samples) = recorded(|| {
        capture.run(|| {
            block_on(async {
                spawn(async {
                    assert_eq!(current(), None);
                    panic!("unmonitored task");
                })
                .await
                .unwrap_err()
            })
        })
    });
    assert!(err.is_panic());
    assert_eq!(
        err.into_panic().downcast_ref::<&str>(),
        Some(&"unmonitored task")
    );
    assert!(!samples.0.iter().any(|s| s.name == PANICS_TOTAL));
    assert!(capture.monitor_events().is_empty());
    assert_eq!(block_on(async { spawn(async { 5 }).await.unwrap() }), 5);
}

#[monitored_connection(name = "current_sync", labels(kind = "sync"))]
fn sync_current() -> Option<(&'static str, &'static [(&'static str, &'static str)])> {
    current()
}

#[monitored_connection(name = "current_track", on_panic = "resume")]
#[track_caller]
fn track_caller_current() -> Option<&'static str> {
    current().map(|c| c.0)
}

#[monitored_connection(name = "current_outer")]
fn outer_current(inner: MonitoredHandler) -> Option<[Option<&'static str>; 3]> {
    let before = current().map(|c| c.0);
    let within = inner.run(|| Some(current().map(|c| c.0)))?;
    let after = current().map(|c| c.0);
    Some([before, within, after])
}

#[test]
fn current_is_the_innermost_sync_call_and_none_outside() {
    let _shared = support::shared();
    assert_eq!(current(), None);
    assert_eq!(
        sync_current(),
        Some(("current_sync", &[("kind", "sync")][..]))
    );
    assert_eq!(current(), None);
    assert_eq!(track_caller_current(), Some("current_track"));
    assert_eq!(current(), None);
    let inner = MonitoredHandler::new("current_inner", [("kind", "rt")]).unwrap();
    let got = outer_current(inner).unwrap();
    assert_eq!(
        got,
        [
            Some("current_outer"),
            Some("current_inner"),
            Some("current_outer")
        ]
    );
    assert_eq!(current(), None);
    // And after a contained panic in a nested call.
    let _: Option<()> = inner.run(|| panic!("inner panics"));
    assert_eq!(current(), None);
    assert_eq!(
        inner.run(|| Some(current())),
        Some(Some(("current_inner", &[("kind", "rt")][..])))
    );
}

#[monitored_connection(name = "current_async", labels(kind = "async"))]
async fn async_current(rounds: u32) -> Option<usize> {
    let mut threads = std::collections::HashSet::new();
    for _ in 0..rounds {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_micros(50)).await;
        assert_eq!(current(), Some(("current_async", &[("kind", "async")][..])));
        threads.insert(std::thread::current().id());
    }
    Some(threads.len())
}

#[test]
fn current_follows_an_async_call_across_awaits_and_threads() {
    let _shared = support::shared();
    let rt = multi_thread();
    let threads: usize = rt.block_on(async {
        let calls: Vec<_> = (0..4).map(|_| tokio::spawn(async_current(50))).collect();
        let mut seen = 0;
        for call in calls {
            seen = seen.max(call.await.unwrap().unwrap());
        }
        assert_eq!(current(), None);
        seen
    });
    assert!(threads >= 1);
    assert_eq!(counts("current_async"), (4, 0, 0));
    // The run-time door's futures and a tower layer's call alike.
    let handler = MonitoredHandler::new("current_guard", [("kind", "guard")]).unwrap();
    let got = rt.block_on(handler.guard(async {
        tokio::task::yield_now().await;
        Some(current())
    }));
    assert_eq!(got, Some(Some(("current_guard", &[("kind", "guard")][..]))));
    let layer = MonitorLayer::new(MonitoredHandler::named("current_tower").unwrap());
    let service = layer.layer(service_fn(|()| async {
        tokio::task::yield_now().await;
        Ok::<_, std::io::Error>(current().map(|c| c.0))
    }));
    assert_eq!(
        rt.block_on(service.oneshot(())).unwrap(),
        Some("current_tower")
    );
    assert_eq!(current(), None);
}

#[test]
fn current_guards_work_on_another_thread() {
    let _shared = support::shared();
    let handler = MonitoredHandler::named("current_thread").unwrap();
    let payload = handler.run(|| {
        let me = MonitoredHandler::current().unwrap();
        // A plain thread: the handler does not follow by itself.
        std::thread::spawn(move || {
            assert!(MonitoredHandler::current().is_none());
            catch_unwind(AssertUnwindSafe(|| me.run_resume(|| panic!("on a thread")))).unwrap_err()
        })
        .join()
        .ok()
    });
    assert_eq!(
        payload.unwrap().downcast_ref::<&str>(),
        Some(&"on a thread")
    );
    // Two calls (the thread's is one), one panic.
    assert_eq!(counts("current_thread"), (2, 0, 1));
}

#[monitored_connection(name = "spawn_doors_sync")]
fn sync_spawner() -> Option<tokio::task::JoinHandle<()>> {
    Some(spawn(async { panic!("from a sync handler") }))
}

#[test]
fn a_task_spawned_through_any_door_belongs_to_its_handler() {
    let _shared = support::shared();
    let rt = multi_thread();
    let is_panic = |joined: Result<(), tokio::task::JoinError>| joined.unwrap_err().is_panic();
    // An annotated sync function, called on the runtime.
    let task = rt.block_on(async { sync_spawner() }).unwrap();
    assert!(is_panic(rt.block_on(task)));
    assert_eq!(counts("spawn_doors_sync"), (1, 0, 1));
    // The run-time door, sync and async.
    let handler = MonitoredHandler::new("spawn_doors_rt", [("door", "run")]).unwrap();
    let task = rt.block_on(async { handler.run(|| Some(spawn(async { panic!("from run") }))) });
    assert!(is_panic(rt.block_on(task.unwrap())));
    let joined = rt.block_on(handler.guard(async {
        tokio::task::yield_now().await;
        Some(spawn(async { panic!("from guard") }).await)
    }));
    assert!(is_panic(joined.unwrap()));
    assert_eq!(counts("spawn_doors_rt"), (2, 0, 2));
    // A tower layer's call.
    let layer = MonitorLayer::new(MonitoredHandler::named("spawn_doors_tower").unwrap());
    let service = layer.layer(service_fn(|()| async {
        Ok::<_, std::io::Error>(spawn(async { panic!("from a service") }).await)
    }));
    let joined = rt.block_on(service.oneshot(())).unwrap();
    assert!(is_panic(joined));
    assert_eq!(counts("spawn_doors_tower"), (1, 0, 1));
}

/// Installs the defaults again when dropped.
struct Defaults;

impl Drop for Defaults {
    fn drop(&mut self) {
        wireframe_monitor::Installer::new().install();
    }
}

#[monitored_connection(name = "spawn_quiet_inner", on_panic = "resume")]
fn quiet_inner(message: &'static str) {
    panic!("{message}");
}

#[test]
fn quiet_contained_knows_what_a_guard_will_contain_and_a_task_is_never_contained() {
    let _alone = support::exclusive();
    let _defaults = Defaults;
    wireframe_monitor::Installer::new()
        .quiet_contained(true)
        .install();
    let handler = MonitoredHandler::named("spawn_quiet_outer").unwrap();
    // A resume guard inside a contain guard: contained in the end, quiet.
    let nested = "hook-probe: resumed inside a contain guard";
    let _: Option<()> = handler.run(|| {
        quiet_inner(nested);
        Some(())
    });
    assert_eq!(support::probe_count(nested), 0);
    // A task polled inside a contain guard (its runtime driven from the
    // guarded closure): its panic goes to the `JoinHandle`, so the hook
    // reports it.
    let task = "hook-probe: a task polled inside a contain guard";
    let joined = handler.run(|| {
        Some(block_on(async {
            spawn(async move { panic!("{task}") })
                .await
                .unwrap_err()
                .is_panic()
        }))
    });
    assert_eq!(joined, Some(true));
    assert_eq!(support::probe_count(task), 1);
    assert_eq!(counts("spawn_quiet_outer"), (2, 0, 1));
    assert_eq!(counts("spawn_quiet_inner"), (1, 0, 1));
}
