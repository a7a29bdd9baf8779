//! `snapshot()` rows come in a stable sorted order, merge call sites with
//! the same name and labels and `Display` readably; `flush()` reaches a
//! local recorder, and `build_info` is exported as
//! `wireframe_build_info{version} 1`.

use wireframe_monitor::names::{ACTIVE, BUILD_INFO, CALLS_TOTAL, PANICS_TOTAL};
use wireframe_monitor::{HandlerStats, Installer, monitored_connection, snapshot};
use wireframe_monitor_tests::{Value, recorded};

use crate::support::{self, row};

#[monitored_connection(name = "rows_merged", labels(site = "shared"))]
fn site_one(fail: bool) -> Option<()> {
    assert!(!fail, "site one failed");
    Some(())
}

#[monitored_connection(name = "rows_merged", labels(site = "shared"))]
async fn site_two() -> Option<()> {
    Some(())
}

#[monitored_connection(name = "rows_merged", labels(site = "other"))]
fn site_three() {}

#[test]
fn snapshot_merges_call_sites_with_equal_name_and_labels() {
    let _shared = support::shared();
    site_one(false);
    site_one(true);
    support::block_on(site_two());
    site_three();
    let rows: Vec<HandlerStats> = snapshot()
        .into_iter()
        .filter(|s| s.handler() == "rows_merged")
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    // Sorted by labels within a handler: "other" < "shared".
    assert_eq!(rows[0].labels(), &[("site", "other")]);
    assert_eq!((rows[0].calls(), rows[0].panics()), (1, 0));
    assert!(rows[0].last_panic().is_none());
    assert_eq!(rows[1].labels(), &[("site", "shared")]);
    assert_eq!(
        (rows[1].calls(), rows[1].active(), rows[1].panics()),
        (3, 0, 1)
    );
    assert_eq!(rows[1].last_message(), Some("site one failed"));
    assert!(rows[1].last_location().unwrap().contains("rows.rs:"));

    let shown = rows[1].to_string();
    for part in [
        "rows_merged",
        "site=shared",
        " 3 ",
        " 1",
        "rows.rs:",
        "site one failed",
    ] {
        assert!(shown.contains(part), "{part:?} not in {shown:?}");
    }
    assert!(!shown.contains('\n'), "one line: {shown:?}");
    assert!(rows[0].to_string().ends_with('-'), "{}", rows[0]);
    assert!(HandlerStats::header().starts_with("handler"));
}

/// Owned labels of a row.
type Labels = Vec<(String, String)>;

#[monitored_connection(name = "rows_order_b")]
fn order_b() {}

#[monitored_connection(name = "rows_order_a")]
fn order_a() {}

#[test]
fn snapshot_order_is_sorted_and_stable() {
    let _shared = support::shared();
    order_b();
    order_a();
    let keys = |rows: Vec<HandlerStats>| -> Vec<(String, Labels)> {
        rows.iter()
            .map(|s| {
                let labels = s.labels().iter();
                let labels = labels.map(|&(k, v)| (k.to_owned(), v.to_owned()));
                (s.handler().to_owned(), labels.collect())
            })
            .collect()
    };
    let first = keys(snapshot());
    let mut sorted = first.clone();
    sorted.sort();
    assert_eq!(first, sorted);
    let a = first.iter().position(|(h, _)| h == "rows_order_a").unwrap();
    let b = first.iter().position(|(h, _)| h == "rows_order_b").unwrap();
    assert!(a < b);
    // Other tests may add rows meanwhile, never reorder existing ones.
    let second = keys(snapshot());
    let still: Vec<_> = second
        .iter()
        .filter(|k| first.contains(k))
        .cloned()
        .collect();
    assert_eq!(still, first);
}

#[monitored_connection(name = "rows_flushed", labels(k = "v"))]
fn flushed(fail: bool) -> Option<()> {
    assert!(!fail, "flushed failed");
    Some(())
}

#[test]
fn flush_publishes_calls_active_and_panics_to_the_current_recorder() {
    let _shared = support::shared();
    flushed(false);
    flushed(false);
    let ((), samples) = recorded(wireframe_monitor::flush);
    assert_eq!(samples.counter(CALLS_TOTAL, "rows_flushed"), Some(2));
    assert_eq!(samples.gauge(ACTIVE, "rows_flushed"), Some(0.0));
    assert_eq!(
        samples.counter(PANICS_TOTAL, "rows_flushed"),
        Some(0),
        "the panic series exists before the first panic"
    );
    let calls = samples.find(CALLS_TOTAL, "rows_flushed").unwrap();
    assert_eq!(calls.label("k"), Some("v"));

    flushed(true);
    let ((), samples) = recorded(wireframe_monitor::flush);
    assert_eq!(samples.counter(CALLS_TOTAL, "rows_flushed"), Some(3));
    assert_eq!(row("rows_flushed").unwrap().panics(), 1);
}

#[test]
fn build_info_exports_the_version_gauge() {
    let _shared = support::shared();
    let ((), samples) = recorded(|| Installer::new().build_info("1.2.3").install());
    let info: Vec<_> = samples.0.iter().filter(|s| s.name == BUILD_INFO).collect();
    assert_eq!(info.len(), 1, "{samples:?}");
    assert_eq!(info[0].labels, [("version".to_owned(), "1.2.3".to_owned())]);
    assert_eq!(info[0].value, Value::Gauge(1.0));
}

#[monitored_connection(name = "rows_label_order", labels(a = "1", b = "2"))]
fn order_ab() {}

#[monitored_connection(name = "rows_label_order", labels(b = "2", a = "1"))]
fn order_ba() {}

#[test]
fn label_order_does_not_split_a_series() {
    let _shared = support::shared();
    order_ab();
    order_ba();
    order_ba();
    let rows: Vec<HandlerStats> = snapshot()
        .into_iter()
        .filter(|s| s.handler() == "rows_label_order")
        .collect();
    let calls: Vec<u64> = rows.iter().map(HandlerStats::calls).collect();
    // One label set, one series: `{a="1",b="2"}` and `{b="2",a="1"}` are the
    // same Prometheus series, so two rows would publish competing absolute
    // values of `calls_total` for it.
    assert_eq!(calls, [3], "{rows:?}");
}

#[monitored_connection(name = "rows_hostile_message")]
fn hostile(message: &str) {
    panic!("{message}");
}

/// A panic message cannot forge log lines or drive a terminal
/// through the snapshot table; the accessor keeps the raw text.
#[test]
fn display_escapes_control_characters() {
    let _shared = support::shared();
    let message = "bad frame\nrows_forged 0 0 0\r\u{1b}[2J\u{7}";
    hostile(message);
    let row = row("rows_hostile_message").unwrap();
    assert_eq!(row.last_message(), Some(message));
    let shown = row.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(
        shown.ends_with(r": bad frame\nrows_forged 0 0 0\r\u{1b}[2J\u{7}"),
        "{shown}"
    );
}
