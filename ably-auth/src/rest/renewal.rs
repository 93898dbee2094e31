//! Token state (RSA10, RSA16): `authorize`, `token`, renewal after a token error (RSA4b),
//! server time (RSA10k), signing and the token exchange at `requestToken`.

use super::auth::check_client_id;
use super::codec;
use super::http::{ably_body, content_type};
use super::jwt_expiry::with_jwt_times;
use super::measure;
use super::transport::{Attempt, Body};
use super::{Auth, AuthOptions, RENEW_MARGIN, path_segment};
use crate::error::{Error, ErrorInfo, Result};
use crate::key::Key;
use crate::signer::Signer;
use crate::token::{TokenDetails, TokenParams, TokenRequest};
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderMap};

/// 40171: the token can't be used and nothing can renew it (RSA4a2).
pub(super) fn no_means_to_renew() -> Error {
    Error::Ably(ErrorInfo::new(
        40171,
        403,
        "the token has expired or was refused, and there is no means to renew it (no key, authUrl or auth callback)",
    ))
}

/// Whether `code` is a token error that a new token may cure: 40140 ≤ code < 40150 (RSA4b).
pub fn is_token_error(code: u32) -> bool {
    (40140..40150).contains(&code)
}

impl Auth {
    /// Gets a new token now (RSA10): `params` and `options`, when given, become the new
    /// defaults (replacing the old ones; `timestamp`, `nonce` and `query_time` are not
    /// stored), the token becomes the current one, and token auth is used from then on.
    ///
    /// The key given at construction stays when `options` name none (RSA10i); `options`
    /// with another key are refused with 40102. `options` holding a token (and no authUrl or
    /// callback) make that token the current one without a request. A token whose clientId
    /// conflicts with the configured one is refused with 40102.
    pub async fn authorize(
        &self,
        params: Option<TokenParams>,
        options: Option<AuthOptions>,
    ) -> Result<TokenDetails> {
        if let Some(options) = &options {
            self.check_compatible_key(options)?;
        }
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
        let given = options
            .as_ref()
            .filter(|o| o.auth_callback.is_none() && o.auth_url.is_none())
            .and_then(|o| o.token.clone());
        let details = match given {
            Some(token) => {
                let details = with_jwt_times(token);
                check_client_id(self.client_id.as_ref(), &details)?;
                self.state().token = Some(details.clone());
                details
            }
            None => self.renew(params, options, "authorize").await?,
        };
        self.state().token_auth = true;
        Ok(details)
    }

    /// The current token, renewed first if there is none or it expires within 30 s (an
    /// Ably JWT's expiry is read from its `exp` claim). A token of unknown expiry is used
    /// until Ably refuses it ([`Auth::token_rejected`]). Expired with nothing to renew it:
    /// 40171.
    ///
    /// Expiry is judged by the local clock, plus the server's offset once measured (RSA10k).
    /// The spec makes this local check optional and ties it to a measured offset (RSA4b1);
    /// it is always made here, so an expired token is not sent, and a clock running ahead
    /// costs at most one token request per call, never a loop.
    pub async fn token(&self) -> Result<TokenDetails> {
        let _renewing = self.renewing.lock().await;
        let current = self.state().token.clone();
        let now = self.now_ms();
        let trigger = if current.is_some() {
            "expiring"
        } else {
            "missing"
        };
        match current {
            Some(token) if !token.expires_within(now, RENEW_MARGIN) => Ok(token),
            _ if self.can_renew() => self.renew(None, None, trigger).await,
            Some(token) if token.expires == 0 || token.expires > now => Ok(token),
            _ => Err(no_means_to_renew()),
        }
    }

    /// Tells `Auth` that Ably refused the token `rejected` with a token error (40140–40149):
    /// a new token is obtained once and returned (RSA4b). When the current token is already
    /// another one (renewed meanwhile), that one is returned without a new request. With no
    /// means to renew: 40171 (RSA4a2).
    pub async fn token_rejected(&self, rejected: &str) -> Result<TokenDetails> {
        let _renewing = self.renewing.lock().await;
        let current = self.state().token.clone();
        if let Some(current) = current.filter(|t| t.token != rejected) {
            return Ok(current);
        }
        if !self.can_renew() {
            return Err(no_means_to_renew());
        }
        self.renew(None, None, "rejected").await
    }

    /// Whether a new token can be obtained: a key (the constructor's included), an authUrl
    /// or an auth callback.
    pub fn can_renew(&self) -> bool {
        self.key.is_some() || self.state().options.can_renew()
    }

    /// A new current token; `trigger` says why, for the renewal metric.
    async fn renew(
        &self,
        params: Option<TokenParams>,
        options: Option<AuthOptions>,
        trigger: &'static str,
    ) -> Result<TokenDetails> {
        let renewed = async {
            let details = self.request_token(params, options).await?;
            check_client_id(self.client_id.as_ref(), &details)?;
            Ok(details)
        }
        .await;
        measure::token_renewal(trigger, &renewed);
        let details = renewed?;
        self.state().token = Some(details.clone());
        Ok(details)
    }

    fn check_compatible_key(&self, options: &AuthOptions) -> Result<()> {
        match (&options.key, &self.key) {
            (Some(given), Some(mine)) if given != mine => Err(Error::Ably(ErrorInfo::new(
                40102,
                401,
                "the key in these AuthOptions differs from the client's key; an Auth keeps the key it was built with",
            ))),
            _ => Ok(()),
        }
    }

    /// Local time plus the server time offset, once measured (RSA10k).
    pub(super) fn now_ms(&self) -> u64 {
        let offset = self.state().time_offset.unwrap_or(0);
        self.clock.now_ms().saturating_add_signed(offset)
    }

    pub(super) async fn sign(
        &self,
        mut params: TokenParams,
        options: &AuthOptions,
    ) -> Result<TokenRequest> {
        let key = options.key.clone().ok_or_else(|| {
            Error::NoKey(
                "creating a TokenRequest needs the API key; give AuthOptions a key (an authUrl or callback can't sign locally)"
                    .into(),
            )
        })?;
        if params.timestamp.is_none() {
            let measured = self.state().time_offset.is_some();
            params.timestamp = Some(if options.query_time && !measured {
                self.server_time().await?
            } else {
                self.now_ms()
            });
        }
        Signer::new(key)
            .with_clock(self.clock.clone())
            .sign(&params)
    }

    /// Server time from `GET /time`; the offset from the local clock is kept for every
    /// later TokenRequest (RSA10k).
    async fn server_time(&self) -> Result<u64> {
        let time = self.fetch_time().await?;
        let offset = time as i64 - self.clock.now_ms() as i64;
        self.state().time_offset = Some(offset);
        Ok(time)
    }

    /// `GET /time` (RSC16), without authentication, measured as the `time` operation.
    pub(super) async fn fetch_time(&self) -> Result<u64> {
        measure::rest_call("time", self.send_time(), |_| None).await
    }

    async fn send_time(&self) -> Result<u64> {
        let binary = self.transport.binary;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, codec::accept(binary));
        let response = self
            .transport
            .send(Method::GET, "/time", &[], &headers, |_| {
                Ok(Some(Body::empty(binary)))
            })
            .await?;
        let kind = content_type(&response);
        let body = ably_body(response).await?;
        codec::decode::<Vec<u64>>(&kind, &body)
            .ok()
            .and_then(|v| v.first().copied())
            .ok_or_else(|| Error::Upstream("Ably's /time did not answer `[ms]`".into()))
    }

    /// `POST /keys/{keyName}/requestToken`. A request that may have reached Ably (a timeout,
    /// a 5xx) is never sent again to a fallback host: with the key and no fixed nonce a fresh
    /// TokenRequest is signed for the next host; otherwise the request is not retried (a
    /// signed request sent twice is a replay, 40105).
    pub(super) async fn exchange(
        &self,
        request: &TokenRequest,
        resign: Option<(Key, TokenParams)>,
    ) -> Result<TokenDetails> {
        let call = self.send_token_request(request, resign);
        measure::rest_call("request_token", call, |_| None).await
    }

    /// [`Auth::exchange`], unmeasured.
    async fn send_token_request(
        &self,
        request: &TokenRequest,
        resign: Option<(Key, TokenParams)>,
    ) -> Result<TokenDetails> {
        let binary = self.transport.binary;
        let path = format!("/keys/{}/requestToken", path_segment(&request.key_name));
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, codec::accept(binary));
        let mut body = codec::encode_token_request(binary, request)?;
        let response = self
            .transport
            .send(
                Method::POST,
                &path,
                &[],
                &headers,
                |attempt| match attempt {
                    Attempt::First | Attempt::AfterUnsent => Ok(Some(body.clone())),
                    Attempt::AfterSent => match &resign {
                        Some((key, params)) if params.nonce.is_none() => {
                            let mut params = params.clone();
                            params.timestamp = params.timestamp.or(Some(self.now_ms()));
                            let fresh = Signer::new(key.clone())
                                .with_clock(self.clock.clone())
                                .sign(&params)?;
                            body = codec::encode_token_request(binary, &fresh)?;
                            Ok(Some(body.clone()))
                        }
                        _ => Ok(None),
                    },
                },
            )
            .await?;
        let kind = content_type(&response);
        let bytes = ably_body(response).await?;
        codec::decode::<TokenDetails>(&kind, &bytes)
            .map(with_jwt_times)
            .map_err(|e| {
                Error::Upstream(format!(
                    "Ably's requestToken answered a malformed TokenDetails: {e}"
                ))
            })
    }
}
