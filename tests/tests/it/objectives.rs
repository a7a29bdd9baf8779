//! Objectives: every door publishes `wireframe_handler_objective_ratio` as a
//! ratio with the handler's labels (the label set of `calls_total`), on a
//! flush to a local recorder; `HandlerStats::objective` shows the same; a
//! handler without one has no such series; declarations for one name and
//! label set keep the strictest, in any order; `Installer::default_objective`
//! covers the handlers that declare none, until an `install()` without it.

use wireframe_monitor::names::{CALLS_TOTAL, OBJECTIVE_RATIO};
use wireframe_monitor::tower::MonitorLayer;
use wireframe_monitor::{
    Installer, MonitoredHandler, Objective, ObjectiveError, monitored_connection,
};
use wireframe_monitor_tests::{Samples, recorded};

use crate::support::{self, row};

#[monitored_connection(name = "objective_attr", labels(protocol = "v2"), objective = "99.95")]
fn declared() {}

#[monitored_connection(name = "objective_none", labels(protocol = "v2"))]
fn undeclared() {}

/// What a flush to a local recorder shows now.
fn flushed() -> Samples {
    recorded(wireframe_monitor::flush).1
}

/// The objective gauge of `handler`, checked to carry the labels of its
/// `calls_total` series.
fn gauge(samples: &Samples, handler: &str) -> Option<f64> {
    let objective = samples.find(OBJECTIVE_RATIO, handler)?;
    let calls = samples.find(CALLS_TOTAL, handler).expect("calls_total");
    assert_eq!(objective.labels, calls.labels, "{handler}: same label set");
    samples.gauge(OBJECTIVE_RATIO, handler)
}

#[test]
fn the_attribute_publishes_its_objective_as_a_ratio() {
    let _shared = support::shared();
    declared();
    undeclared();
    let samples = flushed();
    assert_eq!(gauge(&samples, "objective_attr"), Some(0.9995));
    let series = samples.find(OBJECTIVE_RATIO, "objective_attr").unwrap();
    assert_eq!(series.label("protocol"), Some("v2"));
    assert_eq!(row("objective_attr").unwrap().objective(), Some(0.9995));

    assert_eq!(
        gauge(&samples, "objective_none"),
        None,
        "no objective, no series"
    );
    assert!(samples.find(CALLS_TOTAL, "objective_none").is_some());
    assert_eq!(row("objective_none").unwrap().objective(), None);
}

#[test]
fn run_time_handlers_and_the_tower_layer_publish_theirs() {
    let _shared = support::shared();
    let handler = MonitoredHandler::new("objective_rt", [("region", "eu")])
        .unwrap()
        .with_objective("99.9".parse().unwrap());
    assert_eq!(handler.run(|| Some(1)), Some(1));
    let layered = MonitoredHandler::named("objective_tower").unwrap();
    let _layer = MonitorLayer::new(layered).objective(Objective::percent(99.0).unwrap());
    let plain = MonitoredHandler::named("objective_rt_none").unwrap();

    let samples = flushed();
    assert_eq!(gauge(&samples, "objective_rt"), Some(0.999));
    assert_eq!(gauge(&samples, "objective_tower"), Some(0.99));
    assert_eq!(gauge(&samples, "objective_rt_none"), None);
    assert_eq!(handler.objective().map(Objective::ratio), Some(0.999));
    assert_eq!(layered.objective().map(Objective::ratio), Some(0.99));
    assert_eq!(plain.objective(), None);
    // A handler made again from the same name and labels shares it.
    let again = MonitoredHandler::new("objective_rt", [("region", "eu")]).unwrap();
    assert_eq!(again.objective(), handler.objective());
    assert_eq!(row("objective_tower").unwrap().objective(), Some(0.99));
}

#[monitored_connection(name = "objective_shared", objective = "99")]
fn shared_lax() {}

#[monitored_connection(name = "objective_shared", objective = "99.9")]
fn shared_strict() {}

#[test]
fn the_strictest_objective_of_a_series_wins_in_any_order() {
    let _shared = support::shared();
    shared_lax();
    // Once a test ran `install()`, which registers every annotated function
    // (start-up registration), both are registered and the stricter wins
    // already; else only the lax one is, so far.
    let first = row("objective_shared").unwrap().objective();
    assert!(first == Some(0.99) || first == Some(0.999), "{first:?}");
    shared_strict();
    shared_lax();
    let laxer = MonitoredHandler::named("objective_shared")
        .unwrap()
        .with_objective("99.5".parse().unwrap());
    assert_eq!(laxer.objective().map(Objective::ratio), Some(0.999));
    assert_eq!(gauge(&flushed(), "objective_shared"), Some(0.999));

    // Run-time first, then stricter, then laxer: the same outcome.
    let first = MonitoredHandler::named("objective_shared_rt").unwrap();
    for percent in ["99.5", "99.99", "90"] {
        let _ = first.with_objective(percent.parse().unwrap());
    }
    assert_eq!(first.objective().map(Objective::ratio), Some(0.9999));
    assert_eq!(gauge(&flushed(), "objective_shared_rt"), Some(0.9999));
}

#[test]
fn run_time_objectives_follow_the_attributes_rules() {
    for (text, error) in [
        ("100", ObjectiveError::OutOfRange("100".into())),
        ("0", ObjectiveError::OutOfRange("0".into())),
        ("-1", ObjectiveError::OutOfRange("-1".into())),
        ("nan", ObjectiveError::NotANumber("nan".into())),
        ("", ObjectiveError::NotANumber(String::new())),
        ("99.9%", ObjectiveError::PercentSign("99.9%".into())),
    ] {
        assert_eq!(text.parse::<Objective>(), Err(error), "{text:?}");
    }
    let message = "99.9%".parse::<Objective>().unwrap_err().to_string();
    assert!(message.contains("write the number alone"), "{message}");
    assert_eq!(
        Objective::percent(f64::INFINITY),
        Err(ObjectiveError::OutOfRange("inf".into()))
    );
}

#[monitored_connection(name = "objective_defaulted")]
fn defaulted() {}

#[monitored_connection(name = "objective_own", objective = "99.9")]
fn own() {}

/// Installs the defaults again when dropped, even if the test fails.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        Installer::new().install();
    }
}

#[test]
fn the_installer_default_covers_handlers_without_one() {
    let _exclusive = support::exclusive();
    let _restore = Restore;
    defaulted();
    own();
    let run_time = MonitoredHandler::named("objective_defaulted_rt").unwrap();
    assert_eq!(gauge(&flushed(), "objective_defaulted"), None);

    Installer::new()
        .default_objective("99.5".parse().unwrap())
        .install();
    let samples = flushed();
    assert_eq!(gauge(&samples, "objective_defaulted"), Some(0.995));
    assert_eq!(gauge(&samples, "objective_defaulted_rt"), Some(0.995));
    assert_eq!(
        gauge(&samples, "objective_own"),
        Some(0.999),
        "its own wins"
    );
    assert_eq!(row("objective_defaulted").unwrap().objective(), Some(0.995));
    assert_eq!(run_time.objective().map(Objective::ratio), Some(0.995));

    // Every install() sets the options again: without it, no default.
    Installer::new().install();
    let samples = flushed();
    assert_eq!(gauge(&samples, "objective_defaulted"), None);
    assert_eq!(gauge(&samples, "objective_own"), Some(0.999));
    assert_eq!(row("objective_defaulted").unwrap().objective(), None);
}
