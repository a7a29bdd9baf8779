//! Text shared by the outputs: the `k=v,…` label list and the escaping of
//! control characters in text that came from a panic.

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

#[cfg(test)]
mod tests {
    use super::Escaped;

    #[test]
    fn escapes_control_characters_only() {
        let hostile = "line\nnext\r\u{1b}[31mred\u{7} tab\té";
        assert_eq!(
            Escaped(hostile).to_string(),
            "line\\nnext\\r\\u{1b}[31mred\\u{7} tab\\té"
        );
    }
}
