//! External JWTs (HS256 with the app's own secret) carrying an embedded Ably token or Ably
//! JWT under `x-ably-token`, accepted when [`LocalAbly::with_external_jwt_secret`] configured
//! a secret.
//!
//! The outer JWT is verified first ([`Verifier::verify_external_jwt`]): a bad signature, no
//! configured secret, a malformed or outliving `exp` is 40144; an expired External JWT is
//! 40142. Then the embedded token: an Ably JWT is verified with the key its `kid` names
//! ([`Verifier::verify_embedded_jwt`]); an Ably token must be one this endpoint minted
//! (40143 otherwise), the External JWT must not outlive it
//! ([`ExternalJwt::check_embedded_expiry`], 40144), and it must not have expired (40142).
//! The request then has what the embedded token grants, until the earlier of the two
//! expiries; its revocation applies as to the token sent alone (40141).
//!
//! [`LocalAbly::with_external_jwt_secret`]: crate::LocalAbly::with_external_jwt_secret
//! [`Verifier::verify_external_jwt`]: ably_auth::Verifier::verify_external_jwt
//! [`Verifier::verify_embedded_jwt`]: ably_auth::Verifier::verify_embedded_jwt
//! [`ExternalJwt::check_embedded_expiry`]: ably_auth::ExternalJwt::check_embedded_expiry

use super::bearer::{Kind, classify, embedded_token, jwt_error, jwt_grant};
use crate::grants::Grant;
use crate::state::State;
use ably_auth::{Error, ErrorInfo};

/// The grant of an External JWT: that of its embedded token, expiring no later than the
/// External JWT.
pub(super) fn grant(state: &State, jwt: &str) -> Result<Grant, ErrorInfo> {
    let external = state
        .verifier
        .verify_external_jwt(jwt)
        .map_err(|e| match e {
            Error::Config(_) => ErrorInfo::new(
                40144,
                401,
                "invalid JWT: this endpoint accepts no External JWTs (x-ably-token); configure \
                 their secret with LocalAbly::with_external_jwt_secret",
            ),
            other => other.to_error_info(),
        })?;
    if external.is_ably_jwt() {
        if embedded_token(&external.token) {
            return Err(ErrorInfo::new(
                40144,
                401,
                "invalid JWT: the embedded token is itself an External JWT; embed an Ably token or Ably JWT",
            ));
        }
        let verified = state.verifier.verify_embedded_jwt(jwt).map_err(jwt_error)?;
        return Ok(jwt_grant(state, verified));
    }
    let Ok(Kind::AblyToken(token)) = classify(&external.token) else {
        return Err(ErrorInfo::new(
            40144,
            401,
            "invalid JWT: the embedded token (x-ably-token) is neither an Ably token nor an Ably JWT",
        ));
    };
    let mut grant = state.minted(token).ok_or_else(|| {
        ErrorInfo::new(
            40143,
            401,
            "token unrecognised: this endpoint did not issue the embedded token (or no longer \
             remembers it); request a new one",
        )
    })?;
    external
        .check_embedded_expiry(grant.expires)
        .map_err(|e| e.to_error_info())?;
    if grant.expires <= state.now() {
        return Err(Error::TokenExpired.to_error_info());
    }
    grant.expires = grant.expires.min(external.expires);
    Ok(grant)
}
