//! AblyTokenIssuer: a TokenIssuer that requests Ably tokens.

use super::Auth;
use crate::error::Result;
use crate::identity::Grant;
use crate::issuer::{Credential, EmbeddedJwtIssuer, TokenIssuer};
use crate::jwt::Hs256Secret;
use crate::token::TokenParams;

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
