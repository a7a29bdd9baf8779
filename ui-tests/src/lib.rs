//! Compile-pass and compile-fail (trybuild) cases of `#[monitored_connection]`; the cases live in `tests/ui/`.

/// The README's Rust examples, compiled and run as doctests (`cargo test
/// --doc -p wireframe-monitor-ui-tests`): every example that shows the
/// attribute is one.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
