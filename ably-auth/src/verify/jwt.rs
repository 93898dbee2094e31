//! Verifying Ably JWTs the way the Ably service does (Ably's docs `auth/token/jwt.mdx`): `alg`
//! HS256 with the key named by `kid`, `iat`/`exp`, ttl limits, capability and clientId claims.

use super::{VerifiedToken, Verifier};
use crate::client_id::ClientId;
use crate::error::{Error, Result};
use crate::jwt::{CLAIM_CAPABILITY, CLAIM_CLIENT_ID, CLAIM_REVOCATION_KEY, DecodedJwt};
use crate::token::validate_ttl;
use serde_json::{Map, Value};
use std::time::Duration;

impl Verifier {
    /// Verifies an Ably JWT and returns what it grants.
    ///
    /// Refused with 40144 (HTTP 401): a header whose `alg` is not `HS256` (whatever the
    /// signature), a missing or empty `kid`, a wrong signature, a missing or non-integer `iat`
    /// or `exp`, an `iat` more than 10 seconds ahead of the clock, an `exp` not after `iat`.
    /// Also refused: an unknown `kid` (40400, 404), an expired JWT (40142, 401), `exp - iat`
    /// above 24 hours or above 1 hour for a key with revocable tokens (40003, 400), a
    /// capability outside the key's (40160, 401), and an `x-ably-clientId` that is not a
    /// string (40012, 400). A claim set to `null` counts as mistyped, not as absent.
    pub fn verify_jwt(&self, token: &str) -> Result<VerifiedToken> {
        let jwt = DecodedJwt::decode(token)?;
        let kid = jwt.kid()?;
        if kid.is_empty() {
            return Err(Error::InvalidToken(
                "the JWT header's `kid` is empty; set it to the key name (appId.keyId)".into(),
            ));
        }
        let key = &self.current_key(kid)?;
        if !jwt.signature_matches(key) {
            return Err(Error::InvalidToken(
                "the JWT signature does not match".into(),
            ));
        }
        let seconds = |name: &str| {
            jwt.claims.get(name).and_then(Value::as_u64).ok_or_else(|| {
                Error::InvalidToken(format!(
                    "{name} must be specified, in seconds since the epoch"
                ))
            })
        };
        let (iat, exp) = (seconds("iat")?, seconds("exp")?);
        let now = self.clock.now_ms();
        if iat.saturating_mul(1000) > now.saturating_add(self.jwt_skew.as_millis() as u64) {
            return Err(Error::InvalidToken(
                "issuedAt time must not be in the future".into(),
            ));
        }
        if exp.saturating_mul(1000) <= now {
            return Err(Error::TokenExpired);
        }
        if exp <= iat {
            return Err(Error::InvalidToken("exp must be later than iat".into()));
        }
        validate_ttl(Duration::from_secs(exp - iat), key.max_ttl())?;
        let capability = string_claim(&jwt.claims, CLAIM_CAPABILITY).map_err(|_| {
            Error::InvalidToken(format!(
                "{CLAIM_CAPABILITY} must be the capability JSON as a string"
            ))
        })?;
        let capability = self.effective_capability(key, capability)?;
        let client_id = string_claim(&jwt.claims, CLAIM_CLIENT_ID)
            .map_err(|_| {
                Error::InvalidClientId(format!(
                    "{CLAIM_CLIENT_ID} must be a string; leave it out for an anonymous client"
                ))
            })?
            .map(ClientId::from_token)
            .transpose()?;
        let revocation_key = string_claim(&jwt.claims, CLAIM_REVOCATION_KEY)
            .map_err(|_| Error::InvalidToken(format!("{CLAIM_REVOCATION_KEY} must be a string")))?
            .map(str::to_owned);
        Ok(VerifiedToken {
            key_name: kid.to_owned(),
            client_id,
            capability,
            issued: iat * 1000,
            expires: exp * 1000,
            revocation_key,
        })
    }
}

/// A claim that is absent (`Ok(None)`) or a string; anything else, `null` included, is `Err`.
fn string_claim<'a>(
    claims: &'a Map<String, Value>,
    name: &str,
) -> std::result::Result<Option<&'a str>, ()> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(()),
    }
}
