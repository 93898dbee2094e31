//! actix-web integration for [`ably_auth`]: hand Ably credentials to your signed-in users
//! from one route.
//!
//! * [`TokenRoute`]: an authUrl route for your user type (any `FromRequest` that implements
//!   [`AblyIdentity`](ably_auth::AblyIdentity)), mounted with `App::service`. It answers
//!   TokenRequests, Ably JWTs or Ably tokens, with `Cache-Control: no-store`, and Ably
//!   `ErrorInfo` errors with the right status.
//! * [`credential_handler`]: the route's handler, which you can mount yourself; it takes an
//!   [`AuthUrlRequest`] (the extractor of the user and the client's hints) and goes through
//!   the grant, the policies, the hints and the issuer to the response, in that order.
//! * [`Issued`]: the same steps as an extractor, for handlers of your own that look at the
//!   credential or the error before answering.
//! * [`RateLimiter`]: a per-user limit on credential requests (429, Ably code 42910, with
//!   `Retry-After`), on one route ([`TokenRoute::rate_limit`]) or in `app_data`.
//! * Feature `metrics` (off by default): the routes record what they issue and refuse, with
//!   ably-auth's REST metrics, through the `metrics` facade (names and labels in
//!   `ably_auth::metrics`).
//! * [`error_info_response`]: Ably's error response, the one renderer of the route (and of the
//!   local endpoint in the `ably-auth-local` crate, for development and tests).
//!
//! ```no_run
//! use ably_auth::{AblyIdentity, Capability, ClientId, Grant, Key};
//! use ably_auth_actix::{AblyError, TokenRoute};
//! use actix_web::{App, FromRequest, HttpRequest, HttpServer, dev::Payload};
//! use std::future::{Ready, ready};
//! use std::time::Duration;
//!
//! struct User(String);
//!
//! impl AblyIdentity for User {
//!     fn ably_grant(&self) -> ably_auth::Result<Grant> {
//!         Ok(Grant::new(Some(ClientId::new(&self.0)?), Capability::all_channels(), Duration::from_secs(3600)))
//!     }
//! }
//!
//! impl FromRequest for User {
//!     type Error = AblyError;
//!     type Future = Ready<Result<User, AblyError>>;
//!     fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
//!         // Read your session here.
//!         ready(req.headers().get("x-user").and_then(|v| v.to_str().ok()).map(|u| User(u.into()))
//!             .ok_or_else(|| ably_auth::Error::Unauthorized("sign in first".into()).into()))
//!     }
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let key = Key::from_env().expect("ABLY_API_KEY");
//! HttpServer::new(move || {
//!     App::new().service(TokenRoute::<User, _>::token_requests("/ably/token-request", key.clone()))
//! })
//! .bind("127.0.0.1:8080")?
//! .run()
//! .await
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// One request meets the modules in this order: `route` (the resource and its methods), `extract`
// (the user, and the client's hints read by `hints`), `handler` (the identity's grant, `policy`,
// the hints narrowing, the issuer, which signs in ably-auth), `response`. `error` renders every
// Ably error, the local endpoint's too; `issued` runs the handler's steps as an extractor.
mod embedded;
mod error;
mod extract;
mod handler;
mod hints;
mod issued;
mod measure;
mod policy;
mod rate_limit;
mod response;
mod route;

#[cfg(any(feature = "session", feature = "identity"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "session", feature = "identity"))))]
pub mod adapters;

pub use error::{AblyError, ErrorRenderer, error_info_response, error_response};
pub use extract::AuthUrlRequest;
pub use handler::credential_handler;
pub use hints::{
    BodyTimeout, DEFAULT_BODY_TIMEOUT, MAX_BODY_BYTES, MAX_QUERY_BYTES, request_hints,
};
pub use issued::Issued;
pub use policy::GrantPolicy;
pub use rate_limit::{DEFAULT_MAX_USERS, RateLimiter};
pub use response::{credential_response, render_error};
pub use route::TokenRoute;
