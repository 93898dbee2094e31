//! Extractors for apps that keep the signed-in user in actix-session (feature `session`) or
//! actix-identity (feature `identity`). Each wraps your user type and implements
//! [`AblyIdentity`] by delegating to it, so it plugs straight into a
//! [`TokenRoute`](crate::TokenRoute).

use crate::error::{AblyError, cookie_error};
use ably_auth::{AblyIdentity, Error, Grant};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::{Ready, ready};
use std::ops::Deref;

/// The user stored in actix-session under [`SessionUser::KEY`] (as JSON).
///
/// ```no_run
/// # #[cfg(feature = "session")] {
/// use ably_auth_actix::{TokenRoute, adapters::SessionUser};
/// # #[derive(serde::Deserialize, serde::Serialize)] struct User;
/// # impl ably_auth::AblyIdentity for User { fn ably_grant(&self) -> ably_auth::Result<ably_auth::Grant> { unimplemented!() } }
/// # let key: ably_auth::Key = "a.b:c".parse().unwrap();
/// // At login: SessionUser::login(&session, &user)?;
/// let route = TokenRoute::<SessionUser<User>, _>::token_requests("/ably/token-request", key);
/// # }
/// ```
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
pub struct SessionUser<U>(pub U);

#[cfg(feature = "session")]
const SESSION_KEY: &str = "ably_auth.user";

#[cfg(feature = "session")]
impl<U: serde::Serialize> SessionUser<U> {
    /// The session key the user is stored under.
    pub const KEY: &'static str = SESSION_KEY;

    /// Stores `user` in the session (call it at sign-in).
    pub fn login(
        session: &actix_session::Session,
        user: &U,
    ) -> Result<(), actix_session::SessionInsertError> {
        session.renew();
        session.insert(Self::KEY, user)
    }

    /// Removes the user from the session (call it at sign-out).
    pub fn logout(session: &actix_session::Session) {
        session.purge();
    }
}

#[cfg(feature = "session")]
impl<U: serde::de::DeserializeOwned + 'static> FromRequest for SessionUser<U> {
    type Error = AblyError;
    type Future = Ready<Result<Self, AblyError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        use actix_session::SessionExt;
        if let Err(err) = req.cookies() {
            return ready(Err(cookie_error(&err).into()));
        }
        let user = req
            .get_session()
            .get::<U>(SESSION_KEY)
            .ok()
            .flatten()
            .map(SessionUser)
            .ok_or_else(|| {
                Error::Unauthorized("no user in the session; sign in first".into()).into()
            });
        ready(user)
    }
}

#[cfg(feature = "session")]
impl<U: AblyIdentity> AblyIdentity for SessionUser<U> {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        self.0.ably_grant()
    }
}

#[cfg(feature = "session")]
impl<U> Deref for SessionUser<U> {
    type Target = U;
    fn deref(&self) -> &U {
        &self.0
    }
}

/// The user whose id actix-identity holds, parsed with `U: FromStr` (for example a user id
/// type whose [`AblyIdentity`] looks up the role).
#[cfg(feature = "identity")]
#[cfg_attr(docsrs, doc(cfg(feature = "identity")))]
pub struct IdentityUser<U>(pub U);

#[cfg(feature = "identity")]
impl<U> FromRequest for IdentityUser<U>
where
    U: std::str::FromStr + 'static,
    U::Err: std::fmt::Display,
{
    type Error = AblyError;
    type Future = Ready<Result<Self, AblyError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        use actix_identity::IdentityExt;
        if let Err(err) = req.cookies() {
            return ready(Err(cookie_error(&err).into()));
        }
        let user = match req.get_identity().and_then(|identity| identity.id()) {
            Err(_) => Err(Error::Unauthorized("no identity; sign in first".into())),
            Ok(id) => id
                .parse::<U>()
                .map(IdentityUser)
                .map_err(|e| Error::Unauthorized(format!("the identity is not a known user: {e}"))),
        };
        ready(user.map_err(AblyError))
    }
}

#[cfg(feature = "identity")]
impl<U: AblyIdentity> AblyIdentity for IdentityUser<U> {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        self.0.ably_grant()
    }
}

#[cfg(feature = "identity")]
impl<U> Deref for IdentityUser<U> {
    type Target = U;
    fn deref(&self) -> &U {
        &self.0
    }
}
