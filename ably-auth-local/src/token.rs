//! `POST /keys/{keyName}/requestToken` (a signed TokenRequest, JSON or msgpack) and
//! `GET /time`.

use crate::codec::{Format, read_value};
use crate::grants::Grant;
use crate::response::error_response;
use crate::state::{State, lock};
use crate::value::Value;
use ably_auth::{ErrorInfo, NonceSource, RandomNonce, TokenDetails, TokenRequest};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

pub(crate) async fn request_token(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<State>,
    body: web::Payload,
) -> HttpResponse {
    match issue(&req, &path, &state, body).await {
        Ok(details) => {
            let mut value = Value::Map(vec![
                ("token".into(), details.token.into()),
                ("expires".into(), details.expires.into()),
                ("issued".into(), details.issued.into()),
            ]);
            for (name, field) in [
                ("capability", details.capability),
                ("clientId", details.client_id),
                ("keyName", details.key_name),
            ] {
                if let Some(field) = field {
                    value.set(name, field.into());
                }
            }
            Format::accepted(&req)
                .reply(StatusCode::OK, &value)
                .finish()
        }
        Err(info) => error_response(&info),
    }
}

async fn issue(
    req: &HttpRequest,
    path_key: &str,
    state: &State,
    body: web::Payload,
) -> Result<TokenDetails, ErrorInfo> {
    // Either format, nil fields as absent, read as the JSON the TokenRequest parser takes.
    let value = read_value(req, body, &state.limits).await?.without_nils();
    let json = serde_json::to_vec(&value).unwrap_or_default();
    let request = TokenRequest::from_json(&json).map_err(|e| e.to_error_info())?;
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
        .current_key(&verified.key_name)
        .map_err(|e| e.to_error_info())?;
    let token = format!(
        "{}.{}{}",
        key.app_id(),
        RandomNonce.nonce(),
        RandomNonce.nonce()
    );
    let grant = Grant {
        key_name: verified.key_name.clone(),
        client_id: verified.client_id.as_ref().map(|c| c.as_str().to_owned()),
        capability: verified.capability.clone(),
        issued: verified.issued,
        expires: verified.expires,
        revocation_key: None,
        revocable: key.revocable_tokens(),
        basic: false,
    };
    lock(&state.tokens).insert(token.clone(), grant, state.now(), state.limits.tokens);
    Ok(TokenDetails {
        token,
        expires: verified.expires,
        issued: verified.issued,
        capability: Some(verified.capability.to_json()),
        client_id: verified.client_id.map(|id| id.as_str().to_owned()),
        key_name: Some(verified.key_name),
    })
}

pub(crate) async fn time(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    let now = Value::Array(vec![state.now().into()]);
    Format::accepted(&req).reply(StatusCode::OK, &now).finish()
}
