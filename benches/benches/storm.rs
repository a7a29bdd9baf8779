//! Panic storms: a contained panic with `install()`'s default storm limits
//! and a `tracing-subscriber` fmt layer writing to a sink, against a raw
//! `catch_unwind` of the same panic with a silent hook, timed in
//! alternating rounds in one process; then how many events (and bytes) the
//! fmt layer wrote for 100,000 panics. Prints a table (and writes it to
//! `$CRITERION_HOME/storm.md` when set).
//!
//! `cargo bench -p wireframe-monitor-benches --bench storm`

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use tracing_subscriber::fmt::MakeWriter;
use wireframe_monitor::{Installer, snapshot};
use wireframe_monitor_benches::panicking::{monitored_panicking, raw_catch, silent};

const X: u64 = 0x5EED;
/// Panics per timed round.
const ROUND: u32 = 2_000;
/// Alternating rounds of each variant.
const ROUNDS: usize = 31;
/// Panics counted for the events-per-100,000 figure.
const STORM: u64 = 100_000;

/// Writes of the fmt layer: one per event.
static EVENTS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

/// A writer that counts what the fmt layer writes, then drops it.
#[derive(Clone, Copy)]
struct Sink;

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        EVENTS.fetch_add(1, Relaxed);
        BYTES.fetch_add(bytes.len() as u64, Relaxed);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl MakeWriter<'_> for Sink {
    type Writer = Sink;
    fn make_writer(&self) -> Sink {
        Sink
    }
}

fn time_raw() -> Duration {
    let start = Instant::now();
    for _ in 0..ROUND {
        assert!(raw_catch(black_box(X)));
    }
    start.elapsed()
}

fn time_monitored() -> Duration {
    let start = Instant::now();
    for _ in 0..ROUND {
        assert!(monitored_panicking(black_box(X)).is_err());
    }
    start.elapsed()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // The raw variant runs with only the silent hook; the monitored one with
    // our hook chained in front of it (set by `install()`, swapped per round).
    std::panic::set_hook(Box::new(silent));
    let subscriber = tracing_subscriber::fmt().with_writer(Sink).finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    Installer::new().install();
    let ours = std::panic::take_hook();
    std::panic::set_hook(Box::new(silent));
    let mut ours = Some(ours);

    // Warm up both, then alternate rounds.
    let mut swap = |monitored: bool| {
        let next = if monitored {
            ours.take().expect("our hook")
        } else {
            Box::new(silent)
        };
        let previous = std::panic::take_hook();
        std::panic::set_hook(next);
        if !monitored {
            ours = Some(previous);
        }
    };
    let mut raw = Vec::new();
    let mut monitored = Vec::new();
    for round in 0..=ROUNDS {
        let r = time_raw();
        swap(true);
        let m = time_monitored();
        swap(false);
        if round > 0 {
            raw.push(r.as_secs_f64() * 1e9 / f64::from(ROUND));
            monitored.push(m.as_secs_f64() * 1e9 / f64::from(ROUND));
        }
    }
    let (raw, monitored) = (median(raw), median(monitored));

    // Events per 100,000 panics of one handler, default limits (5 per s),
    // starting in a fresh interval (the rounds above used up the last one).
    std::thread::sleep(Duration::from_millis(1_100));
    swap(true);
    let (events, bytes) = (EVENTS.load(Relaxed), BYTES.load(Relaxed));
    let start = Instant::now();
    for _ in 0..STORM {
        assert!(monitored_panicking(black_box(X)).is_err());
    }
    let storm = start.elapsed();
    let (events, bytes) = (EVENTS.load(Relaxed) - events, BYTES.load(Relaxed) - bytes);
    let row = snapshot()
        .into_iter()
        .find(|s| s.handler() == "monitored_panicking")
        .expect("the handler's row");

    let table = format!(
        "| storm (contained panic, 2,000 per round, median of {ROUNDS} alternating rounds) | ns per panic |\n\
         |---|---:|\n\
         | raw `catch_unwind`, silent hook | {raw:.0} |\n\
         | `#[monitored_connection]`, `install()` defaults, fmt layer to a sink | {monitored:.0} |\n\
         | ratio | **{ratio:.2}** (target ≤ 1.5) |\n\n\
         {STORM} panics in {storm:.2?}: **{events} events** ({bytes} bytes, reported panics with their backtrace, and summaries) written; \
         over the whole run, {suppressed} of {panics} panics of the handler were not reported and all were counted.\n",
        ratio = monitored / raw,
        suppressed = row.suppressed(),
        panics = row.panics(),
    );
    println!("{table}");
    if let Ok(home) = std::env::var("CRITERION_HOME") {
        let _ = std::fs::create_dir_all(&home);
        let _ = std::fs::write(format!("{home}/storm.md"), &table);
    }
}
