//! `wireframe_monitor::tower::MonitorLayer` in a real tower stack
//! (`ServiceBuilder`, `Timeout` around it) counts calls, `active` and
//! panics under the handler's name and labels; a panic in `call` or in the
//! response future becomes the service's error, a response the closure
//! builds, or goes on unwinding (`resume`); a timeout is a cancellation,
//! not a panic.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::{Context, Poll};
use std::time::Duration;

use tower::timeout::error::Elapsed;
use tower::{BoxError, Layer, Service, ServiceBuilder, ServiceExt, service_fn};
use wireframe_monitor::names::PANICS_TOTAL;
use wireframe_monitor::tower::MonitorLayer;
use wireframe_monitor::{ConnectionPanic, MonitoredHandler};
use wireframe_monitor_tests::recorded;

use crate::support::{self, block_on, row};

/// Doubles its request; panics on 0 (in the response future).
async fn double(n: u32) -> Result<u32, BoxError> {
    tokio::task::yield_now().await;
    assert!(n != 0, "zero");
    Ok(n * 2)
}

/// A service whose `call` itself panics on 0 (before any future exists).
#[derive(Clone)]
struct EagerPanics;

impl Service<u32> for EagerPanics {
    type Response = u32;
    type Error = BoxError;
    type Future = Ready<Result<u32, BoxError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, n: u32) -> Self::Future {
        assert!(n != 0, "zero in call");
        ready(Ok(n + 1))
    }
}

fn panic_of(err: &BoxError) -> &ConnectionPanic {
    err.downcast_ref::<ConnectionPanic>()
        .expect("the error is the ConnectionPanic")
}

#[test]
fn a_panic_in_the_response_future_or_in_call_becomes_the_error() {
    let _shared = support::shared();
    let handler = MonitoredHandler::new("tower_future", [("stack", "timeout")]).unwrap();
    let ((), samples) = recorded(|| {
        block_on(async {
            let mut service = ServiceBuilder::new()
                .timeout(Duration::from_secs(5))
                .layer(MonitorLayer::new(handler))
                .service(service_fn(double));
            assert_eq!(service.ready().await.unwrap().call(21).await.unwrap(), 42);
            let err = service.ready().await.unwrap().call(0).await.unwrap_err();
            assert_eq!(panic_of(&err).handler(), "tower_future");
            assert_eq!(panic_of(&err).message(), Some("zero"));
            assert_eq!(service.ready().await.unwrap().call(1).await.unwrap(), 2);
        });
    });
    assert_eq!(samples.counter(PANICS_TOTAL, "tower_future"), Some(1));
    let stats = row("tower_future").unwrap();
    assert_eq!((stats.calls(), stats.active(), stats.panics()), (3, 0, 1));
    assert_eq!(stats.labels(), &[("stack", "timeout")]);

    let eager = MonitoredHandler::named("tower_call").unwrap();
    block_on(async {
        let service = ServiceBuilder::new()
            .timeout(Duration::from_secs(5))
            .layer(MonitorLayer::new(eager))
            .service(EagerPanics);
        assert_eq!(service.clone().oneshot(1).await.unwrap(), 2);
        let err = service.clone().oneshot(0).await.unwrap_err();
        assert_eq!(panic_of(&err).message(), Some("zero in call"));
    });
    let row = row("tower_call").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (2, 0, 1));
}

#[test]
fn a_timeout_is_a_cancellation_not_a_panic() {
    let _shared = support::shared();
    let handler = MonitoredHandler::named("tower_timeout").unwrap();
    block_on(async {
        let (started, wait) = tokio::sync::oneshot::channel::<()>();
        let mut started = Some(started);
        let slow = service_fn(move |(): ()| {
            let started = started.take();
            async move {
                if let Some(started) = started {
                    let _ = started.send(());
                }
                // Bounded: the timeout below ends it long before.
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok::<_, BoxError>(())
            }
        });
        let service = ServiceBuilder::new()
            .timeout(Duration::from_millis(20))
            .layer(MonitorLayer::new(handler))
            .service(slow);
        let call = tokio::spawn(service.oneshot(()));
        wait.await.unwrap();
        assert_eq!(row("tower_timeout").unwrap().active(), 1);
        let err = call.await.unwrap().unwrap_err();
        assert!(err.is::<Elapsed>(), "{err}");
    });
    let row = row("tower_timeout").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (1, 0, 0));
}

#[test]
fn respond_with_builds_a_response_and_resume_re_raises() {
    let _shared = support::shared();
    let handler = MonitoredHandler::named("tower_respond").unwrap();
    let status = |code: u16| async move {
        assert!(code != 500, "internal");
        Ok::<_, Infallible>(code)
    };
    let service = MonitorLayer::new(handler)
        .respond_with(|panic: ConnectionPanic| match panic.message() {
            Some("internal") => 599,
            _ => 598,
        })
        .layer(service_fn(status));
    assert_eq!(block_on(service.clone().oneshot(200)), Ok(200));
    assert_eq!(block_on(service.oneshot(500)), Ok(599));

    let handler = MonitoredHandler::named("tower_resume").unwrap();
    let service = MonitorLayer::new(handler)
        .resume()
        .layer(service_fn(double));
    let unwound = catch_unwind(AssertUnwindSafe(|| block_on(service.oneshot(0))));
    assert_eq!(unwound.unwrap_err().downcast_ref::<&str>(), Some(&"zero"));
    assert_eq!(row("tower_respond").unwrap().panics(), 1);
    let row = row("tower_resume").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (1, 0, 1));
}
