//! The user named by actix-identity.

use crate::error::{AblyError, cookie_error};
use ably_auth::{AblyIdentity, Error, Grant};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::{Ready, ready};
use std::ops::Deref;

/// The user whose id actix-identity holds, parsed with `U: FromStr` (for example a user id
/// type whose [`AblyIdentity`] looks up the role).
pub struct IdentityUser<U>(pub U);

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

impl<U: AblyIdentity> AblyIdentity for IdentityUser<U> {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        self.0.ably_grant()
    }
}

impl<U> Deref for IdentityUser<U> {
    type Target = U;
    fn deref(&self) -> &U {
        &self.0
    }
}
