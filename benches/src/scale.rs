//! 1000 distinct monitored handlers, stamped by `macro_rules!`: the same body
//! in 1000 modules, each handler told apart by a `site` label holding its
//! module path, so each gets its own registry entry and counter slot.

use std::io;

/// The type of every stamped handler.
pub type Handler = fn(u64) -> io::Result<u64>;

/// One monitored handler in the current module.
macro_rules! leaf {
    () => {
        const SITE: &str = module_path!();

        /// A stamped monitored handler.
        ///
        /// # Errors
        /// Only a contained panic, which this body never raises.
        #[::wireframe_monitor::monitored_connection(name = "scale", labels(site = SITE))]
        #[inline(never)]
        pub fn handle(x: u64) -> ::std::io::Result<u64> {
            Ok($crate::common::work(x))
        }
    };
}

/// Ten modules `d0`..`d9`, each holding `$body`, and `ALL`: the ten
/// `$item`s of those modules.
macro_rules! ten {
    ($ty:ty; $item:ident; $($body:tt)*) => {
        /// Stamped handlers.
        pub mod d0 { $($body)* }
        /// Stamped handlers.
        pub mod d1 { $($body)* }
        /// Stamped handlers.
        pub mod d2 { $($body)* }
        /// Stamped handlers.
        pub mod d3 { $($body)* }
        /// Stamped handlers.
        pub mod d4 { $($body)* }
        /// Stamped handlers.
        pub mod d5 { $($body)* }
        /// Stamped handlers.
        pub mod d6 { $($body)* }
        /// Stamped handlers.
        pub mod d7 { $($body)* }
        /// Stamped handlers.
        pub mod d8 { $($body)* }
        /// Stamped handlers.
        pub mod d9 { $($body)* }
        /// The handlers of `d0`..`d9`.
        pub const ALL: [$ty; 10] = [
            d0::$item, d1::$item, d2::$item, d3::$item, d4::$item,
            d5::$item, d6::$item, d7::$item, d8::$item, d9::$item,
        ];
    };
}

/// The stamped handlers, 10 × 10 × 10.
pub mod stamped {
    ten!([[crate::scale::Handler; 10]; 10]; ALL;
        ten!([crate::scale::Handler; 10]; ALL;
            ten!(crate::scale::Handler; handle; leaf!();););
    );
}

/// All 1000 stamped handlers, in a flat slice.
#[must_use]
pub fn handlers() -> &'static [Handler] {
    stamped::ALL.as_flattened().as_flattened()
}
