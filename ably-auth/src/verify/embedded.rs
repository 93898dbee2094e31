//! Verifying External JWTs with an embedded Ably token (Ably's docs, `auth/token/index.mdx`,
//! "Embedded Token JWT"): the outer HS256 signature with a configured secret, the outer
//! `exp` not later than the embedded token's expiry, and the embedded token handed back.

use super::{VerifiedToken, Verifier};
use crate::error::{Error, Result};
use crate::jwt::{DecodedJwt, Hs256Secret, TokenPlacement, X_ABLY_TOKEN};
use serde_json::{Map, Value};
use std::fmt;

/// An External JWT whose signature and times hold, and the token it carries.
#[derive(Clone, PartialEq, Eq)]
pub struct ExternalJwt {
    /// The embedded Ably token or Ably JWT, not verified yet (see
    /// [`Verifier::verify_embedded_jwt`] and [`ExternalJwt::check_embedded_expiry`]).
    pub token: String,
    /// Where it was: the JOSE header or the payload.
    pub placement: TokenPlacement,
    /// The External JWT's `iat`, ms since the epoch, if it has one.
    pub issued: Option<u64>,
    /// The External JWT's `exp`, ms since the epoch.
    pub expires: u64,
    /// When the embedded token is an Ably JWT: its `exp`, ms since the epoch, already held
    /// against [`expires`](Self::expires).
    pub embedded_expires: Option<u64>,
    /// The External JWT's other claims (`sub`, `aud`, …): all but `iat`, `exp` and
    /// `x-ably-token`.
    pub claims: Map<String, Value>,
}

impl ExternalJwt {
    /// Whether the embedded token is an Ably JWT (three `.`-separated parts), rather than an
    /// Ably token.
    pub fn is_ably_jwt(&self) -> bool {
        self.embedded_expires.is_some()
    }

    /// Holds the External JWT's `exp` against `expires_ms`, the expiry of the embedded Ably
    /// token as its issuer knows it: refused with 40144 when the External JWT outlives it.
    pub fn check_embedded_expiry(&self, expires_ms: u64) -> Result<()> {
        if self.expires > expires_ms {
            return Err(Error::InvalidToken(format!(
                "the External JWT's exp ({} s) is later than its embedded token's expiry ({expires_ms} ms)",
                self.expires / 1000
            )));
        }
        Ok(())
    }
}

/// Shows the embedded token's first characters only.
impl fmt::Debug for ExternalJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.token.chars().take(8).collect();
        f.debug_struct("ExternalJwt")
            .field("token", &format_args!("{shown}…"))
            .field("placement", &self.placement)
            .field("issued", &self.issued)
            .field("expires", &self.expires)
            .field("embedded_expires", &self.embedded_expires)
            .field("claims", &self.claims)
            .finish()
    }
}

impl Verifier {
    /// Accepts External JWTs signed with `secret` (any number of secrets may be added, for
    /// rotation; a JWT signed with any of them is accepted).
    pub fn with_external_jwt_secret(mut self, secret: Hs256Secret) -> Verifier {
        self.external_secrets.push(secret);
        self
    }

    /// Accepts only External JWTs whose `aud` names `audience` (a string, or an array holding
    /// it). Called more than once, any of the audiences is accepted. Without this call `aud`
    /// is not checked, as Ably does not check it: set it when this verifier serves one of the
    /// app's own services, so a JWT minted for another one is refused.
    ///
    /// ```
    /// use ably_auth::Verifier;
    /// use ably_auth::jwt::Hs256Secret;
    ///
    /// let verifier = Verifier::new()
    ///     .with_external_jwt_secret(Hs256Secret::new("an-app-secret-of-32-bytes-or-more")?)
    ///     .with_external_jwt_audience("chat")
    ///     .with_external_jwt_issuer("https://accounts.example.com");
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn with_external_jwt_audience(mut self, audience: impl Into<String>) -> Verifier {
        self.external_audiences.push(audience.into());
        self
    }

    /// Accepts only External JWTs whose `iss` is `issuer`. Called more than once, any of the
    /// issuers is accepted. Without this call `iss` is not checked.
    pub fn with_external_jwt_issuer(mut self, issuer: impl Into<String>) -> Verifier {
        self.external_issuers.push(issuer.into());
        self
    }

    /// Verifies an External JWT and returns the token it carries.
    ///
    /// Refused with 40144 (HTTP 401): `alg` other than HS256, a `crit` header, a signature
    /// made with none of the configured secrets, no `x-ably-token` (header or claim), one that
    /// is not a non-empty string, a header and a claim that differ, a missing or non-integer
    /// `exp`, a non-integer `iat` or `nbf`, an `iat` or `nbf` more than 10 s ahead of the
    /// clock, `exp` not after `iat`, an `aud` or `iss` other than the configured ones (when
    /// [`Verifier::with_external_jwt_audience`] or [`Verifier::with_external_jwt_issuer`] set
    /// some), and when the embedded token is an Ably JWT: one that
    /// does not decode, has no integer `exp`, or expires before the External JWT. An expired
    /// External JWT is 40142; no configured secret, 40106. The embedded Ably JWT's own
    /// signature is not checked here ([`Verifier::verify_embedded_jwt`] does); an embedded
    /// Ably token's expiry is for its issuer to check ([`ExternalJwt::check_embedded_expiry`]).
    pub fn verify_external_jwt(&self, token: &str) -> Result<ExternalJwt> {
        if self.external_secrets.is_empty() {
            return Err(Error::Config(
                "no secret for External JWTs is configured; add one with `Verifier::with_external_jwt_secret`"
                    .into(),
            ));
        }
        let mut jwt = DecodedJwt::decode(token)?;
        if jwt.header.contains_key("crit") {
            return Err(Error::InvalidToken(
                "the JWT has a `crit` header, whose extensions are not supported".into(),
            ));
        }
        // Every secret is tried, so the time taken does not say which one matched.
        let matched = self.external_secrets.iter().fold(false, |matched, secret| {
            jwt.signature_matches_secret(secret.pre_keyed()) | matched
        });
        if !matched {
            return Err(Error::InvalidToken(
                "the External JWT signature does not match the configured secret".into(),
            ));
        }
        let (embedded, placement) = embedded_token(&jwt.header, &jwt.claims)?;
        let now = self.clock.now_ms();
        let skew = self.jwt_skew.as_millis() as u64;
        let seconds = |name: &str| -> Result<Option<u64>> {
            match jwt.claims.get(name) {
                None => Ok(None),
                Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                    Error::InvalidToken(format!("{name} must be in seconds since the epoch"))
                }),
            }
        };
        let exp = seconds("exp")?.ok_or_else(|| {
            Error::InvalidToken("exp must be specified, in seconds since the epoch".into())
        })?;
        let iat = seconds("iat")?;
        let nbf = seconds("nbf")?;
        if iat.is_some_and(|iat| iat.saturating_mul(1000) > now.saturating_add(skew)) {
            return Err(Error::InvalidToken(
                "issuedAt time must not be in the future".into(),
            ));
        }
        if nbf.is_some_and(|nbf| nbf.saturating_mul(1000) > now.saturating_add(skew)) {
            return Err(Error::InvalidToken(
                "the External JWT is not valid yet (nbf)".into(),
            ));
        }
        if exp.saturating_mul(1000) <= now {
            return Err(Error::TokenExpired);
        }
        if iat.is_some_and(|iat| exp <= iat) {
            return Err(Error::InvalidToken("exp must be later than iat".into()));
        }
        self.validate_audience_and_issuer(&jwt.claims)?;
        let mut external = ExternalJwt {
            token: embedded,
            placement,
            issued: iat.map(|s| s * 1000),
            expires: exp * 1000,
            embedded_expires: None,
            claims: Map::new(),
        };
        if external.token.split('.').count() == 3 {
            let inner = DecodedJwt::decode(&external.token)?;
            let inner_exp = inner
                .claims
                .get("exp")
                .and_then(Value::as_u64)
                .ok_or_else(|| {
                    Error::InvalidToken("the embedded Ably JWT has no integer exp".into())
                })?;
            let inner_ms = inner_exp.saturating_mul(1000);
            external.check_embedded_expiry(inner_ms)?;
            external.embedded_expires = Some(inner_ms);
        }
        for name in ["iat", "exp", X_ABLY_TOKEN] {
            jwt.claims.remove(name);
        }
        external.claims = jwt.claims;
        Ok(external)
    }

    /// Verifies an External JWT whose embedded token is an Ably JWT, and that Ably JWT with
    /// the key its `kid` names ([`Verifier::verify_jwt`]): what it grants, expiring at the
    /// earlier of the two `exp`. Refused as either method refuses; an embedded Ably token
    /// (which only its issuer can check) is refused with 40144.
    pub fn verify_embedded_jwt(&self, token: &str) -> Result<VerifiedToken> {
        let external = self.verify_external_jwt(token)?;
        if !external.is_ably_jwt() {
            return Err(Error::InvalidToken(
                "the embedded token is an Ably token, which only its issuer can check; use \
                 `verify_external_jwt` and `ExternalJwt::check_embedded_expiry`"
                    .into(),
            ));
        }
        let mut verified = self.verify_jwt(&external.token)?;
        external.check_embedded_expiry(verified.expires)?;
        verified.expires = verified.expires.min(external.expires);
        Ok(verified)
    }
}

impl Verifier {
    /// The `aud` and `iss` rules, when configured (RFC 7519 §4.1.1, §4.1.3): refused with 40144.
    fn validate_audience_and_issuer(&self, claims: &Map<String, Value>) -> Result<()> {
        if !self.external_audiences.is_empty() {
            let accepted = |aud: &Value| {
                aud.as_str()
                    .is_some_and(|aud| self.external_audiences.iter().any(|a| a == aud))
            };
            let named = match claims.get("aud") {
                None => false,
                Some(Value::Array(auds)) => auds.iter().any(accepted),
                Some(aud) => accepted(aud),
            };
            if !named {
                return Err(Error::InvalidToken(format!(
                    "the External JWT's aud does not name {}, which this verifier accepts: \
                     set `aud` when signing it, or accept its audience with \
                     `Verifier::with_external_jwt_audience`",
                    quoted(&self.external_audiences)
                )));
            }
        }
        if !self.external_issuers.is_empty() {
            let iss = claims.get("iss").and_then(Value::as_str);
            if !iss.is_some_and(|iss| self.external_issuers.iter().any(|i| i == iss)) {
                return Err(Error::InvalidToken(format!(
                    "the External JWT's iss is not {}, which this verifier accepts: set \
                     `iss` when signing it, or accept its issuer with \
                     `Verifier::with_external_jwt_issuer`",
                    quoted(&self.external_issuers)
                )));
            }
        }
        Ok(())
    }
}

/// `"a"`, or `one of "a", "b"`: the configured values, for an error message.
fn quoted(values: &[String]) -> String {
    let list: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    match list.as_slice() {
        [one] => one.clone(),
        _ => format!("one of {}", list.join(", ")),
    }
}

/// The embedded token: the header's `x-ably-token`, or the payload's; both must agree.
fn embedded_token(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Result<(String, TokenPlacement)> {
    let read = |map: &Map<String, Value>, place: &str| match map.get(X_ABLY_TOKEN) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(Error::InvalidToken(format!(
            "the {place}'s {X_ABLY_TOKEN} must be a non-empty string"
        ))),
    };
    match (read(header, "header")?, read(claims, "payload")?) {
        (Some(h), Some(c)) if h != c => Err(Error::InvalidToken(format!(
            "the header's and the payload's {X_ABLY_TOKEN} differ"
        ))),
        (Some(h), _) => Ok((h, TokenPlacement::Header)),
        (None, Some(c)) => Ok((c, TokenPlacement::Claim)),
        (None, None) => Err(Error::InvalidToken(format!(
            "no {X_ABLY_TOKEN} in the JOSE header or the payload: embed an Ably token or Ably JWT"
        ))),
    }
}

#[cfg(test)]
mod tests;
