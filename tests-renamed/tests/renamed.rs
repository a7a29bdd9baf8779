//! wireframe-monitor depended on as `wm`: the attribute with `crate =
//! "wm"`, with `crate = "::wm"`, and with no `crate` at all (the rename is
//! read from `Cargo.toml`); each handler runs guarded, counts its calls and
//! records its panic in `wm::snapshot()`.

use std::panic::catch_unwind;

use wm::monitored_connection;

#[monitored_connection(name = "renamed_explicit", crate = "wm")]
fn explicit(n: u8) -> Option<u8> {
    Some(10 / n)
}

#[wm::monitored_connection(name = "renamed_absolute", crate = "::wm")]
async fn absolute(n: u8) -> Result<u8, wm::ConnectionPanic> {
    Ok(10 / n)
}

#[monitored_connection(name = "renamed_found")]
fn found(n: u8) -> Option<u8> {
    Some(10 / n)
}

#[monitored_connection(name = "renamed_found_async", on_panic = "resume")]
async fn found_async(n: u8) -> u8 {
    10 / n
}

/// `(calls, active, panics)` of `handler`.
fn counts(handler: &str) -> (u64, u64, u64) {
    let row = wm::snapshot()
        .into_iter()
        .find(|s| s.handler() == handler)
        .unwrap_or_else(|| panic!("no row for {handler}"));
    (row.calls(), row.active(), row.panics())
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(future)
}

#[test]
fn crate_option_names_the_renamed_dependency() {
    assert_eq!(explicit(5), Some(2));
    assert_eq!(explicit(0), None);
    assert_eq!(counts("renamed_explicit"), (2, 0, 1));

    assert_eq!(block_on(absolute(5)).ok(), Some(2));
    let panic = block_on(absolute(0)).expect_err("contained");
    assert_eq!(panic.handler(), "renamed_absolute");
    assert_eq!(counts("renamed_absolute"), (2, 0, 1));
}

#[test]
fn without_the_option_the_rename_is_found_in_the_manifest() {
    assert_eq!(found(5), Some(2));
    assert_eq!(found(0), None);
    assert_eq!(counts("renamed_found"), (2, 0, 1));

    assert_eq!(block_on(found_async(5)), 2);
    catch_unwind(|| block_on(found_async(0))).expect_err("resumed");
    assert_eq!(counts("renamed_found_async"), (2, 0, 1));
}
