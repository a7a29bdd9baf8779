//! The embedded registry: one entry per handler name and label set, read by
//! [`snapshot`] and by the metrics publisher.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use crate::shard;

/// What the registry remembers of the last panic of a handler.
#[derive(Clone, Debug)]
pub(crate) struct LastPanic {
    pub(crate) at: SystemTime,
    pub(crate) location: Option<String>,
    pub(crate) message: Option<String>,
}

/// One handler name and label set, shared by every call site that has them.
pub(crate) struct Entry {
    pub(crate) id: u32,
    pub(crate) handler: &'static str,
    pub(crate) labels: &'static [(&'static str, &'static str)],
    pub(crate) panics: AtomicU64,
    /// Calls counted where no per-thread shard was available (a thread being
    /// torn down, or more handlers than the shards index).
    overflow_calls: AtomicU64,
    overflow_done: AtomicU64,
    pub(crate) last: Mutex<Option<LastPanic>>,
}

static ENTRIES: RwLock<Vec<&'static Entry>> = RwLock::new(Vec::new());

/// The entry for `handler` and `labels`, made on first use.
#[cold]
#[inline(never)]
pub(crate) fn register(
    handler: &'static str,
    labels: &'static [(&'static str, &'static str)],
) -> &'static Entry {
    let mut entries = ENTRIES.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(entry) = entries
        .iter()
        .find(|e| e.handler == handler && same_labels(e.labels, labels))
    {
        return entry;
    }
    let id = u32::try_from(entries.len()).expect("fewer than 2^32 monitored handlers");
    let entry: &'static Entry = Box::leak(Box::new(Entry {
        id,
        handler,
        labels,
        panics: AtomicU64::new(0),
        overflow_calls: AtomicU64::new(0),
        overflow_done: AtomicU64::new(0),
        last: Mutex::new(None),
    }));
    entries.push(entry);
    entry
}

/// Whether two label lists are the same set (keys are unique per site).
fn same_labels(a: &[(&str, &str)], b: &[(&str, &str)]) -> bool {
    a.len() == b.len() && a.iter().all(|pair| b.contains(pair))
}

/// Every entry, in registration order.
pub(crate) fn entries() -> Vec<&'static Entry> {
    ENTRIES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

fn entry(id: u32) -> Option<&'static Entry> {
    ENTRIES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(id as usize)
        .copied()
}

#[cold]
#[inline(never)]
pub(crate) fn overflow_call(id: u32) {
    if let Some(entry) = entry(id) {
        entry.overflow_calls.fetch_add(1, Relaxed);
    }
}

#[cold]
#[inline(never)]
pub(crate) fn overflow_done(id: u32) {
    if let Some(entry) = entry(id) {
        entry.overflow_done.fetch_add(1, Relaxed);
    }
}

impl Entry {
    /// `(calls, active)` now.
    pub(crate) fn calls_active(&self) -> (u64, u64) {
        let (calls, done) = shard::totals(self.id);
        let done = done.wrapping_add(self.overflow_done.load(Relaxed));
        let calls = calls.wrapping_add(self.overflow_calls.load(Relaxed));
        (calls, calls.saturating_sub(done))
    }

    fn stats(&self) -> HandlerStats {
        let (calls, active) = self.calls_active();
        let last = self
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        HandlerStats {
            handler: self.handler,
            labels: self.labels,
            calls,
            active,
            panics: self.panics.load(Relaxed),
            last,
        }
    }
}

/// The counters of one monitored handler (name and label set) right now.
///
/// Returned by [`snapshot`]. Works with no metrics exporter at all.
///
/// ```
/// use wireframe_monitor::{monitored_connection, snapshot};
///
/// #[monitored_connection(name = "stats_doc", labels(protocol = "v2"))]
/// fn handle(n: u8) -> Option<u8> {
///     Some(100 / n)
/// }
///
/// # std::panic::set_hook(Box::new(|_| {}));
/// handle(1);
/// handle(0); // divides by zero: contained, returns None
/// let row = snapshot().into_iter().find(|s| s.handler() == "stats_doc").unwrap();
/// assert_eq!(row.labels(), &[("protocol", "v2")]);
/// assert_eq!((row.calls(), row.active(), row.panics()), (2, 0, 1));
/// assert!(row.last_panic().is_some());
/// println!("{row}");
/// ```
#[derive(Clone, Debug)]
pub struct HandlerStats {
    handler: &'static str,
    labels: &'static [(&'static str, &'static str)],
    calls: u64,
    active: u64,
    panics: u64,
    last: Option<LastPanic>,
}

impl HandlerStats {
    /// The `handler` label.
    #[must_use]
    pub fn handler(&self) -> &str {
        self.handler
    }

    /// The static labels of the attribute, in the order written.
    #[must_use]
    pub fn labels(&self) -> &[(&str, &str)] {
        self.labels
    }

    /// Calls started since the process began.
    #[must_use]
    pub fn calls(&self) -> u64 {
        self.calls
    }

    /// Calls in flight now.
    #[must_use]
    pub fn active(&self) -> u64 {
        self.active
    }

    /// Panics caught since the process began.
    #[must_use]
    pub fn panics(&self) -> u64 {
        self.panics
    }

    /// When the last panic was caught, if any.
    #[must_use]
    pub fn last_panic(&self) -> Option<SystemTime> {
        self.last.as_ref().map(|l| l.at)
    }

    /// `file:line:col` of the last panic, when [`install`](crate::install)
    /// captured it.
    #[must_use]
    pub fn last_location(&self) -> Option<&str> {
        self.last.as_ref()?.location.as_deref()
    }

    /// The last panic's message after redaction.
    #[must_use]
    pub fn last_message(&self) -> Option<&str> {
        self.last.as_ref()?.message.as_deref()
    }

    /// A header line matching the columns of `Display`.
    ///
    /// ```
    /// assert!(wireframe_monitor::HandlerStats::header().starts_with("handler"));
    /// ```
    #[must_use]
    pub fn header() -> &'static str {
        "handler                  labels                             calls active  panics  last panic (UTC)"
    }
}

impl fmt::Display for HandlerStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let labels = crate::record::join_labels(self.labels);
        let labels = if labels.is_empty() {
            "-".to_owned()
        } else {
            labels
        };
        write!(
            f,
            "{:<24} {:<30} {:>9} {:>6} {:>7}",
            self.handler, labels, self.calls, self.active, self.panics
        )?;
        match &self.last {
            None => f.write_str("  -"),
            Some(last) => {
                let secs = last
                    .at
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                f.write_str("  ")?;
                write_utc(f, secs)?;
                if let Some(location) = &last.location {
                    write!(f, " at {location}")?;
                }
                if let Some(message) = &last.message {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
        }
    }
}

/// Writes Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC).
fn write_utc(f: &mut fmt::Formatter<'_>, unix: u64) -> fmt::Result {
    let (days, rem) = (unix / 86_400, unix % 86_400);
    // Howard Hinnant's civil_from_days, for days since 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    write!(
        f,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The counters of every monitored handler that has been called, sorted by
/// handler name, then labels. Always current: it reads the live counters.
///
/// Two call sites with the same `name` and labels share one row.
///
/// ```
/// use wireframe_monitor::{monitored_connection, snapshot, HandlerStats};
///
/// #[monitored_connection(name = "snapshot_doc_a")]
/// fn a() {}
///
/// #[monitored_connection(name = "snapshot_doc_b", labels(tier = "critical"))]
/// fn b() {}
///
/// a();
/// b();
/// b();
/// let rows = snapshot();
/// let names: Vec<&str> = rows.iter().map(HandlerStats::handler).collect();
/// let (ia, ib) = (
///     names.iter().position(|n| *n == "snapshot_doc_a").unwrap(),
///     names.iter().position(|n| *n == "snapshot_doc_b").unwrap(),
/// );
/// assert!(ia < ib, "sorted by handler name");
/// assert_eq!(rows[ib].calls(), 2);
/// println!("{}", HandlerStats::header());
/// for row in &rows {
///     println!("{row}");
/// }
/// ```
#[must_use]
pub fn snapshot() -> Vec<HandlerStats> {
    let mut rows: Vec<HandlerStats> = entries().iter().map(|e| e.stats()).collect();
    rows.sort_by(|a, b| (a.handler, a.labels).cmp(&(b.handler, b.labels)));
    rows
}

/// How many threads' worth of per-thread counters exist. Shards of exited
/// threads are reused, so this is bounded by the peak number of threads that
/// ran monitored handlers at once.
///
/// ```
/// let _ = wireframe_monitor::counter_shards();
/// ```
#[must_use]
pub fn counter_shards() -> usize {
    shard::shard_count()
}

#[cfg(test)]
mod tests {
    use std::fmt;

    struct Utc(u64);

    impl fmt::Display for Utc {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            super::write_utc(f, self.0)
        }
    }

    #[test]
    fn formats_unix_seconds_as_utc() {
        assert_eq!(Utc(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Utc(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(Utc(1_795_491_801).to_string(), "2026-11-24T03:43:21Z");
    }
}
