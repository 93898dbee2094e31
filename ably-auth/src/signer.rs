//! Signing TokenRequests: the checks every signing path makes, the MAC, and the [`Signer`].

use crate::capability::Capability;
use crate::client_id::ClientId;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::key::Key;
use crate::nonce::{NonceSource, RandomNonce};
use crate::token::{MacField, Pass, SignedFields, TokenParams, TokenRequest, Unsigned};
use base64::Engine;
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

/// Runs `f` with this thread's scratch buffer, emptied (or a fresh one, when a caller up the
/// stack holds it), so signing allocates nothing for its intermediate text.
fn with_scratch<T>(f: impl FnOnce(&mut String) -> T) -> T {
    /// What the buffer keeps between calls: a huge capability once should not pin its
    /// buffer to the thread.
    const KEEP: usize = 4096;
    thread_local! {
        static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
    }
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            scratch.clear();
            let out = f(&mut scratch);
            scratch.clear();
            scratch.shrink_to(KEEP);
            out
        }
        Err(_) => f(&mut String::new()),
    })
}

impl SignedFields<'_> {
    /// HMAC-SHA256 of the signed text. The caller has checked the fields.
    fn raw_mac(&self, key: &Key) -> [u8; 32] {
        with_scratch(|text| {
            self.write_signed_text(text);
            key.mac(text.as_bytes())
        })
    }
}

impl TokenRequest {
    /// The exact text the MAC covers: keyName, ttl, capability, clientId, timestamp and nonce,
    /// each followed by a line feed. A ttl of 0 is rendered empty, as ably-js does. Fields that
    /// could be read as other fields are refused first ([`TokenRequest::validate`]).
    pub fn signed_text(&self) -> Result<String> {
        self.validate()?;
        let mut text = String::new();
        self.fields().write_signed_text(&mut text);
        Ok(text)
    }

    /// The MAC these fields should carry when signed with `key`: base64 (standard, padded)
    /// HMAC-SHA256 of [`TokenRequest::signed_text`]. Invalid fields are refused
    /// ([`TokenRequest::validate`]) before any MAC is computed.
    pub fn compute_mac(&self, key: &Key) -> Result<String> {
        self.validate()?;
        Ok(self.mac_unchecked(key))
    }

    /// Sets `mac` by signing the fields as they are, verbatim (a pre-serialized capability is
    /// signed exactly as written), after [`TokenRequest::validate`]. Unlike [`Signer::sign`],
    /// it checks neither the ttl against the key's limit nor the capability against the key's:
    /// it re-signs what you built by hand.
    pub fn sign(&mut self, key: &Key) -> Result<()> {
        self.mac = self.compute_mac(key)?;
        Ok(())
    }

    fn mac_unchecked(&self, key: &Key) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.fields().raw_mac(key))
    }

    /// Whether `mac` matches the fields, compared in constant time. Fields that
    /// [`TokenRequest::validate`] refuses never match.
    pub fn mac_matches(&self, key: &Key) -> bool {
        self.validate().is_ok() && self.mac_matches_validated(key)
    }

    /// [`TokenRequest::mac_matches`] for fields the caller has just validated.
    pub(crate) fn mac_matches_validated(&self, key: &Key) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.fields().raw_mac(key);
        match base64::engine::general_purpose::STANDARD.decode(self.mac.as_bytes()) {
            Ok(given) if given.len() == expected.len() => given.ct_eq(&expected).into(),
            _ => false,
        }
    }
}

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
}

impl Signer {
    /// A signer using the system clock and [`RandomNonce`].
    pub fn new(key: Key) -> Signer {
        Signer {
            key,
            clock: Arc::new(SystemClock),
            nonces: Arc::new(RandomNonce),
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
        self.sign_unsigned(&Unsigned::from(params))
    }

    pub(crate) fn sign_unsigned(&self, params: &Unsigned<'_>) -> Result<TokenRequest> {
        sign_with(&self.key, &*self.clock, &*self.nonces, params)
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
        self.sign_json_unsigned(&Unsigned::from(params))
    }

    pub(crate) fn sign_json_unsigned(&self, params: &Unsigned<'_>) -> Result<String> {
        check(&self.key, params)?;
        with_scratch(|text| self.write_json(params, text))
    }

    /// Writes the signed text to `text` and the JSON beside it in one pass, the capability's
    /// JSON and the nonce straight into the text, then the MAC of the text into the JSON.
    fn write_json(&self, params: &Unsigned<'_>, text: &mut String) -> Result<String> {
        let client_id = params.client_id.map(ClientId::as_str);
        // Field names, punctuation, numbers, a nonce and the MAC fit in 256 bytes, and most
        // capabilities in 64 per resource; a larger one grows the buffer.
        let capacity = 256
            + self.key.name().len()
            + params.capability.map_or(0, |c| 64 * c.len())
            + client_id.map_or(0, str::len);
        let mut json = String::with_capacity(capacity);
        let mut pass = Pass {
            text: Some(text),
            json: Some(&mut json),
        };
        pass.key_name(self.key.name());
        pass.ttl(params.ttl_ms());
        pass.typed_capability(params.capability);
        pass.client_id(client_id);
        pass.timestamp(params.timestamp_or(&*self.clock));
        let nonce_start = pass.text().len();
        pass.nonce_from(|out| match params.nonce {
            Some(nonce) => out.push_str(nonce),
            None => self.nonces.push_nonce(out),
        });
        if params.nonce.is_none() {
            // The text ends with the nonce and its line feed.
            let text = pass.text();
            generated_nonce(&text[nonce_start..text.len() - 1])?;
        }
        let mac = self.key.mac(pass.text().as_bytes());
        pass.mac(MacField::Raw(mac));
        Ok(json)
    }
}

/// The checks every signing path makes: the params are valid for the key, and a requested
/// capability shares something with the key's own.
fn check(key: &Key, params: &Unsigned<'_>) -> Result<()> {
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
fn generated_nonce(nonce: &str) -> Result<()> {
    crate::token::check_nonce(nonce).map_err(|err| {
        Error::Internal(format!("the NonceSource produced an unusable nonce: {err}"))
    })
}

/// [`Signer::sign`] without a `Signer`, so [`Key::sign`] allocates nothing for its clock and
/// nonce source.
fn sign_with(
    key: &Key,
    clock: &dyn Clock,
    nonces: &dyn NonceSource,
    params: &Unsigned<'_>,
) -> Result<TokenRequest> {
    check(key, params)?;
    let nonce = match params.nonce {
        Some(nonce) => nonce.to_owned(),
        None => {
            let nonce = nonces.nonce();
            generated_nonce(&nonce)?;
            nonce
        }
    };
    let mut request = TokenRequest {
        key_name: key.name().to_owned(),
        ttl: params.ttl_ms(),
        capability: params.capability.map(Capability::to_json),
        client_id: params.client_id.map(|c| c.as_str().to_owned()),
        timestamp: params.timestamp_or(clock),
        nonce,
        mac: String::new(),
    };
    // The other fields are valid by construction: a parsed key's name, a `ClientId`, a
    // `Capability` written as one-line JSON, and a nonce from the params checked by `check`.
    request.mac = request.mac_unchecked(key);
    Ok(request)
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Key {
    /// Signs a TokenRequest with the system clock and a random nonce; see [`Signer`].
    pub fn sign(&self, params: &TokenParams) -> Result<TokenRequest> {
        sign_with(self, &SystemClock, &RandomNonce, &Unsigned::from(params))
    }
}

#[cfg(test)]
mod tests;
