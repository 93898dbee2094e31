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

/// What the user `alice` is granted: the chat namespace read-only, her own channel fully.
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
