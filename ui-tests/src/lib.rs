//! Compile-pass and compile-fail (trybuild) cases of `#[monitored_connection]`; the cases live in `tests/ui/`.
