//! A Prometheus recorder installed before the first monitored call, then
//! `install()`: the exposition carries the help text (`describe_*` reached
//! the recorder), exact counts after `flush()`, the panic metrics and the
//! build info, never the peer address, and one series per label set.
//!
//! Needs the guard: built only with feature `enabled`.
#![cfg(feature = "enabled")]

use std::net::SocketAddr;

use metrics_exporter_prometheus::PrometheusBuilder;
use wireframe_monitor::{Installer, monitored_connection};
use wireframe_monitor_tests::{exposition_value, unix_now};

#[monitored_connection(name = "before_conn", labels(proto = "v1"), peer = addr)]
fn handle(addr: SocketAddr, frame: &[u8]) -> std::io::Result<u8> {
    let _ = addr;
    Ok(frame[0])
}

#[monitored_connection(name = "before_quiet")]
fn quiet() {}

#[monitored_connection(name = "before_order", labels(a = "1", b = "2"))]
fn order_ab() {}

#[monitored_connection(name = "before_order", labels(b = "2", a = "1"))]
fn order_ba() {}

#[test]
fn prometheus_recorder_installed_first() {
    let prometheus = PrometheusBuilder::new()
        .install_recorder()
        .expect("first recorder");
    Installer::new().build_info("9.9.9").install();

    let addr: SocketAddr = "10.9.8.7:6543".parse().unwrap();
    assert_eq!(handle_twice(addr), 2);
    assert!(handle(addr, &[]).is_err());
    quiet();
    order_ab();
    order_ba();
    order_ba();
    wireframe_monitor::flush();
    let text = prometheus.render();

    for name in [
        "wireframe_handler_calls_total",
        "wireframe_handler_active",
        "wireframe_handler_panics_total",
        "wireframe_handler_last_panic_timestamp_seconds",
    ] {
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "no help for {name}:\n{text}"
        );
    }
    assert_eq!(
        exposition_value(&text, "wireframe_handler_calls_total", "before_conn"),
        Some(3.0)
    );
    assert_eq!(
        exposition_value(&text, "wireframe_handler_active", "before_conn"),
        Some(0.0)
    );
    assert_eq!(
        exposition_value(&text, "wireframe_handler_panics_total", "before_conn"),
        Some(1.0)
    );
    assert_eq!(
        exposition_value(&text, "wireframe_handler_panics_total", "before_quiet"),
        Some(0.0)
    );
    let at = exposition_value(
        &text,
        "wireframe_handler_last_panic_timestamp_seconds",
        "before_conn",
    )
    .expect("last panic gauge");
    assert!((unix_now() - at).abs() < 30.0, "{at}");
    assert!(
        text.contains("wireframe_handler_panics_total{handler=\"before_conn\",proto=\"v1\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("wireframe_build_info{version=\"9.9.9\"} 1"),
        "{text}"
    );
    assert!(
        !text.contains("10.9.8.7") && !text.contains("6543"),
        "{text}"
    );
    // Checked last: the same label set written in two orders is one series.
    assert_eq!(
        exposition_value(&text, "wireframe_handler_calls_total", "before_order"),
        Some(3.0),
        "{text}"
    );
}

fn handle_twice(addr: SocketAddr) -> u8 {
    handle(addr, &[1]).unwrap() + handle(addr, &[1]).unwrap()
}
