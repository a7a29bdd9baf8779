//! `RouteMonitor` against a real wireframe 0.3 server on loopback: a
//! panicking route answers the chosen error frame (or the empty default),
//! the same connection serves the next frame, counts are exact per route;
//! `resume`, and an app without the middleware, close the connection;
//! route objectives are published per route.
//!
//! Each test uses its own route ids and names (the registry is per
//! process) and runs on a current-thread runtime, so the server's
//! connection task runs on the test's thread and a thread-local
//! `DebuggingRecorder` sees the metrics it records.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wireframe::app::{Envelope, Packet, WireframeApp};
use wireframe::client::{ClientError, WireframeClient};
use wireframe::correlation::CorrelatableFrame;
use wireframe::serializer::BincodeSerializer;
use wireframe::server::{ServerError, WireframeServer};
use wireframe_monitor::names::PANICS_TOTAL;
use wireframe_monitor_wireframe::RouteMonitor;

type App = WireframeApp<BincodeSerializer, (), Envelope>;
type Client = WireframeClient<
    BincodeSerializer,
    wireframe::rewind_stream::RewindStream<tokio::net::TcpStream>,
    (),
>;

const PANIC: &[u8] = b"panic";
const TIMEOUT: Duration = Duration::from_secs(5);

/// A route handler that panics on [`PANIC`]; wireframe echoes the rest.
fn route(envelope: &Envelope) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    let payload = envelope.payload_bytes().to_vec();
    Box::pin(async move {
        tokio::task::yield_now().await;
        assert!(payload != PANIC, "route refused the frame");
    })
}

fn app(routes: &[u32], monitor: Option<&RouteMonitor>) -> App {
    let mut app = App::new().unwrap();
    for &id in routes {
        app = app.route(id, Arc::new(route)).unwrap();
    }
    match monitor {
        Some(monitor) => app.wrap(monitor.clone()).unwrap(),
        None => app,
    }
}

struct Server {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl Server {
    fn start(routes: &'static [u32], monitor: Option<RouteMonitor>) -> Self {
        let factory = move || app(routes, monitor.as_ref());
        let server = WireframeServer::new(factory)
            .workers(1)
            .bind("127.0.0.1:0".parse().unwrap())
            .unwrap();
        let addr = server.local_addr().unwrap();
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run_with_shutdown(async {
            let _ = signal.await;
        }));
        Self {
            addr,
            shutdown,
            task,
        }
    }

    async fn client(&self) -> Client {
        WireframeClient::builder().connect(self.addr).await.unwrap()
    }

    async fn stop(self) {
        let _ = self.shutdown.send(());
        let stopped = tokio::time::timeout(TIMEOUT, self.task).await;
        stopped.expect("stops within 5 s").unwrap().unwrap();
    }
}

async fn call(client: &mut Client, route: u32, payload: &[u8]) -> Result<Envelope, ClientError> {
    let request = Envelope::new(route, None, payload.to_vec());
    tokio::time::timeout(TIMEOUT, client.call_correlated(request))
        .await
        .expect("the server answers or closes within 5 s")
}

async fn reply(client: &mut Client, route: u32, payload: &[u8]) -> Vec<u8> {
    let reply = call(client, route, payload).await.expect("a reply");
    assert_eq!(reply.id(), route);
    assert!(reply.correlation_id().is_some());
    reply.payload_bytes().to_vec()
}

fn counts(handler: &str) -> (u64, u64, u64) {
    let row = wireframe_monitor::snapshot()
        .into_iter()
        .find(|r| r.handler() == handler)
        .unwrap_or_else(|| panic!("a row for {handler}"));
    (row.calls(), row.active(), row.panics())
}

#[tokio::test(flavor = "current_thread")]
async fn a_panicking_route_answers_the_error_frame_and_the_connection_goes_on() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let monitor = RouteMonitor::new()
        .names([(11, "wf_login")])
        .unwrap()
        .labels([("protocol", "v2")])
        .unwrap()
        .reply_with(|panic| format!("ERR {panic}").into_bytes());
    let server = Server::start(&[11, 12], Some(monitor));
    let mut client = server.client().await;

    assert_eq!(reply(&mut client, 11, b"hello").await, b"hello");
    let error = reply(&mut client, 11, PANIC).await;
    assert_eq!(error, b"ERR connection handler `wf_login` panicked");
    assert_eq!(reply(&mut client, 11, b"again").await, b"again");
    let error = reply(&mut client, 12, PANIC).await;
    assert_eq!(error, b"ERR connection handler `route_12` panicked");
    assert_eq!(reply(&mut client, 12, b"next").await, b"next");
    assert_eq!(reply(&mut client, 12, b"last").await, b"last");
    client.close().await;
    server.stop().await;

    assert_eq!(counts("wf_login"), (3, 0, 1));
    assert_eq!(counts("route_12"), (3, 0, 1));
    let row = wireframe_monitor::snapshot()
        .into_iter()
        .find(|r| r.handler() == "route_12");
    assert_eq!(row.unwrap().labels(), &[("protocol", "v2")]);
    let panics: Vec<(String, u64)> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(key, ..)| key.key().name() == PANICS_TOTAL)
        .filter_map(|(key, _, _, value)| match value {
            DebugValue::Counter(n) => {
                let handler = key.key().labels().find(|l| l.key() == "handler")?;
                Some((handler.value().to_owned(), n))
            }
            _ => None,
        })
        .collect();
    assert!(panics.contains(&("wf_login".to_owned(), 1)), "{panics:?}");
    assert!(panics.contains(&("route_12".to_owned(), 1)), "{panics:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn by_default_a_contained_panic_is_answered_with_an_empty_frame() {
    let server = Server::start(&[21], Some(RouteMonitor::new()));
    let mut client = server.client().await;
    assert_eq!(reply(&mut client, 21, PANIC).await, b"");
    assert_eq!(reply(&mut client, 21, b"next").await, b"next");
    client.close().await;
    server.stop().await;
    assert_eq!(counts("route_21"), (2, 0, 1));
}

#[tokio::test(flavor = "current_thread")]
async fn resume_records_the_panic_and_the_connection_closes() {
    let monitor = RouteMonitor::new().name(31, "wf_resume").unwrap().resume();
    let server = Server::start(&[31], Some(monitor));
    let mut client = server.client().await;
    assert_eq!(reply(&mut client, 31, b"fine").await, b"fine");
    assert!(call(&mut client, 31, PANIC).await.is_err());
    assert!(call(&mut client, 31, b"gone").await.is_err());
    // Only that connection was lost.
    let mut other = server.client().await;
    assert_eq!(reply(&mut other, 31, b"ok").await, b"ok");
    other.close().await;
    client.close().await;
    server.stop().await;
    assert_eq!(counts("wf_resume"), (3, 0, 1));
}

#[tokio::test(flavor = "current_thread")]
async fn without_the_middleware_a_panicking_route_closes_the_connection() {
    let server = Server::start(&[41], None);
    let mut client = server.client().await;
    assert_eq!(reply(&mut client, 41, b"fine").await, b"fine");
    assert!(call(&mut client, 41, PANIC).await.is_err());
    assert!(call(&mut client, 41, b"gone").await.is_err());
    client.close().await;
    server.stop().await;
    assert!(
        !wireframe_monitor::snapshot()
            .iter()
            .any(|r| r.handler() == "route_41")
    );
}

#[test]
fn bad_names_and_labels_are_refused_when_given() {
    use wireframe_monitor::LabelError;
    assert_eq!(
        RouteMonitor::new().name(1, "").unwrap_err(),
        LabelError::EmptyName
    );
    assert_eq!(
        RouteMonitor::new().labels([("handler", "x")]).unwrap_err(),
        LabelError::ReservedKey
    );
}

/// An app factory clones the monitor for every connection: a route's
/// handler is made once and shared by the clones, and naming a route again
/// gives it a new handler (the old monitor keeps its own).
#[test]
fn a_route_handler_is_made_once_and_renaming_makes_a_new_one() {
    let monitor = RouteMonitor::new().name(3, "cache_a").unwrap();
    let clone = monitor.clone();
    assert_eq!(monitor.handler(3).unwrap().name(), "cache_a");
    assert_eq!(clone.handler(3).unwrap().name(), "cache_a");
    assert_eq!(clone.handler(4).unwrap().name(), "route_4");
    let renamed = clone.name(3, "cache_b").unwrap();
    assert_eq!(renamed.handler(3).unwrap().name(), "cache_b");
    let relabelled = renamed.labels([("tier", "gold")]).unwrap();
    assert_eq!(relabelled.handler(3).unwrap().labels(), &[("tier", "gold")]);
    assert_eq!(monitor.handler(3).unwrap().name(), "cache_a");
    assert!(monitor.handler(3).unwrap().labels().is_empty());
}

/// A handler label, the sorted labels and the value of an objective series.
type ObjectiveSeries = (String, Vec<(String, String)>, f64);

/// Objectives reach the route handlers the middleware makes: one route's
/// own, the monitor's for the others, none without either; published as
/// `wireframe_handler_objective_ratio` with the route's labels.
#[tokio::test(flavor = "current_thread")]
async fn route_objectives_are_published_per_route() {
    use wireframe_monitor::Objective;
    use wireframe_monitor::names::OBJECTIVE_RATIO;

    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let monitor = RouteMonitor::new()
        .name(31, "wf_slo")
        .unwrap()
        .labels([("protocol", "slo")])
        .unwrap()
        .objective(Objective::percent(99.0).unwrap())
        .route_objective(31, "99.95".parse().unwrap());
    let server = Server::start(&[31, 32], Some(monitor));
    let plain = Server::start(&[33], Some(RouteMonitor::new()));
    let mut client = server.client().await;
    let mut other = plain.client().await;
    assert_eq!(reply(&mut client, 31, b"a").await, b"a");
    assert_eq!(reply(&mut client, 32, b"b").await, b"b");
    assert_eq!(reply(&mut other, 33, b"c").await, b"c");
    client.close().await;
    other.close().await;
    server.stop().await;
    plain.stop().await;

    wireframe_monitor::flush();
    let mut objectives: Vec<ObjectiveSeries> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(key, ..)| key.key().name() == OBJECTIVE_RATIO)
        .filter_map(|(key, _, _, value)| match value {
            DebugValue::Gauge(ratio) => {
                let mut labels: Vec<(String, String)> = key
                    .key()
                    .labels()
                    .map(|l| (l.key().to_owned(), l.value().to_owned()))
                    .collect();
                labels.sort();
                let handler = labels.iter().find(|(k, _)| k == "handler")?.1.clone();
                Some((handler, labels, ratio.into_inner()))
            }
            _ => None,
        })
        .filter(|(handler, ..)| ["wf_slo", "route_32", "route_33"].contains(&handler.as_str()))
        .collect();
    objectives.sort_by(|a, b| a.0.cmp(&b.0));
    let labels = |handler: &str| {
        vec![
            ("handler".to_owned(), handler.to_owned()),
            ("protocol".to_owned(), "slo".to_owned()),
        ]
    };
    assert_eq!(
        objectives,
        [
            ("route_32".to_owned(), labels("route_32"), 0.99),
            ("wf_slo".to_owned(), labels("wf_slo"), 0.9995),
        ],
        "route_33 has none"
    );
    let objective = |handler: &str| {
        wireframe_monitor::snapshot()
            .into_iter()
            .find(|r| r.handler() == handler)
            .and_then(|r| r.objective())
    };
    assert_eq!(objective("wf_slo"), Some(0.9995));
    assert_eq!(objective("route_33"), None);
}
