//! A local, in-process stand-in for Ably's REST endpoint, for development and tests of apps
//! that hand out Ably credentials. Take it as a dev-dependency: a production build compiles
//! no emulator.
//!
//! [`LocalAbly`] answers the two requests an Ably SDK makes while authenticating:
//!
//! * `POST /keys/{keyName}/requestToken` with a signed TokenRequest (JSON) → `TokenDetails`,
//!   after the checks the Ably service makes (Ably's TokenRequest spec,
//!   <https://ably.com/docs/api/token-request-spec>): the MAC over the
//!   fields as received, the 2-minute timestamp window, nonce replay, ttl limits, the
//!   capability's validity and its intersection with the key's declared capability, and the
//!   clientId;
//! * `GET /time` → `[ms]`, from the injected clock.
//!
//! Errors have Ably's shape, `{"error":{"code","statusCode","message"}}`, rendered by
//! [`ably_auth_actix::error_info_response`] (the renderer of the token route too): `content-type:
//! application/json` exactly (ably-js ignores error bodies otherwise) and the
//! `X-Ably-ErrorCode` / `X-Ably-ErrorMessage` headers.
//!
//! CORS is that of a public API: every response carries `Access-Control-Allow-Origin: *` and
//! never `Access-Control-Allow-Credentials`, so any page may call the endpoint but no browser
//! sends it cookies or reads a response to a credentialed request. `OPTIONS` preflights are
//! answered for the headers Ably SDKs send ([`ALLOWED_HEADERS`]). ably-js makes a request
//! with credentials only when it sends an `Authorization` header (Basic or token auth), which
//! this endpoint does not serve; the signed TokenRequests and `/time` it does serve need none.
//!
//! Point an SDK at it with its `endpoint`/`port`/`tls: false` options (ably-js ≥ 2.10:
//! `new Ably.Rest({ endpoint: '127.0.0.1', port, tls: false, useBinaryProtocol: false, … })`),
//! or give its URL to `ably_auth::AuthOptions`.
//!
//! Decisions where the service's behaviour is not documented:
//!
//! * a request whose body `keyName` differs from the `{keyName}` in the path is refused with
//!   40101 / 401 (the credentials do not belong to the key addressed);
//! * an unknown key is 40400 / 404;
//! * bodies over [`MAX_BODY`] are refused with 40001 / 413;
//! * only JSON bodies are read (whatever the content type says); msgpack is not supported, so
//!   ably-python needs `use_binary_protocol=False`;
//! * only signed TokenRequests are accepted: an unsigned one (no `mac`, authenticated with
//!   Basic or token auth at the real service) is refused with 40001.
//!
//! ```no_run
//! use ably_auth_local::LocalAbly;
//!
//! # async fn run() -> std::io::Result<()> {
//! let server = LocalAbly::demo().start("127.0.0.1:0")?;
//! println!("Ably token endpoint at {}", server.url());
//! // ... point ably_auth::AuthOptions or an SDK at server.url() ...
//! server.stop().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod response;
mod routes;
mod server;
mod state;
mod token;

pub use config::{LocalAbly, demo_key};
pub use response::{ALLOWED_HEADERS, ALLOWED_METHODS};
pub use server::LocalAblyServer;

/// The demo key [`LocalAbly::demo`] accepts. Not a real Ably key; never use it in production.
pub const DEMO_KEY: &str = "demoApp.demoKey:demo-secret-not-for-production";

/// The secret part of [`DEMO_KEY`] (for tests that check it never leaks).
pub const DEMO_KEY_SECRET: &str = "demo-secret-not-for-production";

/// The largest request body accepted: 128 KiB.
pub const MAX_BODY: usize = 128 * 1024;
