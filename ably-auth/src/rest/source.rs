//! What an authUrl or auth callback produced, classified from its answer.

use super::http::without_values;
use crate::error::{Error, Result};
use crate::token::{TokenDetails, TokenRequest};

/// What an authUrl or auth callback produced (Ably's features spec RSA8c, RSA8d, TO3j5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// A signed TokenRequest; it is exchanged for a token at the REST endpoint.
    TokenRequest(TokenRequest),
    /// A token with its details.
    TokenDetails(TokenDetails),
    /// A bare token string: an Ably token or an Ably JWT.
    Token(String),
}

impl TokenSource {
    /// Classifies a JSON answer (RSA8c, TD1): an object with `token` is a TokenDetails (only
    /// `token` is required; `issued`, `expires` and the rest may be absent), one with
    /// `keyName` and `mac` a TokenRequest; anything else is 40170. ably-js takes an object
    /// for a TokenDetails only when it has `issued`; the spec (TD1: only `token` is
    /// required) is followed here. An unsigned TokenRequest (no `mac`), which ably-js would
    /// pass on, is refused: Ably exchanges one only with Basic or token auth on the request.
    ///
    /// ```
    /// use ably_auth::rest::TokenSource;
    /// let src = TokenSource::from_json(br#"{"token":"app.x","expires":2}"#)?;
    /// assert!(matches!(src, TokenSource::TokenDetails(_)));
    /// assert_eq!(TokenSource::from_json(b"{}").unwrap_err().code(), 40170);
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn from_json(body: &[u8]) -> Result<TokenSource> {
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
            Error::AuthCallback(format!(
                "the JSON answer does not parse: {}",
                without_values(&e.to_string())
            ))
        })?;
        let Some(object) = value.as_object() else {
            return Err(Error::AuthCallback(
                "the JSON answer is not an object (a TokenRequest or TokenDetails)".into(),
            ));
        };
        if object.contains_key("token") {
            serde_json::from_value(value)
                .map(TokenSource::TokenDetails)
                .map_err(|e| {
                    Error::AuthCallback(format!(
                        "the TokenDetails is malformed: {}",
                        without_values(&e.to_string())
                    ))
                })
        } else if object.contains_key("keyName") && object.contains_key("mac") {
            TokenRequest::from_json(body)
                .map(TokenSource::TokenRequest)
                .map_err(|e| {
                    Error::AuthCallback(format!(
                        "the TokenRequest is malformed: {}",
                        without_values(&e.to_string())
                    ))
                })
        } else {
            Err(Error::AuthCallback(
                "the JSON answer is neither a TokenDetails (no `token`) nor a TokenRequest (no `keyName` and `mac`)"
                    .into(),
            ))
        }
    }
}

impl From<TokenRequest> for TokenSource {
    fn from(r: TokenRequest) -> Self {
        TokenSource::TokenRequest(r)
    }
}

impl From<TokenDetails> for TokenSource {
    fn from(d: TokenDetails) -> Self {
        TokenSource::TokenDetails(d)
    }
}

impl From<String> for TokenSource {
    fn from(s: String) -> Self {
        TokenSource::Token(s)
    }
}
