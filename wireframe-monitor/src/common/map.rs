//! [`Map`]: the `HashMap` of this crate, with a fixed hasher.
//!
//! The maps here are keyed by panic locations, payload identities and
//! hashes of handler names and labels: nothing a client of the server
//! chooses, so nothing to defend against with a random per-process key.
//! `RandomState` would link the OS random source and a second hasher setup
//! into every binary for nothing.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};

/// A `HashMap` hashed with [`DefaultHasher`]'s fixed keys.
pub(crate) type Map<K, V> = HashMap<K, V, BuildHasherDefault<DefaultHasher>>;
