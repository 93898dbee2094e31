//! Turning a [`Grant`] into a credential: a signed TokenRequest, an Ably JWT, or (with the
//! `rest` feature) an Ably token fetched from Ably.

use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::identity::Grant;
use crate::jwt::JwtBuilder;
use crate::key::Key;
use crate::nonce::NonceSource;
use crate::signer::Signer;
use crate::token::BorrowedParams;
use crate::token::{TokenDetails, TokenRequest};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// A credential to hand to an Ably client.
///
/// More kinds may come (the External JWT was added after the first three), so a `match` on it
/// outside this crate needs a `_` arm; [`Credential::content_type`] and [`Credential::to_body`]
/// answer for every kind.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// A signed TokenRequest; the client exchanges it for a token at Ably.
    TokenRequest(TokenRequest),
    /// An Ably JWT.
    Jwt(String),
    /// An Ably token obtained server-side.
    TokenDetails(TokenDetails),
    /// An External JWT, signed with the app's own secret, with an embedded Ably token or Ably
    /// JWT ([`EmbeddedJwtIssuer`]). Clients use it as they use an Ably JWT.
    EmbeddedJwt(String),
}

impl Credential {
    /// The content type an authUrl answers with: `application/json`, or `application/jwt`.
    pub fn content_type(&self) -> &'static str {
        match self {
            Credential::Jwt(_) | Credential::EmbeddedJwt(_) => "application/jwt",
            _ => "application/json",
        }
    }

    /// The response body an authUrl answers with.
    pub fn to_body(&self) -> String {
        match self {
            Credential::TokenRequest(r) => r.to_json(),
            Credential::Jwt(jwt) | Credential::EmbeddedJwt(jwt) => jwt.clone(),
            Credential::TokenDetails(d) => d.to_json(),
        }
    }

    /// A short name for logs: `token_request`, `jwt`, `token` or `embedded_jwt`.
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::TokenRequest(_) => "token_request",
            Credential::Jwt(_) => "jwt",
            Credential::TokenDetails(_) => "token",
            Credential::EmbeddedJwt(_) => "embedded_jwt",
        }
    }
}

/// A credential in the form an authUrl answers with: its body and content type, ready to send.
/// [`TokenIssuer::issue_body`] makes one; `From<Credential>` turns a [`Credential`] into one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialBody {
    /// `application/json` (TokenRequest, TokenDetails) or `application/jwt`.
    pub content_type: &'static str,
    /// A short name for logs, as [`Credential::kind`].
    pub kind: &'static str,
    /// The response body: byte for byte [`Credential::to_body`].
    pub body: String,
}

impl From<Credential> for CredentialBody {
    fn from(credential: Credential) -> CredentialBody {
        let (content_type, kind) = (credential.content_type(), credential.kind());
        let body = match credential {
            Credential::Jwt(jwt) | Credential::EmbeddedJwt(jwt) => jwt,
            other => other.to_body(),
        };
        CredentialBody {
            content_type,
            kind,
            body,
        }
    }
}

/// Issues a credential for a grant that policy has already decided (and hints narrowed).
/// "Issue" means exactly that here: a decided [`Grant`] in, a credential for it out.
///
/// Implementations: [`TokenRequestIssuer`], [`JwtIssuer`], [`EmbeddedJwtIssuer`] (around
/// another issuer), and with the `rest` feature `AblyTokenIssuer`.
pub trait TokenIssuer: Send + Sync {
    /// Issues a credential carrying exactly `grant`.
    fn issue(&self, grant: &Grant) -> impl Future<Output = Result<Credential>> + Send;

    /// Issues a credential for `grant` straight into the body an authUrl answers with: the
    /// same credential as [`TokenIssuer::issue`], in the form `CredentialBody::from` gives
    /// it, and what the actix token route sends. The default converts what `issue` returns;
    /// [`TokenRequestIssuer`] overrides it to sign and serialize in one pass.
    fn issue_body(&self, grant: &Grant) -> impl Future<Output = Result<CredentialBody>> + Send {
        let credential = self.issue(grant);
        async move { credential.await.map(CredentialBody::from) }
    }
}

impl<T: TokenIssuer + ?Sized> TokenIssuer for Arc<T> {
    fn issue(&self, grant: &Grant) -> impl Future<Output = Result<Credential>> + Send {
        (**self).issue(grant)
    }

    fn issue_body(&self, grant: &Grant) -> impl Future<Output = Result<CredentialBody>> + Send {
        (**self).issue_body(grant)
    }
}

/// Issues signed TokenRequests locally; no network.
///
/// ```
/// use ably_auth::{Capability, ClientId, Credential, Grant, Key, TokenIssuer, TokenRequestIssuer};
/// use std::time::Duration;
///
/// let issuer = TokenRequestIssuer::new("appId.keyId:keySecret".parse::<Key>()?);
/// let grant = Grant::new(Some(ClientId::new("alice")?), Capability::all_channels(), Duration::from_secs(60));
/// let credential = futures_lite_block_on(issuer.issue(&grant))?;
/// let Credential::TokenRequest(request) = credential else { unreachable!() };
/// assert_eq!(request.client_id.as_deref(), Some("alice"));
/// assert_eq!(request.ttl, Some(60_000));
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     match f.as_mut().poll(&mut cx) { std::task::Poll::Ready(v) => v, _ => unreachable!() }
/// # }
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct TokenRequestIssuer {
    signer: Signer,
}

impl TokenRequestIssuer {
    /// Signs with `key`, the system clock and random nonces.
    pub fn new(key: Key) -> TokenRequestIssuer {
        TokenRequestIssuer {
            signer: Signer::new(key),
        }
    }

    /// Signs with a configured [`Signer`] (clock and nonce source injected).
    pub fn with_signer(signer: Signer) -> TokenRequestIssuer {
        TokenRequestIssuer { signer }
    }

    /// Uses `clock` for timestamps.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> TokenRequestIssuer {
        self.signer = self.signer.with_clock(clock);
        self
    }

    /// Uses `nonces` for nonces.
    pub fn with_nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> TokenRequestIssuer {
        self.signer = self.signer.with_nonce_source(nonces);
        self
    }

    /// Signs a TokenRequest for `grant` now.
    pub fn sign(&self, grant: &Grant) -> Result<TokenRequest> {
        self.signer.sign_borrowed(&borrowed_params(grant))
    }

    /// Signs a TokenRequest for `grant` now and returns its JSON, in one pass
    /// ([`Signer::sign_json`]): byte for byte `self.sign(grant)?.to_json()` for the same
    /// timestamp and nonce, without building the [`TokenRequest`] in between. This is what the
    /// actix token route sends.
    pub fn sign_json(&self, grant: &Grant) -> Result<String> {
        self.signer.sign_json_borrowed(&borrowed_params(grant))
    }
}

/// What a TokenRequest for `grant` carries; the timestamp and nonce come from the signer.
fn borrowed_params(grant: &Grant) -> BorrowedParams<'_> {
    BorrowedParams {
        ttl: Some(grant.ttl),
        capability: Some(&grant.capability),
        client_id: grant.client_id.as_ref(),
        timestamp: None,
        nonce: None,
    }
}

impl TokenIssuer for TokenRequestIssuer {
    fn issue(&self, grant: &Grant) -> impl Future<Output = Result<Credential>> + Send {
        std::future::ready(self.sign(grant).map(Credential::TokenRequest))
    }

    fn issue_body(&self, grant: &Grant) -> impl Future<Output = Result<CredentialBody>> + Send {
        std::future::ready(self.issue_body_now(grant))
    }
}

impl TokenRequestIssuer {
    /// What [`TokenIssuer::issue_body`] answers, without the future.
    pub(crate) fn issue_body_now(&self, grant: &Grant) -> Result<CredentialBody> {
        self.sign_json(grant).map(|body| CredentialBody {
            content_type: "application/json",
            kind: "token_request",
            body,
        })
    }
}

/// Issues Ably JWTs locally; no network.
#[derive(Clone, Debug)]
pub struct JwtIssuer {
    key: Key,
    clock: Arc<dyn Clock>,
    backdate: Duration,
}

impl JwtIssuer {
    /// Signs with `key` and the system clock; `iat` is not back-dated.
    pub fn new(key: Key) -> JwtIssuer {
        JwtIssuer {
            key,
            clock: Arc::new(SystemClock),
            backdate: Duration::ZERO,
        }
    }

    /// Uses `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> JwtIssuer {
        self.clock = clock;
        self
    }

    /// Back-dates `iat` by `by`, to tolerate a server clock ahead of Ably's.
    pub fn with_backdate(mut self, by: Duration) -> JwtIssuer {
        self.backdate = by;
        self
    }

    /// A builder preset with this issuer's key, clock and back-dating, and `grant`; add your own
    /// claims before signing.
    pub fn builder(&self, grant: &Grant) -> JwtBuilder {
        let mut builder = JwtBuilder::new(&self.key)
            .clock(self.clock.clone())
            .backdate(self.backdate)
            .ttl(grant.ttl)
            .capability(grant.capability.clone());
        if let Some(id) = &grant.client_id {
            builder = builder.client_id(id.clone());
        }
        builder
    }
}

impl TokenIssuer for JwtIssuer {
    fn issue(&self, grant: &Grant) -> impl Future<Output = Result<Credential>> + Send {
        std::future::ready(self.builder(grant).sign().map(Credential::Jwt))
    }

    fn issue_body(&self, grant: &Grant) -> impl Future<Output = Result<CredentialBody>> + Send {
        std::future::ready(
            self.builder(grant)
                .sign()
                .map(|jwt| CredentialBody::from(Credential::Jwt(jwt))),
        )
    }
}

mod embedded;
pub use embedded::EmbeddedJwtIssuer;

#[cfg(test)]
mod tests;
