//! A reported panic is exactly one line with `tracing-subscriber`'s text
//! formatter and one JSON object on one line with its JSON formatter,
//! whatever its message holds; the event's `panic.backtrace` is short (the
//! panic site down to the guard, no frame of ours, of the panic machinery
//! or of the executor) and names no absolute path of this machine, while
//! `HandlerStats::last_backtrace()` keeps the whole capture; a typical
//! event weighs under a kilobyte. The `it` binary's `install()` keeps the
//! default `backtraces(true)`, so a backtrace is captured whatever
//! `RUST_BACKTRACE` says.

use std::path::Path;

use wireframe_monitor::monitored_connection;

use crate::support::{self, Buffer, block_on};

/// Frames the short backtrace never shows.
const EXCLUDED: &[&str] = &[
    "wireframe_monitor",
    "std::panicking",
    "core::panicking",
    "std::panic",
    "core::panic",
    "catch_unwind",
    "__rust_begin_short_backtrace",
    "__rust_end_short_backtrace",
    "__rust_try",
    "tokio::",
    "futures",
    "Pin<",
];

/// Line breaks of every kind, ANSI escapes, a bell, a tab, a C1 control,
/// then 64 KiB more; it starts with the support hook's probe prefix, so
/// that hook keeps it rather than printing it into the test's output.
fn hostile() -> String {
    format!(
        "{}first line\nforged: ERROR connection handler panicked\r\n\u{1b}[31mred\u{1b}[0m\u{7}\t\u{85}\u{2028}\u{2029}\u{b}\u{c}end {}",
        support::PROBE,
        "x".repeat(64 * 1024)
    )
}

/// The user's frame that panics, below the handler's own frame.
#[inline(never)]
fn decode(frame: &[u8]) -> u8 {
    assert!(!frame.is_empty(), "{}", hostile());
    frame[0]
}

#[monitored_connection(name = "one_line_sync")]
fn handle_sync(frame: &[u8]) -> Option<u8> {
    Some(decode(frame))
}

/// The async frame that panics, awaited by the handler, under tokio.
async fn decode_async(frame: Vec<u8>) -> u8 {
    tokio::task::yield_now().await;
    assert!(!frame.is_empty(), "{}", hostile());
    frame[0]
}

#[monitored_connection(name = "one_line_async")]
async fn handle_async(frame: Vec<u8>) -> Option<u8> {
    Some(decode_async(frame).await)
}

/// What `tracing_subscriber::fmt()` (text, or JSON with `json`) writes
/// while a handler panics once with the hostile message.
fn written(json: bool, sync: bool) -> String {
    let buffer = Buffer::default();
    let panic = || {
        if sync {
            assert_eq!(handle_sync(&[]), None);
        } else {
            assert_eq!(block_on(handle_async(Vec::new())), None);
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_ansi(false);
    if json {
        tracing::subscriber::with_default(builder.json().finish(), panic);
    } else {
        tracing::subscriber::with_default(builder.finish(), panic);
    }
    buffer.text()
}

/// The one line of `text`, after checking that it is one line: nothing but
/// its end is a control character, nor (`json` off) a Unicode line or
/// paragraph separator. The JSON formatter writes those (and U+0085) as they
/// are, valid inside a JSON string: a JSON line ends only at `\n`, which it
/// always escapes, as every other C0 control.
fn one_line(text: &str, json: bool) -> &str {
    let line = text
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("no line end in {} bytes: {}", text.len(), shorter(text)));
    let breaks: Vec<char> = line
        .chars()
        .filter(|&c| {
            if json {
                c < ' '
            } else {
                c.is_control() || c == '\u{2028}' || c == '\u{2029}'
            }
        })
        .collect();
    assert!(
        breaks.is_empty(),
        "{} lines, control or line-break characters {breaks:?} in: {}",
        text.lines().count(),
        shorter(text)
    );
    line
}

/// `text` without the hostile message's 64 KiB tail, for failure messages.
fn shorter(text: &str) -> String {
    text.replace(&"x".repeat(1024), "")
}

/// The short backtrace's frames, innermost first.
fn frames(backtrace: &str) -> Vec<&str> {
    backtrace.split(" <- ").collect()
}

#[test]
fn text_formatter_writes_one_line_per_panic() {
    let _shared = support::shared();
    let text = written(false, true);
    let line = one_line(&text, false);
    assert!(line.contains("connection handler panicked"), "{line:.300}");
    assert!(line.contains("handler=\"one_line_sync\""), "{line:.300}");
    assert!(
        line.contains(r"first line\nforged: ERROR connection handler panicked\r\n\u{1b}[31m"),
        "the message is kept, escaped: {line:.300}"
    );
    let backtrace = line
        .split_once("panic.backtrace=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or_else(|| panic!("no panic.backtrace in {line:.300}…"), |(b, _)| b);
    let frames = frames(backtrace);
    assert!(
        frames[0].starts_with("it::one_line::decode at tests/it/one_line.rs:"),
        "{backtrace}"
    );
    assert!(
        frames[1].starts_with("it::one_line::handle_sync::{{closure}} at tests/it/one_line.rs:"),
        "{backtrace}"
    );
    assert_eq!(frames.len(), 2, "the guard ends it: {backtrace}");
}

#[test]
fn json_formatter_writes_one_object_with_a_short_backtrace() {
    let _shared = support::shared();
    let text = written(true, false);
    let event: serde_json::Value =
        serde_json::from_str(one_line(&text, true)).expect("one JSON object");
    let fields = &event["fields"];
    assert_eq!(fields["message"], "connection handler panicked");
    assert_eq!(fields["handler"], "one_line_async");
    assert_eq!(
        fields["panic.message"],
        hostile().as_str(),
        "the message, whole"
    );

    let backtrace = fields["panic.backtrace"]
        .as_str()
        .unwrap_or_else(|| panic!("no short backtrace in {fields}"));
    let frames = frames(backtrace);
    assert!(
        frames[0].starts_with("it::one_line::decode_async::{{closure}} at tests/it/one_line.rs:"),
        "the panic site first: {backtrace}"
    );
    assert!(
        frames[1].starts_with("it::one_line::handle_async::{{closure}} at tests/it/one_line.rs:"),
        "then the handler's body: {backtrace}"
    );
    assert_eq!(frames.len(), 2, "the guard ends it: {backtrace}");
    for excluded in EXCLUDED {
        assert!(!backtrace.contains(excluded), "{excluded} in {backtrace}");
    }

    // The whole capture stays available.
    let row = support::row("one_line_async").expect("a row");
    let whole = row.last_backtrace().expect("a backtrace").to_string();
    assert!(whole.contains("wireframe_monitor::"), "{whole}");
    assert!(whole.contains("decode_async"), "{whole}");
}

#[test]
fn the_event_names_no_absolute_path_of_this_machine() {
    let _shared = support::shared();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut forbidden: Vec<String> = vec!["/rustc/".into(), "/.cargo/".into()];
    forbidden.extend(manifest.parent().map(|root| root.display().to_string()));
    forbidden.extend(std::env::current_dir().map(|d| d.display().to_string()));
    forbidden.extend(std::env::var("CARGO_HOME"));
    for (json, sync) in [(true, true), (false, false)] {
        let text = written(json, sync);
        let line = one_line(&text, json);
        assert!(line.contains("panic.backtrace"), "{line:.300}");
        for path in &forbidden {
            assert!(
                !line.contains(path.as_str()),
                "{path} in the event: {}",
                shorter(line)
            );
        }
    }
}

/// The frame decoder of a typical handler.
#[inline(never)]
fn decode_login(frame: &[u8]) -> u8 {
    let len = usize::from(frame[0]);
    assert!(
        frame.len() > len,
        "frame length {len} exceeds the {} bytes received",
        frame.len()
    );
    frame[len]
}

#[monitored_connection(name = "one_line_login", labels(protocol = "v2"), peer = addr)]
fn login(addr: std::net::SocketAddr, frame: &[u8]) -> Option<u8> {
    Some(decode_login(frame))
}

/// What the README states: a typical event (a label, a 44-character
/// message, a peer, two frames of backtrace) weighs about 420 bytes as text
/// and 500 as JSON; a kilobyte leaves room for longer paths and names.
#[test]
fn a_typical_event_weighs_under_a_kilobyte() {
    let _shared = support::shared();
    let peer = "203.0.113.7:51234".parse().expect("an address");
    for json in [false, true] {
        let buffer = Buffer::default();
        let builder = tracing_subscriber::fmt()
            .with_writer(buffer.clone())
            .with_ansi(false);
        let panic = || assert_eq!(login(peer, &[9, 1, 2]), None);
        if json {
            tracing::subscriber::with_default(builder.json().finish(), panic);
        } else {
            tracing::subscriber::with_default(builder.finish(), panic);
        }
        let text = buffer.text();
        let line = one_line(&text, json);
        assert!(line.contains("panic.backtrace"), "{line}");
        assert!(
            text.len() < 1024,
            "{} bytes (json: {json}): {text}",
            text.len()
        );
    }
}
