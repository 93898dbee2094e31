//! AblyTokenIssuer: a TokenIssuer that requests Ably tokens.

use super::{Auth, AuthOptions};
use crate::error::Result;
use crate::identity::Grant;
use crate::issuer::{Credential, EmbeddedJwtIssuer, TokenIssuer};
use crate::jwt::Hs256Secret;
use crate::key::Key;
use crate::keyring::KeyRing;
use crate::token::TokenParams;
use std::fmt;
use std::sync::{Arc, Mutex};

/// Issues Ably tokens fetched from Ably with [`Auth::request_token`]
/// ([`Credential::TokenDetails`]): the grant's ttl, capability and clientId become the
/// token params.
///
/// ```no_run
/// use ably_auth::{AblyTokenIssuer, Auth, AuthOptions, Key};
///
/// let issuer = AblyTokenIssuer::new(Auth::new(AuthOptions::key(Key::from_env()?))?);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Debug)]
pub struct AblyTokenIssuer {
    auth: Auth,
}

impl AblyTokenIssuer {
    /// Requests tokens with `auth`.
    pub fn new(auth: Auth) -> AblyTokenIssuer {
        AblyTokenIssuer { auth }
    }

    /// The `Auth` used.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }
}

impl TokenIssuer for AblyTokenIssuer {
    fn issue(&self, grant: &Grant) -> impl Future<Output = Result<Credential>> + Send {
        let params = TokenParams {
            ttl: Some(grant.ttl),
            capability: Some(grant.capability.clone()),
            client_id: grant.client_id.clone(),
            timestamp: None,
            nonce: None,
        };
        async move {
            self.auth
                .request_token(Some(params), None)
                .await
                .map(Credential::TokenDetails)
        }
    }
}

impl EmbeddedJwtIssuer<AblyTokenIssuer> {
    /// Embeds Ably tokens requested with `auth` (Ably's `requestToken`) in External JWTs
    /// signed with `secret`.
    pub fn ably_tokens(auth: Auth, secret: Hs256Secret) -> Self {
        EmbeddedJwtIssuer::new(AblyTokenIssuer::new(auth), secret)
    }
}

/// Makes the [`Auth`] that requests tokens with one key.
type MakeAuth = dyn Fn(Key) -> Result<Auth> + Send + Sync;

/// Issues Ably tokens, as [`AblyTokenIssuer`] does, with the key that signs *now* in a
/// [`KeyRing`]: a key rotation (a [`KeyRing::replace`], a key file reloaded) reaches the
/// Ably-token route as it reaches the signing issuers
/// ([`RotatingTokenRequestIssuer`](crate::RotatingTokenRequestIssuer)). The [`Auth`] for a
/// key is made when that key first signs, and kept until the ring's signing key changes; a
/// request under way finishes with the `Auth` it started with.
///
/// ```no_run
/// use ably_auth::{KeyRing, KeySet, RotatingAblyTokenIssuer};
///
/// let ring = KeyRing::new(KeySet::from_file("/etc/app/ably-keys")?);
/// let issuer = RotatingAblyTokenIssuer::with_endpoint(ring, "https://main.realtime.ably.net")?;
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub struct RotatingAblyTokenIssuer {
    ring: KeyRing,
    make_auth: Box<MakeAuth>,
    /// The key the issuer was made for, and the issuer.
    current: Mutex<(Key, Arc<AblyTokenIssuer>)>,
}

impl RotatingAblyTokenIssuer {
    /// Requests tokens with the `Auth` that `make_auth` makes for the ring's signing key (set
    /// its endpoint, timeout or fallback hosts there). It is called now, so a configuration
    /// error shows at start, and again each time the signing key changes.
    pub fn new(
        ring: KeyRing,
        make_auth: impl Fn(Key) -> Result<Auth> + Send + Sync + 'static,
    ) -> Result<RotatingAblyTokenIssuer> {
        let key = ring.signing_key();
        let issuer = Arc::new(AblyTokenIssuer::new(make_auth(key.clone())?));
        Ok(RotatingAblyTokenIssuer {
            ring,
            make_auth: Box::new(make_auth),
            current: Mutex::new((key, issuer)),
        })
    }

    /// Requests tokens at the Ably REST base URL `endpoint` ([`Auth::with_endpoint`]).
    pub fn with_endpoint(
        ring: KeyRing,
        endpoint: impl Into<String>,
    ) -> Result<RotatingAblyTokenIssuer> {
        let endpoint: String = endpoint.into();
        RotatingAblyTokenIssuer::new(ring, move |key| {
            Ok(Auth::new(AuthOptions::key(key))?.with_endpoint(endpoint.clone()))
        })
    }

    /// The issuer for the key that signs now.
    fn current(&self) -> Result<Arc<AblyTokenIssuer>> {
        let key = self.ring.signing_key();
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.0 != key {
            let issuer = Arc::new(AblyTokenIssuer::new((self.make_auth)(key.clone())?));
            *current = (key, issuer);
        }
        Ok(current.1.clone())
    }
}

/// Shows the ring's key names, never a secret.
impl fmt::Debug for RotatingAblyTokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotatingAblyTokenIssuer")
            .field("ring", &self.ring)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer for RotatingAblyTokenIssuer {
    fn issue(&self, grant: &Grant) -> impl Future<Output = Result<Credential>> + Send {
        let issuer = self.current();
        let grant = grant.clone();
        async move { issuer?.issue(&grant).await }
    }
}
