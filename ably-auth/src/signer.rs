//! Signing: making a new TokenRequest from [`TokenParams`], checked against the key.
//!
//! The verbs of this crate, one meaning each:
//!
//! * **sign**: make a new credential from what it should allow, after checking that against
//!   the key (ttl within the key's limit, a capability that shares something with the key's,
//!   every field valid), with a fresh timestamp and nonce unless given: [`Signer::sign`] and
//!   [`Signer::sign_json`] for TokenRequests, [`crate::JwtBuilder::sign`] for Ably JWTs,
//!   [`crate::TokenRequestIssuer::sign`] for a policy's grant.
//! * **MAC**: compute the HMAC of a TokenRequest's fields as they stand, checking only that
//!   they read back unambiguously ([`TokenRequest::validate`]): [`TokenRequest::compute_mac`],
//!   [`TokenRequest::set_mac`], [`TokenRequest::mac_matches`], over
//!   [`TokenRequest::signed_text`].
//! * **validate**: refuse what Ably would refuse, with its error code, without producing
//!   anything: [`TokenRequest::validate`], [`TokenParams::validate`], [`crate::token::validate_ttl`].
//! * **verify**: check a credential the way the Ably service does ([`crate::Verifier`]).
//! * **issue**: turn a policy's grant into a [`crate::Credential`] ([`crate::TokenIssuer`]).
//!
//! Every inherent method of a type is in the module that defines it: `TokenRequest`'s (its
//! MAC included) in `token/request.rs`, `Key`'s in `key.rs`, `Signer`'s here. A module higher
//! in the import graph adds no methods to a lower module's types; it offers its own type or
//! function instead, so `Signer::new(key).sign(&params)` makes a TokenRequest from a key.

use crate::capability::Capability;
use crate::client_id::ClientId;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::key::Key;
use crate::nonce::{NonceSource, RandomNonce};
use crate::scratch::with_byte_scratch;
use crate::token::{BorrowedParams, TokenParams, TokenRequest};
use body::Pass;
use std::fmt;
use std::sync::{Arc, LazyLock};

/// Signs TokenRequests with a key, a clock and a nonce source.
///
/// ```
/// use ably_auth::{Capability, ClientId, FixedClock, Key, Operation::*, Signer, TokenParams};
/// use std::sync::Arc;
///
/// let key: Key = "appId.keyId:keySecret".parse()?;
/// let signer = Signer::new(key).with_clock(Arc::new(FixedClock::new(1_700_000_000_000)));
/// let request = signer.sign(&TokenParams {
///     client_id: Some(ClientId::new("user-1")?),
///     capability: Some(Capability::new().grant("chat:*", [Subscribe])?),
///     ..TokenParams::default()
/// })?;
/// assert_eq!(request.timestamp, 1_700_000_000_000);
/// assert_eq!(request.nonce.len(), 32);
/// assert_eq!(request.capability.as_deref(), Some(r#"{"chat:*":["subscribe"]}"#));
/// assert_eq!(request.mac.len(), 44);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    key: Key,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
    /// Whether `nonces` is the shared [`RandomNonce`], whose hex nonces the one-pass body
    /// takes as bytes.
    random_nonces: bool,
}

impl Signer {
    /// A signer using the system clock and [`RandomNonce`]. The two are shared by every signer,
    /// so making one allocates nothing and `Signer::new(key.clone()).sign(&params)` suits a
    /// one-off TokenRequest.
    pub fn new(key: Key) -> Signer {
        // Stateless defaults, shared by every signer.
        static CLOCK: LazyLock<Arc<dyn Clock>> = LazyLock::new(|| Arc::new(SystemClock));
        static NONCES: LazyLock<Arc<dyn NonceSource>> = LazyLock::new(|| Arc::new(RandomNonce));
        Signer {
            key,
            clock: CLOCK.clone(),
            nonces: NONCES.clone(),
            random_nonces: true,
        }
    }

    /// Uses `clock` for timestamps.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Signer {
        self.clock = clock;
        self
    }

    /// Uses `nonces` for nonces.
    pub fn with_nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> Signer {
        self.nonces = nonces;
        self.random_nonces = false;
        self
    }

    /// The key.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Builds and signs a TokenRequest. A timestamp or nonce in `params` is used as given
    /// (for deterministic tests); otherwise they come from the clock and the nonce source.
    /// Absent ttl and capability stay absent.
    pub fn sign(&self, params: &TokenParams) -> Result<TokenRequest> {
        self.sign_borrowed(&BorrowedParams::from(params))
    }

    /// [`Signer::sign`] for params borrowed from elsewhere (a [`crate::Grant`]'s parts).
    pub(crate) fn sign_borrowed(&self, params: &BorrowedParams<'_>) -> Result<TokenRequest> {
        validate_for_key(&self.key, params)?;
        let nonce = match params.nonce {
            Some(nonce) => nonce.to_owned(),
            None => {
                let nonce = self.nonces.nonce();
                validate_generated_nonce(&nonce)?;
                nonce
            }
        };
        let mut request = TokenRequest {
            key_name: self.key.name().to_owned(),
            ttl: params.ttl_ms(),
            capability: params.capability.map(Capability::to_json),
            client_id: params.client_id.map(|c| c.as_str().to_owned()),
            timestamp: params.timestamp_or(&*self.clock),
            nonce,
            mac: String::new(),
        };
        // The fields are valid by construction: a parsed key's name, a `ClientId`, a
        // `Capability` written as one-line JSON, and a nonce from the params checked by
        // `validate_for_key`.
        request.mac = request.compute_mac_unchecked(&self.key);
        Ok(request)
    }

    /// Signs and serializes in one pass: byte for byte `self.sign(params)?.to_json()`, the body
    /// an authUrl answers with, without building the [`TokenRequest`] in between.
    ///
    /// ```
    /// use ably_auth::{ClientId, FixedClock, Key, Signer, TokenParams};
    /// use std::sync::Arc;
    ///
    /// let signer = Signer::new("appId.keyId:keySecret".parse::<Key>()?)
    ///     .with_clock(Arc::new(FixedClock::new(1_700_000_000_000)));
    /// let params = TokenParams {
    ///     client_id: Some(ClientId::new("alice")?),
    ///     nonce: Some("0123456789abcdef".into()),
    ///     ..TokenParams::default()
    /// };
    /// assert_eq!(signer.sign_json(&params)?, signer.sign(&params)?.to_json());
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn sign_json(&self, params: &TokenParams) -> Result<String> {
        self.sign_json_borrowed(&BorrowedParams::from(params))
    }

    /// [`Signer::sign_json`] for params borrowed from elsewhere (a [`crate::Grant`]'s parts).
    pub(crate) fn sign_json_borrowed(&self, params: &BorrowedParams<'_>) -> Result<String> {
        validate_for_key(&self.key, params)?;
        with_byte_scratch(|text| self.write_json(params, text))
    }

    /// Writes the signed text to `text` and the JSON beside it in one pass, the capability's
    /// JSON and the nonce straight into both, then the MAC of the text into the JSON.
    fn write_json(&self, params: &BorrowedParams<'_>, text: &mut Vec<u8>) -> Result<String> {
        let client_id = params.client_id.map(ClientId::as_str);
        // Field names, punctuation, numbers, a nonce and the MAC fit in 256 bytes, and most
        // capabilities in 64 per resource; a larger one grows the buffer.
        let capacity = 256
            + self.key.name().len()
            + params.capability.map_or(0, |c| 64 * c.len())
            + client_id.map_or(0, str::len);
        let mut pass = Pass {
            text,
            json: Vec::with_capacity(capacity),
        };
        pass.json.push(b'{');
        pass.string(b"\"keyName\":", Some(self.key.name()));
        pass.number(b",\"ttl\":", params.ttl_ms(), true);
        pass.capability(params.capability);
        pass.string(b",\"clientId\":", client_id);
        let timestamp = params.timestamp_or(&*self.clock);
        pass.number(b",\"timestamp\":", Some(timestamp), false);
        match params.nonce {
            Some(nonce) => pass.string(b",\"nonce\":", Some(nonce)),
            None if self.random_nonces => pass.hex_nonce(&RandomNonce::hex()),
            None => {
                let mut nonce = String::new();
                self.nonces.push_nonce(&mut nonce);
                validate_generated_nonce(&nonce)?;
                pass.string(b",\"nonce\":", Some(&nonce));
            }
        }
        let mac = self.key.mac(pass.text);
        pass.mac(&mac);
        String::from_utf8(pass.json)
            .map_err(|_| Error::Internal("a TokenRequest's JSON came out as invalid UTF-8".into()))
    }
}

/// The checks every signing path makes: the params are valid for the key, and a requested
/// capability shares something with the key's own.
fn validate_for_key(key: &Key, params: &BorrowedParams<'_>) -> Result<()> {
    params.validate(key.max_ttl())?;
    if let (Some(requested), Some(key_cap)) = (params.capability, key.capability())
        && !requested.overlaps(key_cap)
    {
        return Err(Error::CapabilityDenied {
            status: 401,
            message: format!(
                "the requested capability {requested} shares nothing with the key's {key_cap}"
            ),
        });
    }
    Ok(())
}

/// Checks a nonce from a [`NonceSource`], which may be the app's own, like one in the params;
/// a bad one is the app's bug (50000), not the client's.
fn validate_generated_nonce(nonce: &str) -> Result<()> {
    crate::token::validate_nonce(nonce).map_err(|err| {
        Error::Internal(format!("the NonceSource produced an unusable nonce: {err}"))
    })
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

mod body;

#[cfg(test)]
mod tests;
