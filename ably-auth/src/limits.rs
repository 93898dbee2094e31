//! Ably's ttl limits, shared by keys, tokens and JWTs.

use std::time::Duration;

/// The longest ttl Ably grants: 24 hours.
pub const MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest ttl for a key with revocable tokens: 1 hour.
pub const MAX_TTL_REVOCABLE: Duration = Duration::from_secs(60 * 60);
/// The ttl Ably applies when a request names none: 60 minutes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);
