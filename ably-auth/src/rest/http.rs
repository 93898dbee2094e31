//! The HTTP client, bounded reads of answers, and error messages that carry no URL, header
//! or value from a request or an answer.

use super::MAX_RESPONSE;
use crate::error::{Error, ErrorInfo, Result};
use reqwest::header::LOCATION;
use std::sync::Arc;

/// An HTTP client with rustls over the *ring* provider and the platform's certificate
/// verifier, following no redirects (the authUrl call follows same-origin ones itself); no
/// process-wide state is touched.
pub(super) fn http_client() -> Result<reqwest::Client> {
    http_client_with(&[], &[])
}

/// [`http_client`] that also trusts `extra_roots` (on top of the platform's roots) and
/// connects to the given address for each named host instead of asking DNS.
pub(super) fn http_client_with(
    extra_roots: &[rustls::pki_types::CertificateDer<'static>],
    addresses: &[(String, std::net::SocketAddr)],
) -> Result<reqwest::Client> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = if extra_roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone())
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(
            extra_roots.iter().cloned(),
            provider.clone(),
        )
    }
    .map_err(|e| Error::Config(format!("TLS certificate verifier setup failed: {e}")))?;
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS setup failed: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut builder = reqwest::Client::builder();
    for (host, address) in addresses {
        builder = builder.resolve(host, *address);
    }
    builder
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        // TRACE-level logging of raw bytes would show queries, headers and tokens.
        .connection_verbose(false)
        .build()
        .map_err(|e| Error::Config(format!("HTTP client setup failed: {e}")))
}

/// What went wrong with a request, to follow "authUrl" or "Ably", without its URL: reqwest's
/// own message names the full URL (query string included), so only the kind of failure and
/// the innermost cause (an I/O, TLS or protocol error, which knows nothing of the request)
/// are kept: `could not be reached: Connection refused (os error 111)`.
pub(super) fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_connect() {
        "could not be reached"
    } else if e.is_body() || e.is_decode() {
        "answer could not be read"
    } else if e.is_builder() {
        "request could not be built"
    } else {
        "request failed"
    };
    let mut cause = std::error::Error::source(e);
    let mut innermost = None;
    while let Some(c) = cause {
        innermost = Some(c);
        cause = c.source();
    }
    match innermost {
        Some(cause) => format!("{what}: {cause}"),
        None => what.to_owned(),
    }
}

/// A JSON error's message with every quoted string replaced by `"…"`: serde quotes the value
/// it could not use (`invalid type: string "…", expected u64`), and that value may be a token.
/// Field names, types, line and column stay.
pub(super) fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '"' {
            let mut escaped = false;
            for c in chars.by_ref() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => break,
                    _ => {}
                }
            }
            out.push_str("…\"");
        }
    }
    out
}

pub(super) enum ReadError {
    TooLarge,
    Timeout,
    Other(reqwest::Error),
}

/// Reads at most [`MAX_RESPONSE`] bytes of `response`'s body.
pub(super) async fn read_limited(response: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    read_at_most(response, MAX_RESPONSE).await
}

/// Reads at most `limit` bytes of `response`'s body.
pub(super) async fn read_at_most(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ReadError> {
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(ReadError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => return Err(ReadError::Timeout),
            Err(e) => return Err(ReadError::Other(e)),
        }
    }
}

/// Reads an answer from Ably: a 2xx body, or the error it carries (`{"error":{..}}`, else
/// the `X-Ably-ErrorCode` headers, else a code made from the status). A redirect is not
/// followed: it is 50002, naming only the origin it pointed to.
pub(super) async fn ably_body(response: reqwest::Response) -> Result<Vec<u8>> {
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if status.is_redirection() {
        let to = header(LOCATION.as_str())
            .and_then(|l| response.url().join(&l).ok())
            .map(|u| format!(" to {}", u.origin().ascii_serialization()))
            .unwrap_or_default();
        return Err(Error::Upstream(format!(
            "Ably answered HTTP {status}, a redirect{to}; calls to Ably follow no redirects: \
             check the endpoint"
        )));
    }
    let (code, message) = (header("x-ably-errorcode"), header("x-ably-errormessage"));
    let kind = content_type(&response);
    let body = read_limited(response).await.map_err(|e| match e {
        ReadError::TooLarge => {
            Error::Upstream(format!("Ably answered more than {MAX_RESPONSE} bytes"))
        }
        ReadError::Timeout => Error::Timeout("Ably's answer did not arrive in time".into()),
        ReadError::Other(e) => Error::Upstream(format!("Ably {}", describe(&e))),
    })?;
    if status.is_success() {
        return Ok(body);
    }
    if let Some(info) = error_info(&kind, &body) {
        return Err(Error::Ably(info));
    }
    if let Some(code) = code.and_then(|c| c.parse::<u32>().ok()) {
        return Err(Error::Ably(ErrorInfo::new(
            code,
            status.as_u16(),
            message.unwrap_or_else(|| format!("HTTP {status}")),
        )));
    }
    if status.is_server_error() {
        return Err(Error::Upstream(format!("Ably answered HTTP {status}")));
    }
    Err(Error::Ably(ErrorInfo::new(
        u32::from(status.as_u16()) * 100,
        status.as_u16(),
        format!("Ably answered HTTP {status}"),
    )))
}

/// The media type of `response` without parameters, lowercased.
pub(super) fn content_type(response: &reqwest::Response) -> String {
    essence(response.headers().get(reqwest::header::CONTENT_TYPE))
}

/// The media type without parameters, lowercased: `application/json; charset=utf-8` →
/// `application/json`.
pub(super) fn essence(value: Option<&reqwest::header::HeaderValue>) -> String {
    value
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// An Ably error body (`{"error":{..}}`) in JSON or MessagePack, or `None`.
pub(super) fn error_info(content_type: &str, body: &[u8]) -> Option<ErrorInfo> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: ErrorInfo,
    }
    if content_type == super::codec::MSGPACK {
        rmp_serde::from_slice::<Envelope>(body)
            .ok()
            .map(|e| e.error)
    } else {
        ErrorInfo::from_json(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_dropped_from_json_errors() {
        let err = serde_json::from_str::<u64>(r#""tok\"en.secret""#).unwrap_err();
        let shown = without_values(&err.to_string());
        assert!(!shown.contains("secret"), "{shown}");
        assert!(
            shown.starts_with(r#"invalid type: string "…", expected u64"#),
            "{shown}"
        );
        assert_eq!(
            without_values("missing field `expires`"),
            "missing field `expires`"
        );
        assert_eq!(without_values(r#"a "b" c "d"#), r#"a "…" c "…""#);
    }
}
