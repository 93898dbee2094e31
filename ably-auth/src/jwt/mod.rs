//! JWTs: Ably JWTs signed with the API key ([`JwtBuilder`]), and External JWTs signed with a
//! secret of the app's own that carry an Ably token or Ably JWT under `x-ably-token`
//! ([`EmbeddedJwtBuilder`]). Both are HS256 (RFC 7515 compact JWS, base64url without padding).

mod builder;
mod decode;
mod embedded;
mod secret;

pub use builder::JwtBuilder;
pub(crate) use decode::DecodedJwt;
pub use decode::MAX_TOKEN_BYTES;
pub use embedded::{EmbeddedJwtBuilder, EmbeddedToken, TokenPlacement};
pub use secret::{Hs256Secret, MIN_SECRET_BYTES};

/// The claim holding the capability (a JSON string).
pub const CLAIM_CAPABILITY: &str = "x-ably-capability";
/// The claim holding the clientId.
pub const CLAIM_CLIENT_ID: &str = "x-ably-clientId";
/// The claim holding the revocation key.
pub const CLAIM_REVOCATION_KEY: &str = "x-ably-revocation-key";
/// Prefix of channel-scoped claims.
pub const CHANNEL_CLAIM_PREFIX: &str = "ably.channel.";
/// The JOSE header parameter, or payload claim, holding an embedded Ably token or Ably JWT.
pub const X_ABLY_TOKEN: &str = "x-ably-token";

pub(crate) fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Appends `,"name":value` to a JSON object being written, for each of an app's own claims.
fn push_claims(payload: &mut String, claims: &[(String, serde_json::Value)]) {
    for (name, value) in claims {
        payload.push(',');
        payload.push_str(&json_string(name));
        payload.push(':');
        payload.push_str(&value.to_string());
    }
}

/// The compact JWS of `header` and `payload` (JSON texts), signed by `mac` (HMAC-SHA256 over
/// `base64url(header).base64url(payload)`), each part base64url without padding.
fn compact_jws(header: &str, payload: &str, mac: impl FnOnce(&[u8]) -> [u8; 32]) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut jws = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 48);
    URL_SAFE_NO_PAD.encode_string(header, &mut jws);
    jws.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut jws);
    let signature = mac(jws.as_bytes());
    jws.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut jws);
    jws
}
