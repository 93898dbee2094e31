//! `POST /keys/{keyName}/revokeTokens`: Basic auth with that key; targets `clientId:…` and
//! `revocationKey:…`; later requests with the tokens they match get 40141.

use crate::codec::{Format, read_value};
use crate::credentials::authenticate;
use crate::grants::{Revocation, Target};
use crate::response::error_response;
use crate::state::{State, lock};
use crate::value::Value;
use ably_auth::ErrorInfo;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

/// The most targets one request may name, as at the service.
pub const MAX_REVOCATION_TARGETS: usize = 100;

/// How long `allowReauthMargin` delays a revocation: 30 s, as at the service.
pub const REAUTH_MARGIN_MS: u64 = 30_000;

/// How far back `issuedBefore` may reach: 1 h.
const MAX_ISSUED_BEFORE_AGE_MS: u64 = 60 * 60 * 1000;

pub(crate) async fn revoke_tokens(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<State>,
    body: web::Payload,
) -> HttpResponse {
    match revoke(&req, &path, &state, body).await {
        Ok(answer) => Format::accepted(&req)
            .reply(StatusCode::CREATED, &answer)
            .finish(),
        Err(info) => error_response(&info),
    }
}

async fn revoke(
    req: &HttpRequest,
    key_name: &str,
    state: &State,
    body: web::Payload,
) -> Result<Value, ErrorInfo> {
    let grant = authenticate(req, state)?;
    if !grant.basic {
        return Err(ErrorInfo::new(
            40162,
            401,
            "revokeTokens requires Basic auth with the key that issued the tokens, not token auth",
        ));
    }
    if grant.key_name != key_name {
        return Err(ErrorInfo::new(
            40133,
            401,
            format!(
                "can only revoke tokens using the same key that issued them: authenticated with {:?}, revoking for {key_name:?}",
                grant.key_name
            ),
        ));
    }
    let key = state
        .verifier
        .current_key(key_name)
        .map_err(|e| e.to_error_info())?;
    if !key.revocable_tokens() {
        return Err(ErrorInfo::new(
            40164,
            401,
            format!(
                "token revocation is not enabled for key {key_name:?}; configure it with Key::with_revocable_tokens(true)"
            ),
        ));
    }
    let request = read_value(req, body, &state.limits).await?;
    let now = state.now();
    let invalid = |message: String| ErrorInfo::new(40003, 400, message);
    let targets = match request.get("targets") {
        Some(Value::Array(targets)) if !targets.is_empty() => targets,
        _ => {
            return Err(invalid(
                "targets must be a non-empty array of \"clientId:…\" or \"revocationKey:…\" strings".into(),
            ));
        }
    };
    if targets.len() > MAX_REVOCATION_TARGETS {
        return Err(invalid(format!(
            "{} targets; at most {MAX_REVOCATION_TARGETS} per request",
            targets.len()
        )));
    }
    let issued_before = match request.get("issuedBefore") {
        None => now,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| invalid("issuedBefore must be a time in ms since the epoch".into()))?,
    };
    if issued_before > now {
        return Err(invalid(format!(
            "issuedBefore ({issued_before}) is in the future (now {now})"
        )));
    }
    if now - issued_before > MAX_ISSUED_BEFORE_AGE_MS {
        return Err(invalid(format!(
            "issuedBefore ({issued_before}) is more than an hour ago"
        )));
    }
    let margin = match request.get("allowReauthMargin") {
        None | Some(Value::Bool(false)) => 0,
        Some(Value::Bool(true)) => REAUTH_MARGIN_MS,
        Some(_) => return Err(invalid("allowReauthMargin must be a boolean".into())),
    };
    let revocation = Revocation {
        issued_before,
        applies_at: now + margin,
    };
    let mut results = Vec::with_capacity(targets.len());
    let mut successes = 0u64;
    for target in targets {
        let text = target.as_str().unwrap_or_default();
        let parsed = match text.split_once(':') {
            Some(("clientId", v)) if !v.is_empty() => Ok(Target::ClientId(v.to_owned())),
            Some(("revocationKey", v)) if !v.is_empty() => Ok(Target::RevocationKey(v.to_owned())),
            Some(("channel", _)) => Err(ErrorInfo::new(
                40121,
                400,
                "revocation by channel is not enabled on this endpoint",
            )),
            _ => Err(ErrorInfo::new(
                40003,
                400,
                format!("invalid target {target:?}: use \"clientId:…\" or \"revocationKey:…\""),
            )),
        };
        let outcome = parsed.and_then(|t| {
            lock(&state.revocations).insert(key_name, t, revocation, now, state.limits.revocations)
        });
        results.push(match outcome {
            Ok(()) => {
                successes += 1;
                Value::Map(vec![
                    ("target".into(), text.into()),
                    ("issuedBefore".into(), issued_before.into()),
                    ("appliesAt".into(), revocation.applies_at.into()),
                ])
            }
            Err(info) => Value::Map(vec![
                ("target".into(), text.into()),
                (
                    "error".into(),
                    Value::Map(vec![
                        ("code".into(), u64::from(info.code).into()),
                        ("statusCode".into(), u64::from(info.status_code).into()),
                        ("message".into(), info.message.into()),
                    ]),
                ),
            ]),
        });
    }
    let failures = results.len() as u64 - successes;
    Ok(Value::Map(vec![
        ("successCount".into(), successes.into()),
        ("failureCount".into(), failures.into()),
        ("results".into(), Value::Array(results)),
    ]))
}
