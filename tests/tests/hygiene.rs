//! Hygiene: the generated code compiles under `#![forbid(unsafe_code)]`,
//! `#![deny(warnings, clippy::all, clippy::pedantic, unused_qualifications,
//! rust_2018_idioms)]`, the shadowing restriction lints, and in a
//! module that shadows the prelude (`Option`, `Result`, `Box`, `Some`,
//! `None`, `Ok`, `Err`, `Vec`, `String`), for sync, async and method
//! handlers using every option. And the expansion allows no lint on the
//! user's function: the user's own lints still fire on the user's body
//! (`mod own_lints`, whose `#[expect]`s clippy reports as unfulfilled if
//! the expansion silenced them).
#![forbid(unsafe_code)]
#![deny(
    warnings,
    clippy::all,
    clippy::pedantic,
    clippy::shadow_same,
    clippy::shadow_reuse,
    clippy::shadow_unrelated,
    rust_2018_idioms,
    unused_qualifications
)]

mod shadowed {
    use std::net::SocketAddr;

    use wireframe_monitor::monitored_connection;

    /// Shadows the prelude type.
    #[derive(Debug)]
    pub struct Option;
    /// Shadows the prelude type.
    #[derive(Debug)]
    pub struct Result;
    /// Shadows the prelude type.
    #[derive(Debug)]
    pub struct Box;
    /// Shadows the prelude type.
    #[derive(Debug)]
    pub struct Vec;
    /// Shadows the prelude type.
    #[derive(Debug)]
    pub struct String;
    /// Shadows the prelude variant (type and value).
    #[derive(Debug)]
    pub struct Some;
    /// Shadows the prelude variant (type and value).
    #[derive(Debug)]
    pub struct None;
    /// Shadows the prelude variant (type and value).
    #[derive(Debug)]
    pub struct Ok;
    /// Shadows the prelude variant (type and value).
    #[derive(Debug)]
    pub struct Err;

    /// A `&'static str` label value by path.
    pub const REGION: &str = "eu";

    /// Every shadowing item, so none is dead code.
    pub fn shadows() -> (Option, Result, Box, Vec, String, Some, None, Ok, Err) {
        (Option, Result, Box, Vec, String, Some, None, Ok, Err)
    }

    /// A sync handler with every option; `addr` is used by `peer` only.
    #[monitored_connection(name = "hygiene_sync", labels(region = REGION, tier = "a"), on_panic = "contain", peer = addr)]
    pub fn sync(addr: SocketAddr, n: u8) -> core::option::Option<u8> {
        if n == 1 {
            return core::option::Option::None;
        }
        core::option::Option::Some(10 / n)
    }

    /// An async handler with every option.
    #[monitored_connection(name = "hygiene_async", labels(region = REGION), on_panic = "resume", peer = addr)]
    pub async fn asynchronous(
        addr: &SocketAddr,
        n: u8,
    ) -> core::result::Result<u8, std::io::Error> {
        tokio::task::yield_now().await;
        let _ = addr;
        core::result::Result::Ok(10 / n)
    }

    /// Underscore-prefixed and pattern arguments, each moved into the body
    /// (`no_effect_underscore_binding`, `shadow_same` must not fire).
    #[monitored_connection(name = "hygiene_underscore")]
    pub async fn underscore(_permit: u8, (a, _b): (u8, u8), mut n: u8) -> core::option::Option<u8> {
        tokio::task::yield_now().await;
        n += a;
        core::option::Option::Some(10 / n)
    }

    /// An `async fn` whose output is a future (`async_yields_async` must
    /// not fire on the expansion's `async` block).
    #[monitored_connection(name = "hygiene_ready", on_panic = "resume")]
    pub async fn ready(n: u8) -> std::future::Ready<u8> {
        tokio::task::yield_now().await;
        std::future::ready(10 / n)
    }

    /// A connection with monitored methods.
    pub struct Conn {
        /// The peer.
        pub addr: SocketAddr,
    }

    impl Conn {
        /// A method handler with every option.
        #[monitored_connection(name = "hygiene_method", labels(region = REGION), on_panic = "contain", peer = peer)]
        pub fn method(&self, peer: SocketAddr, n: u8) -> std::io::Result<u8> {
            let _ = (peer, self.addr);
            if n == 1 {
                return core::result::Result::Err(std::io::Error::other("one"));
            }
            core::result::Result::Ok(10 / n)
        }
    }
}

/// Lints of the user's own code fire through the expansion, as they would
/// without it: an allowance on the generated function would leave these
/// expectations unfulfilled, which clippy reports (denied above).
pub mod own_lints {
    use wireframe_monitor::monitored_connection;

    /// A `contain` handler that asserts, with no `# Panics` section.
    ///
    /// # Errors
    ///
    /// Never.
    #[expect(clippy::missing_panics_doc, reason = "the user's assert is the user's")]
    #[monitored_connection(name = "hygiene_own_sync")]
    pub fn asserts(n: u8) -> std::io::Result<u8> {
        assert!(n > 0, "n is positive");
        Ok(n)
    }

    /// The same, async.
    ///
    /// # Errors
    ///
    /// Never.
    #[expect(clippy::missing_panics_doc, reason = "the user's assert is the user's")]
    #[monitored_connection(name = "hygiene_own_async")]
    pub async fn asserts_async(n: u8) -> std::io::Result<u8> {
        tokio::task::yield_now().await;
        assert!(n > 0, "n is positive");
        Ok(n)
    }

    /// An async handler whose body has a helper taking a `String` it only
    /// reads.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "the user's helper is the user's"
    )]
    #[monitored_connection(name = "hygiene_own_helper")]
    pub async fn helper(name: &str) -> Option<usize> {
        fn length(text: String) -> usize {
            text.len()
        }
        tokio::task::yield_now().await;
        Some(length(name.to_owned()))
    }
}

#[test]
fn shadowed_prelude_handlers_compile_and_work() {
    let _ = shadowed::shadows();
    let addr: std::net::SocketAddr = "127.0.0.1:1".parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let conn = shadowed::Conn { addr };
    assert_eq!(shadowed::sync(addr, 2), Some(5));
    assert_eq!(
        runtime.block_on(shadowed::asynchronous(&addr, 5)).unwrap(),
        2
    );
    assert_eq!(conn.method(addr, 2).unwrap(), 5);
    assert_eq!(
        runtime.block_on(shadowed::underscore(0, (1, 0), 1)),
        Some(5)
    );
    assert_eq!(runtime.block_on(runtime.block_on(shadowed::ready(5))), 2);
    assert_eq!(own_lints::asserts(1).unwrap(), 1);
    assert_eq!(runtime.block_on(own_lints::asserts_async(1)).unwrap(), 1);
    assert_eq!(runtime.block_on(own_lints::helper("ab")), Some(2));
    assert_eq!(shadowed::sync(addr, 1), None);
    assert_eq!(conn.method(addr, 1).unwrap_err().to_string(), "one");

    // With the guard (feature `enabled`), panics are contained or resumed.
    #[cfg(feature = "enabled")]
    {
        assert_eq!(shadowed::sync(addr, 0), None);
        let resumed =
            std::panic::catch_unwind(|| runtime.block_on(shadowed::asynchronous(&addr, 0)));
        assert!(resumed.is_err());
        assert!(conn.method(addr, 0).is_err());
        let panics: u64 = wireframe_monitor::snapshot()
            .iter()
            .filter(|s| s.handler().starts_with("hygiene_"))
            .map(wireframe_monitor::HandlerStats::panics)
            .sum();
        assert_eq!(panics, 3);
    }
}
