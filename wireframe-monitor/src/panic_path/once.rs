//! "Recorded once": deciding, when a guard catches a payload, whether it is
//! a panic to record or one an inner monitored handler already recorded.
//!
//! # Design
//!
//! Fresh panics are told from re-raised ones by our panic hook, which runs
//! for every `panic!` and never for `resume_unwind`. It keeps the details
//! of each fresh panic of a thread in a small ring (`fresh.rs`). A guard
//! that catches a payload claims the newest unclaimed entry whose message
//! and payload kind match it. Panics in flight on one thread nest (a panic
//! raised while another unwinds, in cleanup code that calls monitored
//! functions, is caught before the first goes on), so that entry is the
//! payload's own fresh panic:
//!
//! - an entry matches: a fresh panic reached this guard unrecorded: record
//!   it. An inner `resume` guard that recorded it claimed it already.
//! - none matches: the payload was re-raised with `resume_unwind`. If a
//!   `resume` guard recorded it, on this thread or another (a `JoinError`
//!   carried across runtimes), it is listed here while it travels: skip it.
//!   Otherwise (a payload of unmonitored code) record it.
//!
//! Nothing of this is read on the happy path: guards note nothing when they
//! start, all the work happens once a payload is caught.
//!
//! The list identifies a payload by data address and type, which is only
//! sound while the payload is alive. A listed payload may be freed without
//! any guard seeing it again (the caller caught and dropped it), and a
//! later payload may reuse its address. That later payload is either fresh,
//! and then its matching ring entry, raised after the listing, decides; or
//! it is re-raised unmonitored code from another thread reusing the
//! address, the one case counted short (never counted twice). Entries are removed when matched and the list is capped
//! ([`LISTED`] payloads in flight at once; beyond that the oldest count
//! again).
//!
//! Without our hook (the application replaced it without chaining it) the
//! ring gets no entries. A guard that catches an unlisted payload while the
//! hook is believed installed concludes it was replaced, until the hook runs
//! again, and falls back to a same-thread mark: a `resume` guard marks what
//! it re-raises, the next guard entered outside unwinding forgets it. Then
//! nested handlers on one thread still count once, fresh panics are never
//! lost, and payloads re-raised on another thread count again.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use crate::common::map::Map;
use crate::common::panic::PayloadKind;
use crate::panic_path::fresh::{self, FreshPanic, Identity};

/// How many re-raised payloads can be in flight at once and still be
/// recognised.
const LISTED: usize = 4096;

/// A payload recorded by a `resume` guard and re-raised.
struct Listing {
    /// `fresh::seq_now()` when it was listed.
    seq: u64,
    /// Insertion number, for eviction.
    serial: u64,
    location: Option<String>,
}

#[derive(Default)]
struct List {
    by_identity: Map<Identity, Listing>,
    order: VecDeque<(u64, Identity)>,
    serial: u64,
}

impl List {
    fn insert(&mut self, id: Identity, seq: u64, location: Option<String>) {
        self.serial += 1;
        let serial = self.serial;
        self.by_identity.insert(
            id,
            Listing {
                seq,
                serial,
                location,
            },
        );
        self.order.push_back((serial, id));
        while self.by_identity.len() > LISTED {
            let Some((serial, id)) = self.order.pop_front() else {
                break;
            };
            if self
                .by_identity
                .get(&id)
                .is_some_and(|l| l.serial == serial)
            {
                self.by_identity.remove(&id);
            }
        }
        if self.order.len() > 2 * LISTED {
            let live = &self.by_identity;
            self.order
                .retain(|(serial, id)| live.get(id).is_some_and(|l| l.serial == *serial));
        }
    }
}

static LIST: Mutex<Option<List>> = Mutex::new(None);

/// What a guard does with a payload it caught.
pub(crate) struct Verdict {
    /// Record it (else an inner guard already did).
    pub(crate) record: bool,
    /// What our hook captured where it was raised, when known.
    pub(crate) fresh: FreshPanic,
}

/// Decides for `payload` (whose text reads as `message`, of `kind`), just
/// caught by a guard; claims its fresh panic.
pub(crate) fn decide(
    payload: &(dyn Any + Send),
    message: Option<&str>,
    kind: PayloadKind,
) -> Verdict {
    let id = fresh::identity(payload);
    let from_listing = |listing: Listing| FreshPanic {
        location: listing.location,
        ..FreshPanic::default()
    };
    let fresh_panic = fresh::take_matching(message, kind);
    // The inline guard of a `#[track_caller]` handler recorded this fresh
    // panic as it unwound through it.
    if let Some(panic) = fresh_panic.as_ref().filter(|p| p.recorded) {
        return Verdict {
            record: false,
            fresh: panic.clone(),
        };
    }
    let listed = LIST
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_mut()
        .and_then(|list| list.by_identity.remove(&id));
    let here = fresh::take_reraised_here(id);
    if !fresh::hook_live() {
        // Without our hook: only the same-thread mark is trustworthy.
        return match listed {
            Some(listing) if here => Verdict {
                record: false,
                fresh: from_listing(listing),
            },
            _ => Verdict {
                record: !here,
                fresh: fresh_panic.unwrap_or_default(),
            },
        };
    }
    match (fresh_panic, listed) {
        // Listed after that fresh panic was raised: the payload is the
        // listed one (a newer allocation at its address would come from a
        // newer fresh panic); the matching panic was caught and dropped by
        // unmonitored code earlier.
        (Some(panic), Some(listing)) if panic.seq <= listing.seq => Verdict {
            record: false,
            fresh: from_listing(listing),
        },
        (Some(panic), _) => Verdict {
            record: true,
            fresh: panic,
        },
        (None, Some(listing)) => Verdict {
            record: false,
            fresh: from_listing(listing),
        },
        // Not a fresh panic of this thread, not listed: either unmonitored
        // code's payload re-raised, or a fresh panic our hook did not see
        // because it was replaced. Record it, and distrust the list until
        // the hook runs again.
        (None, None) => {
            fresh::suspect_hook();
            Verdict {
                record: !here,
                fresh: FreshPanic::default(),
            }
        }
    }
}

/// A `resume` guard recorded `payload` and is about to re-raise it.
pub(crate) fn reraised(payload: &(dyn Any + Send), location: Option<String>) {
    let id = fresh::identity(payload);
    fresh::mark_reraised_here(id);
    LIST.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(List::default)
        .insert(id, fresh::seq_now(), location);
}

/// For the inline guard of a `#[track_caller]` handler whose body started
/// after this thread's fresh panic number `after`, as a panic unwinds
/// through it: the fresh panic to record, marked recorded (not claimed: the
/// guard that catches the payload sees it and skips it), or `None` when the
/// payload was re-raised through the body or is recorded already.
pub(crate) fn unwinding(after: u64) -> Option<FreshPanic> {
    fresh::take_unwinding(after)
}
