//! Feature `enabled` off: annotated functions behave exactly as if they
//! were not annotated. A panic propagates with its payload, nothing is
//! recorded (no snapshot row, no metric, no tracing event), and a `contain` handler whose return type lacks
//! `PanicFallback` still compiles. A `crate = "…"` path is still checked
//! (it must name the runtime) and changes nothing else.

use std::panic::{catch_unwind, panic_any};

use wireframe_monitor::monitored_connection;
use wireframe_monitor::names::PANICS_TOTAL;
use wireframe_monitor_tests::recorded;

use crate::support::{self, Capture, block_on};

#[derive(Debug, PartialEq)]
struct Custom(u32);

#[monitored_connection(name = "disabled_sync", labels(k = "v"), peer = addr, objective = "99.9")]
fn sync(addr: std::net::SocketAddr, kind: u8) -> Option<u8> {
    let _ = addr;
    match kind {
        0 => panic!("disabled literal"),
        1 => panic_any(Custom(5)),
        _ => Some(kind),
    }
}

#[monitored_connection(name = "disabled_async")]
async fn not_async_guarded() -> Option<u8> {
    tokio::task::yield_now().await;
    panic!("disabled async");
}

/// No `PanicFallback` impl: only compiles because the guard is off.
#[derive(Debug, PartialEq)]
struct NoFallback(u8);

#[monitored_connection(name = "disabled_no_fallback")]
fn no_fallback(n: u8) -> NoFallback {
    NoFallback(n)
}

/// The runtime through a facade, as `crate = "…"` names it.
mod facade {
    pub use ::wireframe_monitor as monitor;
}

#[monitored_connection(name = "disabled_crate_path", crate = "facade::monitor")]
fn through_facade(n: u8) -> u8 {
    assert!(n > 0, "disabled facade");
    n
}

#[test]
fn panics_propagate_and_nothing_is_recorded() {
    let _shared = support::shared();
    let addr = "127.0.0.1:9".parse().unwrap();
    let capture = Capture::default();
    let ((), samples) = recorded(|| {
        capture.run(|| {
            assert_eq!(sync(addr, 7), Some(7));
            let literal = catch_unwind(|| sync(addr, 0)).expect_err("propagates");
            assert_eq!(literal.downcast_ref::<&str>(), Some(&"disabled literal"));
            let custom = catch_unwind(|| sync(addr, 1)).expect_err("propagates");
            assert_eq!(custom.downcast_ref::<Custom>(), Some(&Custom(5)));
            let future = catch_unwind(|| block_on(not_async_guarded())).expect_err("propagates");
            assert_eq!(future.downcast_ref::<&str>(), Some(&"disabled async"));
            assert_eq!(no_fallback(3), NoFallback(3));
            assert_eq!(through_facade(2), 2);
            let facade = catch_unwind(|| through_facade(0)).expect_err("propagates");
            assert_eq!(facade.downcast_ref::<&str>(), Some(&"disabled facade"));
            wireframe_monitor::flush();
        });
    });
    assert!(capture.monitor_events().is_empty(), "no tracing event");
    for handler in [
        "disabled_sync",
        "disabled_async",
        "disabled_no_fallback",
        "disabled_crate_path",
    ] {
        assert!(
            wireframe_monitor::snapshot()
                .iter()
                .all(|s| s.handler() != handler),
            "{handler} is in snapshot()"
        );
        assert_eq!(samples.counter(PANICS_TOTAL, handler), None);
    }
    assert!(samples.0.is_empty(), "{samples:?}");
}
