//! In a storm of panics on one handler, reports (events, panic handler
//! calls, the chained hook's stderr lines) are limited per interval and
//! summarised; counts stay exact; another handler's rare panics are all
//! reported; reported panics carry a backtrace.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use wireframe_monitor::{Installer, PanicEvent, monitored_connection, recording_failures};

use crate::scenario::row;

const PER_THREAD: u64 = 60_000;
const RARE: u64 = 20;
const MAX: u64 = 5;
const INTERVAL: Duration = Duration::from_millis(200);

#[monitored_connection(name = "storm_hot")]
fn hot(n: u64) -> Option<u64> {
    assert!(n == u64::MAX, "storm");
    Some(n)
}
const HOT_LINE: u32 = line!() - 3;

#[monitored_connection(name = "storm_rare")]
fn rare(n: u64) -> Option<u64> {
    assert!(n == u64::MAX, "rare");
    Some(n)
}
const RARE_LINE: u32 = line!() - 3;

/// Per handler: panic events, summary events, and the sum of the summaries'
/// `suppressed` fields.
#[derive(Default)]
struct Seen {
    events: u64,
    summaries: u64,
    suppressed: u64,
    backtraces: u64,
}

static SEEN: Mutex<BTreeMap<String, Seen>> = Mutex::new(BTreeMap::new());
static HANDLER_CALLS: AtomicU64 = AtomicU64::new(0);

#[derive(Default)]
struct Fields {
    handler: Option<String>,
    suppressed: Option<u64>,
    backtrace: Option<String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "handler" => self.handler = Some(value.to_owned()),
            "panic.backtrace" => self.backtrace = Some(value.to_owned()),
            _ => {}
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "suppressed" {
            self.suppressed = Some(value);
        }
    }
    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

struct Count;

impl<S: Subscriber> Layer<S> for Count {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != "wireframe_monitor" {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let Some(handler) = fields.handler else {
            return;
        };
        let mut seen = SEEN.lock().unwrap();
        let seen = seen.entry(handler).or_default();
        match *event.metadata().level() {
            Level::ERROR => {
                seen.events += 1;
                seen.backtraces += u64::from(fields.backtrace.is_some());
            }
            Level::WARN => {
                seen.summaries += 1;
                seen.suppressed += fields.suppressed.unwrap_or(0);
            }
            _ => {}
        }
    }
}

fn seen(handler: &str) -> (u64, u64, u64, u64) {
    let seen = SEEN.lock().unwrap();
    seen.get(handler).map_or((0, 0, 0, 0), |s| {
        (s.events, s.summaries, s.suppressed, s.backtraces)
    })
}

pub fn run() {
    // The default hook stays: its stderr report is what must not flood.
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Count))
        .expect("the only subscriber");
    Installer::new()
        .report_limit(u32::try_from(MAX).unwrap(), INTERVAL)
        .install();
    wireframe_monitor::set_panic_handler(|event: &PanicEvent<'_>| {
        if event.handler() == "storm_hot" {
            HANDLER_CALLS.fetch_add(1, Relaxed);
        }
    });
    let started = Instant::now();
    let storm: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(|| {
                for n in 0..PER_THREAD {
                    assert_eq!(hot(n), None);
                }
            })
        })
        .collect();
    let rare_thread = std::thread::spawn(|| {
        for n in 0..RARE {
            assert_eq!(rare(n), None);
            // At most 4 per interval: below the limit.
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    for thread in storm {
        thread.join().expect("storm thread");
    }
    rare_thread.join().expect("rare thread");
    let elapsed = started.elapsed();
    eprintln!("storm-elapsed-ms={}", elapsed.as_millis());

    // Exact counts.
    let hot_row = row("storm_hot");
    assert_eq!(hot_row.panics(), 2 * PER_THREAD);
    assert_eq!(hot_row.calls(), 2 * PER_THREAD);
    assert_eq!(hot_row.active(), 0);
    assert_eq!(row("storm_rare").panics(), RARE);
    assert_eq!(recording_failures(), 0);
    // Every panic under its site, storm or not.
    let site = |line: u32| format!("tests/scenarios/storm.rs:{line}");
    let hot_site = site(HOT_LINE);
    assert_eq!(hot_row.sites(), [(hot_site.as_str(), 2 * PER_THREAD)]);
    let rare_site = site(RARE_LINE);
    assert_eq!(row("storm_rare").sites(), [(rare_site.as_str(), RARE)]);

    // Bounded reports for the storm, all of the rare handler's.
    let intervals = u64::try_from(elapsed.as_millis() / INTERVAL.as_millis()).unwrap() + 2;
    let (events, _, _, backtraces) = seen("storm_hot");
    assert!(
        events <= MAX * intervals,
        "{events} events in {intervals} intervals"
    );
    assert!(events >= MAX);
    assert_eq!(
        events,
        HANDLER_CALLS.load(Relaxed),
        "events and panic handler calls agree"
    );
    assert_eq!(events + hot_row.suppressed(), 2 * PER_THREAD);
    assert!(backtraces >= 1, "reported panics carry a backtrace");
    assert_eq!(
        seen("storm_rare").0,
        RARE,
        "one storm must not silence another handler"
    );
    assert_eq!(row("storm_rare").suppressed(), 0);

    // Summaries, written by the next panic or by the sweeper, add up.
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen("storm_hot").2 < hot_row.suppressed() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (_, summaries, suppressed, _) = seen("storm_hot");
    assert_eq!(
        suppressed,
        hot_row.suppressed(),
        "summaries count every panic not reported"
    );
    assert!(summaries <= intervals);

    // The latest backtrace is kept per handler, with the panicking frame.
    let backtrace = hot_row.last_backtrace().expect("a backtrace in snapshot()");
    if cfg!(debug_assertions) {
        assert!(backtrace.to_string().contains("storm::hot"), "{backtrace}");
    }
    // One more panic after the interval: the chained hook's summary of the
    // last interval is written by now (by the sweeper or by this panic).
    std::thread::sleep(INTERVAL + INTERVAL / 4);
    assert_eq!(hot(0), None);
    std::thread::sleep(INTERVAL / 4);
}

/// In the parent: the chained default hook printed few of the 120,000
/// panics, and its summary lines account for the rest.
pub fn check_stderr(stderr: &str) {
    let elapsed: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("storm-elapsed-ms="))
        .and_then(|ms| ms.trim().parse().ok())
        .expect("the child reports its storm's duration");
    let intervals = elapsed / u64::try_from(INTERVAL.as_millis()).unwrap() + 2;
    let location = format!("{}:", file!());
    let reports = stderr
        .lines()
        .filter(|l| l.contains("panicked at") && l.contains(&location))
        .count() as u64;
    // A summary line is one `write`, but Rust's default hook writes a
    // report in several, without a lock we can take: a summary written by
    // another thread (the sweeper, another panicking thread) can land in
    // the middle of a report line, so it is looked for anywhere in a line.
    let summaries: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.find("wireframe-monitor: ").map(|at| &l[at..]))
        .filter(|summary| summary.contains(&location))
        .collect();
    let summarised: u64 = summaries
        .iter()
        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum();
    // Both handlers panic at their own location in this file.
    assert!(
        reports <= MAX * intervals * 2,
        "{reports} hook reports in {intervals} intervals"
    );
    assert_eq!(
        reports + summarised,
        2 * PER_THREAD + RARE + 1,
        "every panic is either shown by the hook or counted in a summary line; {reports} reports, summaries: {summaries:#?}"
    );
}
