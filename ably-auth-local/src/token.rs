//! `POST /keys/{keyName}/requestToken` and `GET /time`.

use crate::MAX_BODY;
use crate::response::{error_response, with_cors};
use crate::state::State;
use ably_auth::{Error, ErrorInfo, NonceSource, RandomNonce, TokenDetails, TokenRequest};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

pub(crate) async fn request_token(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<State>,
    body: web::Payload,
) -> HttpResponse {
    match issue(&req, &path, &state, body).await {
        Ok(details) => with_cors(HttpResponse::Ok())
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(details.to_json()),
        Err(info) => error_response(&info),
    }
}

async fn issue(
    req: &HttpRequest,
    path_key: &str,
    state: &State,
    body: web::Payload,
) -> Result<TokenDetails, ErrorInfo> {
    let too_large = || {
        ErrorInfo::new(
            40001,
            413,
            format!("the request body exceeds the limit of {MAX_BODY} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY as u64) {
        return Err(too_large());
    }
    let body = match body.to_bytes_limited(MAX_BODY).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            return Err(ErrorInfo::new(
                40001,
                400,
                format!("the request body could not be read: {e}"),
            ));
        }
        Err(_) => return Err(too_large()),
    };
    let request = TokenRequest::from_json(&body).map_err(|e| e.to_error_info())?;
    if request.key_name != path_key {
        return Err(ErrorInfo::new(
            40101,
            401,
            format!(
                "the TokenRequest is for key {:?} but was sent to /keys/{path_key}/requestToken",
                request.key_name
            ),
        ));
    }
    let verified = state
        .verifier
        .verify_token_request(&request)
        .map_err(|e| e.to_error_info())?;
    let key = state
        .verifier
        .key(&verified.key_name)
        .map_err(|e: Error| e.to_error_info())?;
    Ok(TokenDetails {
        token: format!(
            "{}.{}{}",
            key.app_id(),
            RandomNonce.nonce(),
            RandomNonce.nonce()
        ),
        expires: verified.expires,
        issued: verified.issued,
        capability: Some(verified.capability.to_json()),
        client_id: verified.client_id.map(|id| id.as_str().to_owned()),
        key_name: Some(verified.key_name),
    })
}

pub(crate) async fn time(state: web::Data<State>) -> HttpResponse {
    with_cors(HttpResponse::Ok())
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(format!("[{}]", state.verifier.clock().now_ms()))
}
