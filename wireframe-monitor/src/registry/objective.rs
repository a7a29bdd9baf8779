//! Objectives: the share of a handler's calls that must not panic, checked
//! into an [`Objective`] (or an [`ObjectiveError`]) by the attribute's rules,
//! declared on a registry entry, and the default that
//! [`Installer::default_objective`](crate::Installer::default_objective) sets
//! for entries that declare none.
//!
//! An entry is shared by every site and run-time handler with its name and
//! label set, so it may be declared more than once: the strictest (highest)
//! objective declared wins, whatever the order of the declarations (the
//! order of first calls, which differs from process to process).

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::common::text::Escaped;
use crate::registry::Entry;

/// An objective: the percentage of a handler's calls that must not panic,
/// strictly between 0 and 100, such as 99.95 (one panic in 2,000 calls is
/// the error budget). Published as the gauge
/// `wireframe_handler_objective_ratio` (0.9995 for 99.95) with the
/// handler's labels, which the error-budget alerts of `ops/prometheus`
/// join. Made from text with the attribute's rules (`"99.95".parse()`, a
/// decimal number without `%`) or from a number with
/// [`percent`](Self::percent).
///
/// ```
/// use wireframe_monitor::{Objective, ObjectiveError};
///
/// let login: Objective = "99.95".parse()?;
/// assert_eq!(login.ratio(), 0.9995);
/// assert_eq!(login, Objective::percent(99.95)?);
/// assert_eq!(login.to_string(), "99.95");
///
/// assert_eq!("100".parse::<Objective>(), Err(ObjectiveError::OutOfRange("100".into())));
/// assert_eq!("99.9%".parse::<Objective>(), Err(ObjectiveError::PercentSign("99.9%".into())));
/// assert_eq!(Objective::percent(f64::NAN), Err(ObjectiveError::NotANumber("NaN".into())));
/// # Ok::<(), ObjectiveError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Objective {
    percent: f64,
    ratio: f64,
}

impl Objective {
    /// The objective of `percent` percent, strictly between 0 and 100.
    ///
    /// ```
    /// use wireframe_monitor::Objective;
    ///
    /// assert_eq!(Objective::percent(99.0)?.ratio(), 0.99);
    /// assert!(Objective::percent(0.0).is_err());
    /// assert!(Objective::percent(100.0).is_err());
    /// # Ok::<(), wireframe_monitor::ObjectiveError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ObjectiveError::NotANumber`] for NaN, [`ObjectiveError::OutOfRange`]
    /// for 0 or less, 100 or more (or so close to 100 that its ratio, an
    /// `f64`, is 1: no error budget at all) and infinities.
    pub fn percent(percent: f64) -> Result<Self, ObjectiveError> {
        if percent.is_nan() {
            return Err(ObjectiveError::NotANumber(percent.to_string()));
        }
        // `Display` of an `f64` is its shortest decimal form, never with an
        // exponent: read that back as written ("99.95", not 99.9499…).
        let text = percent.to_string();
        match ratio(&text) {
            Ok(ratio) => Ok(Self { percent, ratio }),
            Err(_) => Err(ObjectiveError::OutOfRange(text)),
        }
    }

    /// The share of calls that must not panic, as published: 0.9995 for
    /// 99.95 (the `f64` nearest to the decimal ratio, not `99.95 / 100`).
    #[must_use]
    pub fn ratio(self) -> f64 {
        self.ratio
    }

    /// The objective in percent: 99.95.
    #[must_use]
    pub fn as_percent(self) -> f64 {
        self.percent
    }

    /// The objective of a valid `ratio` (as published): its shortest
    /// decimal form with the point moved two places to the right.
    pub(crate) fn from_ratio(ratio: f64) -> Option<Self> {
        let text = ratio.to_string();
        let fraction = text.strip_prefix("0.")?;
        let (hundredths, rest) = fraction.split_at(fraction.len().min(2));
        let whole = format!("{hundredths:0<2}");
        let whole = whole.trim_start_matches('0');
        let percent = format!("{}.{rest}0", if whole.is_empty() { "0" } else { whole });
        Some(Self {
            percent: percent.parse().ok()?,
            ratio,
        })
    }
}

impl FromStr for Objective {
    type Err = ObjectiveError;

    /// The rules of the attribute's `objective = "…"`: digits, optionally a
    /// `.` and more digits, strictly between 0 and 100; no sign, exponent,
    /// `%` or spaces.
    fn from_str(text: &str) -> Result<Self, ObjectiveError> {
        match ratio(text) {
            Ok(ratio) => Ok(Self {
                // The digits are a valid decimal number (checked by `ratio`).
                percent: text.parse().unwrap_or(ratio * 100.0),
                ratio,
            }),
            Err(Problem::NotANumber) => Err(ObjectiveError::NotANumber(text.to_owned())),
            Err(Problem::PercentSign) => Err(ObjectiveError::PercentSign(text.to_owned())),
            Err(Problem::OutOfRange) => Err(ObjectiveError::OutOfRange(text.to_owned())),
        }
    }
}

impl fmt::Display for Objective {
    /// The percentage, as [`FromStr`] reads it back: `99.95`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.percent, f)
    }
}

/// Why an objective was refused; the rules are those of the attribute's
/// `objective = "…"`, checked when the objective is made instead of at
/// compile time. Each variant holds the text given.
///
/// ```
/// use wireframe_monitor::{Objective, ObjectiveError};
///
/// let err = "high".parse::<Objective>().unwrap_err();
/// assert_eq!(err, ObjectiveError::NotANumber("high".into()));
/// assert!(err.to_string().contains("strictly between 0 and 100"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectiveError {
    /// Not a decimal number such as `99.9` (empty, `nan`, `1e2`, `+99`, …).
    NotANumber(String),
    /// A number with a `%` sign: the objective is the number alone.
    PercentSign(String),
    /// Not strictly between 0 and 100: 0, negative, 100 or more, or so
    /// close to 100 that its ratio is 1 (no error budget).
    OutOfRange(String),
}

impl fmt::Display for ObjectiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotANumber(text) => write!(
                f,
                "objective \"{}\" is not a number: an objective must be a percentage strictly between 0 and 100 written as a decimal number, for example \"99.9\"",
                Escaped(text)
            ),
            Self::PercentSign(text) => write!(
                f,
                "objective \"{}\" has a `%` sign: write the number alone, for example \"99.9\"",
                Escaped(text)
            ),
            Self::OutOfRange(text) => write!(
                f,
                "objective \"{}\" is out of range: an objective must be a percentage strictly between 0 and 100, for example \"99.9\" (100 would allow no panic at all)",
                Escaped(text)
            ),
        }
    }
}

impl std::error::Error for ObjectiveError {}

/// Why a percentage was refused (the variants of [`ObjectiveError`]).
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    NotANumber,
    PercentSign,
    OutOfRange,
}

/// The ratio of a percentage written as a decimal number: the decimal
/// point moved two places to the left ("99.95" is "0.9995"), then read as
/// the nearest `f64`, which must be strictly between 0 and 1. The macro
/// crate's `validate.rs` applies the same rules at compile time; keep the
/// two in step.
fn ratio(text: &str) -> Result<f64, Problem> {
    if let Some(number) = text.strip_suffix('%') {
        // The number's own problem, if it has one.
        return ratio(number.trim_end()).and(Err(Problem::PercentSign));
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((_, "")) => return Err(Problem::NotANumber),
        Some((whole, fraction)) => (whole, fraction),
        None => (unsigned, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(Problem::NotANumber);
    }
    let whole = format!("{whole:0>2}");
    let (units, hundredths) = whole.split_at(whole.len() - 2);
    let units = if units.is_empty() { "0" } else { units };
    let ratio: f64 = format!("{units}.{hundredths}{fraction}")
        .parse()
        .map_err(|_| Problem::NotANumber)?;
    if negative || !(ratio > 0.0 && ratio < 1.0) {
        return Err(Problem::OutOfRange);
    }
    Ok(ratio)
}

/// [`Installer::default_objective`](crate::Installer::default_objective):
/// the bits of its ratio, 0 for none (no valid ratio is 0).
static DEFAULT: AtomicU64 = AtomicU64::new(0);

/// Sets (or clears) the objective of entries that declare none.
pub(crate) fn set_default(objective: Option<Objective>) {
    DEFAULT.store(objective.map_or(0, |o| o.ratio.to_bits()), Relaxed);
}

/// The ratio in `bits`, 0 meaning none.
fn from_bits(bits: u64) -> Option<f64> {
    (bits != 0).then(|| f64::from_bits(bits))
}

impl Entry {
    /// Declares `ratio` (strictly between 0 and 1, else ignored) for this
    /// entry: the strictest declared wins. Positive `f64`s order as their
    /// bits do, so the highest ratio is the highest bit pattern.
    pub(crate) fn declare_objective(&self, ratio: f64) {
        if ratio > 0.0 && ratio < 1.0 {
            self.objective.fetch_max(ratio.to_bits(), Relaxed);
        }
    }

    /// The objective published for this entry: its own (the strictest
    /// declared), else the installed default, as a ratio.
    pub(crate) fn objective(&self) -> Option<f64> {
        from_bits(self.objective.load(Relaxed)).or_else(|| from_bits(DEFAULT.load(Relaxed)))
    }
}

#[cfg(test)]
mod tests {
    use super::{Objective, ObjectiveError, Problem, ratio};

    #[test]
    fn percentages_become_the_nearest_ratio_of_their_digits() {
        for (text, want) in [
            ("99.95", 0.9995),
            ("99.9", 0.999),
            ("99", 0.99),
            ("5", 0.05),
            ("0.5", 0.005),
            ("50.125", 0.50125),
            ("099.9", 0.999),
            ("99.99999", 0.999_999_9),
        ] {
            assert_eq!(ratio(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn misuses_are_told_apart() {
        for text in [
            "", "nan", "NaN", "inf", "1e2", "+99", " 99", "99 ", "99.", ".5", "9,5", "x", "x%",
        ] {
            assert_eq!(ratio(text), Err(Problem::NotANumber), "{text:?}");
        }
        for text in ["99.9%", "99.9 %", "50%"] {
            assert_eq!(ratio(text), Err(Problem::PercentSign), "{text:?}");
        }
        for text in [
            "0",
            "0.0",
            "-0",
            "-5",
            "-5%",
            "-99.9",
            "100",
            "100.0",
            "101",
            "99.99999999999999999",
        ] {
            assert_eq!(ratio(text), Err(Problem::OutOfRange), "{text:?}");
        }
    }

    #[test]
    #[expect(
        clippy::float_cmp,
        reason = "exactly the f64 nearest to the decimal written"
    )]
    fn numbers_are_read_as_written() {
        let objective = Objective::percent(99.95).unwrap();
        assert_eq!(objective, "99.95".parse().unwrap());
        assert_eq!(objective.ratio(), 0.9995);
        assert_eq!(objective.as_percent(), 99.95);
        assert_eq!(Objective::percent(1e-7).unwrap().ratio(), 1e-9);
        for text in ["99.95", "99.9", "99", "5", "0.5", "0.0000001", "50.125"] {
            let objective: Objective = text.parse().unwrap();
            let back = Objective::from_ratio(objective.ratio()).unwrap();
            assert_eq!(back, objective, "{text}");
            assert_eq!(back.to_string(), text.parse::<f64>().unwrap().to_string());
        }
        for bad in [0.0, -1.0, 100.0, 1e300, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(
                matches!(Objective::percent(bad), Err(ObjectiveError::OutOfRange(_))),
                "{bad}"
            );
        }
    }
}
