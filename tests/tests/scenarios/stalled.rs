//! A recorder that blocks: the background publisher stuck for 3 s inside a
//! recorder's registration must not hold up any handler. Calls, panics, a
//! thread's first call and `snapshot()` finish long before the stall ends,
//! and every count is exact, in `snapshot()` and in the recorder once it
//! has caught up, the panic sites too (left with their panics).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};

use wireframe_monitor::{monitored_connection, snapshot};

/// How long the publisher is held inside the recorder.
const STALL: Duration = Duration::from_secs(3);
const THREADS: u64 = 8;
const CALLS: u64 = 10_000;

/// Every counter by name and label values; the publisher's first
/// registration blocks for [`STALL`].
#[derive(Default)]
struct Stalling {
    counters: Mutex<HashMap<String, Arc<AtomicU64>>>,
    stalled: AtomicBool,
    released: AtomicBool,
}

impl Stalling {
    fn total(&self, name: &str, handler: &str) -> u64 {
        let counters = self.counters.lock().unwrap();
        counters
            .iter()
            .filter(|(key, _)| key.starts_with(&format!("{name}{{")) && key.contains(handler))
            .map(|(_, value)| value.load(SeqCst))
            .sum()
    }
}

fn name_of(key: &Key) -> String {
    let labels: Vec<String> = key
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl Recorder for Stalling {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let publisher = std::thread::current().name() == Some("wfmon-publisher");
        if publisher && !self.stalled.swap(true, SeqCst) {
            std::thread::sleep(STALL);
            self.released.store(true, SeqCst);
        }
        let counter = Arc::clone(
            self.counters
                .lock()
                .unwrap()
                .entry(name_of(key))
                .or_default(),
        );
        Counter::from_arc(counter)
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

#[monitored_connection(name = "stalled_first")]
fn first() {}

#[monitored_connection(name = "stalled_handler")]
fn handle(i: u64) -> Option<u64> {
    assert!(!i.is_multiple_of(100), "frame {i} rejected");
    Some(i)
}

pub fn run() {
    std::panic::set_hook(Box::new(|_| {}));
    let recorder: &'static Stalling = Box::leak(Box::default());
    metrics::set_global_recorder(recorder).expect("the first recorder");
    wireframe_monitor::Installer::new()
        .publish_interval(Duration::from_millis(50))
        .install();
    first();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !recorder.stalled.load(SeqCst) {
        assert!(Instant::now() < deadline, "the publisher never registered");
        std::thread::sleep(Duration::from_millis(5));
    }

    let start = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|_| std::thread::spawn(|| (0..CALLS).filter(|&i| handle(i).is_none()).count()))
        .collect();
    let panicked: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let rows = snapshot();
    let elapsed = start.elapsed();
    eprintln!("8 threads x 10,000 calls + snapshot() with the publisher stalled: {elapsed:?}");
    assert!(
        elapsed < STALL / 2,
        "handlers waited for the stalled publisher: {elapsed:?}"
    );
    assert!(
        !recorder.released.load(SeqCst),
        "the stall ended before the handlers did: the scenario proves nothing"
    );
    let row = rows
        .iter()
        .find(|r| r.handler() == "stalled_handler")
        .expect("a row");
    assert_eq!(panicked as u64, THREADS * CALLS / 100);
    assert_eq!(row.calls(), THREADS * CALLS);
    assert_eq!(row.panics(), THREADS * CALLS / 100);
    assert_eq!(row.active(), 0);
    assert_eq!(row.sites().len(), 1, "one site: {:?}", row.sites());
    assert_eq!(row.sites()[0].1, THREADS * CALLS / 100);

    // Once released, the recorder receives exactly what happened.
    while !recorder.released.load(SeqCst) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        wireframe_monitor::flush();
        let calls = recorder.total("wireframe_handler_calls_total", "stalled_handler");
        let panics = recorder.total("wireframe_handler_panics_total", "stalled_handler");
        let sites = recorder.total("wireframe_handler_panic_sites_total", "stalled_handler");
        let want = THREADS * CALLS / 100;
        if (calls, panics, sites) == (THREADS * CALLS, want, want) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the recorder never caught up: {calls} calls, {panics} panics, {sites} at their sites"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // And nothing more arrives later: counted exactly once.
    std::thread::sleep(Duration::from_millis(200));
    wireframe_monitor::flush();
    for name in [
        "wireframe_handler_panics_total",
        "wireframe_handler_panic_sites_total",
    ] {
        assert_eq!(
            recorder.total(name, "stalled_handler"),
            THREADS * CALLS / 100,
            "{name}"
        );
    }
}
