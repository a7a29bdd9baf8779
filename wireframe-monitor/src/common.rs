//! Small types and helpers shared by every layer above: the public types of
//! a caught panic ([`panic`]), [`peer`] addresses, the redaction [`policy`],
//! metric [`names`], [`text`] escaping, crate-relative [`source_path`]s
//! (and panic sites), the rate [`window`], the fixed-hasher [`map`] and the
//! swallowed-[`failures`] counter. Nothing here imports another layer of
//! the crate.

pub(crate) mod failures;
pub(crate) mod map;
pub mod names;
pub(crate) mod panic;
pub(crate) mod peer;
pub(crate) mod policy;
pub(crate) mod source_path;
pub(crate) mod text;
pub(crate) mod window;
