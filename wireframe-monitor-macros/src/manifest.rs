//! A reader for the part of TOML a `Cargo.toml` is written in, with no
//! dependency of its own (`runtime.rs` looks up a renamed dependency with
//! it): comments, table headers, dotted keys, basic and literal strings
//! (also multi-line), inline tables (also over several lines, TOML 1.1),
//! arrays and bare values. It gives every key with its full dotted path;
//! on anything it does not understand it gives up, and the caller falls
//! back to the default path.

/// A value, as far as the lookup needs it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Value {
    Str(String),
    Bool(bool),
    /// A table (a header or `{ … }`), an array, a number, a date.
    Other,
}

/// Every key of `text` with its full path, in order: `[dependencies]` then
/// `wm = { package = "x" }` gives `["dependencies"]` (the header, `Other`),
/// `["dependencies", "wm", "package"]` (`Str("x")`) and `["dependencies",
/// "wm"]` (`Other`). Values inside arrays are not given. `None`: not TOML
/// this reader understands.
pub(crate) fn entries(text: &str) -> Option<Vec<(Vec<String>, Value)>> {
    let mut reader = Reader {
        chars: text.chars().collect(),
        at: 0,
        entries: Vec::new(),
    };
    reader.document()?;
    Some(reader.entries)
}

/// Nesting deeper than this (arrays, inline tables) is given up on.
const MAX_DEPTH: usize = 32;

struct Reader {
    chars: Vec<char>,
    at: usize,
    entries: Vec<(Vec<String>, Value)>,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.at += 1;
        }
        found
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let found = s
            .chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.at + i) == Some(&c));
        if found {
            self.at += s.chars().count();
        }
        found
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.at += 1;
        }
    }

    fn skip_comment(&mut self) {
        if self.peek() == Some('#') {
            while !matches!(self.peek(), None | Some('\n')) {
                self.at += 1;
            }
        }
    }

    /// Blanks, comments and line ends.
    fn skip_space(&mut self) {
        loop {
            self.skip_blanks();
            self.skip_comment();
            if !(self.eat('\n') || self.eat('\r')) {
                return;
            }
        }
    }

    /// Blanks and a comment, then the end of the line (or of the text).
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_blanks();
        self.skip_comment();
        self.eat('\r');
        (self.eat('\n') || self.peek().is_none()).then_some(())
    }

    fn document(&mut self) -> Option<()> {
        let mut table = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                None => return Some(()),
                Some('[') => {
                    self.at += 1;
                    let array = self.eat('[');
                    self.skip_blanks();
                    table = self.key()?;
                    self.skip_blanks();
                    if !(self.eat(']') && (!array || self.eat(']'))) {
                        return None;
                    }
                    self.entries.push((table.clone(), Value::Other));
                }
                Some(_) => self.key_value(&table, true, 0)?,
            }
            self.end_of_line()?;
        }
    }

    /// `a.b."c"`, blanks allowed around the dots.
    fn key(&mut self) -> Option<Vec<String>> {
        let mut key = vec![self.simple_key()?];
        loop {
            self.skip_blanks();
            if !self.eat('.') {
                return Some(key);
            }
            self.skip_blanks();
            key.push(self.simple_key()?);
        }
    }

    fn simple_key(&mut self) -> Option<String> {
        match self.peek()? {
            '"' | '\'' => self.string(),
            _ => {
                let start = self.at;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    self.at += 1;
                }
                (self.at > start).then(|| self.chars[start..self.at].iter().collect())
            }
        }
    }

    /// `key = value` under `table`.
    fn key_value(&mut self, table: &[String], record: bool, depth: usize) -> Option<()> {
        let mut path = table.to_vec();
        path.extend(self.key()?);
        self.skip_blanks();
        if !self.eat('=') {
            return None;
        }
        self.skip_blanks();
        self.value(path, record, depth)
    }

    fn value(&mut self, path: Vec<String>, record: bool, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let value = match self.peek()? {
            '"' | '\'' => Value::Str(self.string()?),
            '{' => {
                self.at += 1;
                self.inline_table(&path, record, depth + 1)?;
                Value::Other
            }
            '[' => {
                self.at += 1;
                self.array(depth + 1)?;
                Value::Other
            }
            _ => {
                let start = self.at;
                while !matches!(
                    self.peek(),
                    None | Some(' ' | '\t' | '\r' | '\n' | ',' | ']' | '}' | '#')
                ) {
                    self.at += 1;
                }
                match self.chars[start..self.at]
                    .iter()
                    .collect::<String>()
                    .as_str()
                {
                    "" => return None,
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::Other,
                }
            }
        };
        if record {
            self.entries.push((path, value));
        }
        Some(())
    }

    /// After `{`: `k = v, …}`; line ends and a trailing comma allowed.
    fn inline_table(&mut self, path: &[String], record: bool, depth: usize) -> Option<()> {
        loop {
            self.skip_space();
            if self.eat('}') {
                return Some(());
            }
            self.key_value(path, record, depth)?;
            self.skip_space();
            if !self.eat(',') {
                self.skip_space();
                return self.eat('}').then_some(());
            }
        }
    }

    /// After `[`: values up to the matching `]`, not recorded.
    fn array(&mut self, depth: usize) -> Option<()> {
        loop {
            self.skip_space();
            if self.eat(']') {
                return Some(());
            }
            self.value(Vec::new(), false, depth)?;
            self.skip_space();
            if !self.eat(',') {
                self.skip_space();
                return self.eat(']').then_some(());
            }
        }
    }

    /// A basic (`"…"`, `"""…"""`) or literal (`'…'`, `'''…'''`) string.
    fn string(&mut self) -> Option<String> {
        let quote = self.peek()?;
        let triple: String = [quote; 3].iter().collect();
        let multi = self.eat_str(&triple);
        if !multi {
            self.at += 1;
        }
        if multi {
            // A line end right after the opening quotes is not content.
            self.eat('\r');
            self.eat('\n');
        }
        let mut text = String::new();
        loop {
            if multi && self.eat_str(&triple) {
                // Up to two more quotes close the string as content.
                while self.peek() == Some(quote) && !self.chars[self.at..].starts_with(&[quote; 3])
                {
                    text.push(quote);
                    self.at += 1;
                }
                return Some(text);
            }
            let c = self.peek()?;
            self.at += 1;
            match c {
                c if c == quote && !multi => return Some(text),
                '\n' if !multi => return None,
                '\\' if quote == '"' => self.escape(multi, &mut text)?,
                c => text.push(c),
            }
        }
    }

    /// After `\` in a basic string.
    fn escape(&mut self, multi: bool, text: &mut String) -> Option<()> {
        let c = self.peek()?;
        self.at += 1;
        let decoded = match c {
            '"' => '"',
            '\\' => '\\',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'e' => '\u{1b}',
            'u' | 'U' | 'x' => {
                let digits = match c {
                    'u' => 4,
                    'U' => 8,
                    _ => 2,
                };
                let hex: String = self.chars.get(self.at..self.at + digits)?.iter().collect();
                self.at += digits;
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
            }
            // A line-ending backslash trims up to the next non-blank.
            ' ' | '\t' | '\r' | '\n' if multi => {
                while matches!(self.peek(), Some(' ' | '\t' | '\r' | '\n')) {
                    self.at += 1;
                }
                return Some(());
            }
            _ => return None,
        };
        text.push(decoded);
        Some(())
    }
}
