//! A local, in-process stand-in for Ably's REST token endpoint, for development and tests.
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
//! Errors have Ably's shape, `{"error":{"code","statusCode","message","href"}}`, with
//! `content-type: application/json` exactly (ably-js ignores error bodies otherwise) and the
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
//! use ably_auth_actix::local::LocalAbly;
//!
//! # async fn run() -> std::io::Result<()> {
//! let server = LocalAbly::demo().start("127.0.0.1:0")?;
//! println!("Ably token endpoint at {}", server.url());
//! // ... point ably_auth::AuthOptions or an SDK at server.url() ...
//! server.stop().await;
//! # Ok(())
//! # }
//! ```

use crate::error::error_info_response;
use ably_auth::{Capability, Clock, Error, ErrorInfo, Key, NonceSource, RandomNonce, SystemClock};
use ably_auth::{TokenDetails, TokenRequest, Verifier};
use actix_web::dev::ServerHandle;
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

/// The demo key [`LocalAbly::demo`] accepts. Not a real Ably key; never use it in production.
pub const DEMO_KEY: &str = "demoApp.demoKey:demo-secret-not-for-production";

/// The secret part of [`DEMO_KEY`] (for tests that check it never leaks).
pub const DEMO_KEY_SECRET: &str = "demo-secret-not-for-production";

/// The largest request body accepted: 128 KiB.
pub const MAX_BODY: usize = 128 * 1024;

/// The request headers a preflight allows (`Access-Control-Allow-Headers`): those ably-js and
/// ably-python send (`X-Ably-Version`, `Ably-Agent`, `Content-Type`, `Accept`,
/// `Authorization`, `X-Ably-ClientId`, and the older `X-Ably-Lib`). Listed by name because
/// the `*` wildcard never covers `Authorization`.
pub const ALLOWED_HEADERS: &str =
    "accept, ably-agent, authorization, content-type, x-ably-clientid, x-ably-lib, x-ably-version";

/// The methods a preflight allows.
pub const ALLOWED_METHODS: &str = "GET, POST, OPTIONS";

/// A local Ably token endpoint: a set of keys (each with the capability it has "in the
/// dashboard", see [`Key::with_capability`]) and a clock.
///
/// Mount it into your own [`App`](actix_web::App) with [`LocalAbly::configure`], or run it on
/// its own port with [`LocalAbly::start`].
///
/// ```
/// use ably_auth::{Capability, Key};
/// use ably_auth_actix::local::LocalAbly;
///
/// let key: Key = "appId.keyId:keySecret".parse()?;
/// let local = LocalAbly::new(key.with_capability(Capability::parse(r#"{"chat:*":["*"]}"#)?));
/// let app = actix_web::App::new().configure(local.configure());
/// # drop(app);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct LocalAbly {
    keys: Vec<Key>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for LocalAbly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalAbly")
            .field("keys", &self.keys.iter().map(Key::name).collect::<Vec<_>>())
            .field("clock", &self.clock)
            .finish()
    }
}

impl LocalAbly {
    /// An endpoint accepting `key`, with the system clock.
    pub fn new(key: Key) -> LocalAbly {
        LocalAbly {
            keys: vec![key],
            clock: Arc::new(SystemClock),
        }
    }

    /// An endpoint accepting [`DEMO_KEY`] with capability `{"[*]*":["*"]}`, for the
    /// quickstart.
    pub fn demo() -> LocalAbly {
        LocalAbly::new(demo_key())
    }

    /// Also accepts `key` (a key with the same name replaces the earlier one).
    pub fn with_key(mut self, key: Key) -> LocalAbly {
        self.keys.retain(|k| k.name() != key.name());
        self.keys.push(key);
        self
    }

    /// Uses `clock` for `/time`, the timestamp window and `issued`/`expires`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> LocalAbly {
        self.clock = clock;
        self
    }

    fn state(&self) -> Arc<State> {
        let verifier = self
            .keys
            .iter()
            .cloned()
            .fold(Verifier::new().with_clock(self.clock.clone()), |v, k| {
                v.with_key(k)
            });
        Arc::new(State { verifier })
    }

    /// Registers the endpoint's routes (`/keys/{keyName}/requestToken`, `/time`) in an app or
    /// scope. Each call makes a fresh endpoint (with its own nonce replay cache).
    pub fn configure(&self) -> impl FnOnce(&mut web::ServiceConfig) + use<> {
        let state = self.state();
        move |cfg| register(cfg, state)
    }

    /// Binds `addr` (use `127.0.0.1:0` for a free port) and serves the endpoint in the
    /// background, on one worker, until [`LocalAblyServer::stop`] or until the handle is
    /// dropped. Unknown paths answer 40400 in Ably's error shape.
    ///
    /// Must be called inside a Tokio (or actix) runtime.
    pub fn start(self, addr: impl ToSocketAddrs) -> io::Result<LocalAblyServer> {
        let state = self.state();
        let server = actix_web::HttpServer::new(move || {
            let state = state.clone();
            actix_web::App::new()
                .configure(move |cfg| register(cfg, state))
                .default_service(web::to(not_found))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .bind(addr)?;
        let addr = server.addrs().first().copied().ok_or_else(|| {
            io::Error::new(io::ErrorKind::AddrNotAvailable, "no address was bound")
        })?;
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(LocalAblyServer { addr, handle })
    }
}

/// [`DEMO_KEY`] with capability `{"[*]*":["*"]}`.
pub fn demo_key() -> Key {
    Key::parse(DEMO_KEY)
        .expect("DEMO_KEY is well formed")
        .with_capability(Capability::everything())
}

/// A running [`LocalAbly`]; stops the server when dropped.
pub struct LocalAblyServer {
    addr: SocketAddr,
    handle: ServerHandle,
}

impl fmt::Debug for LocalAblyServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalAblyServer")
            .field("url", &self.url())
            .finish()
    }
}

impl LocalAblyServer {
    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and waits until it has stopped.
    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}

impl Drop for LocalAblyServer {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; no need to await it.
        drop(self.handle.stop(false));
    }
}

struct State {
    verifier: Verifier,
}

fn register(cfg: &mut web::ServiceConfig, state: Arc<State>) {
    cfg.app_data(web::Data::from(state))
        .service(
            web::resource("/keys/{keyName}/requestToken")
                .route(web::post().to(request_token))
                .route(web::method(Method::OPTIONS).to(preflight))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/time")
                .route(web::get().to(time))
                .route(web::method(Method::OPTIONS).to(preflight))
                .default_service(web::to(method_not_allowed)),
        );
}

async fn request_token(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<State>,
    body: web::Payload,
) -> HttpResponse {
    match issue(&req, &path, &state, body).await {
        Ok(details) => with_cors(HttpResponse::Ok())
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(details.to_json()),
        Err(info) => error_response(&info),
    }
}

async fn issue(
    req: &HttpRequest,
    path_key: &str,
    state: &State,
    body: web::Payload,
) -> Result<TokenDetails, ErrorInfo> {
    let too_large = || {
        ErrorInfo::new(
            40001,
            413,
            format!("the request body exceeds the limit of {MAX_BODY} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY as u64) {
        return Err(too_large());
    }
    let body = match body.to_bytes_limited(MAX_BODY).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            return Err(ErrorInfo::new(
                40001,
                400,
                format!("the request body could not be read: {e}"),
            ));
        }
        Err(_) => return Err(too_large()),
    };
    let request = TokenRequest::from_json(&body).map_err(|e| e.to_error_info())?;
    if request.key_name != path_key {
        return Err(ErrorInfo::new(
            40101,
            401,
            format!(
                "the TokenRequest is for key {:?} but was sent to /keys/{path_key}/requestToken",
                request.key_name
            ),
        ));
    }
    let verified = state
        .verifier
        .verify_token_request(&request)
        .map_err(|e| e.to_error_info())?;
    let key = state
        .verifier
        .key(&verified.key_name)
        .map_err(|e: Error| e.to_error_info())?;
    Ok(TokenDetails {
        token: format!(
            "{}.{}{}",
            key.app_id(),
            RandomNonce.nonce(),
            RandomNonce.nonce()
        ),
        expires: verified.expires,
        issued: verified.issued,
        capability: Some(verified.capability.to_json()),
        client_id: verified.client_id.map(|id| id.as_str().to_owned()),
        key_name: Some(verified.key_name),
    })
}

async fn time(state: web::Data<State>) -> HttpResponse {
    with_cors(HttpResponse::Ok())
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(format!("[{}]", state.verifier.clock().now_ms()))
}

async fn preflight() -> HttpResponse {
    let mut response = with_cors(HttpResponse::NoContent());
    response
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
        .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"));
    response.finish()
}

async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    error_response(&ErrorInfo::new(
        40500,
        405,
        format!("method {} is not allowed on {}", req.method(), req.path()),
    ))
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    if req.method() == Method::OPTIONS {
        return preflight().await;
    }
    error_response(&ErrorInfo::new(
        40400,
        404,
        format!("no such endpoint: {} {}", req.method(), req.path()),
    ))
}

/// Ably's error response (the one the token route sends, see
/// [`error_info_response`]), with the CORS headers of a public API.
fn error_response(info: &ErrorInfo) -> HttpResponse {
    let mut response = error_info_response(info);
    for (name, value) in CORS_HEADERS {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    response
}

/// The CORS headers of a public API: any origin (`*`), no credentials, and the Ably error
/// headers exposed to scripts. The answer is the same whatever the request's `Origin`.
const CORS_HEADERS: [(header::HeaderName, &str); 2] = [
    (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
    (
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        "x-ably-errorcode, x-ably-errormessage, x-ably-serverid",
    ),
];

/// Adds the [`CORS_HEADERS`].
fn with_cors(mut builder: HttpResponseBuilder) -> HttpResponseBuilder {
    for header in CORS_HEADERS {
        builder.insert_header(header);
    }
    builder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_key_is_valid_and_redacted() {
        let key = demo_key();
        assert_eq!(key.name(), "demoApp.demoKey");
        assert_eq!(key.secret(), DEMO_KEY_SECRET);
        assert!(!format!("{:?}", LocalAbly::demo()).contains(key.secret()));
    }
}
