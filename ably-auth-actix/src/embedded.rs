//! The token route's mode for External JWTs with an embedded Ably-compatible token.

use crate::route::TokenRoute;
use ably_auth::jwt::Hs256Secret;
use ably_auth::{AblyIdentity, EmbeddedJwtIssuer, JwtIssuer, Key};
use actix_web::FromRequest;

#[cfg(feature = "rest")]
#[cfg_attr(docsrs, doc(cfg(feature = "rest")))]
impl<U> TokenRoute<U, EmbeddedJwtIssuer<ably_auth::AblyTokenIssuer>>
where
    U: FromRequest + AblyIdentity + 'static,
{
    /// A route answering External JWTs with an embedded Ably token (`application/jwt`): for
    /// each grant an Ably token is requested with `auth` (Ably's `requestToken`) and wrapped
    /// in a JWT signed with `secret`, the app's own, expiring no later than the token.
    /// Configure the wrapping (placement, `kid`, claims of your own) with
    /// [`EmbeddedJwtIssuer`] and [`TokenRoute::new`].
    ///
    /// ```no_run
    /// use ably_auth::jwt::Hs256Secret;
    /// use ably_auth::{Auth, AuthOptions, Key};
    /// use ably_auth_actix::TokenRoute;
    /// # struct User;
    /// # impl ably_auth::AblyIdentity for User { fn ably_grant(&self) -> ably_auth::Result<ably_auth::Grant> { unimplemented!() } }
    /// # impl actix_web::FromRequest for User {
    /// #     type Error = actix_web::Error;
    /// #     type Future = std::future::Ready<Result<User, actix_web::Error>>;
    /// #     fn from_request(_: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future { unimplemented!() }
    /// # }
    ///
    /// let auth = Auth::new(AuthOptions::key(Key::from_env()?))?;
    /// let secret = Hs256Secret::new(std::env::var("APP_JWT_SECRET").unwrap_or_default())?;
    /// let route = TokenRoute::<User, _>::embedded_jwts("/ably/jwt", auth, secret);
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn embedded_jwts(
        path: impl Into<String>,
        auth: ably_auth::Auth,
        secret: Hs256Secret,
    ) -> Self {
        TokenRoute::new(path, EmbeddedJwtIssuer::ably_tokens(auth, secret))
    }
}

impl<U> TokenRoute<U, EmbeddedJwtIssuer<JwtIssuer>>
where
    U: FromRequest + AblyIdentity + 'static,
{
    /// A route answering External JWTs with an embedded Ably JWT (`application/jwt`): the
    /// Ably JWT is signed with `key`, the External JWT with `secret`. No network call.
    pub fn embedded_ably_jwts(path: impl Into<String>, key: Key, secret: Hs256Secret) -> Self {
        TokenRoute::new(path, EmbeddedJwtIssuer::new(JwtIssuer::new(key), secret))
    }
}
