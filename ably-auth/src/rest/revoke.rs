//! `revokeTokens` (Ably features spec RSA17, BAR2, TRS2, TRF2).

use super::codec;
use super::http::{ably_body, content_type};
use super::transport::Attempt;
use super::{Auth, AuthScheme, path_segment};
use crate::error::{Error, ErrorInfo, Result};
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Whose tokens to revoke (RSA17b, TRT): sent as `type:value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenRevocationTarget {
    /// Every token bound to this clientId: `clientId:{value}`.
    ClientId(String),
    /// Every token carrying this revocation key (`x-ably-revocation-key`):
    /// `revocationKey:{value}`.
    RevocationKey(String),
    /// Every token with a capability on this channel: `channel:{value}`.
    Channel(String),
}

impl TokenRevocationTarget {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            TokenRevocationTarget::ClientId(v) => ("clientId", v),
            TokenRevocationTarget::RevocationKey(v) => ("revocationKey", v),
            TokenRevocationTarget::Channel(v) => ("channel", v),
        }
    }
}

/// `clientId:alice`, `revocationKey:group-1`, `channel:secret`.
impl fmt::Display for TokenRevocationTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, value) = self.parts();
        write!(f, "{kind}:{value}")
    }
}

/// Options of a revocation (RSA17e, RSA17f).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RevokeOptions {
    /// Revoke tokens issued before this time (ms since the epoch); Ably's default is now.
    pub issued_before: Option<u64>,
    /// Let revoked clients reauthenticate for 30 s before the revocation applies.
    pub allow_reauth_margin: Option<bool>,
}

/// A batch answer (BAR2): counts and one result per target.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult<T> {
    /// How many targets succeeded (BAR2a).
    pub success_count: usize,
    /// How many failed (BAR2b).
    pub failure_count: usize,
    /// One result per target (BAR2c).
    pub results: Vec<T>,
}

/// The result for one target: revoked, or refused.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TokenRevocationResult {
    /// Refused (TRF).
    Failure(TokenRevocationFailure),
    /// Revoked (TRS).
    Success(TokenRevocationSuccess),
}

/// A revoked target (TRS2).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRevocationSuccess {
    /// The target, `type:value` (TRS2a).
    pub target: String,
    /// When the revocation takes effect, ms since the epoch (TRS2b).
    pub applies_at: u64,
    /// Tokens issued before this time are revoked, ms since the epoch (TRS2c).
    pub issued_before: u64,
}

/// A target whose revocation failed (TRF2).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TokenRevocationFailure {
    /// The target, `type:value` (TRF2a).
    pub target: String,
    /// Why it failed (TRF2b).
    pub error: ErrorInfo,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevokeBody {
    targets: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issued_before: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_reauth_margin: Option<bool>,
}

/// The answer with `X-Ably-Version` ≥ 3 (a batch envelope), or the legacy array.
#[derive(Deserialize)]
#[serde(untagged)]
enum Answer {
    Batch(BatchResult<TokenRevocationResult>),
    Legacy(Vec<TokenRevocationResult>),
}

impl Auth {
    /// Revokes the tokens of `targets` (RSA17): `POST /keys/{keyName}/revokeTokens` with
    /// Basic auth. Needs Basic auth: under token auth it is 40162 and nothing is sent
    /// (RSA17d); over a non-TLS connection 40103 (RSA1). An empty list or an empty value is
    /// 40000. Ably answers per target ([`TokenRevocationResult`]); an error for the whole
    /// request is an `Err`.
    ///
    /// ```no_run
    /// use ably_auth::rest::{ClientOptions, Rest, RevokeOptions, TokenRevocationTarget};
    ///
    /// # async fn run() -> ably_auth::Result<()> {
    /// let rest = Rest::new(ClientOptions::key("appId.keyId:keySecret".parse()?))?;
    /// let result = rest
    ///     .auth()
    ///     .revoke_tokens(
    ///         &[TokenRevocationTarget::ClientId("mallory".into())],
    ///         RevokeOptions::default(),
    ///     )
    ///     .await?;
    /// assert_eq!(result.success_count + result.failure_count, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn revoke_tokens(
        &self,
        targets: &[TokenRevocationTarget],
        options: RevokeOptions,
    ) -> Result<BatchResult<TokenRevocationResult>> {
        if self.scheme() == AuthScheme::Token {
            return Err(Error::Ably(ErrorInfo::new(
                40162,
                401,
                "revoking tokens needs Basic auth with the API key; this client uses token auth",
            )));
        }
        if targets.is_empty() {
            return Err(Error::bad_request("revokeTokens needs at least one target"));
        }
        if let Some(empty) = targets.iter().find(|t| t.parts().1.is_empty()) {
            return Err(Error::bad_request(format!(
                "a revocation target of type {} has an empty value",
                empty.parts().0
            )));
        }
        let (authorization, _) = self.authorization().await?;
        let key_name = {
            let state = self.state();
            state
                .options
                .key
                .clone()
                .or_else(|| self.key.clone())
                .map(|k| k.name().to_owned())
        }
        .ok_or_else(|| Error::NoKey("revoking tokens needs the API key".into()))?;
        let binary = self.transport.binary;
        let body = codec::encode(
            binary,
            &RevokeBody {
                targets: targets.iter().map(ToString::to_string).collect(),
                issued_before: options.issued_before,
                allow_reauth_margin: options.allow_reauth_margin,
            },
        )?;
        let mut headers = HeaderMap::new();
        let mut value = HeaderValue::from_str(&authorization)
            .map_err(|_| Error::Internal("the Authorization header is not valid".into()))?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
        headers.insert(ACCEPT, codec::accept(binary));
        let path = format!("/keys/{}/revokeTokens", path_segment(&key_name));
        let call = async {
            let response = self
                .transport
                .send(Method::POST, &path, &[], &headers, |_: Attempt| {
                    Ok(Some(body.clone()))
                })
                .await?;
            let kind = content_type(&response);
            Ok((kind, ably_body(response).await?))
        };
        let (kind, bytes) = super::measure::rest_call("revoke_tokens", call, |_| None).await?;
        match codec::decode::<Answer>(&kind, &bytes) {
            Ok(Answer::Batch(batch)) => Ok(batch),
            Ok(Answer::Legacy(results)) => {
                let failure_count = results
                    .iter()
                    .filter(|r| matches!(r, TokenRevocationResult::Failure(_)))
                    .count();
                Ok(BatchResult {
                    success_count: results.len() - failure_count,
                    failure_count,
                    results,
                })
            }
            Err(e) => Err(Error::Upstream(format!(
                "Ably's revokeTokens answer is malformed: {e}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa17b_targets_are_type_colon_value() {
        assert_eq!(
            TokenRevocationTarget::ClientId("alice".into()).to_string(),
            "clientId:alice"
        );
        assert_eq!(
            TokenRevocationTarget::RevocationKey("g:1".into()).to_string(),
            "revocationKey:g:1"
        );
        assert_eq!(
            TokenRevocationTarget::Channel("secret".into()).to_string(),
            "channel:secret"
        );
    }
}
