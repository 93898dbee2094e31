//! Calling an authUrl as the SDKs do (Ably features spec RSA8c1, RSA8c2), following same-origin
//! redirects only, and classifying its answer (RSA8c, RSA4f).
//!
//! No error from here names the authUrl's path or query, an auth param or a header value:
//! the authUrl appears as its origin, reqwest errors through [`describe`].

use super::http::{ReadError, describe, essence, read_limited};
use super::redirect::{self, Hop, MAX_REDIRECTS};
use super::{Auth, AuthMethod, AuthOptions, MAX_RESPONSE, TokenSource};
use crate::error::{Error, ErrorInfo, Result};
use crate::token::TokenParams;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{StatusCode, Url};
use std::time::Duration;
use tokio::time::Instant;

fn failed(what: impl std::fmt::Display) -> Error {
    Error::AuthCallback(format!("authUrl {what}"))
}

impl Auth {
    /// Calls the authUrl `url` with `options` and the token `params`; the whole call,
    /// redirects included, takes at most the timeout.
    pub(super) async fn call_auth_url(
        &self,
        url: &str,
        options: &AuthOptions,
        params: &TokenParams,
    ) -> Result<TokenSource> {
        let mut hop = first_hop(url, options, params)?;
        let headers = auth_headers(&options.auth_headers)?;
        let auth_url = hop.url.clone();
        let deadline = Instant::now() + self.transport.timeout;
        let mut redirects = 0;
        let response = loop {
            let response = self.send(&hop, &headers, deadline).await?;
            let location = response.headers().get(LOCATION);
            match redirect::follow(&auth_url, &hop, response.status(), location)? {
                None => break response,
                Some(_) if redirects == MAX_REDIRECTS => {
                    return Err(failed(format!(
                        "redirected more than {MAX_REDIRECTS} times; give AuthOptions the final URL"
                    )));
                }
                Some(next) => {
                    redirects += 1;
                    hop = next;
                }
            }
        };
        let status = response.status();
        let content_type = essence(response.headers().get(CONTENT_TYPE));
        let body = read_limited(response).await.map_err(|e| match e {
            ReadError::TooLarge => failed(format!("answered more than {MAX_RESPONSE} bytes")),
            ReadError::Timeout => self.timed_out(),
            ReadError::Other(e) => failed(describe(&e)),
        })?;
        classify(status, &content_type, &body)
    }

    async fn send(
        &self,
        hop: &Hop,
        headers: &HeaderMap,
        deadline: Instant,
    ) -> Result<reqwest::Response> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left == Duration::ZERO {
            return Err(self.timed_out());
        }
        let builder = match (hop.method, &hop.form) {
            (AuthMethod::Post, Some(form)) => self
                .transport
                .http
                .post(hop.url.clone())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.clone()),
            (AuthMethod::Post, None) => self.transport.http.post(hop.url.clone()),
            (AuthMethod::Get, _) => self.transport.http.get(hop.url.clone()),
        };
        builder
            .headers(headers.clone())
            .timeout(left)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    self.timed_out()
                } else {
                    failed(describe(&e))
                }
            })
    }

    fn timed_out(&self) -> Error {
        failed(format!(
            "did not answer within {:?}",
            self.transport.timeout
        ))
    }
}

/// An authUrl as it may be shown: without credentials, query or fragment.
pub(super) fn shown(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.into()
        }
        Err(_) => "<not a URL>".to_owned(),
    }
}

/// The first request: GET with the params merged into the URL's query, or POST with them as
/// a form (the URL's own query stays in the URL).
fn first_hop(url: &str, options: &AuthOptions, params: &TokenParams) -> Result<Hop> {
    let mut target = Url::parse(url).map_err(|e| failed(format!("is not a URL: {e}")))?;
    if !matches!(target.scheme(), "http" | "https") {
        return Err(failed("must be an http:// or https:// URL"));
    }
    let token_params = token_param_pairs(params);
    let mut sent = merge_params(&options.auth_params, &token_params);
    let form = match options.auth_method {
        AuthMethod::Get => {
            let mut all: Vec<(String, String)> = target
                .query_pairs()
                .filter(|(k, _)| !sent.iter().any(|(n, _)| n == k))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            all.append(&mut sent);
            if all.is_empty() {
                target.set_query(None);
            } else {
                target.query_pairs_mut().clear().extend_pairs(&all);
            }
            None
        }
        AuthMethod::Post => Some(
            serde_urlencoded::to_string(&sent)
                .map_err(|_| failed("params can't be form-encoded"))?,
        ),
    };
    Ok(Hop {
        method: options.auth_method,
        url: target,
        form,
    })
}

/// `Accept` and the auth headers; a bad header is named, its value never shown.
fn auth_headers(auth_headers: &[(String, String)]) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    headers.insert(
        ACCEPT,
        HeaderValue::from_static("application/json, text/plain"),
    );
    for (name, value) in auth_headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("auth header name {name:?} is not valid")))?;
        let mut value = HeaderValue::from_str(value)
            .map_err(|_| Error::Config(format!("auth header {name} has an invalid value")))?;
        value.set_sensitive(true);
        headers.insert(name, value);
    }
    Ok(headers)
}

/// The authUrl's answer as a token source, or the error it stands for.
fn classify(status: StatusCode, content_type: &str, body: &[u8]) -> Result<TokenSource> {
    if !status.is_success() {
        if content_type == "application/json"
            && let Some(info) = ErrorInfo::from_json(body)
        {
            return Err(Error::Ably(info));
        }
        if status.as_u16() == 403 {
            return Err(Error::Forbidden(format!("authUrl answered HTTP {status}")));
        }
        return Err(failed(format!("answered HTTP {status}")));
    }
    match content_type {
        "application/json" => TokenSource::from_json(body),
        "text/plain" | "application/jwt" => {
            let text = std::str::from_utf8(body)
                .map_err(|_| failed("answered a token that is not UTF-8"))?
                .trim();
            if text.is_empty() || text == "null" || text == "undefined" {
                Err(failed("answered an empty token"))
            } else if content_type == "text/plain" && text.starts_with('{') {
                Err(failed(
                    "answered JSON as text/plain (double-encoded?); use content-type application/json",
                ))
            } else {
                Ok(TokenSource::Token(text.to_owned()))
            }
        }
        "" => Err(failed(
            "answered without a content-type; use application/json, application/jwt or text/plain",
        )),
        other => Err(failed(format!(
            "answered content-type {other:?}; use application/json, application/jwt or text/plain"
        ))),
    }
}

/// The token params as authUrl params: ttl (ms), capability (canonical JSON), clientId,
/// timestamp and nonce, each only when set.
fn token_param_pairs(params: &TokenParams) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    if let Some(ttl) = params.ttl {
        pairs.push(("ttl".into(), ttl.as_millis().to_string()));
    }
    if let Some(cap) = &params.capability {
        pairs.push(("capability".into(), cap.to_json()));
    }
    if let Some(id) = &params.client_id {
        pairs.push(("clientId".into(), id.as_str().to_owned()));
    }
    if let Some(ts) = params.timestamp {
        pairs.push(("timestamp".into(), ts.to_string()));
    }
    if let Some(nonce) = &params.nonce {
        pairs.push(("nonce".into(), nonce.clone()));
    }
    pairs
}

/// Auth params, then token params; a token param replaces an auth param of the same name.
fn merge_params(auth: &[(String, String)], token: &[(String, String)]) -> Vec<(String, String)> {
    auth.iter()
        .filter(|(name, _)| !token.iter().any(|(n, _)| n == name))
        .chain(token)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_params_beat_auth_params() {
        let auth = vec![("a".into(), "1".into()), ("ttl".into(), "5".into())];
        let token = vec![("ttl".into(), "60000".into())];
        assert_eq!(
            merge_params(&auth, &token),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("ttl".into(), "60000".into())
            ]
        );
    }

    #[test]
    fn content_type_essence() {
        let v = HeaderValue::from_static("Application/JSON; charset=utf-8");
        assert_eq!(essence(Some(&v)), "application/json");
        assert_eq!(essence(None), "");
    }

    #[test]
    fn bad_urls_are_40170_without_the_url() {
        for url in ["not a url?k=hiddenQuery", "ftp://host/auth?k=hiddenQuery"] {
            let err =
                first_hop(url, &AuthOptions::auth_url(url), &TokenParams::default()).unwrap_err();
            assert_eq!(err.code(), 40170, "{url}");
            assert!(!format!("{err} {err:?}").contains("hiddenQuery"), "{err}");
        }
    }
}
