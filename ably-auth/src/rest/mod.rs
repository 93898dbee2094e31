//! The `Auth` API over Ably REST: `createTokenRequest`, `requestToken`, `authorize` and
//! `clientId`, with a key, a token, an authUrl or an auth callback (feature `rest`).
//!
//! ```no_run
//! use ably_auth::{Auth, AuthOptions, Key, TokenParams};
//!
//! # async fn run() -> ably_auth::Result<()> {
//! let auth = Auth::new(AuthOptions::key(Key::from_env()?))?;
//! let details = auth.request_token(None, None).await?;
//! println!("token for {:?} expires at {}", details.client_id, details.expires);
//! # Ok(())
//! # }
//! ```
//!
//! HTTP goes through reqwest with rustls and the *ring* provider; certificates are checked
//! with the platform's verifier. Any base URL works as the endpoint, including a
//! `ably_auth_local` endpoint on `http://127.0.0.1:PORT`.
//!
//! Calls to Ably follow no redirects. An authUrl's redirects are followed only within its
//! origin, at most [`MAX_REDIRECTS`](crate::rest::MAX_REDIRECTS) times; a redirect to
//! another origin is refused with 40170, so auth headers, auth params and signed
//! TokenRequests never reach another host.
//! No error names an authUrl's path or query, an auth param or header value, the key secret
//! or a token.

use crate::client_id::ClientId;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorInfo, Result};
use crate::signer::Signer;
use crate::token::{TokenDetails, TokenParams, TokenRequest};
use http::{ably_body, describe, http_client, without_values};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod auth_url;
mod http;
mod issuer;
mod options;
mod redirect;
mod source;

pub use issuer::AblyTokenIssuer;
pub use options::{AuthCallback, AuthFuture, AuthMethod, AuthOptions};
pub use redirect::MAX_REDIRECTS;
pub use source::TokenSource;

/// Ably's REST endpoint: `https://main.realtime.ably.net`.
pub const DEFAULT_ENDPOINT: &str = "https://main.realtime.ably.net";
/// How long a request to Ably, an authUrl or an auth callback may take: 10 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest response body read from Ably or an authUrl: 128 KiB.
pub const MAX_RESPONSE: usize = 128 * 1024;
/// A token is renewed when it expires within this margin: 30 s.
pub const RENEW_MARGIN: Duration = Duration::from_secs(30);
/// The Ably protocol version sent as `X-Ably-Version`.
pub const ABLY_VERSION: &str = "6";

const AGENT: &str = concat!("ably-auth-rs/", env!("CARGO_PKG_VERSION"));

/// Ably's `Auth` API: creates TokenRequests, requests tokens, keeps the current token fresh.
///
/// Safe to share between tasks (wrap it in an `Arc`); works on any Tokio runtime, actix's
/// included.
///
/// ```no_run
/// use ably_auth::{Auth, AuthOptions, Capability, Key, TokenParams};
///
/// # async fn run() -> ably_auth::Result<()> {
/// let auth = Auth::new(AuthOptions::key("appId.keyId:keySecret".parse()?))?
///     .with_endpoint("http://127.0.0.1:8080")
///     .with_client_id("alice")?;
/// let request = auth.create_token_request(None, None).await?; // signed locally
/// let details = auth.authorize(None, None).await?;            // a token, now
/// let token = auth.token().await?;                            // renewed before expiry
/// # Ok(())
/// # }
/// ```
pub struct Auth {
    http: reqwest::Client,
    endpoint: String,
    timeout: Duration,
    clock: Arc<dyn Clock>,
    client_id: Option<ClientId>,
    state: Mutex<State>,
    renewing: tokio::sync::Mutex<()>,
}

struct State {
    options: AuthOptions,
    params: TokenParams,
    token: Option<TokenDetails>,
    time_offset: Option<i64>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Auth")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("options", &state.options)
            .field("params", &state.params)
            .field("token", &state.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// An `Auth` using `options`, Ably's endpoint, a 10 s timeout and the system clock.
    ///
    /// Fails with 40106 when `options` give no means of authentication.
    pub fn new(options: AuthOptions) -> Result<Auth> {
        if !options.can_renew() && options.token.is_none() {
            return Err(Error::NoKey(
                "no means of authentication: give AuthOptions a key, a token, an authUrl or an auth callback"
                    .into(),
            ));
        }
        let token = options.token.clone();
        Ok(Auth {
            http: http_client()?,
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            clock: Arc::new(SystemClock),
            client_id: None,
            state: Mutex::new(State {
                options,
                params: TokenParams::default(),
                token,
                time_offset: None,
            }),
            renewing: tokio::sync::Mutex::new(()),
        })
    }

    /// Uses `endpoint` (a base URL such as `https://main.realtime.ably.net` or
    /// `http://127.0.0.1:8080`) for `/keys/{keyName}/requestToken` and `/time`.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Auth {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    /// Limits each request to Ably, each authUrl call (its redirects included) and each
    /// callback to `timeout` (default 10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Auth {
        self.timeout = timeout;
        self
    }

    /// Uses `clock` for timestamps and expiry checks.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Auth {
        self.clock = clock;
        self
    }

    /// The identity of this client (RSA7). It goes into the default token params, and a token
    /// bound to another clientId is refused with 40102. `*` is not an identity (40012).
    pub fn with_client_id(mut self, client_id: &str) -> Result<Auth> {
        let id = ClientId::new(client_id)?;
        {
            let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
            if let Some(token) = &state.token {
                check_client_id(Some(&id), token)?;
            }
            state.params.client_id = Some(id.clone());
        }
        self.client_id = Some(id);
        Ok(self)
    }

    /// The token params used when a call passes none (`timestamp` and `nonce` are dropped).
    /// A configured clientId ([`Auth::with_client_id`]) wins over `params.client_id`
    /// (RSA7a4).
    pub fn with_default_token_params(mut self, mut params: TokenParams) -> Auth {
        params.timestamp = None;
        params.nonce = None;
        if self.client_id.is_some() {
            params.client_id = self.client_id.clone();
        }
        self.state
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .params = params;
        self
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The clientId of this client (RSA7): the current token's (possibly `*`), else the
    /// configured one, else `None`.
    pub fn client_id(&self) -> Option<String> {
        let state = self.state();
        state
            .token
            .as_ref()
            .and_then(|t| t.client_id.clone())
            .or_else(|| self.client_id.as_ref().map(|id| id.as_str().to_owned()))
    }

    /// The stored default token params.
    pub fn default_token_params(&self) -> TokenParams {
        self.state().params.clone()
    }

    /// The current token, if any, without renewing it.
    pub fn current_token(&self) -> Option<TokenDetails> {
        self.state().token.clone()
    }

    /// Signs a TokenRequest locally (RSA9). Needs the key (40106 otherwise). `params` and
    /// `options`, when given, replace the stored defaults; they are not merged with them.
    pub async fn create_token_request(
        &self,
        params: Option<TokenParams>,
        options: Option<AuthOptions>,
    ) -> Result<TokenRequest> {
        let (params, options) = self.resolve(params, options);
        self.sign(params, &options).await
    }

    /// Gets a new token (RSA8): from the auth callback, else the authUrl, else by signing a
    /// TokenRequest with the key; a TokenRequest is exchanged at the REST endpoint. `params`
    /// and `options`, when given, replace the stored defaults; nothing is stored.
    pub async fn request_token(
        &self,
        params: Option<TokenParams>,
        options: Option<AuthOptions>,
    ) -> Result<TokenDetails> {
        let (params, options) = self.resolve(params, options);
        let source = if let Some(callback) = &options.auth_callback {
            self.call_callback(callback, params).await?
        } else if let Some(url) = &options.auth_url {
            self.call_auth_url(url, &options, &params).await?
        } else if options.key.is_some() {
            TokenSource::TokenRequest(self.sign(params, &options).await?)
        } else {
            return Err(Error::NoKey(
                "requesting a token needs a key, an authUrl or an auth callback".into(),
            ));
        };
        match source {
            TokenSource::TokenDetails(details) => Ok(details),
            TokenSource::Token(token) => Ok(TokenDetails::from_token(token)),
            TokenSource::TokenRequest(request) => self.exchange(&request).await,
        }
    }

    /// Gets a new token now (RSA10): `params` and `options`, when given, become the new
    /// defaults (replacing the old ones; `timestamp`, `nonce` and `query_time` are not
    /// stored), and the token becomes the current one. A token whose clientId conflicts with
    /// the configured one is refused with 40102.
    pub async fn authorize(
        &self,
        params: Option<TokenParams>,
        options: Option<AuthOptions>,
    ) -> Result<TokenDetails> {
        let _renewing = self.renewing.lock().await;
        {
            let mut state = self.state();
            if let Some(params) = &params {
                state.params = TokenParams {
                    timestamp: None,
                    nonce: None,
                    ..params.clone()
                };
            }
            if let Some(options) = &options {
                let query_time = state.options.query_time;
                state.options = AuthOptions {
                    query_time,
                    ..options.clone()
                };
            }
        }
        self.renew(params, options).await
    }

    /// The current token, renewed first if there is none or it expires within 30 s.
    pub async fn token(&self) -> Result<TokenDetails> {
        let _renewing = self.renewing.lock().await;
        let (current, can_renew) = {
            let state = self.state();
            (state.token.clone(), state.options.can_renew())
        };
        let now = self.now_ms();
        match current {
            Some(token) if !token.expires_within(now, RENEW_MARGIN) => Ok(token),
            _ if can_renew => self.renew(None, None).await,
            Some(token) if token.expires == 0 || token.expires > now => Ok(token),
            _ => Err(Error::Ably(ErrorInfo::new(
                40171,
                403,
                "the token has expired and there is no means to renew it (no key, authUrl or auth callback)",
            ))),
        }
    }

    async fn renew(
        &self,
        params: Option<TokenParams>,
        options: Option<AuthOptions>,
    ) -> Result<TokenDetails> {
        let details = self.request_token(params, options).await?;
        check_client_id(self.client_id.as_ref(), &details)?;
        self.state().token = Some(details.clone());
        Ok(details)
    }

    fn resolve(
        &self,
        params: Option<TokenParams>,
        options: Option<AuthOptions>,
    ) -> (TokenParams, AuthOptions) {
        let state = self.state();
        (
            params.unwrap_or_else(|| state.params.clone()),
            options.unwrap_or_else(|| state.options.clone()),
        )
    }

    fn now_ms(&self) -> u64 {
        let offset = self.state().time_offset.unwrap_or(0);
        self.clock.now_ms().saturating_add_signed(offset)
    }

    async fn sign(&self, mut params: TokenParams, options: &AuthOptions) -> Result<TokenRequest> {
        let key = options.key.clone().ok_or_else(|| {
            Error::NoKey(
                "creating a TokenRequest needs the API key; give AuthOptions a key (an authUrl or callback can't sign locally)"
                    .into(),
            )
        })?;
        if params.timestamp.is_none() {
            params.timestamp = Some(if options.query_time {
                self.server_time().await?
            } else {
                self.clock.now_ms()
            });
        }
        Signer::new(key)
            .with_clock(self.clock.clone())
            .sign(&params)
    }

    /// Server time: `GET {endpoint}/time` once, then the local clock plus the offset (RSA10k).
    async fn server_time(&self) -> Result<u64> {
        if let Some(offset) = self.state().time_offset {
            return Ok(self.clock.now_ms().saturating_add_signed(offset));
        }
        let url = format!("{}/time", self.endpoint);
        let response = self
            .send_to_ably(self.http.get(&url).header(ACCEPT, "application/json"))
            .await?;
        let body = ably_body(response).await?;
        let time = serde_json::from_slice::<Vec<u64>>(&body)
            .ok()
            .and_then(|v| v.first().copied())
            .ok_or_else(|| Error::Upstream(format!("{url} did not answer `[ms]`")))?;
        let offset = time as i64 - self.clock.now_ms() as i64;
        self.state().time_offset = Some(offset);
        Ok(time)
    }

    /// `POST {endpoint}/keys/{keyName}/requestToken`; never retried (a signed request sent
    /// twice is a replay).
    async fn exchange(&self, request: &TokenRequest) -> Result<TokenDetails> {
        let url = format!(
            "{}/keys/{}/requestToken",
            self.endpoint,
            path_segment(&request.key_name)
        );
        let builder = self
            .http
            .post(&url)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json")
            .body(request.to_json());
        let body = ably_body(self.send_to_ably(builder).await?).await?;
        serde_json::from_slice(&body).map_err(|e| {
            Error::Upstream(format!(
                "{url} answered a malformed TokenDetails: {}",
                without_values(&e.to_string())
            ))
        })
    }

    async fn send_to_ably(&self, builder: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        builder
            .header("x-ably-version", ABLY_VERSION)
            .header("ably-agent", AGENT)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    Error::Timeout(format!("Ably did not answer within {:?}", self.timeout))
                } else {
                    Error::Upstream(format!("Ably {}", describe(&e)))
                }
            })
    }

    async fn call_callback(
        &self,
        callback: &AuthCallback,
        params: TokenParams,
    ) -> Result<TokenSource> {
        match tokio::time::timeout(self.timeout, callback(params)).await {
            Err(_) => Err(Error::AuthCallback(format!(
                "the auth callback did not answer within {:?}",
                self.timeout
            ))),
            Ok(Ok(TokenSource::Token(token))) if token.trim().is_empty() => Err(
                Error::AuthCallback("the auth callback returned an empty token".into()),
            ),
            Ok(Ok(source)) => Ok(source),
            Ok(Err(e @ (Error::Ably(_) | Error::AuthCallback(_)))) => Err(e),
            Ok(Err(e)) => Err(Error::AuthCallback(format!(
                "the auth callback failed: {e}"
            ))),
        }
    }
}

/// Refuses a token bound to a clientId other than `configured` (wildcard tokens are fine).
fn check_client_id(configured: Option<&ClientId>, token: &TokenDetails) -> Result<()> {
    match (configured, token.client_id.as_deref()) {
        (Some(mine), Some(theirs)) if theirs != "*" && theirs != mine.as_str() => {
            Err(Error::ClientIdMismatch {
                status: 401,
                message: format!(
                    "the token's clientId {theirs:?} does not match this client's clientId {:?}",
                    mine.as_str()
                ),
            })
        }
        _ => Ok(()),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Key;

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("app.key_1-~"), "app.key_1-~");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn debug_hides_secrets() {
        let key: Key = "appId.keyId:verySecretValue".parse().unwrap();
        let auth = Auth::new(
            AuthOptions::key(key)
                .with_auth_header("authorization", "Bearer hidden-header")
                .with_auth_param("session", "hidden-param"),
        )
        .unwrap();
        let shown = format!("{auth:?}");
        for secret in ["verySecretValue", "hidden-header", "hidden-param"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        let auth = Auth::new(AuthOptions::token("appId.secretTokenValue")).unwrap();
        assert!(!format!("{auth:?}").contains("secretTokenValue"));
        let options = AuthOptions::auth_url(
            "https://user:userInfoSecret@app.example/auth?k=querySecret#fragmentSecret",
        );
        let shown = format!("{options:?}");
        assert!(
            shown.contains(r#"auth_url: Some("https://app.example/auth")"#),
            "{shown}"
        );
        let options = AuthOptions::auth_url("not a URL, secretish");
        assert!(!format!("{options:?}").contains("secretish"));
    }

    #[test]
    fn wildcard_is_not_an_identity() {
        let key: Key = "appId.keyId:s".parse().unwrap();
        let err = Auth::new(AuthOptions::key(key))
            .unwrap()
            .with_client_id("*")
            .unwrap_err();
        assert_eq!(err.code(), 40012);
    }

    #[test]
    fn no_means_of_auth_is_40106() {
        assert_eq!(Auth::new(AuthOptions::new()).unwrap_err().code(), 40106);
    }
}
