//! The tracing event's short backtrace: the frames from the panic site down
//! to the guard that caught it, on one line that no frame can break.
//!
//! `Backtrace::frames()` is unstable, so this reads the capture's rendered
//! text (`{}`: a `  N: symbol` line per frame, then `      at file:line:col`
//! when known). The panic site is the first frame that is none of ours, of
//! `std`/`core`/`alloc` (the panic machinery, `unwrap` and the like) or of
//! the plumbing below; the guard is the next frame of ours. Between them it
//! keeps every frame but the plumbing: unwinding (`catch_unwind`, call
//! shims) and executors (tokio, futures, `Pin` polling). They are written
//! as `symbol at path:line` items joined by ` <- `, innermost first, paths
//! crate-relative, control characters escaped. Without debug info inlined
//! frames are missing (the panic site may then be a caller). The whole
//! capture stays in `PanicEvent::backtrace()`.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::fmt::Write;

use crate::common::source_path::crate_relative;
use crate::common::text::Escaped;

/// At most this many frames are shown; the rest are counted.
const MAX_FRAMES: usize = 12;
/// Longer symbols (generic types can take thousands of characters) are cut.
const MAX_SYMBOL: usize = 160;
/// Between a frame and its caller.
const SEPARATOR: &str = " <- ";

/// The crates of ours: their first frame after the panic site is the guard.
const OURS: &[&str] = &["wireframe_monitor", "wireframe_monitor_wireframe"];
/// The crates whose frames before the panic site are the panic machinery.
const STD: &[&str] = &["std", "core", "alloc", "__rustc"];
/// Executors and their poll machinery.
const EXECUTORS: &[&str] = &[
    "tokio",
    "futures",
    "futures_core",
    "futures_executor",
    "futures_task",
    "futures_util",
    "async_executor",
    "async_std",
    "async_task",
    "smol",
];
/// Paths (of a function, or of the type of a `<Type as Trait>::method`)
/// of unwinding, call shims, `Future` plumbing and thread start.
const MACHINERY: &[&str] = &[
    "std::panicking::",
    "core::panicking::",
    "std::panic::",
    "core::panic::",
    "std::sys::",
    "std::rt::",
    "std::backtrace",
    "std::thread::lifecycle::",
    "std::thread::Builder",
    "core::ops::function::",
    "core::pin::Pin<",
    "core::future::",
    "__rust",
    "rust_begin_unwind",
];
/// Whole symbols of thread and process start.
const START: &[&str] = &[
    "start_thread",
    "clone",
    "clone3",
    "_start",
    "main",
    "__libc_start_main",
    "__libc_start_call_main",
    "<unknown>",
];

/// The short form of `backtrace`; `None` when nothing was captured.
#[cold]
pub(crate) fn short(backtrace: &Backtrace) -> Option<String> {
    if backtrace.status() != BacktraceStatus::Captured {
        return None;
    }
    render(&backtrace.to_string())
}

/// One frame of the rendered capture.
struct Frame<'a> {
    symbol: &'a str,
    file: Option<&'a str>,
    line: Option<&'a str>,
}

/// The short form of a capture rendered with `{}`.
fn render(text: &str) -> Option<String> {
    let frames = parse(text);
    let site = frames.iter().position(|f| {
        !STD.contains(&crate_of(f.symbol)) && !is_ours(f.symbol) && !is_plumbing(f.symbol)
    })?;
    let guard = frames[site..]
        .iter()
        .position(|f| is_ours(f.symbol))
        .map_or(frames.len(), |i| site + i);
    let shown: Vec<&Frame<'_>> = frames[site..guard]
        .iter()
        .filter(|f| !is_plumbing(f.symbol))
        .collect();
    let mut out = String::new();
    for (i, frame) in shown.iter().take(MAX_FRAMES).enumerate() {
        if i > 0 {
            out.push_str(SEPARATOR);
        }
        write_frame(&mut out, frame);
    }
    if shown.len() > MAX_FRAMES {
        let _ = write!(out, "{SEPARATOR}… {} more", shown.len() - MAX_FRAMES);
    }
    Some(out)
}

/// The frames of `text`, innermost first.
fn parse(text: &str) -> Vec<Frame<'_>> {
    let mut frames: Vec<Frame<'_>> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(at) = line.strip_prefix("at ") {
            if let Some(frame) = frames.last_mut().filter(|f| f.file.is_none()) {
                let (file, number) = split_location(at);
                frame.file = Some(file);
                frame.line = number;
            }
        } else if let Some((index, symbol)) = line.split_once(": ")
            && !index.is_empty()
            && index.bytes().all(|b| b.is_ascii_digit())
        {
            frames.push(Frame {
                symbol,
                file: None,
                line: None,
            });
        }
    }
    frames
}

/// `file:line:col` (or `file:line`, or `file`) as `(file, line)`.
fn split_location(at: &str) -> (&str, Option<&str>) {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some((rest, last)) = at.rsplit_once(':').filter(|(_, n)| numeric(n)) else {
        return (at, None);
    };
    match rest.rsplit_once(':').filter(|(_, n)| numeric(n)) {
        Some((file, line)) => (file, Some(line)),
        None => (rest, Some(last)),
    }
}

/// `symbol at path:line`, escaped.
fn write_frame(out: &mut String, frame: &Frame<'_>) {
    match frame.symbol.char_indices().nth(MAX_SYMBOL) {
        Some((cut, _)) => {
            let _ = write!(out, "{}…", Escaped(&frame.symbol[..cut]));
        }
        None => {
            let _ = write!(out, "{}", Escaped(frame.symbol));
        }
    }
    if let Some(file) = frame.file {
        let _ = write!(out, " at {}", Escaped(crate_relative(file)));
        if let Some(line) = frame.line {
            let _ = write!(out, ":{line}");
        }
    }
}

/// The type (or function) path and the trait path of a symbol:
/// `<Type as Trait>::method` gives both, `<Type>::method` and
/// `path::function` only the first.
fn qualified(symbol: &str) -> (&str, Option<&str>) {
    let Some(inner) = symbol.strip_prefix('<') else {
        return (symbol, None);
    };
    let mut depth = 0usize;
    let mut previous = ' ';
    for (i, c) in inner.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if previous != '-' => {
                if depth == 0 {
                    return (&inner[..i], None);
                }
                depth -= 1;
            }
            ' ' if depth == 0 && inner[i..].starts_with(" as ") => {
                let rest = &inner[i + 4..];
                return (&inner[..i], Some(rest));
            }
            _ => {}
        }
        previous = c;
    }
    (inner, None)
}

/// The crate of a symbol: the first segment of its type or function path.
fn crate_of(symbol: &str) -> &str {
    let (path, _) = qualified(symbol);
    let path = path.trim_start_matches(['&', '*', '(', '[']);
    let path = ["mut ", "const ", "dyn "]
        .iter()
        .find_map(|p| path.strip_prefix(p))
        .unwrap_or(path);
    let end = path
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(path.len());
    &path[..end]
}

fn is_ours(symbol: &str) -> bool {
    OURS.contains(&crate_of(symbol))
}

fn is_start(symbol: &str) -> bool {
    START.contains(&symbol)
}

/// Frames between the panic site and the guard that are not shown.
fn is_plumbing(symbol: &str) -> bool {
    let (path, interface) = qualified(symbol);
    let machinery = |p: &str| MACHINERY.iter().any(|m| p.starts_with(m));
    is_start(symbol)
        || EXECUTORS.contains(&crate_of(symbol))
        || machinery(path)
        || interface.is_some_and(|t| t.starts_with("core::ops::function::"))
}

#[cfg(test)]
#[path = "short_backtrace_tests.rs"]
mod tests;
