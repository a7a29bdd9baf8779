//! Small types and helpers shared by every layer above: the public types of
//! a caught panic ([`panic`]), [`peer`] addresses, the redaction [`policy`],
//! metric [`names`], the crate-relative site of a panic [`location`],
//! [`text`] escaping, the rate [`window`] and the swallowed-[`failures`]
//! counter. Nothing here imports another layer of the crate.

pub(crate) mod failures;
pub(crate) mod location;
pub mod names;
pub(crate) mod panic;
pub(crate) mod peer;
pub(crate) mod policy;
pub(crate) mod text;
pub(crate) mod window;
