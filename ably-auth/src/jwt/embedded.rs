//! [`EmbeddedJwtBuilder`]: an External JWT, signed with the app's own secret, carrying an Ably
//! token or Ably JWT under `x-ably-token` (Ably's docs, `auth/token/index.mdx`, "Embedded
//! Token JWT").

use super::{
    DecodedJwt, Hs256Secret, MAX_TOKEN_BYTES, X_ABLY_TOKEN, compact_jws, json_string, push_claims,
};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::token::TokenDetails;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Where an External JWT carries its Ably token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TokenPlacement {
    /// `x-ably-token` in the JOSE header: what Ably looks at first, for signed and encrypted
    /// JWTs alike. The default.
    #[default]
    Header,
    /// An `x-ably-token` claim in the payload (only for an unencrypted JWS, which this is).
    Claim,
}

/// An Ably-compatible token to embed, and when it expires.
///
/// An External JWT may not outlive its embedded token, so the builder needs the embedded
/// token's expiry; when it is unknown the builder refuses to sign (it cannot show the rule
/// holds, and a guess could let the outer JWT outlive the token).
#[derive(Clone, PartialEq, Eq)]
pub struct EmbeddedToken {
    token: String,
    expires_ms: Option<u64>,
}

impl EmbeddedToken {
    /// An Ably token (or Ably JWT) that expires at `expires_ms` (ms since the epoch).
    pub fn new(token: impl Into<String>, expires_ms: u64) -> Result<EmbeddedToken> {
        EmbeddedToken::checked(token.into(), Some(expires_ms))
    }

    /// The token of a `TokenDetails` from `requestToken`, with its `expires` (unknown when 0,
    /// as for a bare token string).
    pub fn from_details(details: &TokenDetails) -> Result<EmbeddedToken> {
        let expires = (details.expires != 0).then_some(details.expires);
        EmbeddedToken::checked(details.token.clone(), expires)
    }

    /// An Ably JWT, its expiry read from its `exp` claim (its signature is not checked here:
    /// it is the issuing server's own token). Refused with 40144 when it is not an HS256 JWT;
    /// its expiry is unknown when it has no integer `exp`.
    pub fn ably_jwt(jwt: impl Into<String>) -> Result<EmbeddedToken> {
        let jwt = jwt.into();
        let exp = DecodedJwt::decode(&jwt)?
            .claims
            .get("exp")
            .and_then(Value::as_u64);
        EmbeddedToken::checked(jwt, exp.map(|s| s.saturating_mul(1000)))
    }

    fn checked(token: String, expires_ms: Option<u64>) -> Result<EmbeddedToken> {
        if token.is_empty() {
            return Err(Error::bad_request("the token to embed is empty"));
        }
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::bad_request(
                "the token to embed is longer than 128 KiB",
            ));
        }
        Ok(EmbeddedToken { token, expires_ms })
    }

    /// The token string.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Its expiry in ms since the epoch, if known.
    pub fn expires_ms(&self) -> Option<u64> {
        self.expires_ms
    }
}

/// Shows the token's first characters only.
impl fmt::Debug for EmbeddedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.token.chars().take(8).collect();
        f.debug_struct("EmbeddedToken")
            .field("token", &format_args!("{shown}…"))
            .field("expires_ms", &self.expires_ms)
            .finish()
    }
}

/// Builds an External JWT with an embedded Ably-compatible token: header
/// `{"typ":"JWT","alg":"HS256"}` (plus `kid` if set, and `x-ably-token` for
/// [`TokenPlacement::Header`]), payload `iat` and `exp` in seconds (plus `x-ably-token` for
/// [`TokenPlacement::Claim`]) and any claims of your own, HS256-signed with `secret`.
///
/// `exp` is the embedded token's expiry (rounded down to the second) unless a shorter
/// [`ttl`](EmbeddedJwtBuilder::ttl) is set; an `exp` later than the embedded token's expiry
/// is refused (Ably rejects such a JWT), and so is an embedded token of unknown expiry.
///
/// ```
/// use ably_auth::jwt::{EmbeddedJwtBuilder, EmbeddedToken, Hs256Secret, TokenPlacement};
///
/// let secret = Hs256Secret::new("a-secret-of-our-own-32-bytes-long")?;
/// let token = EmbeddedToken::new("appId.opaque-ably-token", 1_700_003_600_000)?;
/// let jwt = EmbeddedJwtBuilder::new(secret.clone(), token.clone())
///     .issued_at_ms(1_700_000_000_000)
///     .claim("sub", "user-1")?
///     .sign()?;
/// assert_eq!(jwt.split('.').count(), 3);
///
/// // A ttl reaching past the embedded token's expiry is refused.
/// let err = EmbeddedJwtBuilder::new(secret, token)
///     .issued_at_ms(1_700_000_000_000)
///     .ttl(std::time::Duration::from_secs(3601))
///     .sign()
///     .unwrap_err();
/// assert_eq!(err.code(), 40003);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct EmbeddedJwtBuilder {
    secret: Hs256Secret,
    token: EmbeddedToken,
    placement: TokenPlacement,
    clock: Arc<dyn Clock>,
    issued_at_ms: Option<u64>,
    ttl: Option<Duration>,
    backdate: Duration,
    key_id: Option<String>,
    extra: Vec<(String, Value)>,
}

impl EmbeddedJwtBuilder {
    /// A builder embedding `token` in the header, signing with `secret`, expiring with the
    /// token.
    pub fn new(secret: Hs256Secret, token: EmbeddedToken) -> EmbeddedJwtBuilder {
        EmbeddedJwtBuilder {
            secret,
            token,
            placement: TokenPlacement::Header,
            clock: Arc::new(SystemClock),
            issued_at_ms: None,
            ttl: None,
            backdate: Duration::ZERO,
            key_id: None,
            extra: Vec::new(),
        }
    }

    /// Puts the token in the JOSE header (the default) or in the payload.
    pub fn placement(mut self, placement: TokenPlacement) -> EmbeddedJwtBuilder {
        self.placement = placement;
        self
    }

    /// Reads the time from `clock`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> EmbeddedJwtBuilder {
        self.clock = clock;
        self
    }

    /// Issues at this time (milliseconds since the epoch) instead of now.
    pub fn issued_at_ms(mut self, ms: u64) -> EmbeddedJwtBuilder {
        self.issued_at_ms = Some(ms);
        self
    }

    /// Expires this long after now (whole seconds) instead of with the embedded token;
    /// signing refuses a ttl that reaches past the embedded token's expiry.
    pub fn ttl(mut self, ttl: Duration) -> EmbeddedJwtBuilder {
        self.ttl = Some(ttl);
        self
    }

    /// Moves `iat` this far into the past; `exp` is unchanged.
    pub fn backdate(mut self, by: Duration) -> EmbeddedJwtBuilder {
        self.backdate = by;
        self
    }

    /// A `kid` header naming the secret, for verifiers that hold several.
    pub fn key_id(mut self, kid: impl Into<String>) -> EmbeddedJwtBuilder {
        self.key_id = Some(kid.into());
        self
    }

    /// A claim of your own (`sub`, `aud`, `iss`, `nbf`, `jti`, …). Refused with 40000:
    /// `iat` and `exp` (set with [`ttl`](Self::ttl), [`issued_at_ms`](Self::issued_at_ms) and
    /// [`backdate`](Self::backdate)), and names reserved by Ably, `x-ably-*` (the embedded
    /// token among them) and `ably.*`: those belong in the embedded Ably JWT.
    pub fn claim(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<EmbeddedJwtBuilder> {
        let name = name.into();
        check_claim_name(&name)?;
        self.extra.retain(|(n, _)| *n != name);
        self.extra.push((name, value.into()));
        Ok(self)
    }

    /// Signs the External JWT.
    ///
    /// Refused: an embedded token of unknown expiry (40000), one that has expired (40003), a
    /// ttl of zero or one that reaches past the embedded token's expiry (40003), an empty
    /// `kid` (40000).
    pub fn sign(&self) -> Result<String> {
        let Some(inner_ms) = self.token.expires_ms else {
            return Err(Error::bad_request(
                "the embedded token's expiry is unknown, so the External JWT's `exp` cannot be kept within it; \
                 give it with `EmbeddedToken::new(token, expires_ms)`",
            ));
        };
        let now_s = self.issued_at_ms.unwrap_or_else(|| self.clock.now_ms()) / 1000;
        let inner_s = inner_ms / 1000;
        let exp = match self.ttl {
            None => inner_s,
            Some(ttl) if ttl.as_secs() == 0 => {
                return Err(Error::InvalidTtl(
                    "an External JWT ttl must be at least 1 second".into(),
                ));
            }
            Some(ttl) => now_s.saturating_add(ttl.as_secs()),
        };
        if exp.saturating_mul(1000) > inner_ms {
            return Err(Error::InvalidTtl(format!(
                "the External JWT would expire at {exp} s, after its embedded token ({inner_ms} ms); \
                 shorten the ttl, or leave it unset to expire with the token"
            )));
        }
        if exp <= now_s {
            return Err(Error::InvalidTtl(format!(
                "the embedded token expires at {inner_ms} ms, not after now ({now_s} s); embed a fresh token"
            )));
        }
        let iat = now_s.saturating_sub(self.backdate.as_secs());

        let mut header = String::from("{\"typ\":\"JWT\",\"alg\":\"HS256\"");
        if let Some(kid) = &self.key_id {
            if kid.is_empty() {
                return Err(Error::bad_request("the `kid` is empty; set a name or none"));
            }
            header.push_str(",\"kid\":");
            header.push_str(&json_string(kid));
        }
        let token = json_string(&self.token.token);
        let mut payload = format!("{{\"iat\":{iat},\"exp\":{exp}");
        let (target, field) = match self.placement {
            TokenPlacement::Header => (&mut header, ",\"x-ably-token\":"),
            TokenPlacement::Claim => (&mut payload, ",\"x-ably-token\":"),
        };
        target.push_str(field);
        target.push_str(&token);
        header.push('}');
        push_claims(&mut payload, &self.extra);
        payload.push('}');

        Ok(compact_jws(&header, &payload, |text| {
            self.secret.pre_keyed().mac(text)
        }))
    }
}

/// Refuses the claim names an External JWT's own claims may not use.
fn check_claim_name(name: &str) -> Result<()> {
    if name == "iat" || name == "exp" {
        return Err(Error::bad_request(format!(
            "claim `{name}` is set by the builder; use `.ttl()`, `.issued_at_ms()` or `.backdate()`"
        )));
    }
    let lower = name.to_ascii_lowercase();
    if lower == X_ABLY_TOKEN {
        return Err(Error::bad_request(format!(
            "claim `{name}` holds the embedded token; choose its place with `.placement()`"
        )));
    }
    if lower.starts_with("x-ably-") || lower.starts_with("ably.") {
        return Err(Error::bad_request(format!(
            "claim `{name}` is reserved by Ably; put Ably's claims in the embedded Ably JWT"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
