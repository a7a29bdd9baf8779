//! Shapes that broke this attribute or attributes like it must compile and
//! behave as the same function without the attribute, in both editions:
//! `ref mut` in an `async fn`'s pattern argument, `-> !` with `resume`, an
//! import in the body shadowing the return type's name, `&mut` borrows
//! returned out of an argument or `&mut self`, options and return types
//! written through `macro_rules!` fragments, arguments named like the
//! expansion's locals and `#[track_caller]` on a `resume` handler; and
//! cases from the regression tests of `tracing-attributes` (`async_fn.rs`:
//! nested `impl Trait` in an `async fn`'s output, inner attributes,
//! clippy's `suspicious_else_formatting`, boxed futures borrowing `&self`)
//! and `async-trait` (`test.rs`: unused method generics, projections of
//! `Self` in the return type).

use std::future::Future;
use std::mem;
use std::panic::{catch_unwind, Location};
use std::pin::Pin;

use wireframe_monitor::monitored_connection;

use crate::harness::{block_on, check, check_resume, counts, init, row};

#[monitored_connection]
async fn ref_mut_pattern((a, ref mut b): (u8, u8)) -> Option<u8> {
    tokio::task::yield_now().await;
    *b += a;
    Some(*b / a)
}

#[monitored_connection(on_panic = "resume")]
async fn never_async(n: u8) -> ! {
    tokio::task::yield_now().await;
    panic!("never {n}");
}

#[monitored_connection(on_panic = "resume")]
fn never_sync(message: &'static str) -> ! {
    panic!("{message}");
}

#[test]
fn ref_mut_pattern_and_never() {
    check(
        "ref_mut_pattern",
        || block_on(ref_mut_pattern((2, 4))),
        &Some(3),
        || block_on(ref_mut_pattern((0, 4))),
        &None,
    );
    init();
    let payload = catch_unwind(|| block_on(never_async(2))).expect_err("resumed");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("never 2")
    );
    assert_eq!(counts("never_async"), (1, 0, 1));
    let sync_payload = catch_unwind(|| never_sync("sync never")).expect_err("resumed");
    assert_eq!(
        sync_payload.downcast_ref::<String>().map(String::as_str),
        Some("sync never")
    );
    assert_eq!(counts("never_sync"), (1, 0, 1));
}

mod glob {
    use wireframe_monitor::monitored_connection;

    pub type Reply = Option<u8>;

    pub enum Kind {
        Reply,
        Other,
    }

    #[monitored_connection]
    pub async fn glob_shadow(other: bool) -> Reply {
        use Kind::{Other, Reply};
        let kind = if other { Other } else { Reply };
        tokio::task::yield_now().await;
        match kind {
            Reply => Some(1),
            Other => panic!("the other kind"),
        }
    }

    /// The same through a glob import.
    #[monitored_connection]
    pub async fn glob_import(other: bool) -> Reply {
        use Kind::*;
        let kind = if other { Other } else { Reply };
        tokio::task::yield_now().await;
        match kind {
            Reply => Some(1),
            Other => panic!("the other kind"),
        }
    }
}

#[test]
fn import_shadowing_the_return_type() {
    check(
        "glob_shadow",
        || block_on(glob::glob_shadow(false)),
        &Some(1),
        || block_on(glob::glob_shadow(true)),
        &None,
    );
    check(
        "glob_import",
        || block_on(glob::glob_import(false)),
        &Some(1),
        || block_on(glob::glob_import(true)),
        &None,
    );
}

#[monitored_connection]
fn first_mut(frames: &mut [u8]) -> Option<&mut u8> {
    assert!(!frames.is_empty(), "no frame");
    frames.first_mut()
}

#[monitored_connection]
#[expect(clippy::ptr_arg, reason = "the shape under test")]
fn first_mut_of_vec(frames: &mut Vec<u8>) -> Option<&mut u8> {
    assert!(!frames.is_empty(), "no frame");
    frames.first_mut()
}

struct Frames(Vec<u8>);

impl Frames {
    #[monitored_connection]
    fn last_mut(&mut self) -> Option<&mut u8> {
        assert!(!self.0.is_empty(), "no frame");
        self.0.last_mut()
    }

    #[monitored_connection]
    fn push_later(&mut self, frame: u8) -> impl Future<Output = Option<usize>> + '_ {
        let frames = &mut self.0;
        async move {
            assert!(frame != 0, "zero frame");
            frames.push(frame);
            Some(frames.len())
        }
    }

    /// A boxed future borrowing `&self` (tracing-attributes' `sync_fun`).
    #[monitored_connection]
    fn len_later(&self, fail: bool) -> Pin<Box<dyn Future<Output = Option<usize>> + Send + '_>> {
        Box::pin(async move {
            assert!(!fail, "asked to fail");
            Some(self.0.len())
        })
    }
}

#[test]
fn mutable_borrows_out_of_arguments_and_self() {
    let mut frames = [1, 2];
    check(
        "first_mut",
        || first_mut(&mut frames).copied(),
        &Some(1),
        || first_mut(&mut []).copied(),
        &None,
    );
    // A write through the returned borrow reaches the argument, or `self`.
    let mut vec = vec![1, 2];
    check(
        "first_mut_of_vec",
        || first_mut_of_vec(&mut vec).map(|first| mem::replace(first, 7)),
        &Some(1),
        || first_mut_of_vec(&mut Vec::new()).copied(),
        &None,
    );
    assert_eq!(vec, [7, 2]);
    let mut conn = Frames(vec![1, 2]);
    let mut empty = Frames(Vec::new());
    check(
        "last_mut",
        || conn.last_mut().map(|last| mem::replace(last, 9)),
        &Some(2),
        || empty.last_mut().copied(),
        &None,
    );
    assert_eq!(conn.0, [1, 9]);
    let (mut pushing, mut refused) = (Frames(vec![1, 2]), Frames(Vec::new()));
    check(
        "push_later",
        || block_on(pushing.push_later(3)),
        &Some(3),
        || block_on(refused.push_later(0)),
        &None,
    );
    assert_eq!(pushing.0, [1, 2, 3]);
    assert!(refused.0.is_empty(), "the panicking push pushed nothing");
    check(
        "len_later",
        || block_on(conn.len_later(false)),
        &Some(2),
        || block_on(conn.len_later(true)),
        &None,
    );
}

macro_rules! fragments {
    ($name:literal, $mode:expr, $label:literal, $future:ty) => {
        #[monitored_connection(name = $name, labels(via = $label), on_panic = $mode)]
        fn fragment_future(fail: bool) -> $future {
            async move {
                tokio::task::yield_now().await;
                assert!(!fail, "in the returned future");
                7
            }
        }
    };
}

fragments!(
    "fragment_future",
    "resume",
    "macro",
    impl Future<Output = u8>
);

/// Every option a `literal` fragment, or an `expr` one.
macro_rules! literal_and_expr_fragments {
    ($name:literal, $label:literal, $mode:literal, $objective:literal, $future:ty, $expr_name:expr, $expr_objective:expr) => {
        #[monitored_connection(name = $name, labels(via = $label), on_panic = $mode, objective = $objective)]
        fn via_literals(fail: bool) -> $future {
            async move {
                tokio::task::yield_now().await;
                assert!(!fail, "in the returned future");
                7
            }
        }

        #[monitored_connection(name = $expr_name, labels(via = $expr_name), objective = $expr_objective)]
        fn via_exprs(fail: bool) -> impl Future<Output = Option<u8>> {
            async move {
                assert!(!fail, "in the returned future");
                Some(8)
            }
        }
    };
}

literal_and_expr_fragments!(
    "via_literals",
    "literal",
    "resume",
    "99.9",
    impl Future<Output = u8>,
    "via_exprs",
    "99"
);

/// A `contain` handler whose return type is a `ty` fragment.
macro_rules! contained_fragment {
    ($future:ty) => {
        #[monitored_connection]
        fn contained_fragment(fail: bool) -> $future {
            async move {
                assert!(!fail, "in the returned future");
                Some(9)
            }
        }
    };
}

contained_fragment!(impl Future<Output = Option<u8>>);

#[test]
fn options_and_return_type_through_fragments() {
    check_resume(
        "fragment_future",
        || block_on(fragment_future(false)),
        &7,
        || block_on(fragment_future(true)),
        "in the returned future",
    );
    // The returned future is guarded: its panic is counted.
    check_resume(
        "via_literals",
        || block_on(via_literals(false)),
        &7,
        || block_on(via_literals(true)),
        "in the returned future",
    );
    assert_eq!(row("via_literals").labels(), [("via", "literal")]);
    assert_eq!(row("via_literals").objective(), Some(0.999));
    check(
        "via_exprs",
        || block_on(via_exprs(false)),
        &Some(8),
        || block_on(via_exprs(true)),
        &None,
    );
    assert_eq!(row("via_exprs").objective(), Some(0.99));
    check(
        "contained_fragment",
        || block_on(contained_fragment(false)),
        &Some(9),
        || block_on(contained_fragment(true)),
        &None,
    );
}

#[monitored_connection(peer = __wm_peer)]
#[allow(clippy::used_underscore_binding, reason = "the names are the point")]
fn generated_names(
    __wm_site: u8,
    __wm_body: u8,
    __wm_peer: Option<std::net::SocketAddr>,
    __wm_arg4: u8,
    (__wm_arg1, __wm_value): (u8, u8),
) -> Option<u8> {
    let _ = __wm_peer;
    Some(__wm_site + __wm_body / __wm_arg4 + __wm_arg1 + __wm_value)
}

#[monitored_connection]
#[allow(clippy::used_underscore_binding, reason = "the names are the point")]
async fn generated_names_async(
    __wm_site: u8,
    __wm_body: u8,
    __wm_fake_return: u8,
    (__wm_arg0, __wm_arg2): (u8, u8),
) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(__wm_site + __wm_body / __wm_fake_return + __wm_arg0 + __wm_arg2)
}

#[test]
fn arguments_named_like_generated_locals() {
    check(
        "generated_names",
        || generated_names(1, 4, None, 2, (3, 4)),
        &Some(10),
        || generated_names(1, 4, None, 0, (3, 4)),
        &None,
    );
    check(
        "generated_names_async",
        || block_on(generated_names_async(1, 4, 2, (3, 4))),
        &Some(10),
        || block_on(generated_names_async(1, 4, 0, (3, 4))),
        &None,
    );
}

/// `#[track_caller]` on a sync `resume` handler keeps its meaning: the body
/// runs inline, so `Location::caller()` and a panic's location are the
/// caller's.
#[monitored_connection(on_panic = "resume")]
#[track_caller]
fn track_caller_resume(fail: bool) -> &'static Location<'static> {
    assert!(!fail, "track_caller handler failed");
    Location::caller()
}

#[monitored_connection]
fn track_caller_outer() -> Option<u32> {
    Some(track_caller_resume(true).line())
}

#[test]
fn track_caller_location_is_the_callers_and_the_panic_counts_once() {
    init();
    let location = track_caller_resume(false);
    assert_eq!((location.file(), location.line()), (file!(), line!() - 1));

    let call_line = line!() + 1;
    let payload = catch_unwind(|| track_caller_resume(true)).expect_err("resumed");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"track_caller handler failed")
    );
    let inner = row("track_caller_resume");
    assert_eq!((inner.calls(), inner.active(), inner.panics()), (2, 0, 1));
    assert_eq!(inner.last_message(), Some("track_caller handler failed"));
    // The panic's location is the caller's, as without the attribute.
    let expected = format!("{}:{call_line}:", file!());
    let last = inner.last_location().unwrap();
    assert!(last.starts_with(&expected), "{last} vs {expected}");

    // Recorded once, also when an outer monitored handler catches it.
    assert_eq!(track_caller_outer(), None);
    assert_eq!(row("track_caller_resume").panics(), 2);
    assert_eq!(row("track_caller_outer").panics(), 0);
    assert_eq!(row("track_caller_outer").active(), 0);
}

/// tracing#1615: `impl Trait` inside an `async fn`'s output.
#[monitored_connection]
async fn nested_impl_trait(n: u8) -> Option<impl Iterator<Item = u8>> {
    tokio::task::yield_now().await;
    let limit = 10 / n;
    Some((0..10).filter(move |x| *x < limit))
}

/// tracing#2294: inner attributes of the body still apply to it.
#[deny(unused_variables)]
#[allow(clippy::mixed_attributes_style, reason = "the shape under test")]
#[monitored_connection]
async fn inner_attributes(n: u8) -> Option<u8> {
    #![allow(unused_variables)]
    let unused = 42;
    tokio::task::yield_now().await;
    Some(10 / n)
}

/// tracing#1613: the body's formatting is the user's.
#[monitored_connection]
#[rustfmt::skip]
#[deny(clippy::suspicious_else_formatting)]
fn else_formatting(n: u8) -> Option<&'static str> {
    Some(
        if 10 / n > 1 { "big" } else { "small" }
    )
}

#[test]
fn tracing_attributes_regressions() {
    check(
        "nested_impl_trait",
        || block_on(nested_impl_trait(2)).map(Iterator::count),
        &Some(5),
        || block_on(nested_impl_trait(0)).map(Iterator::count),
        &None,
    );
    check(
        "inner_attributes",
        || block_on(inner_attributes(5)),
        &Some(2),
        || block_on(inner_attributes(0)),
        &None,
    );
    check(
        "else_formatting",
        || else_formatting(2),
        &Some("big"),
        || else_formatting(0),
        &None,
    );
}

trait Codec {
    type Frame;

    fn decode(&self, bytes: &[u8]) -> Self::Frame;
}

struct Bytes;

impl Codec for Bytes {
    type Frame = u8;

    fn decode(&self, bytes: &[u8]) -> u8 {
        bytes[0]
    }
}

struct Decoder<C>(C);

impl<C: Codec + Sync> Decoder<C> {
    /// async-trait#1: a method generic unused in its body.
    #[monitored_connection]
    #[expect(clippy::extra_unused_type_parameters, reason = "the shape under test")]
    async fn unused_generic<U>(&self, bytes: Vec<u8>) -> Option<C::Frame> {
        tokio::task::yield_now().await;
        Some(self.0.decode(&bytes))
    }

    /// A projection of `Self`'s parameter in the return type.
    #[monitored_connection]
    fn projection(&self, bytes: &[u8]) -> Option<<C as Codec>::Frame> {
        Some(self.0.decode(bytes))
    }
}

#[test]
fn async_trait_regressions() {
    let decoder = Decoder(Bytes);
    check(
        "unused_generic",
        || block_on(decoder.unused_generic::<String>(vec![4])),
        &Some(4),
        || block_on(decoder.unused_generic::<String>(Vec::new())),
        &None,
    );
    check(
        "projection",
        || decoder.projection(&[5]),
        &Some(5),
        || decoder.projection(&[]),
        &None,
    );
}

/// clippy's `async_yields_async` does not fire on an `async fn`: not on
/// this one either.
#[monitored_connection(on_panic = "resume")]
async fn yields_ready(n: u8) -> std::future::Ready<u8> {
    tokio::task::yield_now().await;
    std::future::ready(10 / n)
}

#[expect(unsafe_code, reason = "the shape under test")]
mod raw {
    use wireframe_monitor::monitored_connection;

    /// # Safety
    ///
    /// `frame` must point to a readable byte unless `len == 0`.
    #[monitored_connection]
    pub(super) async unsafe fn async_unsafe(frame: *const u8, len: usize) -> Option<u8> {
        assert!(len > 0, "empty frame");
        // SAFETY: the caller promises a readable byte.
        Some(unsafe { *frame })
    }

    pub(super) fn call(frame: &[u8]) -> Option<u8> {
        // SAFETY: `frame` has `frame.len()` readable bytes.
        crate::harness::block_on(unsafe { async_unsafe(frame.as_ptr(), frame.len()) })
    }
}

#[test]
fn ready_output_and_async_unsafe() {
    check_resume(
        "yields_ready",
        || block_on(async { yields_ready(5).await.await }),
        &2,
        || block_on(async { yields_ready(0).await.await }),
        "attempt to divide by zero",
    );
    check(
        "async_unsafe",
        || raw::call(&[6]),
        &Some(6),
        || raw::call(&[]),
        &None,
    );
}

struct Pair(u8, u8);

/// A pattern through `&mut`, returning a borrow of the destructured field.
#[monitored_connection]
fn field_mut(Pair(first, second): &mut Pair) -> Option<&mut u8> {
    assert!(*second != 0, "zero");
    Some(first)
}

#[test]
fn pattern_through_a_mut_reference_returning_a_borrow() {
    let (mut pair, mut zero) = (Pair(1, 2), Pair(1, 0));
    check(
        "field_mut",
        || field_mut(&mut pair).map(|first| *first),
        &Some(1),
        || field_mut(&mut zero).map(|first| *first),
        &None,
    );
    *field_mut(&mut pair).unwrap() = 9;
    assert_eq!((pair.0, pair.1), (9, 2));
}
