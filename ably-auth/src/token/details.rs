//! TokenDetails: an Ably token and what it permits.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// An Ably token and what it permits, as returned by `requestToken`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDetails {
    /// The token string.
    pub token: String,
    /// Expiry, milliseconds since the Unix epoch.
    #[serde(default)]
    pub expires: u64,
    /// Issue time, milliseconds since the Unix epoch.
    #[serde(default)]
    pub issued: u64,
    /// The capability the service granted (its canonical JSON text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// The clientId bound to the token, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The key that issued the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
}

impl TokenDetails {
    /// A TokenDetails holding only a token string (from an authUrl answering `text/plain` or
    /// `application/jwt`); expiry unknown.
    pub fn from_token(token: impl Into<String>) -> TokenDetails {
        TokenDetails {
            token: token.into(),
            expires: 0,
            issued: 0,
            capability: None,
            client_id: None,
            key_name: None,
        }
    }

    /// The JSON wire form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether the token expires within `margin` of `now_ms` (false when expiry is unknown).
    pub fn expires_within(&self, now_ms: u64, margin: Duration) -> bool {
        self.expires != 0 && self.expires <= now_ms.saturating_add(margin.as_millis() as u64)
    }
}

/// Shows the token's first characters only: a bearer token does not belong in logs.
impl fmt::Debug for TokenDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.token.chars().take(8).collect();
        f.debug_struct("TokenDetails")
            .field("token", &format_args!("{shown}…"))
            .field("expires", &self.expires)
            .field("issued", &self.issued)
            .field("capability", &self.capability)
            .field("client_id", &self.client_id)
            .field("key_name", &self.key_name)
            .finish()
    }
}
