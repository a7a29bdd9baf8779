//! Shapes that once broke under the attribute (issue 9, point 2): each must
//! compile and behave as the same function without it. Each test calls its
//! handler on the happy path and makes it panic, and checks the count.

use std::future::Future;
use std::panic::catch_unwind;

use wireframe_monitor::monitored_connection;

use crate::support::{self, block_on, row};

/// `(calls, active, panics)` of `handler`.
fn counts(handler: &str) -> (u64, u64, u64) {
    let row = row(handler).expect("a snapshot row");
    (row.calls(), row.active(), row.panics())
}

// `ref mut` inside a pattern argument of an `async fn`.

#[monitored_connection(name = "break_ref_mut")]
async fn ref_mut_pattern((a, ref mut b): (u8, u8)) -> Option<u8> {
    tokio::task::yield_now().await;
    *b += a;
    Some(*b / a)
}

#[test]
fn ref_mut_binding_in_an_async_pattern_argument() {
    let _shared = support::shared();
    assert_eq!(block_on(ref_mut_pattern((2, 4))), Some(3));
    assert_eq!(block_on(ref_mut_pattern((0, 4))), None);
    assert_eq!(counts("break_ref_mut"), (2, 0, 1));
}

// `-> !` with `on_panic = "resume"`.

#[monitored_connection(name = "break_never_async", on_panic = "resume")]
async fn never_async(message: &'static str) -> ! {
    tokio::task::yield_now().await;
    panic!("{message}");
}

#[monitored_connection(name = "break_never_sync", on_panic = "resume")]
fn never_sync(message: &'static str) -> ! {
    panic!("{message}");
}

#[test]
fn never_returning_handlers_resume_the_panic() {
    let _shared = support::shared();
    let payload = catch_unwind(|| block_on(never_async("async never"))).unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "async never");
    let payload = catch_unwind(|| never_sync("sync never")).unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "sync never");
    assert_eq!(counts("break_never_async"), (1, 0, 1));
    assert_eq!(counts("break_never_sync"), (1, 0, 1));
}

// A glob import in the body shadows the name of the return type.

mod glob {
    use wireframe_monitor::monitored_connection;

    pub type Reply = Option<u8>;

    pub enum Kind {
        Reply,
        Other,
    }

    #[monitored_connection(name = "break_glob")]
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
fn a_glob_import_shadowing_the_return_type() {
    let _shared = support::shared();
    assert_eq!(block_on(glob::glob_import(false)), Some(1));
    assert_eq!(block_on(glob::glob_import(true)), None);
    assert_eq!(counts("break_glob"), (2, 0, 1));
}

// A sync fn returning a `&mut` borrowed from an argument or `&mut self`.

#[monitored_connection(name = "break_first_mut")]
#[expect(clippy::ptr_arg, reason = "the shape of the issue's example")]
fn first_mut(frames: &mut Vec<u8>) -> Option<&mut u8> {
    assert!(!frames.is_empty(), "no frame");
    frames.first_mut()
}

struct Frames(Vec<u8>);

impl Frames {
    #[monitored_connection(name = "break_self_mut")]
    fn last_mut(&mut self) -> Option<&mut u8> {
        assert!(!self.0.is_empty(), "no frame");
        self.0.last_mut()
    }

    // The body borrows `&mut self.0` before its `async move` block.
    #[monitored_connection(name = "break_future_borrow")]
    fn push(&mut self, frame: u8) -> impl Future<Output = Option<usize>> + '_ {
        let frames = &mut self.0;
        async move {
            assert!(frame != 0, "zero frame");
            frames.push(frame);
            Some(frames.len())
        }
    }
}

#[test]
fn returning_a_mut_borrow_of_an_argument_or_of_self() {
    let _shared = support::shared();
    let mut frames = vec![1, 2];
    *first_mut(&mut frames).unwrap() = 7;
    assert_eq!(frames, [7, 2]);
    assert_eq!(first_mut(&mut Vec::new()), None);
    assert_eq!(counts("break_first_mut"), (2, 0, 1));

    let mut conn = Frames(vec![1, 2]);
    *conn.last_mut().unwrap() = 9;
    assert_eq!(conn.0, [1, 9]);
    assert_eq!(Frames(Vec::new()).last_mut(), None);
    assert_eq!(counts("break_self_mut"), (2, 0, 1));

    assert_eq!(block_on(conn.push(3)), Some(3));
    assert_eq!(block_on(conn.push(0)), None);
    assert_eq!(conn.0, [1, 9, 3]);
    assert_eq!(counts("break_future_borrow"), (2, 0, 1));
}

// Options and the return type written through `macro_rules!` fragments.

macro_rules! handlers {
    ($name:literal, $label:literal, $mode:literal, $future:ty, $expr_name:expr) => {
        #[monitored_connection(name = $name, labels(via = $label), on_panic = $mode)]
        fn via_literals(fail: bool) -> $future {
            async move {
                tokio::task::yield_now().await;
                assert!(!fail, "in the returned future");
                7
            }
        }

        #[monitored_connection(name = $expr_name, labels(via = $expr_name))]
        fn via_exprs(fail: bool) -> impl Future<Output = Option<u8>> {
            async move {
                assert!(!fail, "in the returned future");
                Some(8)
            }
        }
    };
}

handlers!(
    "break_macro_literal",
    "literal",
    "resume",
    impl Future<Output = u8>,
    "break_macro_expr"
);

macro_rules! contained {
    ($future:ty) => {
        #[monitored_connection(name = "break_macro_contain")]
        fn contained(fail: bool) -> $future {
            async move {
                assert!(!fail, "in the returned future");
                Some(9)
            }
        }
    };
}

contained!(impl Future<Output = Option<u8>>);

#[test]
fn options_and_return_types_through_macro_fragments() {
    let _shared = support::shared();
    assert_eq!(block_on(via_literals(false)), 7);
    assert!(catch_unwind(|| block_on(via_literals(true))).is_err());
    // The returned future is guarded: its panic is counted.
    assert_eq!(counts("break_macro_literal"), (2, 0, 1));
    let row = row("break_macro_literal").unwrap();
    assert_eq!(row.labels(), [("via", "literal")]);

    assert_eq!(block_on(via_exprs(false)), Some(8));
    assert_eq!(block_on(via_exprs(true)), None);
    assert_eq!(counts("break_macro_expr"), (2, 0, 1));

    assert_eq!(block_on(contained(false)), Some(9));
    assert_eq!(block_on(contained(true)), None);
    assert_eq!(counts("break_macro_contain"), (2, 0, 1));
}

// Arguments named like the expansion's locals.

#[monitored_connection(name = "break_names", peer = __wm_peer)]
#[allow(clippy::used_underscore_binding, reason = "the names are the point")]
fn names(
    __wm_site: u8,
    __wm_body: u8,
    __wm_peer: Option<std::net::SocketAddr>,
    __wm_arg4: u8,
    (__wm_arg1, __wm_value): (u8, u8),
) -> Option<u8> {
    let _ = __wm_peer;
    Some(__wm_site + __wm_body / __wm_arg4 + __wm_arg1 + __wm_value)
}

#[monitored_connection(name = "break_names_async")]
#[allow(clippy::used_underscore_binding, reason = "the names are the point")]
async fn names_async(
    __wm_site: u8,
    __wm_body: u8,
    __wm_fake_return: u8,
    (__wm_arg0, __wm_arg2): (u8, u8),
) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(__wm_site + __wm_body / __wm_fake_return + __wm_arg0 + __wm_arg2)
}

#[test]
fn arguments_named_like_the_expansions_locals() {
    let _shared = support::shared();
    assert_eq!(names(1, 4, None, 2, (3, 4)), Some(10));
    assert_eq!(names(1, 4, None, 0, (3, 4)), None);
    assert_eq!(counts("break_names"), (2, 0, 1));
    assert_eq!(block_on(names_async(1, 4, 2, (3, 4))), Some(10));
    assert_eq!(block_on(names_async(1, 4, 0, (3, 4))), None);
    assert_eq!(counts("break_names_async"), (2, 0, 1));
}

mod track_caller {
    //! `#[track_caller]` on a sync `resume` handler keeps its meaning: the
    //! body runs inline, `Location::caller()` is the caller's, a panic's
    //! location is the caller's, and the panic is recorded once, also when
    //! an outer monitored handler catches it.

    use std::panic::{Location, catch_unwind};

    use wireframe_monitor::monitored_connection;

    use crate::support::{self, row};

    #[monitored_connection(name = "breakages_track_caller", on_panic = "resume")]
    #[track_caller]
    fn called_from(fail: bool) -> &'static Location<'static> {
        assert!(!fail, "track_caller handler failed");
        Location::caller()
    }

    #[monitored_connection(name = "breakages_track_caller_outer")]
    fn outer() -> Option<u32> {
        Some(called_from(true).line())
    }

    #[test]
    fn location_is_the_callers_and_the_panic_counts_once() {
        let _shared = support::shared();
        let location = called_from(false);
        assert_eq!((location.file(), location.line()), (file!(), line!() - 1));

        let call_line = line!() + 1;
        let payload = catch_unwind(|| called_from(true)).expect_err("resumed");
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"track_caller handler failed")
        );
        let inner = row("breakages_track_caller").unwrap();
        assert_eq!((inner.calls(), inner.active(), inner.panics()), (2, 0, 1));
        assert_eq!(inner.last_message(), Some("track_caller handler failed"));
        // The panic's location is the caller's, as without the attribute.
        let expected = format!("{}:{call_line}:", file!());
        let last = inner.last_location().unwrap();
        assert!(last.starts_with(&expected), "{last} vs {expected}");

        assert_eq!(outer(), None);
        assert_eq!(row("breakages_track_caller").unwrap().panics(), 2);
        assert_eq!(row("breakages_track_caller_outer").unwrap().panics(), 0);
        assert_eq!(row("breakages_track_caller_outer").unwrap().active(), 0);
    }
}
