//! TokenRequest: the signed request for an Ably token, and every method it has.

use super::fields::SignedFields;
use crate::error::{Error, Result};
use crate::key::Key;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A signed request for an Ably token, as sent to `POST /keys/{keyName}/requestToken` or
/// returned from an authUrl. It serializes to exactly its 7 wire fields, absent ones omitted;
/// it deserializes what every SDK sends, including ably-python's `null`s.
///
/// The `capability` is the exact JSON text that was signed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequest {
    /// `appId.keyId`.
    pub key_name: String,
    /// Requested lifetime in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    /// Requested capability: JSON text, signed verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// The clientId the token will carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// Unique random string, at least 16 characters.
    pub nonce: String,
    /// Base64 HMAC-SHA256 of the signed text.
    pub mac: String,
}

impl TokenRequest {
    /// The JSON wire form: byte for byte what `serde_json::to_string` writes for this struct,
    /// built by hand into one buffer sized up front.
    pub fn to_json(&self) -> String {
        self.fields().to_json(&self.mac)
    }

    /// Checks that the fields can be signed or verified without ambiguity, as every signing
    /// and verifying path does before it computes or compares a MAC: keyName not empty and
    /// printable; capability text not empty and on one line; clientId a valid clientId
    /// (40012), `*` allowed; nonce not empty and printable. Other refusals are 40000. (The
    /// service's 16-character minimum for nonces is applied by [`crate::Signer`] to the
    /// params it signs and by [`crate::Verifier`], not here.)
    ///
    /// The signed text joins the fields with line feeds and escapes nothing, so a line feed in
    /// a field would let one MAC stand for other fields (another clientId, timestamp and nonce).
    ///
    /// ```
    /// use ably_auth::TokenRequest;
    ///
    /// let mut request = TokenRequest {
    ///     key_name: "appId.keyId".into(),
    ///     ttl: None,
    ///     capability: None,
    ///     client_id: Some("alice".into()),
    ///     timestamp: 1_700_000_000_000,
    ///     nonce: "0123456789abcdef".into(),
    ///     mac: String::new(),
    /// };
    /// assert!(request.validate().is_ok());
    /// request.client_id = Some("alice\n1700000000000".into());
    /// assert_eq!(request.validate().unwrap_err().code(), 40012);
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.fields().validate()
    }

    /// The exact text the MAC covers: keyName, ttl, capability, clientId, timestamp and nonce,
    /// each followed by a line feed. A ttl of 0 is rendered empty, as ably-js does. Fields that
    /// could be read as other fields are refused first ([`TokenRequest::validate`]).
    pub fn signed_text(&self) -> Result<String> {
        self.validate()?;
        let mut text = String::new();
        self.fields().write_signed_text(&mut text);
        Ok(text)
    }

    /// The MAC these fields should carry under `key`: base64 (standard, padded) HMAC-SHA256 of
    /// [`TokenRequest::signed_text`]. Invalid fields are refused ([`TokenRequest::validate`])
    /// before any MAC is computed.
    pub fn compute_mac(&self, key: &Key) -> Result<String> {
        self.validate()?;
        Ok(self.compute_mac_unchecked(key))
    }

    /// Sets `mac` to [`TokenRequest::compute_mac`]: the fields are MACed as they are, verbatim
    /// (a pre-serialized capability exactly as written), after [`TokenRequest::validate`].
    /// Unlike [`crate::Signer::sign`], which makes a new TokenRequest from [`crate::TokenParams`],
    /// it checks neither the ttl against the key's limit, nor the capability against the key's,
    /// nor the nonce's length: it MACs again what you built or changed by hand.
    ///
    /// ```
    /// use ably_auth::{Key, TokenRequest};
    ///
    /// let key: Key = "appId.keyId:keySecret".parse()?;
    /// let mut request = TokenRequest {
    ///     key_name: key.name().into(),
    ///     ttl: None,
    ///     capability: Some(r#"{"chat:*":["subscribe"]}"#.into()),
    ///     client_id: Some("alice".into()),
    ///     timestamp: 1_700_000_000_000,
    ///     nonce: "0123456789abcdef".into(),
    ///     mac: String::new(),
    /// };
    /// request.set_mac(&key)?;
    /// assert!(request.mac_matches(&key));
    /// request.client_id = Some("bob".into());
    /// assert!(!request.mac_matches(&key));
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn set_mac(&mut self, key: &Key) -> Result<()> {
        self.mac = self.compute_mac(key)?;
        Ok(())
    }

    /// Whether `mac` matches the fields under `key`, compared in constant time. Fields that
    /// [`TokenRequest::validate`] refuses never match.
    pub fn mac_matches(&self, key: &Key) -> bool {
        self.validate().is_ok() && self.mac_matches_validated(key)
    }

    /// [`TokenRequest::mac_matches`] for fields the caller has just validated.
    pub(crate) fn mac_matches_validated(&self, key: &Key) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.fields().mac(key);
        match STANDARD.decode(self.mac.as_bytes()) {
            Ok(given) if given.len() == expected.len() => given.ct_eq(&expected).into(),
            _ => false,
        }
    }

    /// [`TokenRequest::compute_mac`] for fields valid by construction or just validated.
    pub(crate) fn compute_mac_unchecked(&self, key: &Key) -> String {
        STANDARD.encode(self.fields().mac(key))
    }

    /// The fields the MAC covers, borrowed.
    pub(crate) fn fields(&self) -> SignedFields<'_> {
        SignedFields {
            key_name: &self.key_name,
            ttl: self.ttl,
            capability: self.capability.as_deref(),
            client_id: self.client_id.as_deref(),
            timestamp: self.timestamp,
            nonce: &self.nonce,
        }
    }

    /// Reads a TokenRequest body with Ably's error codes: 40001 for a body that is not a
    /// TokenRequest, 40003 for a ttl that is negative or not an integer.
    pub fn from_json(body: &[u8]) -> Result<TokenRequest> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Lenient {
            key_name: Option<String>,
            #[serde(default)]
            ttl: Option<serde_json::Number>,
            #[serde(default)]
            capability: Option<String>,
            #[serde(default)]
            client_id: Option<String>,
            timestamp: Option<serde_json::Number>,
            nonce: Option<String>,
            mac: Option<String>,
        }
        let raw: Lenient = serde_json::from_slice(body)
            .map_err(|e| Error::bad_body(format!("the body is not a TokenRequest: {e}")))?;
        let missing = |field: &str| Error::bad_body(format!("the TokenRequest has no {field}"));
        let ttl = match raw.ttl {
            None => None,
            Some(n) => Some(n.as_u64().ok_or_else(|| {
                Error::InvalidTtl(format!("ttl {n} is not a positive integer of milliseconds"))
            })?),
        };
        let timestamp = raw.timestamp.ok_or_else(|| missing("timestamp"))?;
        let timestamp = timestamp.as_u64().ok_or_else(|| {
            Error::bad_body(format!(
                "timestamp {timestamp} is not milliseconds since the epoch"
            ))
        })?;
        Ok(TokenRequest {
            key_name: raw.key_name.ok_or_else(|| missing("keyName"))?,
            ttl,
            capability: raw.capability,
            client_id: raw.client_id,
            timestamp,
            nonce: raw.nonce.ok_or_else(|| missing("nonce"))?,
            mac: raw.mac.ok_or_else(|| missing("mac"))?,
        })
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("key_name", &self.key_name)
            .field("ttl", &self.ttl)
            .field("capability", &self.capability)
            .field("client_id", &self.client_id)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("mac", &self.mac)
            .finish()
    }
}
