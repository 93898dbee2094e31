//! Responses every route shares: errors in Ably's shape, CORS, preflights, unknown paths.

use ably_auth::ErrorInfo;
use ably_auth_actix::error_info_response;
use actix_web::http::header::{self, HeaderValue};
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
    if req.method() == actix_web::http::Method::OPTIONS {
        return preflight().await;
    }
    error_response(&ErrorInfo::new(
        40400,
        404,
        format!("no such endpoint: {} {}", req.method(), req.path()),
    ))
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

/// The CORS headers of a public API: any origin (`*`), no credentials, and the Ably error
/// headers exposed to scripts. The answer is the same whatever the request's `Origin`.
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
