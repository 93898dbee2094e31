//! [`EmbeddedJwtIssuer`]: an Ably token (or Ably JWT) from another issuer, wrapped in an
//! External JWT signed with the app's own secret.

use super::{Credential, TokenIssuer};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::identity::Grant;
use crate::jwt::{EmbeddedJwtBuilder, EmbeddedToken, Hs256Secret, TokenPlacement};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

type ClaimsFn = dyn Fn(&Grant, EmbeddedJwtBuilder) -> Result<EmbeddedJwtBuilder> + Send + Sync;

/// Issues External JWTs with an embedded Ably-compatible token ([`Credential::EmbeddedJwt`],
/// answered as `application/jwt`): the inner issuer makes the Ably token for the grant
/// (`AblyTokenIssuer`, through Ably's `requestToken`) or the Ably JWT ([`JwtIssuer`](crate::JwtIssuer)),
/// and this one wraps it with [`EmbeddedJwtBuilder`].
///
/// The External JWT's `exp` is the earlier of the embedded token's expiry and now plus the
/// grant's ttl, so it never outlives either. An inner issuer that answers with a
/// TokenRequest (which is not a token) or a credential of unknown expiry is refused with
/// 50000: the route is misconfigured, not the client.
///
/// ```
/// use ably_auth::jwt::Hs256Secret;
/// use ably_auth::{Capability, Credential, EmbeddedJwtIssuer, Grant, JwtIssuer, Key, TokenIssuer};
/// use std::time::Duration;
///
/// let key: Key = "appId.keyId:keySecret".parse()?;
/// let issuer = EmbeddedJwtIssuer::new(
///     JwtIssuer::new(key),
///     Hs256Secret::new("a-secret-of-our-own-32-bytes-long")?,
/// )
/// .with_claims(|grant, jwt| jwt.claim("sub", grant.client_id.as_ref().map(|c| c.as_str())));
/// let grant = Grant::new(None, Capability::all_channels(), Duration::from_secs(600));
/// let credential = block_on(issuer.issue(&grant))?;
/// assert_eq!(credential.content_type(), "application/jwt");
/// assert!(matches!(credential, Credential::EmbeddedJwt(_)));
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     match f.as_mut().poll(&mut cx) { std::task::Poll::Ready(v) => v, _ => unreachable!() }
/// # }
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub struct EmbeddedJwtIssuer<I> {
    inner: I,
    secret: Hs256Secret,
    placement: TokenPlacement,
    clock: Arc<dyn Clock>,
    backdate: Duration,
    key_id: Option<String>,
    claims: Option<Arc<ClaimsFn>>,
}

impl<I: fmt::Debug> fmt::Debug for EmbeddedJwtIssuer<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedJwtIssuer")
            .field("inner", &self.inner)
            .field("secret", &self.secret)
            .field("placement", &self.placement)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl<I: TokenIssuer> EmbeddedJwtIssuer<I> {
    /// Wraps what `inner` issues in External JWTs signed with `secret`, the token in the JOSE
    /// header, the system clock, `iat` not back-dated.
    pub fn new(inner: I, secret: Hs256Secret) -> EmbeddedJwtIssuer<I> {
        EmbeddedJwtIssuer {
            inner,
            secret,
            placement: TokenPlacement::Header,
            clock: Arc::new(SystemClock),
            backdate: Duration::ZERO,
            key_id: None,
            claims: None,
        }
    }

    /// Puts the token in the JOSE header (the default) or in the payload.
    pub fn with_placement(mut self, placement: TokenPlacement) -> Self {
        self.placement = placement;
        self
    }

    /// Uses `clock` for `iat` and `exp` (the inner issuer keeps its own).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Back-dates `iat` by `by`.
    pub fn with_backdate(mut self, by: Duration) -> Self {
        self.backdate = by;
        self
    }

    /// Sets the `kid` header.
    pub fn with_key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    /// Adds claims of your own to each External JWT (`sub`, `aud`, `iss`, …) through
    /// [`EmbeddedJwtBuilder::claim`], which refuses the reserved names.
    pub fn with_claims(
        mut self,
        f: impl Fn(&Grant, EmbeddedJwtBuilder) -> Result<EmbeddedJwtBuilder> + Send + Sync + 'static,
    ) -> Self {
        self.claims = Some(Arc::new(f));
        self
    }

    /// The inner issuer.
    pub fn inner(&self) -> &I {
        &self.inner
    }

    /// Wraps `credential`, issued by the inner issuer for `grant`, in an External JWT.
    pub fn embed(&self, grant: &Grant, credential: Credential) -> Result<String> {
        let token = match credential {
            Credential::TokenDetails(details) => EmbeddedToken::from_details(&details)?,
            Credential::Jwt(jwt) => EmbeddedToken::ably_jwt(jwt)?,
            other => {
                return Err(Error::Internal(format!(
                    "the inner issuer answered with a {}, which cannot be embedded; wrap an issuer of Ably tokens or Ably JWTs",
                    other.kind()
                )));
            }
        };
        let Some(inner_ms) = token.expires_ms() else {
            return Err(Error::Internal(
                "the inner issuer's token has no known expiry, so it cannot be embedded".into(),
            ));
        };
        let now_ms = self.clock.now_ms();
        let by_grant = (now_ms / 1000).saturating_add(grant.ttl.as_secs());
        let mut builder = EmbeddedJwtBuilder::new(self.secret.clone(), token)
            .placement(self.placement)
            .clock(self.clock.clone())
            .issued_at_ms(now_ms)
            .backdate(self.backdate);
        // The stricter of the two expiries: the grant's ttl when it ends first.
        if by_grant.saturating_mul(1000) < inner_ms {
            builder = builder.ttl(grant.ttl);
        }
        if let Some(kid) = &self.key_id {
            builder = builder.key_id(kid.clone());
        }
        if let Some(claims) = &self.claims {
            builder = claims(grant, builder)?;
        }
        builder.sign()
    }
}

impl<I: TokenIssuer> TokenIssuer for EmbeddedJwtIssuer<I> {
    fn issue(&self, grant: &Grant) -> impl Future<Output = Result<Credential>> + Send {
        let credential = self.inner.issue(grant);
        async move {
            self.embed(grant, credential.await?)
                .map(Credential::EmbeddedJwt)
        }
    }
}

#[cfg(test)]
mod tests;
