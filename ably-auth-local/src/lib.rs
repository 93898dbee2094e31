//! An offline Ably for development and tests: an in-process endpoint that speaks Ably's REST
//! API as the official SDKs use it, on their default settings, and enforces credentials,
//! capabilities, expiry and revocation as the service does. Test your capability policies
//! with the SDKs, with no network and no Ably account. Take it as a dev-dependency: a
//! production build compiles no emulator.
//!
//! [`LocalAbly`] answers:
//!
//! * `POST /keys/{keyName}/requestToken` with a signed TokenRequest → `TokenDetails`, after
//!   the checks the Ably service makes (Ably's TokenRequest spec,
//!   <https://ably.com/docs/api/token-request-spec>): the MAC over the fields as received,
//!   the 2-minute timestamp window, nonce replay, ttl limits (1 h for a key with revocable
//!   tokens), the capability's validity and its intersection with the key's (40160), and the
//!   clientId;
//! * `POST /channels/{channel}/messages` (publish: one message or an array), `GET
//!   /channels/{channel}/messages` (history: `limit`, `direction`, `start`/`end`, `Link`
//!   pagination), `GET /channels/{channel}/presence` (and `/presence/history`; empty, as
//!   REST clients cannot enter presence), `GET /channels/{channel}` (status), each with the
//!   credentials and the capability checked: an operation the capability does not permit
//!   ([`Capability::permits`](ably_auth::Capability::permits)) is 40160, status 401;
//! * `POST /keys/{keyName}/revokeTokens` (Basic auth with that key; `clientId:…` and
//!   `revocationKey:…` targets, `issuedBefore`, `allowReauthMargin`): later requests with a
//!   revoked token get 40141;
//! * `GET /time` → `[ms]`, from the injected clock.
//!
//! Credentials ([`Authorization`](#credentials)): `Basic` with a configured key, or `Bearer`
//! with a token this endpoint minted, an Ably JWT signed by a configured key, or an External
//! JWT carrying either ([`LocalAbly::with_external_jwt_secret`]).
//!
//! # Wire formats
//!
//! Bodies are msgpack when `Content-Type` is `application/x-msgpack`, JSON otherwise;
//! responses are msgpack when `Accept` prefers `application/x-msgpack`. Nil (or `null`)
//! fields count as absent (ably-python sends them). So ably-js and ably-python work on their
//! default settings (binary protocol on). Binary message data is kept: a JSON reader gets it
//! as base64 with `encoding` saying so.
//!
//! Errors have Ably's shape, `{"error":{"code","statusCode","message"}}`, always JSON,
//! rendered by [`ably_auth_actix::error_info_response`] (the renderer of the token route
//! too): `content-type: application/json` exactly (ably-js ignores error bodies otherwise)
//! and the `X-Ably-ErrorCode` / `X-Ably-ErrorMessage` headers.
//!
//! # Credentials
//!
//! | request | answer |
//! |---|---|
//! | no `Authorization`, an unknown scheme, Basic with an unknown key or a wrong secret | 40101, 401 |
//! | Basic over plain http, with [`LocalAbly::enforce_tls`] | 40103, 401 |
//! | an empty Bearer token | 40140, 401 |
//! | a revoked token or JWT | 40141, 401 |
//! | an expired token or JWT | 40142, 401 |
//! | a well-formed Ably token this endpoint did not mint (or forgot, see [`Limits`]) | 40143, 401 |
//! | a JWT with a bad signature, an unknown `kid`, bad `iat`/`exp` | 40144, 401 |
//! | an External JWT (`x-ably-token`) with no configured secret, a bad signature, or outliving its embedded token | 40144, 401 |
//! | an External JWT that expired, or whose embedded token did | 40142, 401 |
//! | an External JWT whose embedded token is revoked / was not minted here | 40141 / 40143, 401 |
//! | neither an Ably token nor a JWT | 40145, 401 |
//! | an operation the capability does not permit | 40160, 401 |
//! | `revokeTokens` with token auth / another key / a key without revocable tokens | 40162 / 40133 / 40164, 401 |
//!
//! Token errors (40140–40149) make the SDKs renew their token through their `authUrl` or
//! `authCallback` and retry.
//!
//! # Publishing
//!
//! A token with a clientId publishes as that clientId (messages without one get it; another
//! is 40012, 400); a `*` token or a key may name any clientId but `*`; an anonymous token may
//! name none. A publish is at most [`Limits::message_size`] bytes (name, data, clientId and
//! extras of all its messages: 40009, 413) and [`Limits::messages_per_publish`] messages
//! (40034, 400).
//!
//! # Bounds
//!
//! Everything the endpoint keeps is capped ([`Limits`]): history per channel and in total,
//! channels, minted tokens, revocations; request bodies are at most [`Limits::max_body`]
//! bytes (40001, 413).
//!
//! # CORS
//!
//! CORS answers browsers as Ably's service does: a request's `Origin` comes back in
//! `Access-Control-Allow-Origin` with `Access-Control-Allow-Credentials: true` (ably-js in a
//! browser sends token-authenticated requests with XHR `withCredentials`, which a `*` answer
//! would make the browser refuse). A request with no `Origin`, or `Origin: null`, gets `*`
//! without credentials. The endpoint keeps no cookie or session, so credentials give a page
//! nothing it could not do without them. `OPTIONS` preflights are answered for the headers
//! Ably SDKs send ([`ALLOWED_HEADERS`]), so ably-js works from a page as it does in Node.
//!
//! # Where the service's behaviour is not documented
//!
//! * a TokenRequest whose body `keyName` differs from the `{keyName}` in the path is refused
//!   with 40101 / 401 (the credentials do not belong to the key addressed);
//! * an unknown key in a TokenRequest is 40400 / 404;
//! * only signed TokenRequests are accepted: an unsigned one (no `mac`) is refused with 40001;
//! * a message whose clientId the credentials do not allow is 40012 / 400;
//! * an External JWT (`x-ably-token`) has what its embedded token grants (its capability,
//!   clientId and revocation), until the earlier of the two expiries; one embedding another
//!   External JWT is refused with 40144;
//! * history pages are linked with an opaque `cursor` parameter.
//!
//! ```no_run
//! use ably_auth_local::LocalAbly;
//!
//! # async fn run() -> std::io::Result<()> {
//! let server = LocalAbly::demo().start("127.0.0.1:0")?;
//! println!("Ably endpoint at {}", server.url());
//! // ably-js:     new Ably.Rest({ endpoint: '127.0.0.1', port, tls: false, authUrl })
//! // ably-python: AblyRest(endpoint='127.0.0.1', port=port, tls=False, auth_url=...)
//! server.stop().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod channels;
mod codec;
mod config;
mod credentials;
mod grants;
mod limits;
mod message;
mod response;
mod rest;
mod revoke;
mod routes;
mod server;
mod state;
mod token;
mod value;

pub use config::{LocalAbly, demo_key};
pub use limits::Limits;
pub use response::{ALLOWED_HEADERS, ALLOWED_METHODS};
pub use rest::MAX_HISTORY_LIMIT;
pub use revoke::{MAX_REVOCATION_TARGETS, REAUTH_MARGIN_MS};
pub use server::LocalAblyServer;

/// The demo key [`LocalAbly::demo`] accepts. Not a real Ably key; never use it in production.
pub const DEMO_KEY: &str = "demoApp.demoKey:demo-secret-not-for-production";

/// The secret part of [`DEMO_KEY`] (for tests that check it never leaks).
pub const DEMO_KEY_SECRET: &str = "demo-secret-not-for-production";
