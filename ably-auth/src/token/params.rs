//! TokenParams: what a token should allow, and the checks that need no key.

use super::{MAX_TTL_REVOCABLE, capability_string, ttl_ms, validate_nonce};
use crate::capability::Capability;
use crate::client_id::ClientId;
use crate::clock::Clock;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What a token should allow. Every field is optional, and an absent field is left out of the
/// request so the Ably service applies its own default (never a client-side default).
///
/// ```
/// use ably_auth::{Capability, ClientId, Operation::*, TokenParams};
/// use std::time::Duration;
///
/// let params = TokenParams {
///     ttl: Some(Duration::from_secs(3600)),
///     capability: Some(Capability::new().grant("chat:*", [Subscribe])?),
///     client_id: Some(ClientId::new("alice")?),
///     ..TokenParams::default()
/// };
/// assert_eq!(
///     serde_json::to_string(&params).unwrap(),
///     r#"{"ttl":3600000,"capability":"{\"chat:*\":[\"subscribe\"]}","clientId":"alice"}"#
/// );
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenParams {
    /// Token lifetime (sent in milliseconds). `None`: Ably's default, 60 minutes.
    #[serde(default, with = "ttl_ms", skip_serializing_if = "Option::is_none")]
    pub ttl: Option<Duration>,
    /// Requested capability (sent as a JSON string). `None`: the key's full capability.
    #[serde(
        default,
        with = "capability_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub capability: Option<Capability>,
    /// The clientId the token is bound to; [`ClientId::wildcard`] lets it act as anyone.
    /// `None`: an anonymous token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// Milliseconds since the Unix epoch; `None`: now. Never stored as a default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// At least 16 characters; `None`: a random one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

impl TokenParams {
    /// Checks what can be checked without the key: ttl positive and at most `max_ttl`, capability
    /// not empty, nonce at least 16 characters.
    pub fn validate(&self, max_ttl: Duration) -> Result<()> {
        BorrowedParams::from(self).validate(max_ttl)
    }
}

/// Checks a ttl against Ably's limits (positive, at most `max`); errors are 40003.
pub fn validate_ttl(ttl: Duration, max: Duration) -> Result<()> {
    if ttl.as_millis() == 0 {
        return Err(Error::InvalidTtl(
            "ttl must be at least 1 ms; use `None` for Ably's default of 60 minutes".into(),
        ));
    }
    if ttl > max {
        return Err(Error::InvalidTtl(format!(
            "excessive value for ttl: {} ms exceeds the limit of {} ms{}",
            ttl.as_millis(),
            max.as_millis(),
            if max == MAX_TTL_REVOCABLE {
                " (revocation is enabled on this key)"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// [`TokenParams`] borrowed, so callers holding the parts elsewhere (a [`crate::Grant`]) need
/// not clone them.
pub(crate) struct BorrowedParams<'a> {
    pub(crate) ttl: Option<Duration>,
    pub(crate) capability: Option<&'a Capability>,
    pub(crate) client_id: Option<&'a ClientId>,
    pub(crate) timestamp: Option<u64>,
    pub(crate) nonce: Option<&'a str>,
}

impl<'a> From<&'a TokenParams> for BorrowedParams<'a> {
    fn from(params: &'a TokenParams) -> BorrowedParams<'a> {
        BorrowedParams {
            ttl: params.ttl,
            capability: params.capability.as_ref(),
            client_id: params.client_id.as_ref(),
            timestamp: params.timestamp,
            nonce: params.nonce.as_deref(),
        }
    }
}

impl BorrowedParams<'_> {
    /// See [`TokenParams::validate`].
    pub(crate) fn validate(&self, max_ttl: Duration) -> Result<()> {
        if let Some(ttl) = self.ttl {
            validate_ttl(ttl, max_ttl)?;
        }
        if let Some(cap) = self.capability
            && cap.is_empty()
        {
            return Err(Error::InvalidCapability(
                "the capability is empty; leave it `None` for the key's capability".into(),
            ));
        }
        if let Some(nonce) = self.nonce {
            validate_nonce(nonce)?;
        }
        Ok(())
    }

    pub(crate) fn ttl_ms(&self) -> Option<u64> {
        self.ttl.map(|t| t.as_millis() as u64)
    }

    pub(crate) fn timestamp_or(&self, clock: &dyn Clock) -> u64 {
        self.timestamp
            .filter(|t| *t > 0)
            .unwrap_or_else(|| clock.now_ms())
    }
}
