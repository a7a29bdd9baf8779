//! [`HandlerStats`] and [`snapshot`]: the registry as users read it.

use std::backtrace::Backtrace;
use std::fmt;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, PoisonError};
use std::time::SystemTime;

use crate::common::text::{Escaped, Utc, join_labels};
use crate::counting::shard;
use crate::registry::{self, Entry, LastPanic};

/// The counters of one monitored handler (name and label set) right now.
///
/// Returned by [`snapshot`]. Works with no metrics exporter at all. Its
/// `Display` is one table row (see [`HandlerStats::header`]) in which control
/// characters of the panic message and location are escaped (`\n`,
/// `\u{1b}`), so a hostile message cannot forge log lines or drive a
/// terminal.
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
    sites: Vec<(Arc<str>, u64)>,
    suppressed: u64,
    objective: Option<f64>,
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

    /// Panics per site, most frequent first (then by site): the `site`
    /// label of `wireframe_handler_panic_sites_total` and its count. A site
    /// is the panic's `path:line` relative to its crate (`src/conn.rs:42`;
    /// see [`names::SITE_LABEL`](crate::names::SITE_LABEL)); past the first
    /// [`Installer::panic_sites`](crate::Installer::panic_sites) sites of a
    /// handler, panics count under `"other"`, panics whose location was not
    /// captured under `"unknown"`. The counts add up to
    /// [`panics`](Self::panics) (while sites are on: `panic_sites(0)`
    /// turns them off, and this is empty).
    ///
    /// ```
    /// use wireframe_monitor::{monitored_connection, snapshot};
    ///
    /// #[monitored_connection(name = "sites_doc")]
    /// fn handle(frame: &[u8]) -> Option<u8> {
    ///     Some(frame[0]) // index out of bounds on an empty frame: the site
    /// }
    /// const SITE_LINE: u32 = line!() - 2;
    ///
    /// # std::panic::set_hook(Box::new(|_| {}));
    /// handle(&[]);
    /// handle(&[]);
    /// let row = snapshot().into_iter().find(|s| s.handler() == "sites_doc").unwrap();
    /// let (site, panics) = row.sites()[0];
    /// // The file relative to its crate, then the line.
    /// assert!(site.ends_with(&format!(".rs:{SITE_LINE}")) && !site.starts_with('/'), "{site}");
    /// assert_eq!(panics, 2);
    /// assert_eq!(row.sites().iter().map(|(_, n)| n).sum::<u64>(), row.panics());
    /// ```
    #[must_use]
    pub fn sites(&self) -> Vec<(&str, u64)> {
        let mut sites: Vec<(&str, u64)> = self.sites.iter().map(|(s, n)| (&**s, *n)).collect();
        sites.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        sites
    }

    /// Panics recorded but not reported to `tracing` and the panic handler
    /// because of the storm limit
    /// ([`Installer::report_limit`](crate::Installer::report_limit)).
    #[must_use]
    pub fn suppressed(&self) -> u64 {
        self.suppressed
    }

    /// The handler's objective as a ratio (0.9995 for
    /// `objective = "99.95"`), as published in
    /// `wireframe_handler_objective_ratio`: the strictest declared for
    /// this name and label set, else
    /// [`Installer::default_objective`](crate::Installer::default_objective);
    /// `None` without either.
    ///
    /// ```
    /// use wireframe_monitor::{monitored_connection, snapshot};
    ///
    /// #[monitored_connection(name = "objective_doc", objective = "99.95")]
    /// fn login() {}
    ///
    /// #[monitored_connection(name = "no_objective_doc")]
    /// fn echo() {}
    ///
    /// login();
    /// echo();
    /// let row = |name: &str| snapshot().into_iter().find(|s| s.handler() == name).unwrap();
    /// assert_eq!(row("objective_doc").objective(), Some(0.9995));
    /// assert_eq!(row("no_objective_doc").objective(), None);
    /// ```
    #[must_use]
    pub fn objective(&self) -> Option<f64> {
        self.objective
    }

    /// The backtrace of the latest reported panic that carried one (see
    /// [`PanicEvent::backtrace`](crate::PanicEvent::backtrace)).
    #[must_use]
    pub fn last_backtrace(&self) -> Option<&Backtrace> {
        self.last.as_ref()?.backtrace.as_deref()
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
        let labels = join_labels(self.labels);
        let labels = if labels.is_empty() {
            "-".to_owned()
        } else {
            Escaped(&labels).to_string()
        };
        let handler = Escaped(self.handler).to_string();
        write!(
            f,
            "{handler:<24} {labels:<30} {:>9} {:>6} {:>7}",
            self.calls, self.active, self.panics
        )?;
        match &self.last {
            None => f.write_str("  -"),
            Some(last) => {
                let secs = last
                    .at
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                f.write_str("  ")?;
                write!(f, "{}", Utc(secs))?;
                if let Some(location) = &last.location {
                    write!(f, " at {}", Escaped(location))?;
                }
                if let Some(message) = &last.message {
                    write!(f, ": {}", Escaped(message))?;
                }
                Ok(())
            }
        }
    }
}

impl Entry {
    fn stats(&self) -> HandlerStats {
        let (calls, active) = self.calls_active();
        let (panics, sites) = {
            // The lock both are counted under: they add up.
            let sites = self.sites.lock().unwrap_or_else(PoisonError::into_inner);
            (self.panics.load(Relaxed), sites.counts())
        };
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
            panics,
            sites,
            suppressed: self.suppressed.load(Relaxed),
            objective: self.objective(),
            last,
        }
    }
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
    let mut rows: Vec<HandlerStats> = registry::entries().iter().map(|e| e.stats()).collect();
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
