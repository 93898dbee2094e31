//! The responses of a credential route: the credential, or the Ably error through the app's
//! renderer.

use crate::adapters::BearerChallenge;
use crate::error::{ErrorRenderer, error_response};
use crate::rate_limit::RetryAfter;
use ably_auth::{Credential, CredentialBody, Error};
use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE,
};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};

/// A custom error renderer in `app_data`.
#[derive(Clone)]
pub(crate) struct ErrorBody(pub ErrorRenderer);

/// The response for a credential: `application/json` (TokenRequest, TokenDetails) or
/// `application/jwt`, with `Cache-Control: no-store` (a cached TokenRequest is a replayed
/// nonce, 40105).
pub fn credential_response(credential: &Credential) -> HttpResponse {
    ok_response(credential.content_type(), credential.to_body())
}

/// [`credential_response`] for a credential already in its wire form.
pub(crate) fn body_response(body: CredentialBody) -> HttpResponse {
    ok_response(body.content_type, body.body)
}

fn ok_response(content_type: &'static str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static(content_type)))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body)
}

/// The response for an error, through the app's [`ErrorRenderer`] if it installed one, with
/// `Cache-Control: no-store`; a 401 for a request whose user is found by a bearer token
/// ([`bearer_token`](crate::adapters::bearer_token)) also gets the `WWW-Authenticate: Bearer`
/// challenge.
/// A request refused by a [`RateLimiter`](crate::RateLimiter) (42910) gets its
/// `Retry-After` header too.
pub fn render_error(req: &HttpRequest, err: &Error) -> HttpResponse {
    let mut response = match req.app_data::<ErrorBody>() {
        Some(ErrorBody(render)) => render(req, err),
        None => error_response(err),
    };
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let (42910, Some(RetryAfter(seconds))) = (err.code(), req.extensions().get::<RetryAfter>()) {
        headers.insert(RETRY_AFTER, HeaderValue::from(*seconds));
    }
    let challenge = req.extensions().get::<BearerChallenge>().copied();
    if let (Some(challenge), StatusCode::UNAUTHORIZED) = (challenge, response.status()) {
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge.header_value()),
        );
    }
    response
}
