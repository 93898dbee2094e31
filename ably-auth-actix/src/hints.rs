//! The client's hints: the query string and, for POST, the form body (bounded in size and
//! time).

use ably_auth::{Error, ErrorInfo, Hints};
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{FromRequest, HttpRequest, web};
use std::future::Future;
use std::time::Duration;

/// Largest query string the token route reads (8 KiB).
pub const MAX_QUERY_BYTES: usize = 8 * 1024;
/// Largest form body the token route reads (16 KiB).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long the token route waits for a whole POST body by default (5 s).
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the token route and its extractors ([`AuthUrlRequest`](crate::AuthUrlRequest),
/// [`Issued`](crate::Issued)) wait for a POST body before refusing it with HTTP 408 (Ably code
/// 40000), so that a client that declares a body and stalls can't hold a request open. Set it
/// with [`TokenRoute::body_timeout`](crate::TokenRoute::body_timeout), or put it in `app_data`
/// for handlers of your own; the default is [`DEFAULT_BODY_TIMEOUT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyTimeout(pub Duration);

impl Default for BodyTimeout {
    fn default() -> Self {
        BodyTimeout(DEFAULT_BODY_TIMEOUT)
    }
}

/// The request's hints, read by the future returned: [`request_hints`] over the query and,
/// for POST, the body read with [`read_body`]. The body's stream is taken from `payload` now;
/// nothing is read until the future is polled, so an extractor can first find out who is
/// asking.
pub(crate) fn read_hints(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<Hints, Error>> + 'static {
    let req = req.clone();
    let body = (req.method() == Method::POST).then(|| web::Payload::from_request(&req, payload));
    async move {
        let body = match body {
            None => None,
            Some(body) => Some(read_body(&req, body.await).await?),
        };
        request_hints(&req, body.as_deref())
    }
}

/// Reads a POST body: a declared `Content-Length` over [`MAX_BODY_BYTES`] is refused before
/// anything is read (413), a longer body is cut off at the limit (413), and the whole body must
/// arrive within the [`BodyTimeout`] (otherwise 408).
async fn read_body(
    req: &HttpRequest,
    payload: Result<web::Payload, actix_web::Error>,
) -> Result<web::Bytes, Error> {
    if let Some(declared) = declared_length(req)
        && declared > MAX_BODY_BYTES as u64
    {
        return Err(body_too_large());
    }
    let payload = payload.map_err(|e| unreadable_body(e.to_string()))?;
    let BodyTimeout(limit) = req
        .app_data::<BodyTimeout>()
        .copied()
        .or_else(|| {
            req.app_data::<web::Data<BodyTimeout>>()
                .map(|d| *d.get_ref())
        })
        .unwrap_or_default();
    let read = payload.to_bytes_limited(MAX_BODY_BYTES);
    match actix_web::rt::time::timeout(limit, read).await {
        Err(_) => Err(Error::Ably(ErrorInfo::new(
            40000,
            408,
            format!(
                "the request body did not arrive within {} ms; send the whole body (at most {MAX_BODY_BYTES} bytes) at once",
                limit.as_millis()
            ),
        ))),
        Ok(Ok(Ok(bytes))) => Ok(bytes),
        Ok(Ok(Err(e))) => Err(unreadable_body(e.to_string())),
        Ok(Err(_)) => Err(body_too_large()),
    }
}

fn declared_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn body_too_large() -> Error {
    Error::TooLarge(format!(
        "the body is over {MAX_BODY_BYTES} bytes; token parameters are small"
    ))
}

fn unreadable_body(message: String) -> Error {
    Error::BadRequest {
        code: 40000,
        message: format!("could not read the request body: {message}"),
    }
}

/// Reads hints from the query string and, for POST, a form body (whose values win).
///
/// A non-empty body must be form-encoded (`application/x-www-form-urlencoded`, or no
/// `Content-Type` at all), which is what Ably SDKs send to an authUrl with `authMethod: POST`.
/// Any other type, JSON included, is refused with HTTP 415 (Ably code 40000) rather than
/// ignored, so that hints are never silently dropped.
pub fn request_hints(req: &HttpRequest, body: Option<&[u8]>) -> Result<Hints, Error> {
    let query = req.query_string();
    if query.len() > MAX_QUERY_BYTES {
        return Err(Error::TooLarge(format!(
            "the query string is over {MAX_QUERY_BYTES} bytes; token parameters are small"
        )));
    }
    let mut hints = Hints::from_urlencoded(query.as_bytes())?;
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        check_form_type(req)?;
        let form = Hints::from_urlencoded(body)?;
        hints.ttl = form.ttl.or(hints.ttl);
        hints.capability = form.capability.or(hints.capability);
        hints.client_id = form.client_id.or(hints.client_id);
    }
    Ok(hints)
}

fn check_form_type(req: &HttpRequest) -> Result<(), Error> {
    let Some(value) = req.headers().get(CONTENT_TYPE) else {
        return Ok(());
    };
    let media_type = value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    if media_type.is_some_and(|t| t.eq_ignore_ascii_case("application/x-www-form-urlencoded")) {
        return Ok(());
    }
    let shown = String::from_utf8_lossy(value.as_bytes());
    Err(Error::Ably(ErrorInfo::new(
        40000,
        415,
        format!(
            "the body's Content-Type is {shown:?}; send token parameters form-encoded (application/x-www-form-urlencoded), as Ably SDKs do with authMethod POST, or in the query string"
        ),
    )))
}
