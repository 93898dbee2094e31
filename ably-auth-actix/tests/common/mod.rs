//! The test apps' user: named by an `x-user` header (a stand-in for a session).
#![allow(dead_code)]

use ably_auth::{AblyIdentity, Capability, ClientId, Error, Grant, Operation::*};
use ably_auth_actix::AblyError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::{Ready, ready};
use std::time::Duration;

/// The signed-in user.
pub struct User(pub String);

/// What every test user is granted: the chat namespace read-only, their own channel fully.
pub const GRANT_OF_ALICE: &str = r#"{"chat:*":["history","subscribe"],"user:alice":["history","presence","publish","subscribe"]}"#;

impl AblyIdentity for User {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        let own = ably_auth::channel_name(["user:", &self.0])?;
        Ok(Grant::new(
            Some(ClientId::new(&self.0)?),
            Capability::new()
                .grant("chat:*", [Subscribe, History])?
                .grant(own, [Publish, Subscribe, Presence, History])?,
            Duration::from_secs(3600),
        ))
    }
}

impl FromRequest for User {
    type Error = AblyError;
    type Future = Ready<Result<User, AblyError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.headers()
                .get("x-user")
                .and_then(|v| v.to_str().ok())
                .map(|name| User(name.to_owned()))
                .ok_or_else(|| Error::Unauthorized("sign in first".into()).into()),
        )
    }
}

/// A user looked up by the `x-user` header, the way an app's store answers: `suspended` is
/// refused with an Ably 403, `store-down` fails with a plain actix-web error, `bad-form` with
/// actix-web's form error, and the extractor
/// reads the cookies first (with `req.cookies()`), so a malformed `Cookie` header fails there.
pub struct LookupUser(pub User);

impl AblyIdentity for LookupUser {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        self.0.ably_grant()
    }
}

impl FromRequest for LookupUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<LookupUser, actix_web::Error>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Err(err) = req.cookies() {
            return ready(Err(actix_web::error::ErrorBadRequest(err)));
        }
        let name = req.headers().get("x-user").and_then(|v| v.to_str().ok());
        ready(match name {
            Some("suspended") => {
                Err(AblyError::from(Error::Forbidden("this account is suspended".into())).into())
            }
            Some("store-down") => Err(actix_web::error::ErrorServiceUnavailable(
                "the user store is down",
            )),
            // What actix-web's `web::Form` answers for a body that is not a form.
            Some("bad-form") => Err(actix_web::error::UrlencodedError::ContentType.into()),
            Some(name) => Ok(LookupUser(User(name.to_owned()))),
            None => Err(AblyError::from(Error::Unauthorized("sign in first".into())).into()),
        })
    }
}
