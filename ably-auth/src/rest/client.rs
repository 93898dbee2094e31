//! `Rest`: authenticated requests to Ably (Ably features spec RSC7, RSC10, RSC16, RSC19).

use super::codec;
use super::http::{ReadError, content_type, describe, http_client_with, read_at_most};
use super::measure;
use super::paginated::{HttpPaginatedResponse, error_of};
use super::renewal::{is_token_error, no_means_to_renew};
use super::transport::{Body, Transport};
use super::{Auth, AuthScheme, ClientOptions, MAX_REQUEST_RESPONSE};
use crate::error::{Error, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::sync::Arc;

/// A small Ably REST client in the shape of the SDKs': [`Rest::auth`], [`Rest::request`],
/// [`Rest::time`]. Requests carry the current auth scheme's `Authorization` header,
/// `X-Ably-Version` and `Ably-Agent`; a token refused with 40140–40149 is renewed once and
/// the request retried (RSA4b, RSC10); failing hosts fall back to others (RSC15).
///
/// Cheap to clone: clones share the `Auth`, its token and the fallback memory.
///
/// ```no_run
/// use ably_auth::rest::{ClientOptions, Rest};
///
/// # async fn run() -> ably_auth::Result<()> {
/// let rest = Rest::new(ClientOptions::key("appId.keyId:keySecret".parse()?))?;
/// let page = rest.request("GET", "/channels/chat/messages", &[("limit", "10")], None, &[]).await?;
/// for message in page.items() {
///     println!("{message}");
/// }
/// if let Some(older) = page.next().await? {
///     println!("{} more", older.items().len());
/// }
/// println!("server time {}", rest.time().await?);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Rest {
    auth: Arc<Auth>,
}

impl fmt::Debug for Rest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rest").field("auth", &self.auth).finish()
    }
}

/// An answer read whole.
pub(super) struct Raw {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) content_type: String,
    pub(super) body: Vec<u8>,
}

impl Rest {
    /// A client with `options`. Fails with 40106 when they give no means of authentication
    /// (RSC1b) or host options that do not resolve or conflict (REC1, REC2), 40012 for a
    /// bad clientId.
    pub fn new(options: ClientOptions) -> Result<Rest> {
        let hosts = options.hosts.resolve()?;
        let http = http_client_with(&options.root_certificates, &options.addresses)?;
        let port = if options.tls {
            options.tls_port
        } else {
            options.port
        };
        let mut transport = Transport::new(http, options.tls, port, hosts);
        transport.timeout = options.http_request_timeout;
        transport.max_retry_count = options.http_max_retry_count;
        transport.max_retry_duration = options.http_max_retry_duration;
        transport.fallback_retry_timeout = options.fallback_retry_timeout;
        transport.binary = options.use_binary_protocol;
        let mut auth = Auth::with_transport(options.auth, transport)?;
        if let Some(clock) = options.clock {
            auth = auth.with_clock(clock);
        }
        if let Some(params) = options.default_token_params {
            auth = auth.with_default_token_params(params);
        }
        if let Some(id) = &options.client_id {
            auth = auth.with_client_id(id)?;
        }
        Ok(Rest {
            auth: Arc::new(auth),
        })
    }

    /// The client's `Auth` (RSC5).
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// Ably's time in milliseconds since the epoch, from `GET /time`, unauthenticated
    /// (RSC16).
    pub async fn time(&self) -> Result<u64> {
        self.auth.fetch_time().await
    }

    /// Sends an authenticated request (RSC19): `method` is GET, POST, PUT, PATCH or DELETE;
    /// `path` starts with `/`; `params` go in the query string; `body` is sent as
    /// MessagePack or JSON by the protocol option; `headers` are added (an `X-Ably-Version`
    /// among them replaces the default, as the spec's `version` argument does, RSC19f1;
    /// `Authorization` is always the client's own). Every answer, an
    /// error status included, comes back as an [`HttpPaginatedResponse`]; only a failure to
    /// get one (no host answered, a token that can't be renewed: 40171) is an `Err`.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        params: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Result<HttpPaginatedResponse> {
        let method = match method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            other => {
                return Err(Error::bad_request(format!(
                    "request method {other:?} is not one of GET, POST, PUT, PATCH, DELETE"
                )));
            }
        };
        if !path.starts_with('/') {
            return Err(Error::bad_request(format!(
                "request path {path:?} must start with `/`"
            )));
        }
        let mut extra = HeaderMap::new();
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::bad_request(format!("header name {name:?} is not valid")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::bad_request(format!("header {name} has an invalid value")))?;
            extra.append(name, value);
        }
        let query: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let binary = self.auth.transport.binary;
        let body = match body {
            Some(value) => codec::encode(binary, value)?,
            None => Body::empty(binary),
        };
        let raw = self
            .execute(method.clone(), path, &query, &extra, body)
            .await?;
        HttpPaginatedResponse::from_raw(self.clone(), path, raw)
    }

    /// Sends with authentication; a token error renews the token once and retries (RSA4b,
    /// RSC10); a second refusal is returned as it is, never renewed again. Measured as the
    /// `request` operation: an error status counts as an error.
    pub(super) async fn execute(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        extra: &HeaderMap,
        body: Body,
    ) -> Result<Raw> {
        let call = self.send_authenticated(method, path, query, extra, body);
        measure::rest_call("request", call, |raw| {
            (raw.status >= 400).then(|| error_of(raw).0.unwrap_or(u32::from(raw.status) * 100))
        })
        .await
    }

    async fn send_authenticated(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        extra: &HeaderMap,
        body: Body,
    ) -> Result<Raw> {
        let mut renewed = false;
        loop {
            let (authorization, token) = self.auth.authorization().await?;
            let mut headers = extra.clone();
            let mut value = HeaderValue::from_str(&authorization)
                .map_err(|_| Error::Internal("the Authorization header is not valid".into()))?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
            if !headers.contains_key(ACCEPT) {
                headers.insert(ACCEPT, codec::accept(self.auth.transport.binary));
            }
            if let (AuthScheme::Basic, Some(id)) = (self.auth.scheme(), self.auth.client_id()) {
                // RSA7e2: under Basic auth the clientId travels Base64-encoded in a header.
                let value = HeaderValue::from_str(&STANDARD.encode(id))
                    .map_err(|_| Error::Internal("the clientId header is not valid".into()))?;
                headers.insert("x-ably-clientid", value);
            }
            let response = self
                .auth
                .transport
                .send(method.clone(), path, query, &headers, |_| {
                    Ok(Some(body.clone()))
                })
                .await?;
            let raw = read_raw(response).await?;
            let code = error_of(&raw).0;
            match token {
                Some(token) if raw.status == 401 && code.is_some_and(is_token_error) => {
                    if renewed {
                        return Ok(raw);
                    }
                    if !self.auth.can_renew() {
                        return Err(no_means_to_renew());
                    }
                    self.auth.token_rejected(&token).await?;
                    renewed = true;
                }
                _ => return Ok(raw),
            }
        }
    }
}

async fn read_raw(response: reqwest::Response) -> Result<Raw> {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = content_type(&response);
    let body = read_at_most(response, MAX_REQUEST_RESPONSE)
        .await
        .map_err(|e| match e {
            ReadError::TooLarge => Error::Upstream(format!(
                "Ably answered more than {MAX_REQUEST_RESPONSE} bytes"
            )),
            ReadError::Timeout => Error::Timeout("Ably's answer did not arrive in time".into()),
            ReadError::Other(e) => Error::Upstream(format!("Ably {}", describe(&e))),
        })?;
    Ok(Raw {
        status,
        headers,
        content_type,
        body,
    })
}
