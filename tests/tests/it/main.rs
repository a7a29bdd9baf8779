//! The behaviour tests of wireframe-monitor, as a user sees it, in one test
//! binary (one link). Tests share the process-global registry, so each uses
//! its own handler `name`; tests that change global state (policy, panic
//! handler, hook options) hold [`support::exclusive`], the others
//! [`support::shared`].

#[cfg_attr(
    not(feature = "enabled"),
    allow(dead_code, reason = "most helpers serve the tests of the guard")
)]
mod support;

#[cfg(feature = "enabled")]
mod async_arguments;
#[cfg(feature = "enabled")]
mod compose;
#[cfg(not(feature = "enabled"))]
mod disabled;
#[cfg(feature = "enabled")]
mod failures;
#[cfg(feature = "enabled")]
mod handler;
#[cfg(feature = "enabled")]
mod lifecycle;
#[cfg(feature = "enabled")]
mod load;
#[cfg(feature = "enabled")]
mod nested;
#[cfg(feature = "enabled")]
mod objectives;
#[cfg(feature = "enabled")]
mod observe;
#[cfg(feature = "enabled")]
mod one_line;
#[cfg(feature = "enabled")]
mod outcomes;
#[cfg(feature = "enabled")]
mod peer_stream;
#[cfg(feature = "enabled")]
mod policy;
#[cfg(feature = "enabled")]
mod rows;
#[cfg(feature = "enabled")]
mod runtime_api;
#[cfg(feature = "enabled")]
mod runtime_counts;
#[cfg(feature = "enabled")]
mod server;
#[cfg(feature = "enabled")]
mod shapes;
#[cfg(feature = "enabled")]
mod sites;
#[cfg(feature = "enabled")]
mod spans;
#[cfg(feature = "enabled")]
mod spawn;
#[cfg(feature = "enabled")]
mod tower_layer;
