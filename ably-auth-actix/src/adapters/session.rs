//! The user in actix-session.

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
pub struct SessionUser<U>(pub U);

const SESSION_KEY: &str = "ably_auth.user";

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

impl<U: AblyIdentity> AblyIdentity for SessionUser<U> {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        self.0.ably_grant()
    }
}

impl<U> Deref for SessionUser<U> {
    type Target = U;
    fn deref(&self) -> &U {
        &self.0
    }
}
