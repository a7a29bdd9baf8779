//! Label values as literals and as const paths (`REGION`, `crate::REGION`,
//! `module::CONST`); every option together; the registry shows them.
#![deny(warnings)]
use std::net::SocketAddr;

use wireframe_monitor::{monitored_connection, snapshot};

const REGION: &str = "eu-west";

mod build {
    pub const TIER: &str = "gold";
}

#[monitored_connection(labels(protocol = "v2", region = REGION))]
fn plain_const() {}

#[monitored_connection(name = "ui_labels_paths", labels(region = crate::REGION, tier = build::TIER))]
fn const_paths() {}

#[monitored_connection(
    name = "ui_labels_all_options",
    labels(protocol = "v2", region = REGION),
    on_panic = "resume",
    peer = addr,
)]
fn every_option(addr: SocketAddr, frame: &[u8]) -> usize {
    let _ = addr;
    frame.len()
}

#[monitored_connection(name = "ui_labels_all_async", labels(kind = "async"), on_panic = "contain", peer = addr)]
async fn every_option_async(addr: SocketAddr) -> Option<u16> {
    Some(addr.port())
}

fn labels_of(handler: &str) -> Vec<(String, String)> {
    let stats = snapshot();
    let entry = stats
        .iter()
        .find(|s| s.handler() == handler)
        .unwrap_or_else(|| panic!("no snapshot entry for {handler}"));
    assert_eq!(entry.calls(), 1, "{handler}");
    entry
        .labels()
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn main() {
    let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
    plain_const();
    const_paths();
    assert_eq!(every_option(addr, b"abc"), 3);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(every_option_async(addr)), Some(4000));

    assert_eq!(
        labels_of("plain_const"),
        pairs(&[("protocol", "v2"), ("region", "eu-west")])
    );
    assert_eq!(
        labels_of("ui_labels_paths"),
        pairs(&[("region", "eu-west"), ("tier", "gold")])
    );
    assert_eq!(
        labels_of("ui_labels_all_options"),
        pairs(&[("protocol", "v2"), ("region", "eu-west")])
    );
    assert_eq!(
        labels_of("ui_labels_all_async"),
        pairs(&[("kind", "async")])
    );
}
