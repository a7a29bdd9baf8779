//! Panic sites per registry entry: how many panics each of its first few
//! sites saw, the rest under `other`, those without a location under
//! `unknown`; counted with the entry's panic count, under one lock, so the
//! sum over sites is the panic count in every snapshot.

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

/// The site rows of one entry, in the order they were first seen.
#[derive(Debug, Default)]
pub(crate) struct Sites {
    rows: Vec<(Arc<str>, u64)>,
    /// Rows that are a site (not `other` or `unknown`).
    named: usize,
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
            self.rows.push((Arc::from(label), 0));
            self.rows.len() - 1
        });
        let row = &mut self.rows[index];
        row.1 += 1;
        Some(Counted {
            index,
            site: Arc::clone(&row.0),
        })
    }

    fn find(&self, label: &str) -> Option<usize> {
        self.rows.iter().position(|(s, _)| &**s == label)
    }

    /// `(site, panics)` per row, in the order first seen.
    pub(crate) fn rows(&self) -> &[(Arc<str>, u64)] {
        &self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::Sites;

    fn rows(sites: &Sites) -> Vec<(&str, u64)> {
        sites.rows().iter().map(|(s, n)| (&**s, *n)).collect()
    }

    #[test]
    fn sites_beyond_the_limit_count_under_other() {
        let mut sites = Sites::default();
        for site in ["a.rs:1", "b.rs:2", "a.rs:1", "c.rs:3", "d.rs:4", "b.rs:2"] {
            sites.count(Some(site), 2).expect("on");
        }
        assert_eq!(rows(&sites), [("a.rs:1", 2), ("b.rs:2", 2), ("other", 2)]);
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
        assert_eq!(rows(&sites), [("unknown", 2), ("a.rs:1", 1), ("other", 1)]);
    }

    #[test]
    fn a_raised_limit_gives_new_sites_rows_and_zero_counts_nothing() {
        let mut sites = Sites::default();
        sites.count(Some("a.rs:1"), 1).expect("on");
        sites.count(Some("b.rs:2"), 1).expect("on");
        sites.count(Some("c.rs:3"), 3).expect("on");
        assert!(sites.count(Some("a.rs:1"), 0).is_none());
        assert_eq!(rows(&sites), [("a.rs:1", 1), ("other", 1), ("c.rs:3", 1)]);
    }
}
