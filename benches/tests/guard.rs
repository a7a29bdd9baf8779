//! Checks that the benches measure what they claim: the monitored handlers
//! really run the guard (and are counted), both panic variants catch the
//! panic, the echo round-trips one frame, the 1000 stamped handlers are
//! distinct registry entries, the monitored future is as large as the bare
//! one (the sizes are printed for `docs/benchmarks.md`), and
//! the paired measurement tells a variant twice as slow.

use std::mem::size_of_val;
use std::sync::{Mutex, PoisonError};

use wireframe_monitor::{HandlerStats, snapshot};
use wireframe_monitor_benches::common::{
    bare_async, bare_sync, monitored_async, monitored_sync, poll_noop,
};
use wireframe_monitor_benches::echo::{bare_echo, connection, monitored_echo};
use wireframe_monitor_benches::panicking::{monitored_panicking, raw_catch, with_silent_hook};
use wireframe_monitor_benches::{paired, runtime, scale};

/// Held by the tests that call `monitored_echo`: building its future is a
/// call (the lowered `async fn` counts at the call), so the size test would
/// otherwise add to the echo test's count when they run at the same time.
static ECHO: Mutex<()> = Mutex::new(());

fn calls(handler: &str) -> u64 {
    snapshot()
        .iter()
        .filter(|s| s.handler() == handler)
        .map(HandlerStats::calls)
        .sum()
}

#[test]
fn bare_and_monitored_compute_the_same() {
    assert_eq!(bare_sync(41).unwrap(), monitored_sync(41).unwrap());
    assert_eq!(
        poll_noop(bare_async(41)).unwrap(),
        poll_noop(monitored_async(41)).unwrap()
    );
}

#[test]
fn monitored_handlers_are_counted() {
    let before = calls("monitored_sync");
    for x in 0..3 {
        let _ = monitored_sync(x);
    }
    assert!(calls("monitored_sync") >= before + 3);

    let before = calls("monitored_async");
    let _ = poll_noop(monitored_async(1));
    assert!(calls("monitored_async") > before);
}

#[test]
fn echo_round_trips_one_frame_and_counts_the_connection() {
    let _echo = ECHO.lock().unwrap_or_else(PoisonError::into_inner);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(rt.block_on(connection(bare_echo, 9)).unwrap(), 9);
    let before = calls("monitored_echo");
    assert_eq!(rt.block_on(connection(monitored_echo, 9)).unwrap(), 9);
    assert_eq!(calls("monitored_echo"), before + 1);
}

#[test]
fn both_panic_variants_catch_the_panic() {
    with_silent_hook(|| {
        assert!(raw_catch(1));
        let err = monitored_panicking(1).unwrap_err();
        // `Display` names the handler; the message is in the alternate form.
        assert_eq!(
            err.to_string(),
            "connection handler `monitored_panicking` panicked"
        );
        assert!(
            format!("{err:#}").contains("connection reset by peer"),
            "{err:#}"
        );
    });
    let panicked = snapshot()
        .into_iter()
        .find(|s| s.handler() == "monitored_panicking")
        .expect("monitored_panicking registered");
    assert!(panicked.panics() >= 1);
}

#[test]
fn the_stamped_handlers_are_1000_distinct_registry_entries() {
    let all = scale::handlers();
    assert_eq!(all.len(), 1000);
    for handler in all {
        let _ = handler(1);
    }
    let entries = snapshot()
        .into_iter()
        .filter(|s| s.handler() == "scale")
        .count();
    assert_eq!(entries, 1000);
}

#[test]
fn monitored_future_is_as_large_as_the_bare_one() {
    let _echo = ECHO.lock().unwrap_or_else(PoisonError::into_inner);
    let bare = size_of_val(&bare_async(1));
    let monitored = size_of_val(&monitored_async(1));
    let echo_bare = size_of_val(&bare_echo(tokio::io::duplex(1).0));
    let echo_monitored = size_of_val(&monitored_echo(tokio::io::duplex(1).0));
    println!("future sizes: async bare {bare} B, monitored {monitored} B");
    println!("future sizes: echo bare {echo_bare} B, monitored {echo_monitored} B");
    // The lowered `async fn` returns the guarded future itself, which
    // stores nothing of its own (zero-sized site and peer).
    assert_eq!(monitored, bare, "async handler future");
    assert_eq!(echo_monitored, echo_bare, "echo handler future");
}

#[test]
fn paired_measurement_sees_a_variant_twice_as_slow() {
    let spin = |iters: u64, per: u32| {
        paired::timed(iters, || {
            let mut x = 0u64;
            for i in 0..per {
                x = std::hint::black_box(x.wrapping_add(u64::from(i)));
            }
        })
    };
    let p = paired::compare(
        "t",
        9,
        std::time::Duration::from_millis(5),
        &mut |n| spin(n, 200),
        &mut |n| spin(n, 400),
    );
    // Wide bounds: the machine may be loaded by other builds; the point is
    // that the harness tells the slower variant and roughly by how much.
    assert!((1.2..4.0).contains(&p.ratio), "{p:?}");
    assert!(p.b_ns > p.a_ns);
    assert!(paired::to_json(&[p]).contains("\"name\": \"t\""));
}

#[test]
fn the_run_time_door_computes_the_same_and_is_counted() {
    let (sync, future) = (runtime::sync_handler(), runtime::async_handler());
    let before = (calls("runtime_sync"), calls("runtime_async"));
    assert_eq!(
        runtime::runtime_sync_2(&sync, 41).unwrap(),
        bare_sync(41).unwrap()
    );
    assert_eq!(
        poll_noop(runtime::runtime_async_3(&future, 41)).unwrap(),
        poll_noop(bare_async(41)).unwrap()
    );
    assert_eq!(calls("runtime_sync"), before.0 + 1);
    assert_eq!(calls("runtime_async"), before.1 + 1);
}
