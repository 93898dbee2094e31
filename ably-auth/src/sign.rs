//! Signing TokenRequests: the MAC, the clock and the nonce source.

use crate::error::{Error, Result};
use crate::key::Key;
use crate::token::{TokenParams, TokenRequest};
use base64::Engine;
use hmac::Mac;
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in milliseconds since the Unix epoch. Inject one to make
/// signing and verification deterministic.
pub trait Clock: Send + Sync {
    /// Now, in milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }
}

/// A clock that stands still until moved; for tests.
///
/// ```
/// use ably_auth::{Clock, FixedClock};
/// let clock = FixedClock::new(1_700_000_000_000);
/// clock.advance(std::time::Duration::from_secs(1));
/// assert_eq!(clock.now_ms(), 1_700_000_001_000);
/// ```
#[derive(Debug, Default)]
pub struct FixedClock(AtomicU64);

impl FixedClock {
    /// A clock reading `ms`.
    pub fn new(ms: u64) -> FixedClock {
        FixedClock(AtomicU64::new(ms))
    }

    /// Sets the time.
    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }

    /// Moves the time forward.
    pub fn advance(&self, by: std::time::Duration) {
        self.0.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
}

impl fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clock({})", self.now_ms())
    }
}

/// A source of TokenRequest nonces (at least 16 characters, never repeating).
pub trait NonceSource: Send + Sync {
    /// A fresh nonce.
    fn nonce(&self) -> String;
}

/// 32 lowercase hex characters (128 bits) from the operating system's CSPRNG, read in
/// batches so a nonce costs no system call on average.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomNonce;

const NONCE_BYTES: usize = 16;
/// 256 nonces per system call.
const POOL_BYTES: usize = NONCE_BYTES * 256;

struct Pool {
    bytes: [u8; POOL_BYTES],
    used: usize,
}

impl Drop for Pool {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes[..]);
    }
}

thread_local! {
    static POOL: RefCell<Pool> = const {
        RefCell::new(Pool { bytes: [0; POOL_BYTES], used: POOL_BYTES })
    };
}

impl RandomNonce {
    fn random_bytes() -> [u8; NONCE_BYTES] {
        POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            if pool.used == POOL_BYTES {
                getrandom::fill(&mut pool.bytes)
                    .expect("the operating system CSPRNG is unavailable");
                pool.used = 0;
            }
            let start = pool.used;
            let mut out = [0u8; NONCE_BYTES];
            out.copy_from_slice(&pool.bytes[start..start + NONCE_BYTES]);
            pool.bytes[start..start + NONCE_BYTES].fill(0);
            pool.used += NONCE_BYTES;
            out
        })
    }
}

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = RandomNonce::random_bytes();
        let mut hex = [0u8; NONCE_BYTES * 2];
        for (pair, b) in hex.chunks_exact_mut(2).zip(bytes) {
            pair[0] = HEX[(b >> 4) as usize];
            pair[1] = HEX[(b & 0xf) as usize];
        }
        std::str::from_utf8(&hex).unwrap_or_default().to_owned()
    }
}

impl<N: NonceSource + ?Sized> NonceSource for Arc<N> {
    fn nonce(&self) -> String {
        (**self).nonce()
    }
}

/// `n` in decimal ASCII, written at the end of `buf`.
pub(crate) fn decimal(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

impl TokenRequest {
    /// The exact text the MAC covers: keyName, ttl, capability, clientId, timestamp and nonce,
    /// each followed by a line feed. A ttl of 0 is rendered empty, as ably-js does.
    pub fn signed_text(&self) -> String {
        let mut text = String::new();
        self.each_signed_part(|part| text.push_str(std::str::from_utf8(part).unwrap_or("")));
        text
    }

    fn each_signed_part(&self, mut f: impl FnMut(&[u8])) {
        let mut buf = [0u8; 20];
        f(self.key_name.as_bytes());
        f(b"\n");
        if let Some(ttl) = self.ttl.filter(|t| *t > 0) {
            f(decimal(ttl, &mut buf));
        }
        f(b"\n");
        f(self.capability.as_deref().unwrap_or("").as_bytes());
        f(b"\n");
        f(self.client_id.as_deref().unwrap_or("").as_bytes());
        f(b"\n");
        f(decimal(self.timestamp, &mut buf));
        f(b"\n");
        f(self.nonce.as_bytes());
        f(b"\n");
    }

    fn raw_mac(&self, key: &Key) -> [u8; 32] {
        let mut mac = key.hmac();
        self.each_signed_part(|part| mac.update(part));
        mac.finalize().into_bytes().into()
    }

    /// The MAC these fields should carry when signed with `key`: base64 (standard, padded)
    /// HMAC-SHA256 of [`TokenRequest::signed_text`].
    pub fn compute_mac(&self, key: &Key) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.raw_mac(key))
    }

    /// Sets `mac` by signing the fields as they are, verbatim (a pre-serialized capability is
    /// signed exactly as written).
    pub fn sign(&mut self, key: &Key) {
        self.mac = self.compute_mac(key);
    }

    /// Whether `mac` matches the fields, compared in constant time.
    pub fn mac_matches(&self, key: &Key) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.raw_mac(key);
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
        sign_with(&self.key, &*self.clock, &*self.nonces, params)
    }
}

/// [`Signer::sign`] without a `Signer`, so [`Key::sign`] allocates nothing for its clock and
/// nonce source.
fn sign_with(
    key: &Key,
    clock: &dyn Clock,
    nonces: &dyn NonceSource,
    params: &TokenParams,
) -> Result<TokenRequest> {
    params.validate(key.max_ttl())?;
    if let (Some(requested), Some(key_cap)) = (&params.capability, key.capability())
        && requested.intersect(key_cap).is_empty()
    {
        return Err(Error::CapabilityDenied {
            status: 401,
            message: format!(
                "the requested capability {requested} shares nothing with the key's {key_cap}"
            ),
        });
    }
    let mut request = TokenRequest {
        key_name: key.name().to_owned(),
        ttl: params.ttl.map(|t| t.as_millis() as u64),
        capability: params.capability.as_ref().map(|c| c.to_json()),
        client_id: params.client_id.as_ref().map(|c| c.as_str().to_owned()),
        timestamp: params
            .timestamp
            .filter(|t| *t > 0)
            .unwrap_or_else(|| clock.now_ms()),
        nonce: params.nonce.clone().unwrap_or_else(|| nonces.nonce()),
        mac: String::new(),
    };
    request.sign(key);
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
        sign_with(self, &SystemClock, &RandomNonce, params)
    }
}

#[cfg(test)]
mod tests;
