//! The redaction policy (`Truncate`, `Omit`, `PeerPolicy::Omit`) reaches
//! `PanicEvent`, `ConnectionPanic`, the snapshot and the tracing event;
//! `install()` is idempotent and chains the previous panic hook, which runs
//! for every panic unless `quiet_contained(true)` keeps it quiet for
//! contained ones.
//!
//! Both tests change global options, hold the exclusive lock and restore
//! the defaults when they end, even on failure.

use std::future::Future;
use std::net::SocketAddr;
use std::panic::catch_unwind;
use std::sync::{Arc, Mutex, PoisonError};

use wireframe_monitor::{
    ConnectionPanic, Installer, MessagePolicy, PanicEvent, PeerPolicy, clear_panic_handler,
    monitored_connection, set_panic_handler,
};

use crate::support::{self, Capture, PROBE, probe_count, row};

/// Restores the default options and removes the panic handler on drop.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        Installer::new().install();
        clear_panic_handler();
    }
}

#[monitored_connection(name = "policy_redacted", peer = addr)]
fn redacted(addr: SocketAddr, message: &str) -> Result<(), ConnectionPanic> {
    let _ = addr;
    panic!("{message}");
}

/// What one panic of `redacted` showed in each place.
#[derive(Debug, PartialEq)]
struct Shown {
    event_message: Option<String>,
    event_peer: Option<SocketAddr>,
    panic_message: Option<String>,
    snapshot_message: Option<String>,
    traced_message: Option<String>,
    traced_peer: Option<String>,
}

fn panic_once(addr: SocketAddr, message: &str) -> Shown {
    let seen = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&seen);
    set_panic_handler(move |event: &PanicEvent<'_>| {
        *sink.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((event.message().map(str::to_owned), event.peer()));
    });
    let capture = Capture::default();
    let panic = capture.run(|| redacted(addr, message)).unwrap_err();
    let (event_message, event_peer) = seen.lock().unwrap().take().expect("handler called");
    let events = capture.monitor_events();
    assert_eq!(events.len(), 1);
    Shown {
        event_message,
        event_peer,
        panic_message: panic.message().map(str::to_owned),
        snapshot_message: row("policy_redacted")
            .unwrap()
            .last_message()
            .map(str::to_owned),
        traced_message: events[0].field("panic.message").map(str::to_owned),
        traced_peer: events[0].field("peer_addr").map(str::to_owned),
    }
}

fn everywhere(message: Option<&str>, peer: Option<SocketAddr>) -> Shown {
    let message = message.map(str::to_owned);
    Shown {
        event_message: message.clone(),
        event_peer: peer,
        panic_message: message.clone(),
        snapshot_message: message.clone(),
        traced_message: message,
        traced_peer: peer.map(|p| p.to_string()),
    }
}

#[test]
fn redaction_policy_applies_everywhere() {
    let _exclusive = support::exclusive();
    let _restore = Restore;
    let addr: SocketAddr = "198.51.100.3:700".parse().unwrap();

    Installer::new()
        .message(MessagePolicy::Truncate(5))
        .install();
    assert_eq!(
        panic_once(addr, "abcdefghij"),
        everywhere(Some("abcde…"), Some(addr))
    );
    assert_eq!(
        panic_once(addr, "héllo"),
        everywhere(Some("héllo"), Some(addr))
    );

    Installer::new().message(MessagePolicy::Omit).install();
    assert_eq!(panic_once(addr, "secret"), everywhere(None, Some(addr)));

    Installer::new().peer(PeerPolicy::Omit).install();
    assert_eq!(
        panic_once(addr, "full text"),
        everywhere(Some("full text"), None)
    );

    // Last call wins: back to the defaults.
    Installer::new().install();
    assert_eq!(
        panic_once(addr, "full again"),
        everywhere(Some("full again"), Some(addr))
    );
    assert_eq!(row("policy_redacted").unwrap().panics(), 5);
}

#[monitored_connection(name = "policy_hook_contained")]
fn hook_contained(message: &'static str) -> Option<()> {
    panic!("{message}");
}

#[monitored_connection(name = "policy_hook_resumed", on_panic = "resume")]
fn hook_resumed(message: &'static str) {
    panic!("{message}");
}

#[test]
fn install_is_idempotent_and_chains_the_previous_hook() {
    let _exclusive = support::exclusive();
    let _restore = Restore;
    // `support::init` set a hook before the first `install()`; install again.
    wireframe_monitor::install();
    wireframe_monitor::install();

    let outside = format!("{PROBE} outside any handler");
    catch_unwind(|| std::panic::panic_any(outside.clone())).expect_err("a panic");
    assert_eq!(probe_count(&outside), 1, "the previous hook runs once");

    let loud = "hook-probe: contained, default";
    assert_eq!(hook_contained(loud), None);
    assert_eq!(
        probe_count(loud),
        1,
        "by default the previous hook runs for contained panics too"
    );

    Installer::new().quiet_contained(true).install();
    let quiet = "hook-probe: contained, quiet";
    assert_eq!(hook_contained(quiet), None);
    assert_eq!(
        probe_count(quiet),
        0,
        "quiet_contained(true) skips it for contained panics"
    );
    let resumed = "hook-probe: resumed";
    catch_unwind(|| hook_resumed(resumed)).expect_err("resumed");
    assert_eq!(probe_count(resumed), 1, "a resumed panic is not contained");

    Installer::new().quiet_contained(false).install();
    let loud_again = "hook-probe: contained, loud again";
    assert_eq!(hook_contained(loud_again), None);
    assert_eq!(probe_count(loud_again), 1, "quiet_contained(false) again");

    let stats = row("policy_hook_contained").unwrap();
    assert_eq!(stats.panics(), 3);
    let location = stats.last_location().expect("the chained hook captured it");
    assert!(location.contains("policy.rs:"), "{location}");
}

#[monitored_connection(name = "policy_hook_future")]
fn hook_future(message: &'static str) -> impl Future<Output = Option<()>> {
    panic!("{message}");
    #[expect(unreachable_code, reason = "the body panics while building the future")]
    async {
        Some(())
    }
}

#[test]
fn contained_panic_while_building_a_future_is_quiet() {
    let _exclusive = support::exclusive();
    let _restore = Restore;
    Installer::new().quiet_contained(true).install();
    let quiet = "hook-probe: contained while building a future";
    assert_eq!(support::block_on(hook_future(quiet)), None);
    assert_eq!(row("policy_hook_future").unwrap().panics(), 1);
    assert_eq!(
        probe_count(quiet),
        0,
        "a panic a `contain` guard catches must not reach the previous hook"
    );
}
