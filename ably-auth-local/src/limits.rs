//! What the endpoint keeps, and how much: every store is capped, so nothing grows without
//! bound under load.

/// The caps of a [`LocalAbly`](crate::LocalAbly) (set with
/// [`LocalAbly::with_limits`](crate::LocalAbly::with_limits)).
///
/// History is a window: when a channel holds [`Limits::history_per_channel`] messages, or all
/// channels together hold [`Limits::history_bytes`], the oldest messages go first; when
/// [`Limits::channels`] channels have history, the channel published to least recently goes.
/// A publish is never refused for lack of room. Minted tokens are remembered up to
/// [`Limits::tokens`]; past that the oldest is forgotten and answers 40143 (unrecognised), so
/// an SDK renews it. Revocations are never forgotten while they can still match a token:
/// when [`Limits::revocations`] are in force, `revokeTokens` is refused with 42910.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest message, or array of messages in one publish, in bytes (its name, data,
    /// clientId and extras as sent): 65 536 by default, Ably's default. Over it: 40009, 413.
    pub message_size: usize,
    /// The most messages in one publish: 100 by default. Over it: 40034, 400.
    pub messages_per_publish: usize,
    /// The largest request body: 128 KiB by default (40001, 413).
    pub max_body: usize,
    /// Messages kept per channel: 1 000 by default.
    pub history_per_channel: usize,
    /// Bytes of messages kept over all channels: 16 MiB by default.
    pub history_bytes: usize,
    /// Channels with history: 1 000 by default.
    pub channels: usize,
    /// Minted tokens remembered: 100 000 by default.
    pub tokens: usize,
    /// Revocation targets in force: 10 000 by default.
    pub revocations: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            message_size: 65_536,
            messages_per_publish: 100,
            max_body: 128 * 1024,
            history_per_channel: 1_000,
            history_bytes: 16 * 1024 * 1024,
            channels: 1_000,
            tokens: 100_000,
            revocations: 10_000,
        }
    }
}
