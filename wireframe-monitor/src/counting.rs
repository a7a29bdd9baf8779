//! Per-thread counting: the hot path of every monitored call.
//!
//! A call reads this thread's [`flags`] byte (or, for a run-time handler,
//! its entry of the slot table beside it), adds to its counter [`slot`] in
//! this thread's [`shard`], and marks its handler as running in the same
//! hot state; readers (`snapshot()`, the publisher) sum the shards. What it must never do: lock, allocate or hash on a call,
//! or import anything above it (the registry, the panic path, a door).
//! Slow paths (a thread's first call, a flag set) are `#[cold]`.

pub(crate) mod flags;
pub(crate) mod shard;
pub(crate) mod slot;
