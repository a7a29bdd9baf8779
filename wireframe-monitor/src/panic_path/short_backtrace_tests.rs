//! Tests of the short backtrace, on captures rendered by the demo (debug
//! build, Linux) and on made-up ones.

use std::fmt::Write;

use super::{crate_of, qualified, render};

/// The `echo` route of the demo's wireframe server: an async block behind
/// wireframe's middleware, guarded by `RouteMonitor`, under tokio.
const ECHO: &str = r"   0: wireframe_monitor::panic_path::hook::run::{{closure}}
             at ./wireframe-monitor/src/panic_path/hook.rs:98:69
   1: core::bool::<impl bool>::then
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/bool.rs:66:24
   2: wireframe_monitor::panic_path::hook::run
             at ./wireframe-monitor/src/panic_path/hook.rs:98:52
   3: wireframe_monitor::panic_path::hook::set::{{closure}}
             at ./wireframe-monitor/src/panic_path/hook.rs:72:63
   4: <alloc::boxed::Box<dyn for<'a, 'b> core::ops::function::Fn<(&'a std::panic::PanicHookInfo<'b>,), Output = ()> + core::marker::Sync + core::marker::Send> as core::ops::function::Fn<(&std::panic::PanicHookInfo,)>>::call
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/alloc/src/boxed.rs:2254:9
   5: std::panicking::panic_with_hook
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:833:13
   6: std::panicking::panic_handler::{closure#0}
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:698:13
   7: std::sys::backtrace::__rust_end_short_backtrace::<std::panicking::panic_handler::{closure#0}, !>
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/backtrace.rs:182:18
   8: __rustc::rust_begin_unwind
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:689:5
   9: core::panicking::panic_fmt
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs:80:14
  10: wireframe_monitor_wireframe_example::echo::{{closure}}
             at ./wireframe-example/src/lib.rs:50:9
  11: <core::pin::Pin<P> as core::future::future::Future>::poll
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/future/future.rs:133:9
  12: <wireframe::middleware::RouteService<E> as wireframe::middleware::Service>::call::{{closure}}
             at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wireframe-0.3.0/src/middleware.rs:333:39
  13: <core::pin::Pin<P> as core::future::future::Future>::poll
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/future/future.rs:133:9
  14: <wireframe::middleware::HandlerService<E> as wireframe::middleware::Service>::call::{{closure}}
             at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wireframe-0.3.0/src/middleware.rs:346:28
  15: <core::pin::Pin<P> as core::future::future::Future>::poll
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/future/future.rs:133:9
  16: <wireframe_monitor::doors::monitored_future::MonitoredFuture<F,M,P> as core::future::future::Future>::poll::{{closure}}
             at ./wireframe-monitor/src/doors/monitored_future.rs:182:48
  17: <core::panic::unwind_safe::AssertUnwindSafe<F> as core::ops::function::FnOnce<()>>::call_once
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panic/unwind_safe.rs:274:9
  18: std::panicking::catch_unwind::do_call
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:581:40
  19: __rust_try
  20: std::panicking::catch_unwind
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:544:19
  21: std::panic::catch_unwind
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panic.rs:359:14
  22: wireframe_monitor::doors::guard::caught
             at ./wireframe-monitor/src/doors/guard.rs:106:22
  23: <wireframe_monitor::doors::monitored_future::MonitoredFuture<F,M,P> as core::future::future::Future>::poll
             at ./wireframe-monitor/src/doors/monitored_future.rs:182:15
  24: <wireframe_monitor_wireframe::Guarded<E> as wireframe::middleware::Service>::call::{{closure}}
             at ./wireframe-monitor-wireframe/src/lib.rs:277:55
  25: <core::pin::Pin<P> as core::future::future::Future>::poll
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/future/future.rs:133:9
  26: <wireframe::middleware::HandlerService<E> as wireframe::middleware::Service>::call::{{closure}}
";

/// The demo's sync `frame` handler, called from the async connection handler.
const FRAME: &str = r"   0: wireframe_monitor::panic_path::hook::run::{{closure}}
             at ./wireframe-monitor/src/panic_path/hook.rs:98:69
   1: core::bool::<impl bool>::then
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/bool.rs:66:24
   2: wireframe_monitor::panic_path::hook::run
             at ./wireframe-monitor/src/panic_path/hook.rs:98:52
   3: wireframe_monitor::panic_path::hook::set::{{closure}}
             at ./wireframe-monitor/src/panic_path/hook.rs:72:63
   4: <alloc::boxed::Box<dyn for<'a, 'b> core::ops::function::Fn<(&'a std::panic::PanicHookInfo<'b>,), Output = ()> + core::marker::Sync + core::marker::Send> as core::ops::function::Fn<(&std::panic::PanicHookInfo,)>>::call
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/alloc/src/boxed.rs:2254:9
   5: std::panicking::panic_with_hook
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:833:13
   6: std::panicking::panic_handler::{closure#0}
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:691:13
   7: std::sys::backtrace::__rust_end_short_backtrace::<std::panicking::panic_handler::{closure#0}, !>
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/backtrace.rs:182:18
   8: __rustc::rust_begin_unwind
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:689:5
   9: core::panicking::panic_fmt
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs:80:14
  10: demo::frame::{{closure}}
             at ./wireframe-example/examples/demo.rs:97:23
  11: <core::panic::unwind_safe::AssertUnwindSafe<F> as core::ops::function::FnOnce<()>>::call_once
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panic/unwind_safe.rs:274:9
  12: std::panicking::catch_unwind::do_call
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:581:40
  13: __rust_try
  14: std::panicking::catch_unwind
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:544:19
  15: std::panic::catch_unwind
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panic.rs:359:14
  16: wireframe_monitor::doors::guard::caught
             at ./wireframe-monitor/src/doors/guard.rs:106:22
  17: wireframe_monitor::doors::guard::contain
             at ./wireframe-monitor/src/doors/guard.rs:165:18
  18: wireframe_monitor::doors::diagnose::contain_checked
             at ./wireframe-monitor/src/doors/diagnose.rs:53:5
  19: demo::frame
             at ./wireframe-example/examples/demo.rs:93:1
  20: demo::serve_connection::{{closure}}
             at ./wireframe-example/examples/demo.rs:80:18
  21: <wireframe_monitor::doors::attribute_future::Guarded<S,P,F,wireframe_monitor::doors::monitored_future::Contain> as core::future::future::Future>::poll::{{closure}}
             at ./wireframe-monitor/src/doors/attribute_future.rs:103:42
  22: <core::panic::unwind_safe::AssertUnwindSafe<F> as core::ops::function::FnOnce<()>>::call_once
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panic/unwind_safe.rs:274:9
  23: std::panicking::catch_unwind::do_call
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:581:40
  24: __rust_try
  25: std::panicking::catch_unwind
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:544:19
";

#[test]
fn keeps_the_frames_from_the_panic_site_to_the_guard() {
    assert_eq!(
        render(ECHO).as_deref(),
        Some(
            "wireframe_monitor_wireframe_example::echo::{{closure}} at src/lib.rs:50 \
             <- <wireframe::middleware::RouteService<E> as wireframe::middleware::Service>::call::{{closure}} \
             at wireframe-0.3.0/src/middleware.rs:333 \
             <- <wireframe::middleware::HandlerService<E> as wireframe::middleware::Service>::call::{{closure}} \
             at wireframe-0.3.0/src/middleware.rs:346"
        )
    );
    assert_eq!(
        render(FRAME).as_deref(),
        Some("demo::frame::{{closure}} at examples/demo.rs:97")
    );
}

#[test]
fn escapes_and_cuts_what_could_break_the_line() {
    let hostile = "   0: core::panicking::panic_fmt\n             at /rustc/abc/library/core/src/panicking.rs:80:14\n   1: app::evil\u{1b}[31m\rname\n             at /home/me/app/src/a\u{7}.rs:3:5\n   2: wireframe_monitor::doors::guard::caught\n";
    let short = render(hostile).unwrap();
    assert_eq!(short, "app::evil\\u{1b}[31m\\rname at src/a\\u{7}.rs:3");
    assert!(!short.contains(char::is_control), "{short}");

    let mut deep = String::from("   0: core::panicking::panic_fmt\n");
    for i in 1..=40 {
        let _ = write!(
            deep,
            "  {i}: app::recurse::<{}>\n             at ./src/deep.rs:{i}:1\n",
            "T".repeat(500)
        );
    }
    deep.push_str("  41: wireframe_monitor::doors::guard::caught\n");
    let short = render(&deep).unwrap();
    assert_eq!(short.matches(" <- ").count(), 12, "{short}");
    assert!(short.ends_with(" <- … 28 more"), "{short}");
    assert!(short.len() < 12 * 200, "{} bytes", short.len());
}

#[test]
fn without_a_guard_frame_stops_before_the_executor_and_thread_start() {
    let text = "   0: std::panicking::begin_panic\n   1: app::handle::{{closure}}\n             at src/main.rs:9:5\n   2: tokio::runtime::task::harness::poll_future\n   3: app::serve\n   4: <std::sys::thread::unix::Thread>::new::thread_start\n   5: start_thread\n   6: clone3\n";
    assert_eq!(
        render(text).as_deref(),
        Some("app::handle::{{closure}} at src/main.rs:9 <- app::serve")
    );
    assert_eq!(render("unsupported backtrace"), None);
    assert_eq!(render(""), None);
}

#[test]
fn reads_symbol_paths() {
    assert_eq!(
        qualified("<core::pin::Pin<P> as core::future::future::Future>::poll"),
        (
            "core::pin::Pin<P>",
            Some("core::future::future::Future>::poll")
        )
    );
    assert_eq!(
        qualified("<std::sys::thread::unix::Thread>::new"),
        ("std::sys::thread::unix::Thread", None)
    );
    assert_eq!(
        crate_of(
            "<alloc::boxed::Box<dyn core::ops::function::Fn(u8) -> u8> as core::ops::function::Fn<(u8,)>>::call"
        ),
        "alloc"
    );
    assert_eq!(
        crate_of("<&mut app::Conn as core::future::future::Future>::poll"),
        "app"
    );
    assert_eq!(crate_of("__rustc::rust_begin_unwind"), "__rustc");
}
