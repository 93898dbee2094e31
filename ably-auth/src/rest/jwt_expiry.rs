//! The expiry of an Ably JWT, read from its claims without verifying it: a client can't
//! verify it (it has no key), but it can renew before the `exp` it states.

use crate::token::TokenDetails;
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};

/// `details` with `expires` and `issued` taken from the JWT's `exp` and `iat` claims
/// (seconds) when they are unknown (0) and the token is a JWT; otherwise unchanged.
pub(super) fn with_jwt_times(mut details: TokenDetails) -> TokenDetails {
    if details.expires != 0 {
        return details;
    }
    if let Some((exp, iat)) = jwt_times(&details.token) {
        details.expires = exp.saturating_mul(1000);
        if details.issued == 0 {
            details.issued = iat.unwrap_or(0).saturating_mul(1000);
        }
    }
    details
}

/// The `exp` and `iat` claims of a compact JWS, if it is one and states an `exp`.
fn jwt_times(token: &str) -> Option<(u64, Option<u64>)> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .or_else(|_| URL_SAFE.decode(payload))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let seconds = |name: &str| {
        let value = claims.get(name)?;
        value
            .as_u64()
            .or_else(|| value.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
    };
    Some((seconds("exp")?, seconds("iat")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn exp_and_iat_fill_unknown_times() {
        let details = with_jwt_times(TokenDetails::from_token(jwt(
            r#"{"iat":1700000000,"exp":1700003600,"x-ably-capability":"{}"}"#,
        )));
        assert_eq!(
            (details.issued, details.expires),
            (1_700_000_000_000, 1_700_003_600_000)
        );
    }

    #[test]
    fn known_times_and_opaque_tokens_are_left_alone() {
        let mut given = TokenDetails::from_token(jwt(r#"{"exp":5}"#));
        given.expires = 7;
        assert_eq!(with_jwt_times(given.clone()), given);
        for token in ["appId.opaque", "a.b.c.d", "a.!!.c", &jwt(r#"{"iat":1}"#)] {
            let details = with_jwt_times(TokenDetails::from_token(token));
            assert_eq!(details.expires, 0, "{token}");
        }
    }
}
