//! The alternatives, on the same body as [`crate::common`]: a per-call
//! `metrics::counter!`, autometrics' `#[autometrics]` and tracing's
//! `#[instrument]`.

use std::io;

use autometrics::autometrics;
use tracing::{Event, Metadata, Subscriber, instrument, span};

use crate::common::{YieldOnce, work};

/// Sync handler that counts each call with `metrics::counter!`.
///
/// # Errors
/// Never; the type is that of a connection handler.
#[inline(never)]
pub fn counter_sync(x: u64) -> io::Result<u64> {
    metrics::counter!("bench_handler_calls_total", "handler" => "counter_sync").increment(1);
    Ok(work(x))
}

/// Async handler that counts each call with `metrics::counter!`.
///
/// # Errors
/// Never; the type is that of a connection handler.
#[inline(never)]
pub async fn counter_async(x: u64) -> io::Result<u64> {
    metrics::counter!("bench_handler_calls_total", "handler" => "counter_async").increment(1);
    YieldOnce::default().await;
    Ok(work(x))
}

/// Sync handler under autometrics' `#[autometrics]`.
///
/// # Errors
/// Never; the type is that of a connection handler.
#[autometrics]
#[inline(never)]
pub fn autometrics_sync(x: u64) -> io::Result<u64> {
    Ok(work(x))
}

/// Async handler under autometrics' `#[autometrics]`.
///
/// # Errors
/// Never; the type is that of a connection handler.
#[autometrics]
#[inline(never)]
pub async fn autometrics_async(x: u64) -> io::Result<u64> {
    YieldOnce::default().await;
    Ok(work(x))
}

/// Sync handler under tracing's `#[instrument]` (one span per call).
///
/// # Errors
/// Never; the type is that of a connection handler.
#[instrument]
#[inline(never)]
pub fn instrument_sync(x: u64) -> io::Result<u64> {
    Ok(work(x))
}

/// Async handler under tracing's `#[instrument]` (one span per call,
/// entered on every poll).
///
/// # Errors
/// Never; the type is that of a connection handler.
#[instrument]
#[inline(never)]
pub async fn instrument_async(x: u64) -> io::Result<u64> {
    YieldOnce::default().await;
    Ok(work(x))
}

/// A subscriber that enables every span and event and does nothing with
/// them: what `#[instrument]` costs by itself, with no formatting or I/O.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopSubscriber;

impl Subscriber for NoopSubscriber {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}
