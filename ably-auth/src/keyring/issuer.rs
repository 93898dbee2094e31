//! Issuers that sign with a [`KeyRing`]'s current signing key.

use super::KeyRing;
use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::identity::Grant;
use crate::issuer::{Credential, CredentialBody, JwtIssuer, TokenIssuer, TokenRequestIssuer};
use crate::jwt::JwtBuilder;
use crate::nonce::NonceSource;
use crate::signer::Signer;
use crate::token::TokenRequest;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Issues signed TokenRequests with the signing key of a [`KeyRing`], read once per
/// credential: each TokenRequest is signed whole with one key and names it in `keyName`, and
/// a swap of the ring never fails a request.
///
/// ```
/// use ably_auth::{Capability, Grant, Key, KeyRing, KeySet, RotatingTokenRequestIssuer};
/// use std::time::Duration;
///
/// let ring = KeyRing::from("appId.old:oldSecret".parse::<Key>()?);
/// let issuer = RotatingTokenRequestIssuer::new(ring.clone());
/// let grant = Grant::new(None, Capability::all_channels(), Duration::from_secs(60));
/// assert_eq!(issuer.sign(&grant)?.key_name, "appId.old");
/// ring.replace(KeySet::new("appId.new:newSecret".parse()?));
/// assert_eq!(issuer.sign(&grant)?.key_name, "appId.new");
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct RotatingTokenRequestIssuer {
    ring: KeyRing,
    clock: Option<Arc<dyn Clock>>,
    nonces: Option<Arc<dyn NonceSource>>,
}

impl RotatingTokenRequestIssuer {
    /// Signs with `ring`'s signing key, the system clock and [`RandomNonce`](crate::RandomNonce).
    pub fn new(ring: KeyRing) -> RotatingTokenRequestIssuer {
        RotatingTokenRequestIssuer {
            ring,
            clock: None,
            nonces: None,
        }
    }

    /// Uses `clock` for timestamps.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> RotatingTokenRequestIssuer {
        self.clock = Some(clock);
        self
    }

    /// Uses `nonces` for nonces.
    pub fn with_nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = Some(nonces);
        self
    }

    /// The ring this issuer follows.
    pub fn key_ring(&self) -> &KeyRing {
        &self.ring
    }

    /// Signs a TokenRequest for `grant` now, with the key that signs at this moment.
    pub fn sign(&self, grant: &Grant) -> Result<TokenRequest> {
        self.current().sign(grant)
    }

    /// [`RotatingTokenRequestIssuer::sign`] and the JSON body in one pass, as
    /// [`TokenRequestIssuer::sign_json`] does.
    pub fn sign_json(&self, grant: &Grant) -> Result<String> {
        self.current().sign_json(grant)
    }

    /// An issuer for the key that signs at this moment.
    fn current(&self) -> TokenRequestIssuer {
        let mut signer = Signer::new(self.ring.signing_key());
        if let Some(clock) = &self.clock {
            signer = signer.with_clock(clock.clone());
        }
        if let Some(nonces) = &self.nonces {
            signer = signer.with_nonce_source(nonces.clone());
        }
        TokenRequestIssuer::with_signer(signer)
    }
}

impl std::fmt::Debug for RotatingTokenRequestIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatingTokenRequestIssuer")
            .field("ring", &self.ring)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer for RotatingTokenRequestIssuer {
    fn issue(&self, grant: &Grant) -> impl Future<Output = Result<Credential>> + Send {
        std::future::ready(self.sign(grant).map(Credential::TokenRequest))
    }

    fn issue_body(&self, grant: &Grant) -> impl Future<Output = Result<CredentialBody>> + Send {
        std::future::ready(self.current().issue_body_now(grant))
    }
}

/// Issues Ably JWTs with the signing key of a [`KeyRing`], read once per credential: each JWT
/// is signed with the key its `kid` names, and a swap of the ring never fails a request.
#[derive(Clone, Debug)]
pub struct RotatingJwtIssuer {
    ring: KeyRing,
    clock: Arc<dyn Clock>,
    backdate: Duration,
}

impl RotatingJwtIssuer {
    /// Signs with `ring`'s signing key and the system clock; `iat` is not back-dated.
    pub fn new(ring: KeyRing) -> RotatingJwtIssuer {
        RotatingJwtIssuer {
            ring,
            clock: Arc::new(SystemClock),
            backdate: Duration::ZERO,
        }
    }

    /// Uses `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> RotatingJwtIssuer {
        self.clock = clock;
        self
    }

    /// Back-dates `iat` by `by`, to tolerate a server clock ahead of Ably's.
    pub fn with_backdate(mut self, by: Duration) -> RotatingJwtIssuer {
        self.backdate = by;
        self
    }

    /// The ring this issuer follows.
    pub fn key_ring(&self) -> &KeyRing {
        &self.ring
    }

    /// A builder preset with the key that signs at this moment, this issuer's clock and
    /// back-dating, and `grant`; add your own claims before signing.
    pub fn builder(&self, grant: &Grant) -> JwtBuilder {
        JwtIssuer::new(self.ring.signing_key())
            .with_clock(self.clock.clone())
            .with_backdate(self.backdate)
            .builder(grant)
    }
}

impl TokenIssuer for RotatingJwtIssuer {
    fn issue(&self, grant: &Grant) -> impl Future<Output = Result<Credential>> + Send {
        std::future::ready(self.builder(grant).sign().map(Credential::Jwt))
    }
}
