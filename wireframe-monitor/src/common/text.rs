//! Text shared by the outputs: the `k=v,…` label list, UTC timestamps and
//! the escaping of control characters in text that came from a panic.

use std::fmt::{self, Write};

/// `k=v,k=v` of `labels`, in the order given.
pub(crate) fn join_labels(labels: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Writes `text` with control characters escaped (`\n`, `\r`, `\t`, `\u{1b}`,
/// …), so a panic message cannot start a new log line or drive a terminal.
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                for e in c.escape_default() {
                    f.write_char(e)?;
                }
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// Unix seconds shown as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC).
/// Writes Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC).
pub(crate) struct Utc(pub(crate) u64);

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_utc(f, self.0)
    }
}

/// Writes Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
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

#[cfg(test)]
mod tests {
    use super::{Escaped, Utc};

    #[test]
    fn formats_unix_seconds_as_utc() {
        assert_eq!(Utc(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Utc(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(Utc(1_795_491_801).to_string(), "2026-11-24T03:43:21Z");
    }

    #[test]
    fn escapes_control_characters_only() {
        let hostile = "line\nnext\r\u{1b}[31mred\u{7} tab\té";
        assert_eq!(
            Escaped(hostile).to_string(),
            "line\\nnext\\r\\u{1b}[31mred\\u{7} tab\\té"
        );
    }
}
