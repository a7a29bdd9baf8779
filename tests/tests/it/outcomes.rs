//! What a caller gets back: `contain` returns the fallback (unit, `None`,
//! `Err` holding a `ConnectionPanic`, a user type); `resume` re-raises the
//! very payload (`&str`, `String`, a struct, `()`).

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};

use wireframe_monitor::{ConnectionPanic, PanicFallback, PayloadKind, monitored_connection};

use crate::support::{self, block_on, row};

#[monitored_connection(name = "contain_unit")]
fn unit(fail: bool) {
    assert!(!fail, "unit failed");
}

#[test]
fn contain_unit_returns_unit() {
    let _shared = support::shared();
    unit(false);
    unit(true);
    assert_eq!(row("contain_unit").unwrap().panics(), 1);
}

#[monitored_connection(name = "contain_option")]
fn option(n: u8) -> Option<u8> {
    Some(10 / n)
}

#[test]
fn contain_option_returns_none() {
    let _shared = support::shared();
    assert_eq!(option(5), Some(2));
    assert_eq!(option(0), None);
}

#[monitored_connection(name = "contain_io", labels(kind = "io"))]
fn io_result(frame: &[u8]) -> std::io::Result<u8> {
    if frame.is_empty() {
        return Err(std::io::Error::other("empty"));
    }
    assert!(frame[0] != 0xff, "poison frame {:#x}", frame[0]);
    Ok(frame[0])
}

#[test]
fn contain_io_result_returns_connection_panic_inside_io_error() {
    let _shared = support::shared();
    assert_eq!(io_result(&[1]).unwrap(), 1);
    // An ordinary error passes through untouched.
    assert_eq!(io_result(&[]).unwrap_err().to_string(), "empty");
    let err = io_result(&[0xff]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::Other);
    let panic = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<ConnectionPanic>())
        .expect("a ConnectionPanic inside the io::Error");
    assert_eq!(panic.handler(), "contain_io");
    assert_eq!(panic.message(), Some("poison frame 0xff"));
    assert_eq!(panic.payload_kind(), PayloadKind::String);
    let location = panic.location().expect("install() captures locations");
    assert!(location.contains("outcomes.rs:"), "{location}");
    // What a server writes back to its client names the handler only.
    assert_eq!(err.to_string(), "connection handler `contain_io` panicked");
    assert_eq!(
        panic.to_string(),
        "connection handler `contain_io` panicked"
    );
    // The details only when asked for, in the alternate form.
    let detailed = format!("{err:#}");
    assert!(
        detailed.starts_with("connection handler `contain_io` panicked at ")
            && detailed.contains("outcomes.rs:")
            && detailed.ends_with(": poison frame 0xff"),
        "{detailed}"
    );
    assert_eq!(format!("{panic:#}"), detailed);
    let row = row("contain_io").unwrap();
    assert_eq!((row.calls(), row.panics()), (3, 1));
}

#[derive(Debug)]
enum AppError {
    Panicked(ConnectionPanic),
}

impl From<ConnectionPanic> for AppError {
    fn from(panic: ConnectionPanic) -> Self {
        Self::Panicked(panic)
    }
}

#[monitored_connection(name = "contain_app_error")]
async fn app(frame: Vec<u8>) -> Result<u8, AppError> {
    tokio::task::yield_now().await;
    Ok(frame[1])
}

#[test]
fn contain_user_error_type_receives_the_panic() {
    let _shared = support::shared();
    let AppError::Panicked(panic) = block_on(app(vec![1])).unwrap_err();
    assert_eq!(panic.handler(), "contain_app_error");
    let message = panic.message().expect("a message");
    assert!(message.contains("index out of bounds"), "{message}");
}

#[derive(Debug, PartialEq)]
enum Reply {
    Data(u8),
    InternalError(&'static str),
}

impl PanicFallback for Reply {
    fn from_panic(panic: ConnectionPanic) -> Self {
        Reply::InternalError(panic.handler())
    }
}

#[monitored_connection(name = "contain_reply")]
fn reply(frame: &[u8]) -> Reply {
    Reply::Data(frame[0])
}

#[test]
fn contain_user_fallback_type_is_built_by_from_panic() {
    let _shared = support::shared();
    assert_eq!(reply(&[4]), Reply::Data(4));
    assert_eq!(reply(&[]), Reply::InternalError("contain_reply"));
}

#[derive(Debug, PartialEq)]
struct Custom {
    code: u32,
}

#[monitored_connection(name = "resume_payloads", on_panic = "resume")]
fn resume(kind: u8) -> u8 {
    match kind {
        0 => panic!("literal payload"),
        1 => panic!("formatted payload {kind}"),
        2 => panic_any(Custom { code: 42 }),
        3 => panic_any(()),
        _ => kind,
    }
}

fn caught(kind: u8) -> Box<dyn Any + Send> {
    catch_unwind(AssertUnwindSafe(|| resume(kind))).expect_err("resumed")
}

#[test]
fn resume_reraises_the_same_payload() {
    let _shared = support::shared();
    assert_eq!(resume(9), 9);
    assert_eq!(caught(0).downcast_ref::<&str>(), Some(&"literal payload"));
    assert_eq!(
        caught(1).downcast_ref::<String>().map(String::as_str),
        Some("formatted payload 1")
    );
    assert_eq!(
        caught(2).downcast_ref::<Custom>(),
        Some(&Custom { code: 42 })
    );
    assert!(caught(3).downcast_ref::<()>().is_some());
    let row = row("resume_payloads").unwrap();
    assert_eq!(
        (row.calls(), row.active(), row.panics()),
        (5, 0, 4),
        "{row}"
    );
}

#[monitored_connection(name = "resume_async_payload", on_panic = "resume")]
async fn resume_async(code: u32) {
    tokio::task::yield_now().await;
    panic_any(Custom { code });
}

#[test]
fn resume_async_reraises_the_same_payload() {
    let _shared = support::shared();
    let payload = catch_unwind(|| block_on(resume_async(7))).expect_err("resumed");
    assert_eq!(payload.downcast_ref::<Custom>(), Some(&Custom { code: 7 }));
    assert_eq!(row("resume_async_payload").unwrap().panics(), 1);
}

#[monitored_connection(name = "contain_forwarded")]
fn forwarded(payload: Box<dyn Any + Send>) -> Option<()> {
    // Re-raises a panic caught elsewhere (say, a worker's `JoinError`):
    // `resume_unwind` runs no panic hook, so no location is known for it.
    std::panic::resume_unwind(payload);
}

#[test]
fn a_forwarded_panic_does_not_get_a_stale_location() {
    let _shared = support::shared();
    // An unrelated, earlier panic on this thread, outside any handler.
    let earlier = catch_unwind(|| panic!("earlier, elsewhere")).expect_err("a panic");
    drop(earlier);
    let worker = std::thread::spawn(|| panic_any(Custom { code: 1 }))
        .join()
        .expect_err("the worker panicked");
    assert_eq!(forwarded(worker), None);
    let row = row("contain_forwarded").unwrap();
    assert_eq!(row.panics(), 1);
    assert_eq!(
        row.last_location(),
        None,
        "the location of the earlier panic on this thread was reported"
    );
}
