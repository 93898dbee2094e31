//! Responses every route shares: errors in Ably's shape, CORS, preflights, unknown paths.

use ably_auth::ErrorInfo;
use ably_auth_actix::error_info_response;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

/// The request headers a preflight allows (`Access-Control-Allow-Headers`): those ably-js and
/// ably-python send (`X-Ably-Version`, `Ably-Agent`, `Content-Type`, `Accept`,
/// `Authorization`, `X-Ably-ClientId`, and the older `X-Ably-Lib`). Listed by name because
/// the `*` wildcard never covers `Authorization`.
pub const ALLOWED_HEADERS: &str =
    "accept, ably-agent, authorization, content-type, x-ably-clientid, x-ably-lib, x-ably-version";

/// The methods a preflight allows.
pub const ALLOWED_METHODS: &str = "GET, POST, OPTIONS";

pub(crate) async fn preflight() -> HttpResponse {
    let mut response = with_cors(HttpResponse::NoContent());
    response
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
        .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"));
    response.finish()
}

pub(crate) async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    error_response(&ErrorInfo::new(
        40500,
        405,
        format!("method {} is not allowed on {}", req.method(), req.path()),
    ))
}

pub(crate) async fn not_found(req: HttpRequest) -> HttpResponse {
    let mut response = if req.method() == actix_web::http::Method::OPTIONS {
        preflight().await
    } else {
        error_response(&ErrorInfo::new(
            40400,
            404,
            format!("no such endpoint: {} {}", req.method(), req.path()),
        ))
    };
    answer_origin(req.headers().get(header::ORIGIN), response.headers_mut());
    response
}

/// Ably's error response (the one the token route sends, see
/// [`error_info_response`]), with the CORS headers of a public API.
pub(crate) fn error_response(info: &ErrorInfo) -> HttpResponse {
    let mut response = error_info_response(info);
    for (name, value) in CORS_HEADERS {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    response
}

/// The CORS headers of a response to a request with no `Origin` (or `Origin: null`): any
/// origin (`*`), and the Ably error headers exposed to scripts. [`browser_cors`] answers a
/// browser's request.
const CORS_HEADERS: [(header::HeaderName, &str); 2] = [
    (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
    (
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        "link, x-ably-errorcode, x-ably-errormessage, x-ably-serverid",
    ),
];

/// Adds the [`CORS_HEADERS`].
pub(crate) fn with_cors(mut builder: HttpResponseBuilder) -> HttpResponseBuilder {
    for header in CORS_HEADERS {
        builder.insert_header(header);
    }
    builder
}

/// Answers a browser as Ably's service does: the request's `Origin` comes back in
/// `Access-Control-Allow-Origin`, with `Access-Control-Allow-Credentials: true` and
/// `Vary: Origin`. ably-js in a browser sends token-authenticated requests with credentials
/// (XHR `withCredentials` whenever it sends `Authorization`), which a `*` answer would make
/// the browser refuse. The endpoint keeps no cookie or session, so credentials give a page
/// nothing it could not have without them. `Origin: null` (a file or a sandboxed frame) keeps
/// the `*` answer, without credentials.
pub(crate) async fn browser_cors(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut response = next.call(req).await?;
    answer_origin(origin.as_ref(), response.headers_mut());
    Ok(response)
}

/// The [`browser_cors`] headers for a request from `origin`.
fn answer_origin(origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
    let Some(origin) = origin.filter(|origin| origin.as_bytes() != b"null") else {
        return;
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}
