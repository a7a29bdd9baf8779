//! `crate = "…"`: the runtime named through a facade module by a relative,
//! a `crate::`, a `self::` and a `super::` path, by its absolute path under
//! `#![no_implicit_prelude]`, and by a literal passed to a `macro_rules!`
//! that writes the attribute; sync, async and `resume` shapes.

use crate::harness::{block_on, check, check_resume};

/// A facade that re-exports the runtime, as a crate wrapping it would.
mod facade {
    pub use ::wireframe_monitor as monitor;
}

#[facade::monitor::monitored_connection(name = "paths_relative", crate = "facade::monitor")]
fn relative(n: u8) -> Option<u8> {
    Some(10 / n)
}

#[facade::monitor::monitored_connection(
    name = "paths_root",
    crate = "crate::paths::facade::monitor"
)]
async fn from_root(n: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(10 / n)
}

#[facade::monitor::monitored_connection(
    name = "paths_self",
    crate = "self::facade::monitor",
    on_panic = "resume"
)]
fn from_self(n: u8) -> u8 {
    assert!(n > 0, "zero");
    n
}

mod nested {
    #[super::facade::monitor::monitored_connection(
        name = "paths_super",
        crate = "super::facade::monitor"
    )]
    pub(super) async fn from_super(n: u8) -> Result<u8, std::io::Error> {
        Ok(10 / n)
    }
}

mod no_prelude {
    #![no_implicit_prelude]

    #[::wireframe_monitor::monitored_connection(
        name = "paths_absolute",
        crate = "::wireframe_monitor"
    )]
    pub(super) fn absolute(n: u8) -> ::core::option::Option<u8> {
        ::core::option::Option::Some(10 / n)
    }
}

macro_rules! handler_in {
    ($krate:literal, $name:ident) => {
        #[facade::monitor::monitored_connection(name = "paths_macro", crate = $krate)]
        fn $name(n: u8) -> Option<u8> {
            Some(10 / n)
        }
    };
}

handler_in!("facade::monitor", from_macro);

#[test]
fn crate_paths() {
    check(
        "paths_relative",
        || relative(5),
        &Some(2),
        || relative(0),
        &None,
    );
    check(
        "paths_root",
        || block_on(from_root(5)),
        &Some(2),
        || block_on(from_root(0)),
        &None,
    );
    check_resume("paths_self", || from_self(3), &3, || from_self(0), "zero");
    let contained = block_on(nested::from_super(0)).expect_err("contained");
    assert!(contained.to_string().contains("paths_super"), "{contained}");
    assert_eq!(block_on(nested::from_super(5)).ok(), Some(2));
    assert_eq!(crate::harness::counts("paths_super"), (2, 0, 1));
    check(
        "paths_absolute",
        || no_prelude::absolute(5),
        &Some(2),
        || no_prelude::absolute(0),
        &None,
    );
    check(
        "paths_macro",
        || from_macro(5),
        &Some(2),
        || from_macro(0),
        &None,
    );
}
