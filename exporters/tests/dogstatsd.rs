//! `metrics-exporter-dogstatsd` as the global recorder, sending to a UDP
//! socket this test binds on 127.0.0.1: the counter deltas it sends sum to
//! what was made, the last `active` it sends is 0, and the objective gauge
//! is exact.

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use metrics_exporter_dogstatsd::DogStatsDBuilder;
use wireframe_monitor::names;
use wireframe_monitor_exporters::{expected_objectives, handler_of, is_checked, series_of};

/// One `DogStatsD` line, `name:value|type|#k:v,…`.
struct Line<'a> {
    name: &'a str,
    value: f64,
    kind: &'a str,
    tags: Vec<(&'a str, &'a str)>,
}

fn parse(line: &str) -> Option<Line<'_>> {
    let mut parts = line.split('|');
    let (name, value) = parts.next()?.split_once(':')?;
    let kind = parts.next()?;
    let mut tags = Vec::new();
    for part in parts {
        if let Some(list) = part.strip_prefix('#') {
            for tag in list.split(',') {
                tags.push(tag.split_once(':')?);
            }
        }
    }
    Some(Line {
        name,
        value: value.parse().ok()?,
        kind,
        tags,
    })
}

#[test]
fn dogstatsd_deltas_sum_to_exact_totals() {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP socket on 127.0.0.1");
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("read timeout");
    let addr = socket.local_addr().expect("local address");

    let made = wireframe_monitor_exporters::run(|| {
        DogStatsDBuilder::default()
            .with_remote_address(addr.to_string())
            .expect("a UDP address")
            .with_telemetry(false)
            .with_flush_interval(Duration::from_millis(50))
            .install()
            .expect("first recorder");
    });
    let want = made.expected();
    let want_objectives = expected_objectives();

    // Counters: the sum of every delta received; gauges: the last value.
    let mut got: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut objectives: BTreeMap<String, f64> = BTreeMap::new();
    let mut buf = vec![0u8; 65_536];
    let deadline = Instant::now() + Duration::from_secs(10);
    while (got != want || objectives != want_objectives) && Instant::now() < deadline {
        let Ok(n) = socket.recv(&mut buf) else {
            continue;
        };
        let payload = std::str::from_utf8(&buf[..n]).expect("UTF-8 payload");
        for line in payload.lines().filter(|l| !l.is_empty()) {
            let Line {
                name,
                value,
                kind,
                tags,
            } = parse(line).unwrap_or_else(|| panic!("bad line {line}"));
            if name == names::OBJECTIVE_RATIO {
                assert_eq!(kind, "g", "{line}");
                let handler = handler_of(tags).unwrap_or_else(|| panic!("unexpected tags: {line}"));
                objectives.insert(handler, value);
                continue;
            }
            if !is_checked(name) {
                continue;
            }
            let handler =
                series_of(name, tags).unwrap_or_else(|| panic!("unexpected tags: {line}"));
            assert!(value >= 0.0 && value.fract() == 0.0, "{line}");
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked above: a non-negative whole number"
            )]
            let value = value as u64;
            let slot = got.entry((name.to_owned(), handler)).or_default();
            match kind {
                "c" => *slot += value,
                "g" => *slot = value,
                _ => panic!("unexpected metric type: {line}"),
            }
        }
    }
    println!("DogStatsD received (sum of counter deltas, last gauge): {got:?}");
    println!("DogStatsD objective gauges (last value): {objectives:?}");
    assert_eq!(got, want, "{}", names::CALLS_TOTAL);
    assert_eq!(objectives, want_objectives, "{}", names::OBJECTIVE_RATIO);
}
