//! Nothing: the cases are the `renamed` test of this package, which knows
//! wireframe-monitor as `wm` (see `Cargo.toml`).
