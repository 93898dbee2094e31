//! Verifying TokenRequests and Ably JWTs the way the Ably service does (Ably's TokenRequest
//! spec, <https://ably.com/docs/api/token-request-spec>): MAC, timestamp window, nonce replay,
//! ttl limits, capability and clientId.

use crate::capability::Capability;
use crate::client_id::ClientId;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::key::Key;
use crate::keyring::KeyRing;
use crate::token::{DEFAULT_TTL, TokenRequest, validate_ttl};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How far a TokenRequest timestamp may be from the verifier's clock: 2 minutes.
pub const TIMESTAMP_WINDOW: Duration = Duration::from_secs(120);

/// What a verified TokenRequest or JWT grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedToken {
    /// The key that signed it.
    pub key_name: String,
    /// The clientId it carries (possibly the wildcard), or `None` for anonymous.
    pub client_id: Option<ClientId>,
    /// The effective capability: requested ∩ key capability.
    pub capability: Capability,
    /// Issue time, ms since the epoch.
    pub issued: u64,
    /// Expiry, ms since the epoch.
    pub expires: u64,
    /// The JWT's revocation key, if any.
    pub revocation_key: Option<String>,
}

/// Verifies TokenRequests and Ably JWTs against a set of keys, each with the capability it
/// has "in the dashboard".
///
/// ```
/// use ably_auth::{Capability, FixedClock, Key, Signer, TokenParams, Verifier};
/// use std::sync::Arc;
///
/// let clock = Arc::new(FixedClock::new(1_700_000_000_000));
/// let key: Key = "appId.keyId:keySecret".parse()?;
/// let verifier = Verifier::new().with_clock(clock.clone()).with_key(
///     key.clone().with_capability(Capability::parse(r#"{"chat:*":["publish","subscribe"]}"#)?),
/// );
/// let request = Signer::new(key).with_clock(clock).sign(&TokenParams::default())?;
/// let granted = verifier.verify_token_request(&request)?;
/// assert_eq!(granted.capability.to_json(), r#"{"chat:*":["publish","subscribe"]}"#);
/// // The same request again is a replay.
/// assert_eq!(verifier.verify_token_request(&request).unwrap_err().code(), 40105);
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub struct Verifier {
    keys: HashMap<String, Key>,
    /// Followed on every request: its current set is looked up before `keys`.
    ring: Option<KeyRing>,
    clock: Arc<dyn Clock>,
    window: Duration,
    jwt_skew: Duration,
    nonces: Mutex<NonceCache>,
    external_secrets: Vec<crate::jwt::Hs256Secret>,
    /// When not empty, an External JWT's `aud` must name one of these.
    external_audiences: Vec<String>,
    /// When not empty, an External JWT's `iss` must be one of these.
    external_issuers: Vec<String>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::new()
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .field("ring", &self.ring)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier with no key, the system clock, a 2-minute window and room for 100 000
    /// nonces in it.
    pub fn new() -> Verifier {
        Verifier {
            keys: HashMap::new(),
            ring: None,
            clock: Arc::new(SystemClock),
            window: TIMESTAMP_WINDOW,
            jwt_skew: Duration::from_secs(10),
            nonces: Mutex::new(NonceCache::new(100_000)),
            external_secrets: Vec::new(),
            external_audiences: Vec::new(),
            external_issuers: Vec::new(),
        }
    }

    /// Accepts `key`. Its declared capability ([`Key::with_capability`]) is what requests are
    /// intersected with; without one, `{"[*]*":["*"]}`.
    pub fn with_key(mut self, key: Key) -> Verifier {
        self.keys.insert(key.name().to_owned(), key);
        self
    }

    /// A verifier that accepts any key in `ring`'s current set (see [`Verifier::with_key_ring`]).
    pub fn from_key_ring(ring: KeyRing) -> Verifier {
        Verifier::new().with_key_ring(ring)
    }

    /// Follows `ring`: a credential verifies with any key in the ring's set *at the time it is
    /// verified*, looked up by key name before the keys added with [`Verifier::with_key`]. A
    /// key removed from the ring is unknown from then on (40400, HTTP 404), whatever it signed.
    pub fn with_key_ring(mut self, ring: KeyRing) -> Verifier {
        self.ring = Some(ring);
        self
    }

    /// Whether a credential naming the key `name` would find its key now (in the ring's
    /// current set or among the keys added with [`Verifier::with_key`]).
    pub fn knows_key(&self, name: &str) -> bool {
        self.current_key(name).is_ok()
    }

    /// Uses `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Verifier {
        self.clock = clock;
        self
    }

    /// Sets the timestamp window (default 2 minutes).
    pub fn with_window(mut self, window: Duration) -> Verifier {
        self.window = window;
        self
    }

    /// Caps the number of remembered nonces; when full, new requests get 42910 until old
    /// ones leave the window.
    pub fn with_nonce_capacity(self, capacity: usize) -> Verifier {
        *self.nonces.lock().unwrap_or_else(|e| e.into_inner()) = NonceCache::new(capacity);
        self
    }

    /// The key named `name` among those added with [`Verifier::with_key`] (not the ring's:
    /// those can change at any moment; see [`Verifier::current_key`]).
    pub fn key(&self, name: &str) -> Result<&Key> {
        self.keys.get(name).ok_or_else(|| unknown_key(name))
    }

    /// The key named `name` as verification would find it now: the ring's current one first
    /// ([`Verifier::with_key_ring`]), then one added with [`Verifier::with_key`]. Unknown:
    /// 40400 (HTTP 404).
    pub fn current_key(&self, name: &str) -> Result<Key> {
        self.ring
            .as_ref()
            .and_then(|ring| ring.get(name))
            .or_else(|| self.keys.get(name).cloned())
            .ok_or_else(|| unknown_key(name))
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Verifies a TokenRequest and returns what a token issued for it grants.
    ///
    /// Fields that could be read as other fields (a line feed in the clientId, say) are
    /// refused before the key is looked up or the MAC compared ([`TokenRequest::validate`]).
    pub fn verify_token_request(&self, request: &TokenRequest) -> Result<VerifiedToken> {
        request.validate()?;
        crate::token::validate_nonce(&request.nonce)?;
        let key = &self.current_key(&request.key_name)?;
        if !request.mac_matches_validated(key) {
            return Err(Error::MacMismatch);
        }
        let now = self.clock.now_ms();
        let window = self.window.as_millis() as u64;
        if request.timestamp.abs_diff(now) > window {
            return Err(Error::TimestampNotCurrent(format!(
                "timestamp {} is {} ms from the server time {now}; the limit is {window} ms (is the clock in sync?)",
                request.timestamp,
                request.timestamp.abs_diff(now)
            )));
        }
        let ttl = match request.ttl {
            None | Some(0) => DEFAULT_TTL.min(key.max_ttl()),
            Some(ms) => {
                let ttl = Duration::from_millis(ms);
                validate_ttl(ttl, key.max_ttl())?;
                ttl
            }
        };
        let capability = self.effective_capability(key, request.capability.as_deref())?;
        let client_id = match request.client_id.as_deref() {
            None => None,
            Some(id) => Some(ClientId::from_token(id)?),
        };
        self.nonces
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(&request.nonce, request.timestamp, now, window)?;
        Ok(VerifiedToken {
            key_name: request.key_name.clone(),
            client_id,
            capability,
            issued: now,
            expires: now + ttl.as_millis() as u64,
            revocation_key: None,
        })
    }

    fn effective_capability(&self, key: &Key, requested: Option<&str>) -> Result<Capability> {
        let everything;
        let key_cap = match key.capability() {
            Some(c) => c,
            None => {
                everything = Capability::everything();
                &everything
            }
        };
        let Some(requested) = requested else {
            return Ok(key_cap.clone());
        };
        let granted = Capability::parse(requested)?.intersect(key_cap);
        if granted.is_empty() {
            return Err(Error::CapabilityDenied {
                status: 401,
                message: format!(
                    "requested capability {requested} is not permitted by the key's capability {key_cap}"
                ),
            });
        }
        Ok(granted)
    }
}

fn unknown_key(name: &str) -> Error {
    Error::UnknownKey(format!(
        "no key named {name:?} is configured on this endpoint"
    ))
}

/// Nonces seen within the window. Entries leave once their timestamp is outside the window
/// (a request with that timestamp is refused anyway), so memory is bounded by `capacity`.
struct NonceCache {
    capacity: usize,
    seen: HashSet<(u64, Box<str>)>,
    /// While full: the time before which no entry can leave the window, so a sweep would be
    /// wasted work (a flood of requests then costs no full scan each).
    full_until: u64,
}

impl NonceCache {
    fn new(capacity: usize) -> NonceCache {
        NonceCache {
            capacity,
            seen: HashSet::new(),
            full_until: 0,
        }
    }

    fn insert(&mut self, nonce: &str, timestamp: u64, now: u64, window: u64) -> Result<()> {
        let key = (timestamp, Box::<str>::from(nonce));
        if self.seen.contains(&key) {
            return Err(Error::NonceReplayed);
        }
        if self.seen.len() >= self.capacity {
            if now <= self.full_until {
                return Err(Self::full_error());
            }
            self.seen.retain(|(ts, _)| ts.abs_diff(now) <= window);
            if self.seen.len() >= self.capacity {
                self.full_until = self
                    .seen
                    .iter()
                    .map(|(ts, _)| ts + window)
                    .min()
                    .unwrap_or(now);
                return Err(Self::full_error());
            }
        }
        self.seen.insert(key);
        Ok(())
    }

    fn full_error() -> Error {
        Error::RateLimited("too many token requests within the timestamp window".into())
    }
}

mod embedded;
mod jwt;

pub use embedded::ExternalJwt;

#[cfg(test)]
mod tests;
