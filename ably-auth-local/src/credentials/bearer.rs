//! `Bearer` credentials: an Ably token this endpoint minted, an Ably JWT, or an External
//! JWT carrying one of them ([`super::external`]).

use crate::grants::Grant;
use crate::state::State;
use ably_auth::{Error, ErrorInfo, VerifiedToken};
use base64::Engine;

/// The longest token string accepted (the SDKs' own limit, 128 KiB, is for the whole
/// TokenDetails; Ably tokens are at most 343 bytes, JWTs fit an HTTP header).
const MAX_TOKEN_LENGTH: usize = 8 * 1024;

/// What a Bearer token is.
pub(super) enum Kind<'a> {
    /// An Ably token: `appId.random`.
    AblyToken(&'a str),
    /// A JWT signed by a key: `header.claims.signature`.
    Jwt(&'a str),
}

/// The grant of a Bearer token.
pub(super) fn grant(state: &State, given: &str) -> Result<Grant, ErrorInfo> {
    if given.is_empty() {
        return Err(ErrorInfo::new(
            40140,
            401,
            "token error: the Bearer credentials are empty",
        ));
    }
    if given.len() > MAX_TOKEN_LENGTH {
        return Err(ErrorInfo::new(
            40145,
            401,
            format!("invalid token: longer than {MAX_TOKEN_LENGTH} bytes"),
        ));
    }
    let token = decode(given);
    match classify(&token)? {
        Kind::AblyToken(token) => minted(state, token),
        Kind::Jwt(jwt) => key_signed_jwt(state, jwt),
    }
}

/// The SDKs send base64 of the token (ably-js and ably-python, JWTs included); a raw JWT is
/// accepted too, as the REST API documents.
fn decode(given: &str) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    match engine
        .decode(given)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    {
        Some(text) if classify(&text).is_ok() => text,
        _ => given.to_owned(),
    }
}

pub(super) fn classify(token: &str) -> Result<Kind<'_>, ErrorInfo> {
    let printable = token.bytes().all(|b| b.is_ascii_graphic());
    match token.split('.').count() {
        3 if printable => Ok(Kind::Jwt(token)),
        2 if printable && !token.starts_with('.') && !token.ends_with('.') => {
            Ok(Kind::AblyToken(token))
        }
        _ => Err(ErrorInfo::new(
            40145,
            401,
            "invalid token: neither an Ably token (appId.…) nor a JWT (header.claims.signature)",
        )),
    }
}

/// An Ably token: known, not expired.
pub(super) fn minted(state: &State, token: &str) -> Result<Grant, ErrorInfo> {
    let grant = state.minted(token).ok_or_else(|| {
        ErrorInfo::new(
            40143,
            401,
            "token unrecognised: this endpoint did not issue it (or no longer remembers it); request a new one",
        )
    })?;
    if grant.expires <= state.now() {
        return Err(Error::TokenExpired.to_error_info());
    }
    Ok(grant)
}

/// A JWT signed by a configured key, verified as the service does
/// ([`ably_auth::Verifier::verify_jwt`]); a JWT carrying an embedded token (`x-ably-token`)
/// is an External JWT ([`super::external::grant`]).
fn key_signed_jwt(state: &State, jwt: &str) -> Result<Grant, ErrorInfo> {
    if embedded_token(jwt) {
        return super::external::grant(state, jwt);
    }
    let verified = state.verifier.verify_jwt(jwt).map_err(jwt_error)?;
    Ok(jwt_grant(state, verified))
}

/// The client's view of a JWT refusal: an unknown `kid` is an invalid JWT (401, so SDKs
/// renew), not a missing resource.
pub(super) fn jwt_error(error: Error) -> ErrorInfo {
    match error {
        Error::UnknownKey(message) => ErrorInfo::new(40144, 401, format!("invalid JWT: {message}")),
        other => other.to_error_info(),
    }
}

/// What a verified Ably JWT grants.
pub(super) fn jwt_grant(state: &State, verified: VerifiedToken) -> Grant {
    let revocable = state
        .verifier
        .key(&verified.key_name)
        .is_ok_and(|k| k.revocable_tokens());
    Grant {
        key_name: verified.key_name,
        client_id: verified.client_id.map(|c| c.as_str().to_owned()),
        capability: verified.capability,
        issued: verified.issued,
        expires: verified.expires,
        revocation_key: verified.revocation_key,
        revocable,
        basic: false,
    }
}

/// Whether the JWT carries an embedded Ably token (`x-ably-token` in its header or claims).
pub(super) fn embedded_token(jwt: &str) -> bool {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    jwt.split('.').take(2).any(|part| {
        engine
            .decode(part.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v.get("x-ably-token").is_some())
    })
}
