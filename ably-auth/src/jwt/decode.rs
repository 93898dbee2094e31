//! Splitting and decoding a compact JWS, its signature checked separately.

use crate::error::{Error, Result};
use crate::key::Key;
use crate::mac::PreKeyed;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// The most bytes a token string may have (RSA4f: 128 KiB).
pub const MAX_TOKEN_BYTES: usize = 128 * 1024;

/// A JWT split and decoded, its signature not yet checked. Only `alg` HS256 decodes.
pub(crate) struct DecodedJwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    signed: String,
    signature: Vec<u8>,
}

impl DecodedJwt {
    pub(crate) fn decode(token: &str) -> Result<DecodedJwt> {
        let invalid = |why: &str| Error::InvalidToken(why.to_owned());
        if token.len() > MAX_TOKEN_BYTES {
            return Err(invalid("the JWT is longer than 128 KiB"));
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("a JWT has three base64url parts separated by `.`"));
        };
        let part = |text: &str, what: &str| {
            URL_SAFE_NO_PAD
                .decode(text)
                .map_err(|_| invalid(&format!("the JWT {what} is not base64url")))
        };
        let header: Map<String, Value> = serde_json::from_slice(&part(h, "header")?)
            .map_err(|_| invalid("the JWT header is not a JSON object"))?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(invalid("the JWT `alg` must be HS256"));
        }
        let claims = serde_json::from_slice(&part(p, "payload")?)
            .map_err(|_| invalid("the JWT payload is not a JSON object"))?;
        Ok(DecodedJwt {
            header,
            claims,
            signed: format!("{h}.{p}"),
            signature: part(s, "signature")?,
        })
    }

    /// The header's `kid`, which an Ably JWT must have: the key name.
    pub(crate) fn kid(&self) -> Result<&str> {
        self.header
            .get("kid")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::InvalidToken("the JWT header has no `kid` (the key name)".into()))
    }

    pub(crate) fn signature_matches(&self, key: &Key) -> bool {
        self.signature_is(&key.mac(self.signed.as_bytes()))
    }

    /// Whether the signature is the HMAC-SHA256 keyed with `secret`.
    pub(crate) fn signature_matches_secret(&self, secret: &PreKeyed) -> bool {
        self.signature_is(&secret.mac(self.signed.as_bytes()))
    }

    fn signature_is(&self, expected: &[u8; 32]) -> bool {
        use subtle::ConstantTimeEq;
        self.signature.len() == expected.len() && bool::from(self.signature.ct_eq(expected))
    }
}
