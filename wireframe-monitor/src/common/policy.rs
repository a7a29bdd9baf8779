//! The redaction policy: how much of a panic message and of the peer
//! address reach the tracing event, [`PanicEvent`](crate::PanicEvent),
//! [`ConnectionPanic`](crate::ConnectionPanic) and [`snapshot`](crate::snapshot).
//! Metrics never carry either.

use std::sync::{PoisonError, RwLock};

/// How much of a panic message is kept.
///
/// ```
/// use wireframe_monitor::{Installer, MessagePolicy};
///
/// Installer::new().message(MessagePolicy::Truncate(64)).install();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MessagePolicy {
    /// The whole message (the default).
    #[default]
    Full,
    /// At most this many characters, then `…`.
    Truncate(usize),
    /// No message at all: `message()` is `None` everywhere.
    Omit,
}

/// Whether the peer address of `peer = arg` is shown.
///
/// ```
/// use wireframe_monitor::{Installer, PeerPolicy};
///
/// Installer::new().peer(PeerPolicy::Omit).install();
/// # Installer::new().peer(PeerPolicy::Show).install();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PeerPolicy {
    /// In the tracing event and `PanicEvent::peer` (the default).
    #[default]
    Show,
    /// Nowhere: `peer()` is `None` and the event has no `peer_addr` field.
    Omit,
}

#[derive(Clone, Copy)]
pub(crate) struct Policy {
    pub(crate) message: MessagePolicy,
    pub(crate) peer: PeerPolicy,
}

static POLICY: RwLock<Policy> = RwLock::new(Policy {
    message: MessagePolicy::Full,
    peer: PeerPolicy::Show,
});

pub(crate) fn set(policy: Policy) {
    *POLICY.write().unwrap_or_else(PoisonError::into_inner) = policy;
}

pub(crate) fn get() -> Policy {
    *POLICY.read().unwrap_or_else(PoisonError::into_inner)
}

impl MessagePolicy {
    /// `message` as this policy allows it.
    pub(crate) fn apply(self, message: Option<&str>) -> Option<String> {
        let message = message?;
        match self {
            Self::Full => Some(message.to_owned()),
            Self::Omit => None,
            Self::Truncate(max) => match message.char_indices().nth(max) {
                None => Some(message.to_owned()),
                Some((cut, _)) => Some(format!("{}…", &message[..cut])),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MessagePolicy;

    #[test]
    fn truncates_on_char_boundaries() {
        let p = MessagePolicy::Truncate(3);
        assert_eq!(p.apply(Some("héllo")).as_deref(), Some("hél…"));
        assert_eq!(p.apply(Some("hé")).as_deref(), Some("hé"));
        assert_eq!(MessagePolicy::Omit.apply(Some("x")), None);
        assert_eq!(MessagePolicy::Full.apply(None), None);
    }
}
