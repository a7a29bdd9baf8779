//! The shape suite of `#[monitored_connection]`, modelled on the regression
//! tests of `tracing-attributes`, `async-trait` and `tokio-macros`: every
//! shape of handler a user writes, compiled under the lints users enable
//! (denied) in edition 2021 and 2024 (`e2021`, `e2024` compile these same
//! files). Each shape is called on the happy path and made to panic; the
//! fallback or re-raised payload, exactly one counted panic of its handler,
//! `active` back to 0 and, for shapes with droppable arguments, the drop
//! order of the same function without the attribute are checked.
#![deny(
    warnings,
    clippy::all,
    clippy::pedantic,
    clippy::shadow_same,
    clippy::shadow_reuse,
    clippy::shadow_unrelated,
    rust_2018_idioms,
    unused_qualifications,
    unsafe_code
)]

mod harness;
mod matrix;
mod methods;
mod misc;
mod paths;
mod regressions;
