//! `MonitoredHandler`, the run-time door, records like the attribute (same
//! metrics, event, rows, "recorded once"), checks names and labels into a
//! `LabelError`, keeps one row per name and label set, and counts calls and
//! `active` exactly, futures included.

use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};
use std::task::{Context, Waker};

use wireframe_monitor::names::{ACTIVE, CALLS_TOTAL, LAST_PANIC_TIMESTAMP_SECONDS, PANICS_TOTAL};
use wireframe_monitor::{ConnectionPanic, LabelError, MonitoredHandler, monitored_connection};
use wireframe_monitor_tests::recorded;

use crate::support::{self, Capture, block_on, row};

#[monitored_connection(name = "twin_attr", labels(protocol = "v2"))]
fn twin_attr(frame: &[u8]) -> std::io::Result<u8> {
    Ok(frame[0])
}

/// The same handler as [`twin_attr`], through the run-time door.
fn twin_rt(handler: MonitoredHandler, frame: &[u8]) -> std::io::Result<u8> {
    handler.run(|| Ok(frame[0]))
}

#[test]
fn records_what_the_attribute_records() {
    let _shared = support::shared();
    let handler = MonitoredHandler::new("twin_rt", [("protocol", "v2")]).unwrap();
    let capture = Capture::default();
    let ((), samples) = recorded(|| {
        capture.run(|| {
            for frame in [&[1u8][..], &[], &[2]] {
                let a = twin_attr(frame).map_err(|e| e.to_string().replace("twin_attr", "X"));
                let b = twin_rt(handler, frame).map_err(|e| e.to_string().replace("twin_rt", "X"));
                assert_eq!(a, b);
            }
        });
    });
    for name in ["twin_attr", "twin_rt"] {
        assert_eq!(samples.counter(PANICS_TOTAL, name), Some(1), "{name}");
        let at = samples.gauge(LAST_PANIC_TIMESTAMP_SECONDS, name);
        assert!(at.is_some_and(|t| t > 0.0), "{name}");
        let sample = samples.find(PANICS_TOTAL, name).unwrap();
        assert_eq!(sample.label("protocol"), Some("v2"));
        let row = row(name).unwrap();
        assert_eq!(
            (row.calls(), row.active(), row.panics()),
            (3, 0, 1),
            "{name}"
        );
        assert_eq!(row.labels(), &[("protocol", "v2")]);
        assert!(row.last_message().unwrap().contains("index out of bounds"));
    }
    let events = capture.monitor_events();
    let rt = events
        .iter()
        .find(|e| e.field("handler") == Some("twin_rt"));
    let rt = rt.expect("one event for the run-time handler");
    assert_eq!(rt.field("labels"), Some("protocol=v2"));
    assert_eq!(rt.field("message"), Some("connection handler panicked"));
}

#[test]
fn calls_and_active_reach_the_recorder_on_flush() {
    let _shared = support::shared();
    let handler = MonitoredHandler::named("rt_flush").unwrap();
    let ((), samples) = recorded(|| {
        for n in 0..5u8 {
            assert_eq!(handler.run(|| Some(n)), Some(n));
        }
        wireframe_monitor::flush();
    });
    assert_eq!(samples.counter(CALLS_TOTAL, "rt_flush"), Some(5));
    assert_eq!(samples.gauge(ACTIVE, "rt_flush"), Some(0.0));
}

#[test]
fn bad_names_and_labels_are_errors_and_register_nothing() {
    let _shared = support::shared();
    let nine: Vec<(String, &str)> = (0..9).map(|i| (format!("k{i}"), "v")).collect();
    let cases: Vec<(Result<MonitoredHandler, LabelError>, LabelError)> = vec![
        (MonitoredHandler::named(""), LabelError::EmptyName),
        (
            MonitoredHandler::named("rt_bad\nname"),
            LabelError::NameNotPrintable,
        ),
        (
            MonitoredHandler::new("rt_bad_1", nine),
            LabelError::TooMany(9),
        ),
        (
            MonitoredHandler::new("rt_bad_2", [("2fa", "on")]),
            LabelError::InvalidKey("2fa".into()),
        ),
        (
            MonitoredHandler::new("rt_bad_3", [("region-eu", "on")]),
            LabelError::InvalidKey("region-eu".into()),
        ),
        (
            MonitoredHandler::new("rt_bad_4", [("handler", "x")]),
            LabelError::ReservedKey,
        ),
        (
            MonitoredHandler::new("rt_bad_5", [("__name", "x")]),
            LabelError::DoubleUnderscore("__name".into()),
        ),
        (
            MonitoredHandler::new("rt_bad_6", [("k", "a"), ("k", "b")]),
            LabelError::DuplicateKey("k".into()),
        ),
        (
            MonitoredHandler::new("rt_bad_7", [("k", "a\u{1b}[2J")]),
            LabelError::ValueNotPrintable("k".into()),
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got.unwrap_err(), want);
    }
    let rows = wireframe_monitor::snapshot();
    assert!(!rows.iter().any(|r| r.handler().starts_with("rt_bad")));
    // Messages say what is wrong and how to fix it.
    let text = LabelError::TooMany(9).to_string();
    assert!(
        text.contains("at most 8") && text.contains("remove 1"),
        "{text}"
    );
    let text = LabelError::InvalidKey("2fa".into()).to_string();
    assert!(text.contains("ASCII letters, digits and `_`"), "{text}");
}

#[test]
fn the_same_name_and_labels_are_one_row_however_given() {
    let _shared = support::shared();
    let a = MonitoredHandler::new("rt_same", [("a", "1"), ("b", "2")]).unwrap();
    let b = MonitoredHandler::new(
        String::from("rt_same"),
        [("b", String::from("2")), ("a", String::from("1"))],
    )
    .unwrap();
    let other = MonitoredHandler::new("rt_same", [("a", "1"), ("b", "3")]).unwrap();
    assert!(std::ptr::eq(a.name(), b.name()));
    assert!(std::ptr::eq(a.labels(), b.labels()));
    a.run(|| ());
    b.run(|| ());
    other.run(|| ());
    let rows: Vec<_> = wireframe_monitor::snapshot()
        .into_iter()
        .filter(|r| r.handler() == "rt_same")
        .map(|r| (format!("{:?}", r.labels()), r.calls()))
        .collect();
    assert_eq!(
        rows,
        [
            (r#"[("a", "1"), ("b", "2")]"#.to_owned(), 2),
            (r#"[("a", "1"), ("b", "3")]"#.to_owned(), 1)
        ]
    );
}

#[derive(Debug, PartialEq)]
struct Payload(u32);

#[test]
fn run_or_hands_the_panic_to_the_fallback_and_run_resume_re_raises_the_payload() {
    let _shared = support::shared();
    let handler = MonitoredHandler::named("rt_fallback").unwrap();
    let got = handler.run_or(
        |panic: ConnectionPanic| format!("{}|{}", panic.handler(), panic.message().unwrap()),
        || -> String { panic!("bad frame {}", 7) },
    );
    assert_eq!(got, "rt_fallback|bad frame 7");

    let resumed = MonitoredHandler::named("rt_resume").unwrap();
    let err = catch_unwind(AssertUnwindSafe(|| {
        resumed.run_resume(|| panic_any(Payload(9)))
    }))
    .unwrap_err();
    assert_eq!(err.downcast_ref::<Payload>(), Some(&Payload(9)));
    let row = row("rt_resume").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (1, 0, 1));
}

#[monitored_connection(name = "rt_nested_inner", on_panic = "resume")]
fn nested_inner() -> u8 {
    panic!("inner");
}

#[monitored_connection(name = "rt_nested_outer_2")]
fn nested_outer_2(inner: MonitoredHandler) -> Option<u8> {
    inner.run_resume(|| panic!("inner 2"))
}

#[test]
fn a_panic_through_both_doors_is_recorded_once_by_the_inner_guard() {
    let _shared = support::shared();
    let outer = MonitoredHandler::named("rt_nested_outer").unwrap();
    let (got, samples) = recorded(|| outer.run(|| Some(nested_inner())));
    assert_eq!(got, None);
    assert_eq!(samples.counter(PANICS_TOTAL, "rt_nested_inner"), Some(1));
    assert_eq!(samples.counter(PANICS_TOTAL, "rt_nested_outer"), None);
    assert_eq!(row("rt_nested_outer").unwrap().panics(), 0);
    // And the other way round: a run-time resume inside an attribute contain.
    let inner = MonitoredHandler::named("rt_nested_inner_2").unwrap();
    let (got, samples) = recorded(|| nested_outer_2(inner));
    assert_eq!(got, None);
    assert_eq!(samples.counter(PANICS_TOTAL, "rt_nested_inner_2"), Some(1));
    assert_eq!(samples.counter(PANICS_TOTAL, "rt_nested_outer_2"), None);
}

#[test]
fn guarded_futures_contain_fall_back_and_resume() {
    let _shared = support::shared();
    let handler = MonitoredHandler::named("rt_async").unwrap();
    let ok: std::io::Result<u8> = block_on(handler.guard(async {
        tokio::task::yield_now().await;
        Ok(1)
    }));
    assert_eq!(ok.unwrap(), 1);
    let err: std::io::Result<u8> = block_on(handler.guard(async {
        tokio::task::yield_now().await;
        panic!("after an await")
    }));
    assert_eq!(
        err.unwrap_err().to_string(),
        "connection handler `rt_async` panicked"
    );
    let status = block_on(handler.guard_or(|_| 500u16, async { panic!("boom") }));
    assert_eq!(status, 500);
    let resumed = catch_unwind(|| block_on(handler.guard_resume(async { panic!("resumed") })));
    assert_eq!(
        resumed.unwrap_err().downcast_ref::<&str>(),
        Some(&"resumed")
    );
    let row = row("rt_async").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (4, 0, 3));
}

#[test]
fn a_future_is_active_until_dropped_even_on_another_thread() {
    let _shared = support::shared();
    let handler = MonitoredHandler::named("rt_active").unwrap();
    let mut future = Box::pin(handler.guard(std::future::pending::<Option<u8>>()));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_pending());
    assert_eq!(row("rt_active").unwrap().active(), 1);
    // Cancelled on another thread: the call ends there.
    std::thread::spawn(move || drop(future)).join().unwrap();
    let row = row("rt_active").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (1, 0, 0));
}

#[test]
fn calls_from_many_threads_are_exact() {
    let _shared = support::shared();
    let handler = MonitoredHandler::new("rt_threads", [("kind", "load")]).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for i in 0..1000u32 {
                    handler.run(|| assert!(i % 100 != 99, "one in a hundred"));
                }
            });
        }
    });
    let row = row("rt_threads").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (4000, 0, 40));
}

#[test]
fn the_peer_reaches_the_event_and_never_a_label() {
    let _shared = support::shared();
    let addr: std::net::SocketAddr = "127.0.0.1:4711".parse().unwrap();
    let handler = MonitoredHandler::named("rt_peer").unwrap().with_peer(addr);
    let capture = Capture::default();
    let (got, samples) = recorded(|| capture.run(|| handler.run(|| -> Option<u8> { panic!("p") })));
    assert_eq!(got, None);
    assert!(!samples.mentions("4711"));
    let events = capture.monitor_events();
    let event = events
        .iter()
        .find(|e| e.field("handler") == Some("rt_peer"))
        .unwrap();
    assert_eq!(event.field("peer_addr"), Some("127.0.0.1:4711"));
}

#[monitored_connection(name = "rt_shared_row", labels(protocol = "v2", tier = "gold"))]
fn shared_row_attr() {}

#[monitored_connection(name = "rt_shared_row_2", labels(k = "v"))]
fn shared_row_attr_2() {}

/// An annotated function and a run-time handler with the same name and
/// label set (in any order) are one row, whichever registers first.
#[test]
fn an_annotated_function_and_a_run_time_handler_alike_share_one_row() {
    let _shared = support::shared();
    shared_row_attr();
    let late =
        MonitoredHandler::new("rt_shared_row", [("tier", "gold"), ("protocol", "v2")]).unwrap();
    late.run(|| ());
    shared_row_attr();
    let early = MonitoredHandler::new("rt_shared_row_2", [("k", String::from("v"))]).unwrap();
    early.run(|| ());
    shared_row_attr_2();
    let rows: Vec<_> = wireframe_monitor::snapshot()
        .into_iter()
        .filter(|r| r.handler().starts_with("rt_shared_row"))
        .map(|r| (r.handler().to_owned(), r.calls()))
        .collect();
    assert_eq!(
        rows,
        [
            ("rt_shared_row".to_owned(), 3),
            ("rt_shared_row_2".to_owned(), 2)
        ]
    );
}
