//! Ably-shaped error responses.

use ably_auth::{Error, ErrorInfo};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use std::fmt;
use std::sync::Arc;

/// An [`ably_auth::Error`] as an actix-web error: the response is the Ably `ErrorInfo` JSON
/// with `content-type: application/json` (exactly, as ably-js requires), the error's HTTP
/// status, `X-Ably-ErrorCode`/`X-Ably-ErrorMessage` headers and `Cache-Control: no-store`.
///
/// ```
/// use ably_auth_actix::AblyError;
/// use actix_web::ResponseError;
///
/// let err = AblyError::from(ably_auth::Error::NonceReplayed);
/// let response = err.error_response();
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers().get("x-ably-errorcode").unwrap(), "40105");
/// ```
#[derive(Debug)]
pub struct AblyError(pub Error);

impl AblyError {
    /// The wrapped error.
    pub fn error(&self) -> &Error {
        &self.0
    }
}

impl From<Error> for AblyError {
    fn from(err: Error) -> Self {
        AblyError(err)
    }
}

impl fmt::Display for AblyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl ResponseError for AblyError {
    fn status_code(&self) -> StatusCode {
        status_of(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        error_response(&self.0)
    }
}

pub(crate) fn status_of(err: &Error) -> StatusCode {
    StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The default error response: Ably `ErrorInfo` JSON and headers.
pub fn error_response(err: &Error) -> HttpResponse {
    error_info_response(&err.to_error_info())
}

/// Ably's error response for `info`, the one renderer of Ably errors (the token route and the
/// local endpoint of `ably-auth-local` both answer with it): the `{"error":{…}}` JSON with
/// `content-type: application/json` exactly, the status `info.status_code` (500 if it is not
/// a valid status), `Cache-Control: no-store`, and the `X-Ably-ErrorCode` /
/// `X-Ably-ErrorMessage` headers (the message cut to 256 characters, anything but printable
/// ASCII replaced by `?`).
///
/// ```
/// use ably_auth::ErrorInfo;
///
/// let response = ably_auth_actix::error_info_response(&ErrorInfo::new(40160, 401, "denied"));
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers().get("x-ably-errorcode").unwrap(), "40160");
/// ```
pub fn error_info_response(info: &ErrorInfo) -> HttpResponse {
    let status =
        StatusCode::from_u16(info.status_code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    response
        .insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .insert_header(("x-ably-errorcode", info.code.to_string()));
    if let Ok(message) = HeaderValue::from_str(&header_safe(&info.message)) {
        response.insert_header(("x-ably-errormessage", message));
    }
    response.body(info.to_json())
}

/// Why the app's user extractor failed, as the Ably error the route answers with:
///
/// * an [`AblyError`] keeps its code and status (a lookup that answers `403 40300` for a
///   suspended account stays that);
/// * a request actix-web could not parse (a `Cookie` header that is not UTF-8, a malformed
///   form or query, a broken payload) is the client's fault: 400, code 40000, with actix-web's
///   description;
/// * anything else means there is no signed-in user: 401, code 40100.
pub(crate) fn user_error(err: actix_web::Error) -> Error {
    use actix_web::error::{
        InternalError, JsonPayloadError, PayloadError, QueryPayloadError, UrlencodedError,
    };
    if let Some(AblyError(err)) = err.as_error::<AblyError>() {
        return err.clone();
    }
    let unparsable = err
        .as_error::<InternalError<actix_web::cookie::ParseError>>()
        .is_some()
        || err.as_error::<UrlencodedError>().is_some()
        || err.as_error::<QueryPayloadError>().is_some()
        || err.as_error::<JsonPayloadError>().is_some()
        || err.as_error::<PayloadError>().is_some();
    if unparsable {
        return Error::BadRequest {
            code: 40000,
            message: format!("the request could not be parsed: {err}"),
        };
    }
    Error::Unauthorized(format!("no signed-in user ({err})"))
}

/// A `Cookie` header that can't be parsed: 400, code 40000.
#[cfg(any(feature = "session", feature = "identity"))]
pub(crate) fn cookie_error(err: &actix_web::cookie::ParseError) -> Error {
    Error::BadRequest {
        code: 40000,
        message: format!(
            "the Cookie header can't be parsed ({err}); send cookies as UTF-8 `name=value` pairs"
        ),
    }
}

/// Printable ASCII only, at most 256 characters.
fn header_safe(message: &str) -> String {
    message
        .chars()
        .take(256)
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// Renders error responses; install one with [`TokenRoute::error_body`](crate::TokenRoute::error_body)
/// to customise the body (the status should stay `err.status()` so SDKs react correctly).
pub type ErrorRenderer = Arc<dyn Fn(&HttpRequest, &Error) -> HttpResponse + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn default_response_is_ably_shaped() {
        let response = error_response(&Error::CapabilityDenied {
            status: 403,
            message: "nope\nnever ü".into(),
        });
        assert_eq!(response.status(), 403);
        let headers = response.headers();
        assert_eq!(headers.get(CONTENT_TYPE).unwrap(), "application/json");
        assert_eq!(headers.get(CACHE_CONTROL).unwrap(), "no-store");
        assert_eq!(headers.get("x-ably-errorcode").unwrap(), "40160");
        assert_eq!(headers.get("x-ably-errormessage").unwrap(), "nope?never ?");
        let body = response.into_body().try_into_bytes().unwrap();
        let info = ably_auth::ErrorInfo::from_json(&body).unwrap();
        assert_eq!((info.code, info.status_code), (40160, 403));
        assert_eq!(info.message, "nope\nnever ü");
    }
}
