//! Nothing: the shape suite is the `shapes` test of this package (see
//! `src/main.rs`), compiled once per edition by `e2021` and `e2024`.
