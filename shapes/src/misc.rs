//! Signatures and spellings: lifetimes tied to arguments, `impl Trait` in
//! argument and return position, generics, `macro_rules!`-generated
//! handlers, raw identifiers, recursion through `Box::pin`, `?` across
//! error types, `#[cfg]` on parameters, `extern "C"`, `resume` and `-> !`,
//! and a module under `#![no_implicit_prelude]`.

use std::future::Future;
use std::pin::Pin;

use wireframe_monitor::{monitored_connection, ConnectionPanic};

use crate::harness::{block_on, check, check_resume};

#[monitored_connection]
fn borrowed<'a>(frame: &'a [u8], _other: &[u8]) -> Option<&'a u8> {
    Some(&frame[0])
}

#[monitored_connection]
async fn borrowed_async<'a>(frame: &'a [u8], _other: &[u8]) -> Option<&'a u8> {
    tokio::task::yield_now().await;
    Some(&frame[0])
}

#[test]
fn lifetimes_tied_to_arguments() {
    let (frame, empty) = ([7u8], [0u8; 0]);
    check(
        "borrowed",
        || borrowed(&frame, &[]),
        &Some(&7),
        || borrowed(&empty, &[]),
        &None,
    );
    check(
        "borrowed_async",
        || block_on(borrowed_async(&frame, &[])),
        &Some(&7),
        || block_on(borrowed_async(&empty, &[])),
        &None,
    );
}

#[monitored_connection]
fn impl_arg(frames: impl IntoIterator<Item = u8>) -> Option<u8> {
    Some(frames.into_iter().next().expect("no frame"))
}

#[monitored_connection]
async fn impl_arg_async(frames: impl IntoIterator<Item = u8> + Send) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(frames.into_iter().next().expect("no frame"))
}

#[monitored_connection(on_panic = "resume")]
fn impl_return(n: u8) -> impl Iterator<Item = u8> {
    assert!(n != 0, "zero");
    0..n
}

#[monitored_connection]
fn generic<T: Copy + Default + PartialEq, const N: usize>(frames: [T; N]) -> Option<T> {
    assert!(frames[0] != T::default(), "default");
    Some(frames[0])
}

#[test]
fn impl_trait_and_generics() {
    check(
        "impl_arg",
        || impl_arg([1]),
        &Some(1),
        || impl_arg([]),
        &None,
    );
    check(
        "impl_arg_async",
        || block_on(impl_arg_async(vec![2])),
        &Some(2),
        || block_on(impl_arg_async(Vec::new())),
        &None,
    );
    check_resume(
        "impl_return",
        || impl_return(3).sum::<u8>(),
        &3,
        || impl_return(0).sum::<u8>(),
        "zero",
    );
    check(
        "generic",
        || generic([4u16, 5]),
        &Some(4),
        || generic([0u16]),
        &None,
    );
}

macro_rules! handler {
    ($name:ident, $label:literal, $arg:ident, $ret:ty, $($body:tt)*) => {
        #[monitored_connection(name = $label)]
        fn $name($arg: u8) -> $ret {
            $($body)*
        }
    };
}

handler!(generated, "macro_generated", n, Option<u8>, Some(10 / n));
handler!(
    generated_future,
    "macro_generated_future",
    n,
    impl Future<Output = Option<u8>>,
    async move { Some(10 / n) }
);

#[test]
fn macro_rules_generated_handlers() {
    check(
        "macro_generated",
        || generated(2),
        &Some(5),
        || generated(0),
        &None,
    );
    check(
        "macro_generated_future",
        || block_on(generated_future(5)),
        &Some(2),
        || block_on(generated_future(0)),
        &None,
    );
}

#[monitored_connection]
fn r#match(r#type: u8, r#in: u8) -> Option<u8> {
    Some(r#type / r#in)
}

#[monitored_connection]
async fn r#async(r#type: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(10 / r#type)
}

#[test]
fn raw_identifiers() {
    check("match", || r#match(6, 3), &Some(2), || r#match(6, 0), &None);
    check(
        "async",
        || block_on(r#async(5)),
        &Some(2),
        || block_on(r#async(0)),
        &None,
    );
}

#[monitored_connection]
fn countdown(n: u8) -> Pin<Box<dyn Future<Output = Option<u8>> + Send>> {
    Box::pin(async move {
        assert!(n != 5, "five");
        if n == 0 {
            return Some(0);
        }
        countdown(n - 1).await.map(|depth| depth + 1)
    })
}

#[test]
fn recursion_through_box_pin() {
    init_count("countdown", || block_on(countdown(3)), &Some(3), 4);
    // Each level is a call; level 5 panics (one panic), 7 and 6 see its
    // fallback.
    assert_eq!(block_on(countdown(7)), None);
    let (calls, active, panics) = crate::harness::counts("countdown");
    assert_eq!((calls, active, panics), (4 + 3, 0, 1));
}

/// Runs `f`, checks its value and that `handler` counted `calls` calls.
fn init_count<T: PartialEq + std::fmt::Debug>(
    handler: &str,
    f: impl FnOnce() -> T,
    want: &T,
    calls: u64,
) {
    crate::harness::init();
    assert_eq!(&f(), want);
    assert_eq!(crate::harness::counts(handler), (calls, 0, 0));
}

#[derive(Debug)]
enum AppError {
    Parse,
    Panicked,
}

impl From<std::num::ParseIntError> for AppError {
    fn from(_: std::num::ParseIntError) -> Self {
        Self::Parse
    }
}

impl From<ConnectionPanic> for AppError {
    fn from(_: ConnectionPanic) -> Self {
        Self::Panicked
    }
}

#[monitored_connection]
fn try_across(text: &str) -> Result<u8, AppError> {
    let n: u8 = text.parse()?;
    Ok(10 / n)
}

#[monitored_connection]
async fn try_across_async(text: String) -> Result<u8, AppError> {
    tokio::task::yield_now().await;
    let n: u8 = text.parse()?;
    Ok(10 / n)
}

#[test]
fn question_mark_across_error_types() {
    let kind = |r: Result<u8, AppError>| match r {
        Ok(n) => format!("ok {n}"),
        Err(AppError::Parse) => "parse".to_owned(),
        Err(AppError::Panicked) => "panicked".to_owned(),
    };
    check(
        "try_across",
        || kind(try_across("5")),
        &"ok 2".to_owned(),
        || kind(try_across("0")),
        &"panicked".to_owned(),
    );
    check(
        "try_across_async",
        || kind(block_on(try_across_async("5".into()))),
        &"ok 2".to_owned(),
        || kind(block_on(try_across_async("0".into()))),
        &"panicked".to_owned(),
    );
    assert_eq!(kind(try_across("x")), "parse");
    assert_eq!(kind(block_on(try_across_async("x".into()))), "parse");
}

#[monitored_connection]
fn cfg_param(#[cfg(not(test))] removed: u8, #[cfg(test)] kept: u8) -> Option<u8> {
    Some(10 / kept)
}

#[monitored_connection]
async fn cfg_param_async(#[cfg(not(test))] removed: u8, #[cfg(test)] kept: u8) -> Option<u8> {
    tokio::task::yield_now().await;
    Some(10 / kept)
}

#[test]
fn cfg_on_parameters() {
    check(
        "cfg_param",
        || cfg_param(5),
        &Some(2),
        || cfg_param(0),
        &None,
    );
    check(
        "cfg_param_async",
        || block_on(cfg_param_async(5)),
        &Some(2),
        || block_on(cfg_param_async(0)),
        &None,
    );
}

static DIGITS: [u8; 11] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/// `Option<&u8>` is FFI-safe (a nullable pointer).
#[monitored_connection]
extern "C" fn extern_c(n: u8) -> Option<&'static u8> {
    Some(&DIGITS[usize::from(10 / n)])
}

#[test]
fn extern_c_fn() {
    // The guard contains the panic before it reaches the `extern "C"` edge.
    check("extern_c", || extern_c(5), &Some(&2), || extern_c(0), &None);
}

#[monitored_connection(on_panic = "resume")]
fn resumed(n: u8) -> u8 {
    assert!(n != 0, "zero");
    n
}

#[monitored_connection(on_panic = "resume")]
async fn resumed_async(n: u8) -> u8 {
    tokio::task::yield_now().await;
    assert!(n != 0, "zero");
    n
}

#[monitored_connection(on_panic = "resume")]
fn never(n: u8) -> ! {
    panic!("never {n}");
}

#[test]
fn resumed_shapes() {
    check_resume("resumed", || resumed(1), &1, || resumed(0), "zero");
    check_resume(
        "resumed_async",
        || block_on(resumed_async(1)),
        &1,
        || block_on(resumed_async(0)),
        "zero",
    );
    crate::harness::init();
    let payload = std::panic::catch_unwind(|| never(3)).expect_err("resumed");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("never 3")
    );
    assert_eq!(crate::harness::counts("never"), (1, 0, 1));
}

mod no_prelude {
    #![no_implicit_prelude]

    use ::wireframe_monitor::monitored_connection;

    #[monitored_connection]
    pub(super) fn bare(n: u8) -> ::core::option::Option<u8> {
        ::core::option::Option::Some(10 / n)
    }

    #[monitored_connection]
    pub(super) async fn bare_async(n: u8) -> ::core::option::Option<u8> {
        ::core::option::Option::Some(10 / n)
    }
}

#[test]
fn no_implicit_prelude() {
    check(
        "bare",
        || no_prelude::bare(5),
        &Some(2),
        || no_prelude::bare(0),
        &None,
    );
    check(
        "bare_async",
        || block_on(no_prelude::bare_async(5)),
        &Some(2),
        || block_on(no_prelude::bare_async(0)),
        &None,
    );
}
