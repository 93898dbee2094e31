//! `Auth`: its construction, configuration and the token sources (RSA8).

use super::endpoint::resolve_hosts;
use super::http::http_client;
use super::jwt_expiry::with_jwt_times;
use super::transport::Transport;
use super::{AuthCallback, AuthOptions, TokenSource};
use crate::client_id::ClientId;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::key::Key;
use crate::token::{TokenDetails, TokenParams, TokenRequest};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Ably's `Auth` API: picks Basic or token auth (RSA1–RSA4), creates TokenRequests,
/// requests tokens, keeps the current token fresh, revokes tokens.
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
    pub(super) transport: Transport,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) client_id: Option<ClientId>,
    /// The key given at construction: it survives options replaced by `authorize` (RSA10i).
    pub(super) key: Option<Key>,
    pub(super) state: Mutex<State>,
    pub(super) renewing: tokio::sync::Mutex<()>,
}

pub(super) struct State {
    pub(super) options: AuthOptions,
    pub(super) params: TokenParams,
    pub(super) token: Option<TokenDetails>,
    /// Server time minus local time, once measured (RSA10k).
    pub(super) time_offset: Option<i64>,
    /// Token auth (true) or Basic auth (RSA1–RSA4); `authorize` switches to token auth.
    pub(super) token_auth: bool,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Auth")
            .field("primary_host", &self.transport.hosts.primary)
            .field("client_id", &self.client_id)
            .field("token_auth", &state.token_auth)
            .field("options", &state.options)
            .field("params", &state.params)
            .field("token", &state.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// An `Auth` using `options`, Ably's `main` endpoint with its fallback hosts (REC1a,
    /// REC2c1), a 10 s timeout, JSON bodies and the system clock.
    ///
    /// Fails with 40106 when `options` give no means of authentication.
    pub fn new(options: AuthOptions) -> Result<Auth> {
        let hosts = resolve_hosts(None, None)?;
        Auth::with_transport(options, Transport::new(http_client()?, true, None, hosts))
    }

    pub(super) fn with_transport(options: AuthOptions, transport: Transport) -> Result<Auth> {
        if !options.can_renew() && options.token.is_none() {
            return Err(Error::NoKey(
                "no means of authentication: give AuthOptions a key, a token, an authUrl or an auth callback"
                    .into(),
            ));
        }
        // RSA4: token auth with useTokenAuth, an authUrl, a callback or a token; else Basic.
        let token_auth = options.use_token_auth
            || options.auth_url.is_some()
            || options.auth_callback.is_some()
            || options.token.is_some()
            || options.key.is_none();
        let token = options.token.clone().map(with_jwt_times);
        Ok(Auth {
            transport,
            clock: Arc::new(SystemClock),
            client_id: None,
            key: options.key.clone(),
            state: Mutex::new(State {
                options,
                params: TokenParams::default(),
                token,
                time_offset: None,
                token_auth,
            }),
            renewing: tokio::sync::Mutex::new(()),
        })
    }

    /// Uses `endpoint`, a base URL such as `https://main.realtime.ably.net` or
    /// `http://127.0.0.1:8080`, for `/keys/{keyName}/requestToken`, `/time` and
    /// `/keys/{keyName}/revokeTokens`, with no fallback hosts. When it is not an `http://`
    /// or `https://` URL, every request fails with 40106.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Auth {
        let http = self.transport.http.clone();
        let mut transport = Transport::for_base_url(http.clone(), &endpoint.into())
            .unwrap_or_else(|e| Transport::broken(http, e));
        transport.timeout = self.transport.timeout;
        transport.binary = self.transport.binary;
        self.transport = transport;
        self
    }

    /// Limits each request to Ably, each authUrl call (its redirects included) and each
    /// callback to `timeout` (default 10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Auth {
        self.transport.timeout = timeout;
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

    pub(super) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The clientId of this client (RSA7, RSA12): the current token's, else the configured
    /// one, else `None`. A token whose clientId is the wildcard `*` does not replace a
    /// configured clientId (RSA15b); without one, `*` is reported.
    pub fn client_id(&self) -> Option<String> {
        let configured = self.client_id.as_ref().map(|id| id.as_str().to_owned());
        let state = self.state();
        match state.token.as_ref().and_then(|t| t.client_id.clone()) {
            Some(wildcard) if wildcard == "*" => configured.or(Some(wildcard)),
            Some(id) => Some(id),
            None => configured,
        }
    }

    /// The stored default token params.
    pub fn default_token_params(&self) -> TokenParams {
        self.state().params.clone()
    }

    /// The current token, if any, without renewing it (RSA16: `tokenDetails`).
    pub fn token_details(&self) -> Option<TokenDetails> {
        self.state().token.clone()
    }

    /// The current token, if any, without renewing it; the same as [`Auth::token_details`].
    pub fn current_token(&self) -> Option<TokenDetails> {
        self.token_details()
    }

    /// Signs a TokenRequest locally (RSA9). Needs the key (40106 otherwise). `params` and
    /// `options`, when given, replace the stored defaults; they are not merged with them,
    /// except that the key given at construction is used when `options` have none (RSA10i).
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
    /// and `options`, when given, replace the stored defaults; nothing is stored. An Ably
    /// JWT's `exp` and `iat` claims (read, not verified) fill in an unknown expiry.
    pub async fn request_token(
        &self,
        params: Option<TokenParams>,
        options: Option<AuthOptions>,
    ) -> Result<TokenDetails> {
        let (params, options) = self.resolve(params, options);
        let source = if let Some(callback) = &options.auth_callback {
            self.call_callback(callback, params.clone()).await?
        } else if let Some(url) = &options.auth_url {
            self.call_auth_url(url, &options, &params).await?
        } else if options.key.is_some() {
            let request = self.sign(params.clone(), &options).await?;
            return self
                .exchange(&request, options.key.clone().map(|k| (k, params)))
                .await;
        } else {
            return Err(Error::NoKey(
                "requesting a token needs a key, an authUrl or an auth callback".into(),
            ));
        };
        match source {
            TokenSource::TokenDetails(details) => Ok(with_jwt_times(details)),
            TokenSource::Token(token) => Ok(with_jwt_times(TokenDetails::from_token(token))),
            TokenSource::TokenRequest(request) => self.exchange(&request, None).await,
        }
    }

    /// `params` or the stored ones; `options` or the stored ones, with the constructor's key
    /// when they name none (RSA10i).
    pub(super) fn resolve(
        &self,
        params: Option<TokenParams>,
        options: Option<AuthOptions>,
    ) -> (TokenParams, AuthOptions) {
        let state = self.state();
        let mut options = options.unwrap_or_else(|| state.options.clone());
        if options.key.is_none() {
            options.key = self.key.clone();
        }
        (params.unwrap_or_else(|| state.params.clone()), options)
    }

    async fn call_callback(
        &self,
        callback: &AuthCallback,
        params: TokenParams,
    ) -> Result<TokenSource> {
        let timeout = self.transport.timeout;
        match tokio::time::timeout(timeout, callback(params)).await {
            Err(_) => Err(Error::AuthCallback(format!(
                "the auth callback did not answer within {timeout:?}"
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
pub(super) fn check_client_id(configured: Option<&ClientId>, token: &TokenDetails) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
