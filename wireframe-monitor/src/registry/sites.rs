//! Panic sites per registry entry: how many panics each of its first few
//! sites saw, the rest under `other`, those without a location under
//! `unknown`; counted with the entry's panic count, under one lock, so the
//! sum over sites is the panic count in every snapshot. Beside them, the
//! panics (and their sites) that found the publication table busy, left
//! together for the publisher's next pass, so the published sums agree
//! too.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use crate::common::names::{SITE_OTHER, SITE_UNKNOWN};

/// Sites per handler by default.
pub(crate) const DEFAULT_LIMIT: usize = 8;

/// Sites with a row of their own per handler; 0: sites are not counted.
static LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_LIMIT);

/// Sets the number of sites per handler (`Installer::panic_sites`).
pub(crate) fn set_limit(limit: usize) {
    LIMIT.store(limit, Relaxed);
}

/// The number of sites per handler now.
pub(crate) fn limit() -> usize {
    LIMIT.load(Relaxed)
}

/// One panic counted at a site: the index of its row among the entry's
/// rows (stable: rows are only added) and its `site` label.
#[derive(Clone, Debug)]
#[cfg_attr(
    all(not(feature = "metrics"), not(test)),
    expect(dead_code, reason = "read by the publication of the metric")
)]
pub(crate) struct Counted {
    pub(crate) index: usize,
    pub(crate) site: Arc<str>,
}

/// Panics of one entry not published yet, and their sites (each counted
/// with how many of them it holds).
#[cfg(feature = "metrics")]
#[derive(Debug, Default)]
pub(crate) struct Unpublished {
    pub(crate) panics: u64,
    pub(crate) sites: Vec<(Counted, u64)>,
}

/// One site of an entry.
#[derive(Debug)]
struct Row {
    site: Arc<str>,
    panics: u64,
    /// Of `panics`, not published yet.
    #[cfg(feature = "metrics")]
    unpublished: u64,
}

/// The site rows of one entry, in the order they were first seen.
#[derive(Debug, Default)]
pub(crate) struct Sites {
    rows: Vec<Row>,
    /// Rows that are a site (not `other` or `unknown`).
    named: usize,
    /// Panics of the entry not published yet (whether sites are on or off).
    #[cfg(feature = "metrics")]
    unpublished: u64,
}

impl Sites {
    /// Counts one panic at `site` (`None`: no location captured), giving it
    /// a row of its own while fewer than `limit` sites have one; `None`
    /// when `limit` is 0.
    pub(crate) fn count(&mut self, site: Option<&str>, limit: usize) -> Option<Counted> {
        if limit == 0 {
            return None;
        }
        let mut label = site.unwrap_or(SITE_UNKNOWN);
        let mut index = self.find(label);
        if index.is_none() && site.is_some() && self.named >= limit {
            label = SITE_OTHER;
            index = self.find(label);
        }
        let index = index.unwrap_or_else(|| {
            self.named += usize::from(label != SITE_OTHER && site.is_some());
            self.rows.push(Row {
                site: Arc::from(label),
                panics: 0,
                #[cfg(feature = "metrics")]
                unpublished: 0,
            });
            self.rows.len() - 1
        });
        let row = &mut self.rows[index];
        row.panics += 1;
        Some(Counted {
            index,
            site: Arc::clone(&row.site),
        })
    }

    fn find(&self, label: &str) -> Option<usize> {
        self.rows.iter().position(|r| &*r.site == label)
    }

    /// `(site, panics)` per row, in the order first seen.
    pub(crate) fn counts(&self) -> Vec<(Arc<str>, u64)> {
        self.rows
            .iter()
            .map(|r| (Arc::clone(&r.site), r.panics))
            .collect()
    }

    /// One panic (at `site`, when sites are on) is left for the publisher.
    #[cfg(feature = "metrics")]
    pub(crate) fn leave(&mut self, site: Option<&Counted>) {
        self.unpublished += 1;
        if let Some(row) = site.and_then(|s| self.rows.get_mut(s.index)) {
            row.unpublished += 1;
        }
    }

    /// The panics left for the publisher, and their sites; none are left
    /// after.
    #[cfg(feature = "metrics")]
    pub(crate) fn take(&mut self) -> Unpublished {
        let sites = self
            .rows
            .iter_mut()
            .enumerate()
            .filter(|(_, r)| r.unpublished > 0)
            .map(|(index, r)| {
                let site = Arc::clone(&r.site);
                (Counted { index, site }, std::mem::take(&mut r.unpublished))
            })
            .collect();
        Unpublished {
            panics: std::mem::take(&mut self.unpublished),
            sites,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Sites;

    /// `site=panics` per row, in order.
    fn rows(sites: &Sites) -> String {
        let rows: Vec<String> = sites
            .counts()
            .iter()
            .map(|(s, n)| format!("{s}={n}"))
            .collect();
        rows.join(" ")
    }

    #[test]
    fn sites_beyond_the_limit_count_under_other() {
        let mut sites = Sites::default();
        for site in ["a.rs:1", "b.rs:2", "a.rs:1", "c.rs:3", "d.rs:4", "b.rs:2"] {
            sites.count(Some(site), 2).expect("on");
        }
        assert_eq!(rows(&sites), "a.rs:1=2 b.rs:2=2 other=2");
        let counted = sites.count(Some("e.rs:5"), 2).expect("on");
        assert_eq!((counted.index, &*counted.site), (2, "other"));
    }

    #[test]
    fn unknown_and_other_do_not_take_a_site_s_place() {
        let mut sites = Sites::default();
        sites.count(None, 1).expect("on");
        sites.count(Some("a.rs:1"), 1).expect("on");
        sites.count(Some("b.rs:2"), 1).expect("on");
        sites.count(None, 1).expect("on");
        assert_eq!(rows(&sites), "unknown=2 a.rs:1=1 other=1");
    }

    #[cfg(feature = "metrics")]
    #[test]
    fn panics_left_unpublished_are_taken_with_their_sites() {
        let mut sites = Sites::default();
        let a = sites.count(Some("a.rs:1"), 8);
        let b = sites.count(Some("b.rs:2"), 8);
        sites.leave(a.as_ref());
        sites.leave(b.as_ref());
        sites.leave(a.as_ref());
        sites.leave(None); // sites were off for this one
        let taken = sites.take();
        assert_eq!(taken.panics, 4);
        let taken: Vec<(usize, &str, u64)> = taken
            .sites
            .iter()
            .map(|(c, n)| (c.index, &*c.site, *n))
            .collect();
        assert_eq!(taken, [(0, "a.rs:1", 2), (1, "b.rs:2", 1)]);
        let again = sites.take();
        assert_eq!((again.panics, again.sites.len()), (0, 0));
    }

    #[test]
    fn a_raised_limit_gives_new_sites_rows_and_zero_counts_nothing() {
        let mut sites = Sites::default();
        sites.count(Some("a.rs:1"), 1).expect("on");
        sites.count(Some("b.rs:2"), 1).expect("on");
        sites.count(Some("c.rs:3"), 3).expect("on");
        assert!(sites.count(Some("a.rs:1"), 0).is_none());
        assert_eq!(rows(&sites), "a.rs:1=1 other=1 c.rs:3=1");
    }
}
