//! Who is calling: the `Authorization` header checked as the service checks it.
//!
//! * `Basic base64(keyName:keySecret)` with a configured key: the key's capability, any
//!   clientId. A wrong secret or an unknown key is 40101; over plain http it is 40103 when
//!   the endpoint enforces TLS ([`LocalAbly::enforce_tls`](crate::LocalAbly::enforce_tls)).
//! * `Bearer <token>` (the token itself or its base64, as the SDKs send it): an Ably token
//!   this endpoint minted, or an Ably JWT signed by a configured key ([`bearer`]), or an
//!   External JWT carrying either, signed with a configured secret ([`external`]).
//!
//! Token errors are in the 40140–40149 range with status 401, so SDKs renew: 40141 revoked,
//! 40142 expired, 40143 unrecognised (a well-formed token this endpoint did not mint, or no
//! longer remembers), 40144 an invalid JWT, 40145 a malformed Ably token, 40140 an empty one.

use crate::grants::Grant;
use crate::state::State;
use ably_auth::{Capability, ErrorInfo, Key};
use actix_web::HttpRequest;
use actix_web::http::header;
use base64::Engine;

mod bearer;
mod external;

/// Authenticates the request; the grant of its credentials, not yet checked for revocation
/// of a key-signed JWT's `x-ably-revocation-key` (see [`State::check_revoked`]).
pub(crate) fn authenticate(req: &HttpRequest, state: &State) -> Result<Grant, ErrorInfo> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| {
            ErrorInfo::new(
                40101,
                401,
                "no credentials: send Authorization: Basic (a key) or Bearer (a token)",
            )
        })?
        .to_str()
        .map_err(|_| ErrorInfo::new(40101, 401, "the Authorization header is not ASCII"))?;
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    let grant = if scheme.eq_ignore_ascii_case("basic") {
        basic(req, state, rest.trim())?
    } else if scheme.eq_ignore_ascii_case("bearer") {
        bearer::grant(state, rest.trim())?
    } else {
        return Err(ErrorInfo::new(
            40101,
            401,
            format!("unsupported Authorization scheme {scheme:?}: use Basic or Bearer"),
        ));
    };
    state.check_revoked(&grant)?;
    Ok(grant)
}

/// Basic auth with a configured key.
fn basic(req: &HttpRequest, state: &State, encoded: &str) -> Result<Grant, ErrorInfo> {
    if state.enforce_tls && req.connection_info().scheme() != "https" {
        return Err(ErrorInfo::new(
            40103,
            401,
            "Basic auth over plain http: this endpoint enforces TLS; use https, or token auth",
        ));
    }
    let bad_key = || {
        ErrorInfo::new(
            40101,
            401,
            "invalid credentials: the Basic credentials are not the name and secret of a configured key",
        )
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad_key)?;
    let (name, secret) = decoded.split_once(':').ok_or_else(bad_key)?;
    let key = state.verifier.current_key(name).map_err(|_| bad_key())?;
    if !same_secret(&key, secret) {
        return Err(bad_key());
    }
    Ok(Grant {
        key_name: key.name().to_owned(),
        client_id: Some("*".into()),
        capability: key
            .capability()
            .cloned()
            .unwrap_or_else(Capability::everything),
        issued: 0,
        expires: u64::MAX,
        revocation_key: None,
        revocable: false,
        basic: true,
    })
}

/// Compares secrets in time independent of where they differ (`subtle`, as `Key`'s own
/// equality does).
fn same_secret(key: &Key, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    key.secret().as_bytes().ct_eq(given.as_bytes()).into()
}
