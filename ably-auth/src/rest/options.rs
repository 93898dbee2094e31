//! AuthOptions: how to obtain tokens.

#[cfg(doc)]
use super::Auth;
use super::{TokenSource, auth_url};
use crate::error::Result;
use crate::key::Key;
use crate::token::{TokenDetails, TokenParams};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The HTTP method used to call an authUrl.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthMethod {
    /// Token params and auth params go in the query string (the default).
    #[default]
    Get,
    /// Token params and auth params go in a form-encoded body.
    Post,
}

/// The future an [`AuthCallback`] returns.
pub type AuthFuture = Pin<Box<dyn Future<Output = Result<TokenSource>> + Send>>;

/// An auth callback: given the token params, produce a TokenRequest, a TokenDetails or a
/// token string. Build one with [`AuthOptions::auth_callback`].
pub type AuthCallback = Arc<dyn Fn(TokenParams) -> AuthFuture + Send + Sync>;

/// How to obtain tokens: a key, a token, an authUrl or an auth callback, with the authUrl's
/// method, headers and params, and `query_time`.
///
/// Given to [`Auth::new`], and per call to [`Auth::request_token`] / [`Auth::authorize`] /
/// [`Auth::create_token_request`], where it *replaces* the stored options (it is not merged
/// with them), except that the key given at construction is kept when these options name
/// none (RSA10i).
#[derive(Clone, Default)]
pub struct AuthOptions {
    pub(super) key: Option<Key>,
    pub(super) token: Option<TokenDetails>,
    pub(super) auth_url: Option<String>,
    pub(super) auth_method: AuthMethod,
    pub(super) auth_headers: Vec<(String, String)>,
    pub(super) auth_params: Vec<(String, String)>,
    pub(super) auth_callback: Option<AuthCallback>,
    pub(super) query_time: bool,
    pub(super) use_token_auth: bool,
}

impl AuthOptions {
    /// No means of authentication yet.
    pub fn new() -> AuthOptions {
        AuthOptions::default()
    }

    /// Sign TokenRequests with `key` and exchange them at the REST endpoint.
    pub fn key(key: Key) -> AuthOptions {
        AuthOptions::new().with_key(key)
    }

    /// Use a literal token (an Ably token or a JWT); it is renewed only if the options also
    /// give a key ([`AuthOptions::with_key`]). An Ably JWT's `exp` claim gives its expiry.
    pub fn token(token: impl Into<String>) -> AuthOptions {
        AuthOptions::token_details(TokenDetails::from_token(token))
    }

    /// Use a token with its details; it is renewed only if the options also give a key.
    pub fn token_details(details: TokenDetails) -> AuthOptions {
        AuthOptions {
            token: Some(details),
            ..AuthOptions::default()
        }
    }

    /// Get tokens from `url`, as the Ably SDKs do (see [`AuthOptions::with_auth_method`]).
    /// Its redirects are followed only within its origin (scheme, host and port); a redirect
    /// elsewhere fails with 40170.
    pub fn auth_url(url: impl Into<String>) -> AuthOptions {
        AuthOptions {
            auth_url: Some(url.into()),
            ..AuthOptions::default()
        }
    }

    /// Get tokens from `callback`.
    ///
    /// ```
    /// use ably_auth::{AuthOptions, Key, Signer, TokenParams};
    /// use ably_auth::rest::TokenSource;
    ///
    /// let key: Key = "appId.keyId:keySecret".parse()?;
    /// let options = AuthOptions::auth_callback(move |params: TokenParams| {
    ///     let key = key.clone();
    ///     async move { Signer::new(key).sign(&params).map(TokenSource::from) }
    /// });
    /// # drop(options);
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn auth_callback<F, Fut>(callback: F) -> AuthOptions
    where
        F: Fn(TokenParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<TokenSource>> + Send + 'static,
    {
        AuthOptions {
            auth_callback: Some(Arc::new(move |params| Box::pin(callback(params)))),
            ..AuthOptions::default()
        }
    }

    /// Also (or instead) use `key`: needed by [`Auth::create_token_request`].
    pub fn with_key(mut self, key: Key) -> AuthOptions {
        self.key = Some(key);
        self
    }

    /// The authUrl's method (default GET).
    pub fn with_auth_method(mut self, method: AuthMethod) -> AuthOptions {
        self.auth_method = method;
        self
    }

    /// Adds a header sent to the authUrl.
    pub fn with_auth_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.auth_headers.push((name.into(), value.into()));
        self
    }

    /// Adds a param sent to the authUrl (token params win over auth params of the same name).
    pub fn with_auth_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.auth_params.push((name.into(), value.into()));
        self
    }

    /// Takes TokenRequest timestamps from the server's clock: `GET {endpoint}/time` once,
    /// then the local clock plus the measured offset.
    pub fn with_query_time(mut self, query_time: bool) -> AuthOptions {
        self.query_time = query_time;
        self
    }

    /// Uses token auth even with a key alone (RSA4): the key signs TokenRequests and never
    /// goes into an `Authorization` header.
    pub fn with_use_token_auth(mut self, use_token_auth: bool) -> AuthOptions {
        self.use_token_auth = use_token_auth;
        self
    }

    pub(super) fn can_renew(&self) -> bool {
        self.key.is_some() || self.auth_url.is_some() || self.auth_callback.is_some()
    }
}

/// Never shows the key secret, the token, or header and param values.
impl fmt::Debug for AuthOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        f.debug_struct("AuthOptions")
            .field("key", &self.key)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("auth_url", &self.auth_url.as_deref().map(auth_url::shown))
            .field("auth_method", &self.auth_method)
            .field("auth_headers", &names(&self.auth_headers))
            .field("auth_params", &names(&self.auth_params))
            .field("auth_callback", &self.auth_callback.is_some())
            .field("query_time", &self.query_time)
            .field("use_token_auth", &self.use_token_auth)
            .finish()
    }
}
