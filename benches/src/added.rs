//! The added cost of two guards over the same bare handler, measured in the
//! same rounds: each round runs bare, first and second (in a rotating
//! order), so the two differences `first - bare` and `second - bare` of a
//! round share its background load. The verdict is the ratio of the median
//! differences; [`crate::paired`] compares only two variants per round, so
//! a ratio of two added costs taken from separate pairs moves with the load
//! between them (0.9 to 2.0 for the same build here).

use std::time::Duration;

use crate::paired::{Variant, calibrate, per_iter, quantile};

/// The added costs of two guards over a bare variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    /// Name of the comparison.
    pub name: String,
    /// Median ns per iteration of the bare variant.
    pub bare_ns: f64,
    /// Median of the per-round `first - bare`, ns per iteration.
    pub first_ns: f64,
    /// Median of the per-round `second - bare`, ns per iteration.
    pub second_ns: f64,
    /// First and third quartiles of `first - bare`.
    pub first_iqr: (f64, f64),
    /// First and third quartiles of `second - bare`.
    pub second_iqr: (f64, f64),
    /// Rounds measured.
    pub rounds: usize,
}

impl Added {
    /// `second`'s added cost over `first`'s: `second_ns / first_ns`.
    #[must_use]
    pub fn ratio(&self) -> f64 {
        self.second_ns / self.first_ns
    }

    /// One line for the bench log.
    #[must_use]
    pub fn line(&self) -> String {
        format!(
            "added {}: bare {:.2} ns; first +{:.2} ns (IQR {:.2}..{:.2}), second +{:.2} ns (IQR {:.2}..{:.2}); second / first = {:.2} ({} rounds)",
            self.name,
            self.bare_ns,
            self.first_ns,
            self.first_iqr.0,
            self.first_iqr.1,
            self.second_ns,
            self.second_iqr.0,
            self.second_iqr.1,
            self.ratio(),
            self.rounds,
        )
    }

    /// The result as a JSON object.
    #[must_use]
    pub fn json(&self) -> String {
        format!(
            "{{\"name\": \"{}\", \"bare_ns\": {}, \"first_added_ns\": {}, \"second_added_ns\": {}, \"ratio\": {}, \"rounds\": {}}}",
            self.name,
            self.bare_ns,
            self.first_ns,
            self.second_ns,
            self.ratio(),
            self.rounds
        )
    }
}

/// The six orders of the three variants, one per round in turn.
const ORDERS: [[usize; 3]; 6] = [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
    [0, 2, 1],
    [1, 0, 2],
];

/// Measures `first` and `second` against `bare` over `rounds` rounds of
/// about `round` per variant, the order rotating through all six.
pub fn measure<'a>(
    name: &str,
    rounds: usize,
    round: Duration,
    bare: Variant<'a>,
    first: Variant<'a>,
    second: Variant<'a>,
) -> Added {
    let iters = calibrate(&mut *bare, round);
    let mut variants = [bare, first, second];
    // Warm-up round, not counted.
    for run in &mut variants {
        let _ = run(iters);
    }
    let (mut bare_ns, mut first_ns, mut second_ns) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..rounds {
        let mut ns = [0.0f64; 3];
        for &v in &ORDERS[r % ORDERS.len()] {
            ns[v] = per_iter(variants[v](iters), iters);
        }
        bare_ns.push(ns[0]);
        first_ns.push(ns[1] - ns[0]);
        second_ns.push(ns[2] - ns[0]);
    }
    for v in [&mut bare_ns, &mut first_ns, &mut second_ns] {
        v.sort_by(f64::total_cmp);
    }
    Added {
        name: name.to_owned(),
        bare_ns: quantile(&bare_ns, 0.5),
        first_ns: quantile(&first_ns, 0.5),
        second_ns: quantile(&second_ns, 0.5),
        first_iqr: (quantile(&first_ns, 0.25), quantile(&first_ns, 0.75)),
        second_iqr: (quantile(&second_ns, 0.25), quantile(&second_ns, 0.75)),
        rounds,
    }
}
