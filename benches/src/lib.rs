//! Handlers and set-up for the wireframe-monitor benchmarks: the bench
//! binary (`benches/overhead.rs`) measures them, the tests check that they
//! measure what they claim (the guard really runs, the future size), and
//! `bench-summary` turns criterion's results into the table of
//! `docs/benchmarks.md`.

pub mod common;
pub mod echo;
pub mod panicking;
pub mod peers;
pub mod scale;
pub mod setup;
