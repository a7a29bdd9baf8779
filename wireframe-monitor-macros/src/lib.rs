//! The `#[monitored_connection]` attribute of
//! [wireframe-monitor](https://docs.rs/wireframe-monitor). Depend on
//! `wireframe-monitor`, which re-exports it; the generated code calls into
//! that crate.
//!
//! Phases, one file each: `args` parses the options, `item` models the
//! function, `validate` checks both, `runtime` finds the path of the
//! runtime crate (`crate = "…"`, else a dependency found in `Cargo.toml`
//! by `manifest`), `expand` writes the guarded function
//! (with `params` moving the arguments into the body under hygienic names,
//! `desugar` lowering an `async fn` to the `fn` returning its guarded
//! future, and `spans` placing the guard call on the return type; `disabled`
//! writes the unguarded function when the `enabled` feature is off), and
//! `fallback` emits the original item beside any error.
mod args;
mod desugar;
mod disabled;
mod expand;
mod fallback;
mod item;
mod manifest;
mod params;
mod runtime;
mod spans;
mod validate;

use proc_macro::TokenStream;

/// Runs a connection handler under a panic guard; see the
/// `wireframe-monitor` crate for the options and what a panic does.
#[proc_macro_attribute]
pub fn monitored_connection(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::monitored_connection(args.into(), item.into()).into()
}
