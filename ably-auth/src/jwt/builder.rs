//! [`JwtBuilder`]: Ably JWTs, HS256 tokens signed with the API key, carrying Ably's claims.

use super::{
    CHANNEL_CLAIM_PREFIX, CLAIM_CAPABILITY, CLAIM_CLIENT_ID, CLAIM_REVOCATION_KEY, compact_jws,
    json_string, push_claims,
};
use crate::capability::Capability;
use crate::client_id::ClientId;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::key::Key;
use crate::token::validate_ttl;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Builds an Ably JWT: header `{"typ":"JWT","alg":"HS256","kid":keyName}`, `iat`/`exp` in
/// seconds, the capability as a JSON string, clientId, revocation key, channel-scoped claims
/// and any claims of your own.
///
/// ```
/// use ably_auth::{Capability, ClientId, JwtBuilder, Key, Operation::*};
/// use std::time::Duration;
///
/// let key: Key = "appId.keyId:keySecret".parse()?;
/// let jwt = JwtBuilder::new(&key)
///     .client_id(ClientId::new("user-1")?)
///     .capability(Capability::new().grant_all("*")?)
///     .ttl(Duration::from_secs(3600))
///     .issued_at_ms(1_700_000_000_000)
///     .sign()?;
/// // The vector in ably-auth/vectors/jwt.json, produced with Node's crypto.
/// assert!(jwt.ends_with(".Tco05qHZyMhBi3pvLVTPGvEZ31Q9oVbI0cUDJr26JdY"));
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct JwtBuilder {
    key: Key,
    clock: Arc<dyn Clock>,
    issued_at_ms: Option<u64>,
    ttl: Duration,
    backdate: Duration,
    capability: Option<Capability>,
    client_id: Option<ClientId>,
    revocation_key: Option<String>,
    channel_claims: BTreeMap<String, String>,
    extra: Vec<(String, Value)>,
}

impl JwtBuilder {
    /// A builder for a JWT signed with `key`, valid for Ably's default 60 minutes.
    pub fn new(key: &Key) -> JwtBuilder {
        JwtBuilder {
            key: key.clone(),
            clock: Arc::new(SystemClock),
            issued_at_ms: None,
            ttl: crate::token::DEFAULT_TTL,
            backdate: Duration::ZERO,
            capability: None,
            client_id: None,
            revocation_key: None,
            channel_claims: BTreeMap::new(),
            extra: Vec::new(),
        }
    }

    /// Reads the time from `clock`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> JwtBuilder {
        self.clock = clock;
        self
    }

    /// Issues at this time (milliseconds since the epoch) instead of now.
    pub fn issued_at_ms(mut self, ms: u64) -> JwtBuilder {
        self.issued_at_ms = Some(ms);
        self
    }

    /// How long the JWT is valid, from now (rounded down to whole seconds).
    pub fn ttl(mut self, ttl: Duration) -> JwtBuilder {
        self.ttl = ttl;
        self
    }

    /// Moves `iat` this far into the past, for servers whose clock runs ahead of Ably's
    /// ("issuedAt time must not be in the future"). `exp` is unchanged.
    pub fn backdate(mut self, by: Duration) -> JwtBuilder {
        self.backdate = by;
        self
    }

    /// The capability (`x-ably-capability`). Without one, the key's capability applies.
    pub fn capability(mut self, capability: Capability) -> JwtBuilder {
        self.capability = Some(capability);
        self
    }

    /// The clientId (`x-ably-clientId`); [`ClientId::wildcard`] allows any.
    pub fn client_id(mut self, client_id: ClientId) -> JwtBuilder {
        self.client_id = Some(client_id);
        self
    }

    /// The revocation key (`x-ably-revocation-key`), for keys with revocable tokens.
    pub fn revocation_key(mut self, revocation_key: impl Into<String>) -> JwtBuilder {
        self.revocation_key = Some(revocation_key.into());
        self
    }

    /// A channel-scoped claim (`ably.channel.<channel>`) other clients can read.
    pub fn channel_claim(
        mut self,
        channel: impl Into<String>,
        value: impl Into<String>,
    ) -> JwtBuilder {
        self.channel_claims.insert(channel.into(), value.into());
        self
    }

    /// A claim of your own. Reserved names (`iat`, `exp`, and `x-ably-*`) are refused: set
    /// those with the builder's methods.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Result<JwtBuilder> {
        let name = name.into();
        if name == "iat" || name == "exp" {
            return Err(Error::bad_request(format!(
                "claim `{name}` is set by the builder; use `.ttl()`, `.issued_at_ms()` or `.backdate()`"
            )));
        }
        if name.to_ascii_lowercase().starts_with("x-ably-") {
            return Err(Error::bad_request(format!(
                "claim `{name}` is reserved by Ably; use `.capability()`, `.client_id()` or `.revocation_key()`"
            )));
        }
        if name.starts_with(CHANNEL_CLAIM_PREFIX) {
            return Err(Error::bad_request(format!(
                "claim `{name}` is channel-scoped; use `.channel_claim()`"
            )));
        }
        self.extra.retain(|(n, _)| *n != name);
        self.extra.push((name, value.into()));
        Ok(self)
    }

    /// Signs the JWT.
    pub fn sign(&self) -> Result<String> {
        validate_ttl(self.ttl, self.key.max_ttl())?;
        if self.ttl.as_secs() == 0 {
            return Err(Error::InvalidTtl(
                "a JWT ttl must be at least 1 second".into(),
            ));
        }
        let lifetime = self.ttl + Duration::from_secs(self.backdate.as_secs());
        if lifetime > self.key.max_ttl() {
            return Err(Error::InvalidTtl(format!(
                "ttl plus backdate ({} s) exceeds the key's limit of {} s; shorten the ttl",
                lifetime.as_secs(),
                self.key.max_ttl().as_secs()
            )));
        }
        if let Some(cap) = &self.capability
            && cap.is_empty()
        {
            return Err(Error::InvalidCapability(
                "the capability is empty; omit it for the key's capability".into(),
            ));
        }
        let now_s = self.issued_at_ms.unwrap_or_else(|| self.clock.now_ms()) / 1000;
        let iat = now_s.saturating_sub(self.backdate.as_secs());
        let exp = now_s + self.ttl.as_secs();

        let mut payload = String::with_capacity(256);
        payload.push_str(&format!("{{\"iat\":{iat},\"exp\":{exp}"));
        let mut string_claim = |name: &str, value: &str| {
            payload.push(',');
            payload.push_str(&json_string(name));
            payload.push(':');
            payload.push_str(&json_string(value));
        };
        if let Some(cap) = &self.capability {
            string_claim(CLAIM_CAPABILITY, &cap.to_json());
        }
        if let Some(id) = &self.client_id {
            string_claim(CLAIM_CLIENT_ID, id.as_str());
        }
        if let Some(rk) = &self.revocation_key {
            string_claim(CLAIM_REVOCATION_KEY, rk);
        }
        for (channel, value) in &self.channel_claims {
            string_claim(&format!("{CHANNEL_CLAIM_PREFIX}{channel}"), value);
        }
        push_claims(&mut payload, &self.extra);
        payload.push('}');

        let header = format!(
            "{{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":{}}}",
            json_string(self.key.name())
        );
        Ok(compact_jws(&header, &payload, |text| self.key.mac(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::DecodedJwt;
    use crate::test_vectors;
    use base64::Engine;

    /// A repeated extra claim keeps its last value, once; other claims keep theirs.
    #[test]
    fn a_repeated_claim_keeps_the_last_value() {
        let key = Key::parse("appId.keyId:keySecret").unwrap();
        let jwt = JwtBuilder::new(&key)
            .claim("a", 1)
            .unwrap()
            .claim("b", 2)
            .unwrap()
            .claim("a", 3)
            .unwrap()
            .sign()
            .unwrap();
        let payload = jwt.split('.').nth(1).unwrap();
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        let text = String::from_utf8(payload).unwrap();
        let claims: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (claims["a"].clone(), claims["b"].clone()),
            (3.into(), 2.into())
        );
        assert_eq!(text.matches("\"a\":").count(), 1, "{text}");
    }

    /// Every vector in `ably-auth/vectors/jwt.json` (Node crypto HS256) reproduces exactly.
    #[test]
    fn reproduces_jwt_vectors() {
        let doc = test_vectors::load("jwt.json");
        for v in doc["vectors"].as_array().unwrap() {
            let name = v["name"].as_str().unwrap();
            let key = Key::parse(v["key"].as_str().unwrap()).unwrap();
            let claims = &v["claims"];
            let iat = claims["iat"].as_u64().unwrap();
            let exp = claims["exp"].as_u64().unwrap();
            let mut builder = JwtBuilder::new(&key)
                .issued_at_ms(iat * 1000)
                .ttl(Duration::from_secs(exp - iat))
                .capability(
                    Capability::parse(claims["x-ably-capability"].as_str().unwrap()).unwrap(),
                )
                .client_id(
                    ClientId::from_token(claims["x-ably-clientId"].as_str().unwrap()).unwrap(),
                );
            if let Some(rk) = claims["x-ably-revocation-key"].as_str() {
                builder = builder.revocation_key(rk);
            }
            assert_eq!(
                builder.sign().unwrap(),
                v["jwt"].as_str().unwrap(),
                "{name}"
            );
            let decoded = DecodedJwt::decode(v["jwt"].as_str().unwrap()).unwrap();
            assert_eq!(decoded.kid().unwrap(), key.name());
            assert!(decoded.signature_matches(&key));
            assert_eq!(Value::Object(decoded.claims), *claims, "{name}");
        }
    }

    #[test]
    fn extra_and_channel_claims() {
        let key = Key::parse("appId.keyId:keySecret").unwrap();
        let jwt = JwtBuilder::new(&key)
            .issued_at_ms(1_700_000_000_000)
            .backdate(Duration::from_secs(30))
            .channel_claim("chat:lobby", "{\"role\":\"mod\"}")
            .claim("plan", "pro")
            .unwrap()
            .sign()
            .unwrap();
        let claims = DecodedJwt::decode(&jwt).unwrap().claims;
        assert_eq!(claims["iat"], 1_699_999_970);
        assert_eq!(claims["exp"], 1_700_003_600);
        assert_eq!(claims["ably.channel.chat:lobby"], "{\"role\":\"mod\"}");
        assert_eq!(claims["plan"], "pro");
        assert!(!claims.contains_key(CLAIM_CAPABILITY));
        for reserved in [
            "x-ably-capability",
            "X-Ably-Foo",
            "iat",
            "exp",
            "ably.channel.x",
        ] {
            assert!(
                JwtBuilder::new(&key).claim(reserved, 1).is_err(),
                "{reserved}"
            );
        }
    }

    #[test]
    fn ttl_limits_hold_for_jwts() {
        let key = Key::parse("appId.keyId:keySecret").unwrap();
        let err = JwtBuilder::new(&key)
            .ttl(Duration::from_secs(90_000))
            .sign()
            .unwrap_err();
        assert_eq!(err.code(), 40003);
        let revocable = key.with_revocable_tokens(true);
        let err = JwtBuilder::new(&revocable)
            .ttl(Duration::from_secs(3601))
            .sign()
            .unwrap_err();
        assert_eq!(err.code(), 40003);
        let err = JwtBuilder::new(&revocable)
            .ttl(Duration::from_secs(3600))
            .backdate(Duration::from_secs(5))
            .sign()
            .unwrap_err();
        assert_eq!(err.code(), 40003);
    }
}
