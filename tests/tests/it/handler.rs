//! The panic handler sees every `PanicEvent` field, and replacing it while
//! two threads panic in loops neither deadlocks nor loses a call.

use std::net::SocketAddr;
use std::panic::panic_any;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use wireframe_monitor::{
    PanicEvent, PanicHandler, PayloadKind, clear_panic_handler, monitored_connection,
    set_panic_handler,
};

use crate::support::{self, row};

const ZONE: &str = "z1";

/// The fields of one `PanicEvent`, owned.
#[derive(Debug, Clone)]
struct Seen {
    handler: String,
    labels: Vec<(String, String)>,
    message: Option<String>,
    payload_kind: PayloadKind,
    location: Option<String>,
    peer: Option<SocketAddr>,
    timestamp: SystemTime,
    thread_name: Option<String>,
}

impl Seen {
    fn of(event: &PanicEvent<'_>) -> Self {
        Self {
            handler: event.handler().to_owned(),
            labels: event
                .labels()
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            message: event.message().map(str::to_owned),
            payload_kind: event.payload_kind(),
            location: event.location().map(str::to_owned),
            peer: event.peer(),
            timestamp: event.timestamp(),
            thread_name: event.thread_name().map(str::to_owned),
        }
    }
}

/// A `PanicHandler` implemented on a type (not a closure).
struct Collect(Arc<Mutex<Vec<Seen>>>);

impl PanicHandler for Collect {
    fn on_connection_panic(&self, event: &PanicEvent<'_>) {
        if event.handler() == "handler_fields" {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Seen::of(event));
        }
    }
}

#[monitored_connection(name = "handler_fields", labels(zone = ZONE, role = "edge"), peer = addr)]
fn fields(addr: Option<SocketAddr>, kind: u8) {
    let _ = addr;
    match kind {
        0 => panic!("static message"),
        1 => panic!("formatted {kind}"),
        _ => panic_any(kind),
    }
}

#[test]
fn panic_handler_sees_every_event_field() {
    let _exclusive = support::exclusive();
    let seen = Arc::new(Mutex::new(Vec::new()));
    set_panic_handler(Collect(Arc::clone(&seen)));
    let addr: SocketAddr = "203.0.113.5:1234".parse().unwrap();
    let before = SystemTime::now();
    std::thread::Builder::new()
        .name("it-named-worker".into())
        .spawn(move || {
            fields(Some(addr), 0);
            fields(None, 1);
            fields(Some(addr), 2);
        })
        .unwrap()
        .join()
        .unwrap();
    let after = SystemTime::now();
    clear_panic_handler();
    fields(None, 0); // no handler any more: not seen

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    for event in &seen {
        assert_eq!(event.handler, "handler_fields");
        assert_eq!(
            event.labels,
            [("zone".into(), "z1".into()), ("role".into(), "edge".into())]
        );
        let location = event.location.as_deref().expect("location after install()");
        assert!(location.contains("handler.rs:"), "{location}");
        assert!(event.timestamp >= before - Duration::from_secs(1));
        assert!(event.timestamp <= after + Duration::from_secs(1));
        assert_eq!(event.thread_name.as_deref(), Some("it-named-worker"));
    }
    assert_eq!(seen[0].message.as_deref(), Some("static message"));
    assert_eq!(seen[0].payload_kind, PayloadKind::Str);
    assert_eq!(seen[0].peer, Some(addr));
    assert_eq!(seen[1].message.as_deref(), Some("formatted 1"));
    assert_eq!(seen[1].payload_kind, PayloadKind::String);
    assert_eq!(seen[1].peer, None);
    assert_eq!(seen[2].message, None);
    assert_eq!(seen[2].payload_kind, PayloadKind::Other);
    assert_eq!(row("handler_fields").unwrap().panics(), 4);
}

#[monitored_connection(name = "handler_replaced")]
fn replaced() -> Option<()> {
    panic!("replaced handler loop");
}

#[test]
fn panic_handler_replaced_while_threads_panic() {
    const PER_THREAD: u64 = 300;
    let _exclusive = support::exclusive();
    let calls = Arc::new(AtomicU64::new(0));
    let install = || {
        let calls = Arc::clone(&calls);
        set_panic_handler(move |event: &PanicEvent<'_>| {
            if event.handler() == "handler_replaced" {
                calls.fetch_add(1, Relaxed);
            }
        });
    };
    install();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..PER_THREAD {
                    assert_eq!(replaced(), None);
                }
            })
        })
        .collect();
    loop {
        install();
        if workers.iter().all(std::thread::JoinHandle::is_finished) {
            break;
        }
        std::thread::yield_now();
    }
    for worker in workers {
        worker.join().expect("a worker panicked");
    }
    clear_panic_handler();
    let row = row("handler_replaced").unwrap();
    assert_eq!(
        calls.load(Relaxed) + row.suppressed(),
        2 * PER_THREAD,
        "each panic calls one handler once, or is counted as not reported (storm limit)"
    );
    assert!(calls.load(Relaxed) > 0);
    assert_eq!(
        (row.calls(), row.active(), row.panics()),
        (2 * PER_THREAD, 0, 2 * PER_THREAD)
    );
}
