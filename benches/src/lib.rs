//! Handlers and set-up for the wireframe-monitor benchmarks: the bench
//! binary (`benches/overhead.rs`) measures them, the tests check that they
//! measure what they claim (the guard really runs, the future size),
//! [`paired`] runs the noise-sensitive ratios in alternating rounds, and
//! `bench-summary` turns the results into the table of `docs/benchmarks.md`.

pub mod added;
pub mod alternatives;
pub mod common;
pub mod echo;
pub mod paired;
pub mod panicking;
pub mod procs;
pub mod runtime;
pub mod scale;
pub mod setup;
