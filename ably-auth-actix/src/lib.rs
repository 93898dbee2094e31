//! actix-web integration for [`ably_auth`]: hand Ably credentials to your signed-in users
//! from one route.
//!
//! * [`AblyRoutes`]: every credential route for your user type (TokenRequests, Ably JWTs,
//!   Ably tokens) with one policy and one way of finding the user ([`adapters`]: a closure, a
//!   bearer token, a session).
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
//! * [`testing`]: calling a route from a test and reading its answer as typed values.
//! * [`error_info_response`]: Ably's error response, the one renderer of the route (and of the
//!   local endpoint in the `ably-auth-local` crate, for development and tests).
//!
//! ```no_run
//! use ably_auth::{AblyIdentity, Error, Key};
//! use ably_auth_actix::AblyRoutes;
//! use actix_web::{App, HttpRequest, HttpServer};
//!
//! #[derive(AblyIdentity)]
//! #[ably(grant("chat:*" => [subscribe, publish]), ttl = "1h")]
//! struct User {
//!     #[ably(client_id)]
//!     name: String,
//! }
//!
//! fn signed_in(req: &HttpRequest) -> Result<User, Error> {
//!     // Read your session here.
//!     let name = req.headers().get("x-user").and_then(|v| v.to_str().ok());
//!     name.map(|name| User { name: name.into() })
//!         .ok_or_else(|| Error::Unauthorized("sign in first".into()))
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let key = Key::from_env().expect("ABLY_API_KEY");
//! let routes = AblyRoutes::<User>::new(key)
//!     .lookup(signed_in)
//!     .token_requests("/ably/token-request")
//!     .jwts("/ably/jwt");
//! HttpServer::new(move || App::new().service(routes.clone()))
//!     .bind("127.0.0.1:8080")?
//!     .run()
//!     .await
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// One request meets the modules in this order: `route` (the resource and its methods), `extract`
// (the user, and the client's hints read by `hints`), `handler` (the identity's grant, `policy`,
// the hints narrowing, the issuer, which signs in ably-auth), `response`. `error` renders every
// Ably error, the local endpoint's too; `issued` runs the handler's steps as an extractor.
// `routes` mounts several `route`s with the same `options`.
pub mod adapters;
mod embedded;
mod error;
mod extract;
mod handler;
mod hints;
mod issued;
mod measure;
mod options;
mod policy;
mod rate_limit;
mod response;
mod route;
mod routes;
pub mod testing;

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
pub use routes::{AblyRoutes, IntoIssuers, Issuers, OwnExtractor, UserSource};
