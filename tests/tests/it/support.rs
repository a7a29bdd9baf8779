//! Process set-up and capture helpers of the `it` binary: a panic hook set
//! before `install()` (so it is the hook `install()` chains) that remembers
//! probe messages and prints the others into the captured test output, locks around global state, a `tracing` layer
//! that records events field by field, a writer that keeps what a
//! `tracing-subscriber` formatter writes, and a small runtime.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex, Once, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Panic messages starting with this are remembered by the hook.
pub const PROBE: &str = "hook-probe:";

static PROBES: Mutex<Vec<String>> = Mutex::new(Vec::new());
static GLOBAL: RwLock<()> = RwLock::new(());

/// Sets the silent, probe-remembering hook, then `install()`s, once.
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned());
            match message {
                Some(message) if message.starts_with(PROBE) => PROBES
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(message),
                // Captured by libtest: shown for failing tests only.
                _ => eprintln!("panic: {info}"),
            }
        }));
        wireframe_monitor::install();
    });
}

/// How many times the chained (previous) hook saw the panic message `message`.
pub fn probe_count(message: &str) -> usize {
    PROBES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|m| *m == message)
        .count()
}

/// For tests that only read global state: runs beside each other.
pub fn shared() -> RwLockReadGuard<'static, ()> {
    init();
    GLOBAL.read().unwrap_or_else(PoisonError::into_inner)
}

/// For tests that change global state (policy, panic handler, hook options).
pub fn exclusive() -> RwLockWriteGuard<'static, ()> {
    init();
    GLOBAL.write().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `future` to completion on a fresh current-thread runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// The row of `handler` in `snapshot()`, if it was ever called.
pub fn row(handler: &str) -> Option<wireframe_monitor::HandlerStats> {
    wireframe_monitor::snapshot()
        .into_iter()
        .find(|s| s.handler() == handler)
}

/// One `tracing` event, its fields rendered as text.
#[derive(Clone, Debug)]
pub struct Captured {
    pub target: String,
    pub level: Level,
    pub fields: BTreeMap<String, String>,
}

impl Captured {
    /// The field `name`, if the event has it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// A layer that records every event, or panics on every event.
#[derive(Clone, Default)]
pub struct Capture {
    events: Arc<Mutex<Vec<Captured>>>,
    panics: bool,
}

impl Capture {
    /// A layer that panics in `on_event` (a broken subscriber).
    pub fn panicking() -> Self {
        Self {
            events: Arc::default(),
            panics: true,
        }
    }

    /// The events of target `wireframe_monitor` seen so far.
    pub fn monitor_events(&self) -> Vec<Captured> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|e| e.target == "wireframe_monitor")
            .cloned()
            .collect()
    }

    /// Runs `f` with this layer as the thread's default subscriber.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        let subscriber = tracing_subscriber::registry().with(self.clone());
        tracing::subscriber::with_default(subscriber, f)
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        assert!(!self.panics, "a tracing layer that panics");
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Captured {
                target: event.metadata().target().to_owned(),
                level: *event.metadata().level(),
                fields,
            });
    }
}

/// A `MakeWriter` into a shared buffer: what a `tracing_subscriber::fmt()`
/// formatter writes, kept for the test to read.
#[derive(Clone, Default)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    /// Everything written so far.
    pub fn text(&self) -> String {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        String::from_utf8(bytes).expect("formatters write UTF-8")
    }
}

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}
