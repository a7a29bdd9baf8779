//! Per-thread counting: the hot path of every monitored call.
//!
//! A call reads this thread's [`flags`] byte and adds to its counter slot
//! in this thread's [`shard`], whose thread-local also holds the word that
//! marks the handler running on the thread; readers (`snapshot()`, the
//! publisher) sum the shards. What it must never do: lock, allocate or hash on a call,
//! or import anything above it (the registry, the panic path, a door).
//! Slow paths (a thread's first call, a flag set) are `#[cold]`.

pub(crate) mod flags;
pub(crate) mod shard;
