//! HttpPaginatedResponse (Ably features spec HP1–HP8, TG): an answer to
//! [`Rest::request`](super::Rest::request) and its pages, linked by `Link` headers.

use super::client::{Raw, Rest};
use super::codec;
use super::transport::Body;
use crate::error::{Error, Result};
use reqwest::Method;
use reqwest::Url;
use reqwest::header::HeaderMap;
use std::fmt;

/// One page of an answer to [`Rest::request`]: its items, status, error and headers, and
/// the links to the first and next pages.
pub struct HttpPaginatedResponse {
    rest: Rest,
    status_code: u16,
    headers: Vec<(String, String)>,
    items: Vec<serde_json::Value>,
    error_code: Option<u32>,
    error_message: Option<String>,
    links: Vec<(String, String)>,
    path: String,
}

impl fmt::Debug for HttpPaginatedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpPaginatedResponse")
            .field("status_code", &self.status_code)
            .field("items", &self.items.len())
            .field("error_code", &self.error_code)
            .field("error_message", &self.error_message)
            .field("links", &self.links)
            .finish_non_exhaustive()
    }
}

impl HttpPaginatedResponse {
    pub(super) fn from_raw(rest: Rest, path: &str, raw: Raw) -> Result<HttpPaginatedResponse> {
        let (error_code, error_message) = error_of(&raw);
        let success = (200..300).contains(&raw.status);
        let items = if !success || raw.body.is_empty() {
            Vec::new()
        } else {
            match codec::decode::<serde_json::Value>(&raw.content_type, &raw.body) {
                Ok(serde_json::Value::Array(items)) => items,
                Ok(serde_json::Value::Null) => Vec::new(),
                Ok(item) => vec![item],
                Err(e) => {
                    return Err(Error::Upstream(format!(
                        "Ably's answer could not be decoded: {e}"
                    )));
                }
            }
        };
        let headers = raw
            .headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        Ok(HttpPaginatedResponse {
            rest,
            status_code: raw.status,
            links: links(&raw.headers),
            headers,
            items,
            error_code,
            error_message,
            path: path.to_owned(),
        })
    }

    /// The items of this page (HP1): the elements of an array answer, or the one object.
    pub fn items(&self) -> &[serde_json::Value] {
        &self.items
    }

    /// The HTTP status (HP4).
    pub fn status_code(&self) -> u16 {
        self.status_code
    }

    /// Whether the status is 2xx (HP5).
    pub fn success(&self) -> bool {
        (200..300).contains(&self.status_code)
    }

    /// The Ably error code of an error answer (HP6): `X-Ably-ErrorCode`, else the body's.
    pub fn error_code(&self) -> Option<u32> {
        self.error_code
    }

    /// The Ably error message of an error answer (HP7).
    pub fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }

    /// The answer's headers (HP8), names lowercased.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Whether a `rel="next"` link exists (TG6).
    pub fn has_next(&self) -> bool {
        self.link("next").is_some()
    }

    /// Whether this is the last page (TG7).
    pub fn is_last(&self) -> bool {
        !self.has_next()
    }

    /// The next page, or `None` on the last page (TG4).
    pub async fn next(&self) -> Result<Option<HttpPaginatedResponse>> {
        self.follow("next").await
    }

    /// The first page, or `None` when the answer had no `rel="first"` link (TG5).
    pub async fn first(&self) -> Result<Option<HttpPaginatedResponse>> {
        self.follow("first").await
    }

    fn link(&self, rel: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|(r, _)| r == rel)
            .map(|(_, target)| target.as_str())
    }

    async fn follow(&self, rel: &str) -> Result<Option<HttpPaginatedResponse>> {
        let Some(target) = self.link(rel) else {
            return Ok(None);
        };
        let (path, query) = resolve_link(&self.path, target)?;
        let binary = self.rest.auth().transport.binary;
        let raw = self
            .rest
            .execute(
                Method::GET,
                &path,
                &query,
                &HeaderMap::new(),
                Body::empty(binary),
            )
            .await?;
        HttpPaginatedResponse::from_raw(self.rest.clone(), &path, raw).map(Some)
    }
}

/// The error code and message of an answer: `X-Ably-ErrorCode` / `X-Ably-ErrorMessage`,
/// else the `{"error":{..}}` body (JSON or MessagePack).
pub(super) fn error_of(raw: &Raw) -> (Option<u32>, Option<String>) {
    if (200..300).contains(&raw.status) {
        return (None, None);
    }
    let header = |name: &str| {
        raw.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let body = codec::decode::<serde_json::Value>(&raw.content_type, &raw.body).ok();
    let error = body.as_ref().and_then(|b| b.get("error"));
    let code = header("x-ably-errorcode")
        .and_then(|c| c.parse().ok())
        .or_else(|| {
            error
                .and_then(|e| e.get("code"))
                .and_then(|c| c.as_u64())
                .and_then(|c| u32::try_from(c).ok())
        });
    let message = header("x-ably-errormessage").or_else(|| {
        error
            .and_then(|e| e.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_owned)
    });
    (code, message)
}

/// The `Link` header's targets by rel: `<./messages?page=2>; rel="next"`.
fn links(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for value in headers.get_all(reqwest::header::LINK) {
        let Ok(value) = value.to_str() else { continue };
        for part in value.split(',') {
            let mut pieces = part.split(';');
            let Some(target) = pieces
                .next()
                .map(str::trim)
                .and_then(|t| t.strip_prefix('<'))
                .and_then(|t| t.strip_suffix('>'))
            else {
                continue;
            };
            for param in pieces {
                if let Some(rel) = param.trim().strip_prefix("rel=") {
                    for rel in rel.trim_matches('"').split_whitespace() {
                        out.push((rel.to_owned(), target.to_owned()));
                    }
                }
            }
        }
    }
    out
}

/// A link target resolved against the request path: its path and query pairs. Only
/// same-host paths are followed (a link to another origin is refused with 50002).
fn resolve_link(path: &str, target: &str) -> Result<(String, Vec<(String, String)>)> {
    let base = Url::parse("https://ably.invalid")
        .and_then(|b| b.join(path))
        .map_err(|_| Error::Upstream("the request path does not resolve".into()))?;
    let url = base
        .join(target)
        .map_err(|_| Error::Upstream("Ably answered a Link that does not resolve".into()))?;
    if url.origin() != base.origin() {
        return Err(Error::Upstream(
            "Ably answered a Link to another origin; it is not followed".into(),
        ));
    }
    let query = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Ok((url.path().to_owned(), query))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn link_headers_give_rels_and_relative_targets() {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::LINK,
            HeaderValue::from_static(
                r#"<./messages?start=0&limit=2>; rel="first", <./messages?start=2&limit=2&x=%2F>; rel="next""#,
            ),
        );
        let links = links(&headers);
        assert_eq!(links.len(), 2);
        let next = &links.iter().find(|(r, _)| r == "next").unwrap().1;
        let (path, query) = resolve_link("/channels/chat/messages", next).unwrap();
        assert_eq!(path, "/channels/chat/messages");
        assert_eq!(
            query,
            [
                ("start".to_owned(), "2".to_owned()),
                ("limit".into(), "2".into()),
                ("x".into(), "/".into())
            ]
        );
        assert!(resolve_link("/a", "https://elsewhere.example/x").is_err());
    }
}
