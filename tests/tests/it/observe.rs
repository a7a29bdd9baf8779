//! The peer address never reaches a metric (nor the message; the location
//! only as the crate-relative `site` of the sites counter); the tracing
//! event is emitted once per panic, with the contract's level, target,
//! message and fields.

use std::net::SocketAddr;

use tracing::Level;
use wireframe_monitor::monitored_connection;
use wireframe_monitor::names::{ACTIVE, CALLS_TOTAL, PANIC_SITES_TOTAL, PANICS_TOTAL, SITE_LABEL};
use wireframe_monitor_tests::recorded;

use crate::support::{self, Capture, block_on};

const PROTOCOL: &str = "v2";

#[monitored_connection(name = "observe_peer", labels(protocol = PROTOCOL, tier = "edge"), peer = addr)]
fn with_peer(addr: SocketAddr, frame: &[u8]) -> Option<u8> {
    let _ = addr;
    Some(frame[0])
}
const PANIC_LINE: u32 = line!() - 2;

#[test]
fn peer_address_is_never_a_metric_label() {
    let _shared = support::shared();
    let addr: SocketAddr = "10.77.66.55:45678".parse().unwrap();
    let (value, samples) = recorded(|| {
        let value = (with_peer(addr, &[1]), with_peer(addr, &[]));
        wireframe_monitor::flush();
        value
    });
    assert_eq!(value, (Some(1), None));
    assert_eq!(samples.counter(PANICS_TOTAL, "observe_peer"), Some(1));
    assert!(samples.counter(CALLS_TOTAL, "observe_peer").is_some());
    assert!(samples.gauge(ACTIVE, "observe_peer").is_some());
    for needle in ["10.77.66.55", "45678", "index out of bounds"] {
        assert!(
            !samples.mentions(needle),
            "{needle} leaked into {samples:?}"
        );
    }
    // The location is only the `site` of the sites counter, crate-relative.
    let sites: Vec<_> = samples.all(PANIC_SITES_TOTAL, "observe_peer").collect();
    assert_eq!(sites.len(), 1, "{samples:?}");
    let site = sites[0].label(SITE_LABEL).expect("a site label");
    assert_eq!(site, format!("tests/it/observe.rs:{PANIC_LINE}"));
    let elsewhere = samples
        .0
        .iter()
        .filter(|s| s.name != PANIC_SITES_TOTAL)
        .any(|s| s.labels.iter().any(|(_, v)| v.contains("observe.rs")));
    assert!(!elsewhere, "{samples:?}");
    for sample in samples.all(PANICS_TOTAL, "observe_peer") {
        let keys: Vec<&str> = sample.labels.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["handler", "protocol", "tier"]);
    }
}

#[test]
fn tracing_event_is_emitted_once_with_the_contract_fields() {
    let _shared = support::shared();
    let addr: SocketAddr = "192.0.2.9:4000".parse().unwrap();
    let capture = Capture::default();
    assert_eq!(capture.run(|| with_peer(addr, &[2])), Some(2));
    assert!(capture.monitor_events().is_empty(), "no panic, no event");

    assert_eq!(capture.run(|| with_peer(addr, &[])), None);
    let events = capture.monitor_events();
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(event.field("message"), Some("connection handler panicked"));
    assert_eq!(event.field("handler"), Some("observe_peer"));
    assert_eq!(event.field("labels"), Some("protocol=v2,tier=edge"));
    let message = event.field("panic.message").expect("panic.message");
    assert!(message.contains("index out of bounds"), "{message}");
    assert_eq!(event.field("panic.payload"), Some("String"));
    let location = event.field("panic.location").expect("panic.location");
    assert!(location.contains("observe.rs:"), "{location}");
    assert_eq!(event.field("peer_addr"), Some("192.0.2.9:4000"));
}

#[monitored_connection(name = "observe_no_peer")]
async fn without_peer() {
    tokio::task::yield_now().await;
    panic!("static text");
}

#[test]
fn tracing_event_of_an_async_handler_without_peer() {
    let _shared = support::shared();
    let capture = Capture::default();
    capture.run(|| block_on(without_peer()));
    let events = capture.monitor_events();
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.field("handler"), Some("observe_no_peer"));
    assert_eq!(event.field("labels"), Some(""));
    assert_eq!(event.field("panic.message"), Some("static text"));
    assert_eq!(event.field("panic.payload"), Some("str"));
    assert_eq!(event.field("peer_addr"), None);
}

#[monitored_connection(name = "observe_std_stream", peer = stream)]
fn std_stream(stream: &std::net::TcpStream) -> Option<()> {
    let _ = stream;
    panic!("std stream handler");
}

#[test]
fn peer_read_from_a_std_tcp_stream() {
    let _shared = support::shared();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server_side, client_addr) = listener.accept().unwrap();
    assert_eq!(client.local_addr().unwrap(), client_addr);
    let capture = Capture::default();
    let (value, samples) = recorded(|| capture.run(|| std_stream(&server_side)));
    assert_eq!(value, None);
    let events = capture.monitor_events();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].field("peer_addr"),
        Some(client_addr.to_string().as_str())
    );
    assert!(!samples.mentions(&client_addr.port().to_string()));
}
