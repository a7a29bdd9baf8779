//! Start-up registration: the linker collects every annotated function's
//! [`Site`] into one distributed slice ([`linkme`]), which `install()`
//! registers, so each handler's series exist, at 0, before its first call.
//!
//! It adds no code per handler and runs nothing before `main`: the
//! expansion wraps the `static` it has anyway in `__private::site!` (a
//! `macro_rules!` of `lib.rs`, since it expands in the user's crate),
//! which places it in the slice's link section. A generic function has one
//! site (a `static` in a generic function is not duplicated per
//! instantiation). On a target linkme does not support, the macro adds
//! nothing and a site is registered on its first call, as every site is
//! before `install()`.
//!
//! `site!` calls the `macro_rules!` that linkme's declaration below
//! generates (the step its `#[distributed_slice(…)]` element attribute
//! ends in) rather than that attribute: the attribute runs a proc macro and
//! type-checks a function per element, measured at +1.2 ms per handler in
//! `cargo check` and +1.5 ms in a debug build (`benches/compile-cost`),
//! about what the rest of the expansion costs; the macro costs nothing
//! measurable. Both come from the same linkme version (the one this crate
//! is built with); the start-up scenario of the tests crate
//! (`tests/scenarios/startup.rs`) fails if a linkme release changed how
//! that macro is called or where it puts the element. Expanded in the
//! user's crate, the link section attribute comes from a macro of another
//! crate, so `#![forbid(unsafe_code)]` there is not tripped (the hygiene
//! test crate forbids it).

use crate::doors::site::{Calls, Site};

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "fuchsia",
    target_os = "macos",
    target_os = "ios",
    target_os = "tvos",
    target_os = "windows",
    target_os = "illumos",
    target_os = "freebsd",
    target_os = "openbsd",
))]
mod collected {
    use crate::doors::site::Site;

    /// Every annotated function's site linked into the binary. The name
    /// carries the version that fixes `Site`'s layout: two semver-
    /// incompatible copies of this crate collect apart.
    #[linkme::distributed_slice]
    pub static WIREFRAME_MONITOR_SITES_0_1: [Site];

    /// The collected sites.
    pub(crate) fn all() -> &'static [Site] {
        &WIREFRAME_MONITOR_SITES_0_1
    }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "fuchsia",
    target_os = "macos",
    target_os = "ios",
    target_os = "tvos",
    target_os = "windows",
    target_os = "illumos",
    target_os = "freebsd",
    target_os = "openbsd",
)))]
mod collected {
    use crate::doors::site::Site;

    /// No link-time collection on this target: the site as written,
    /// registered on its first call.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __wireframe_monitor_site {
        ($($site:tt)*) => {
            $($site)*
        };
    }

    /// Nothing is collected here.
    pub(crate) fn all() -> &'static [Site] {
        &[]
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "fuchsia",
    target_os = "macos",
    target_os = "ios",
    target_os = "tvos",
    target_os = "windows",
    target_os = "illumos",
    target_os = "freebsd",
    target_os = "openbsd",
))]
pub use collected::WIREFRAME_MONITOR_SITES_0_1;

/// Registers every collected site not registered yet (sites with the same
/// name and labels share one entry); returns how many there are.
#[cold]
pub(crate) fn register_all() -> usize {
    let sites: &'static [Site] = collected::all();
    for site in sites {
        Calls::id(site);
    }
    sites.len()
}
