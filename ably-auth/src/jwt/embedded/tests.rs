use super::*;
use crate::jwt::MIN_SECRET_BYTES;
use crate::key::Key;
use crate::test_vectors;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};

const SECRET: &str = "app-secret-for-embedded-jwt-vectors-0001";
const T0: u64 = 1_700_000_000_000;

fn secret() -> Hs256Secret {
    Hs256Secret::new(SECRET).unwrap()
}

fn opaque(expires_ms: u64) -> EmbeddedToken {
    EmbeddedToken::new("appId.opaque-token", expires_ms).unwrap()
}

/// The three parts, the first two decoded to text.
fn parts(jwt: &str) -> (String, String, String) {
    let p: Vec<&str> = jwt.split('.').collect();
    assert_eq!(p.len(), 3, "{jwt}");
    let text = |s: &str| String::from_utf8(URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
    (text(p[0]), text(p[1]), p[2].to_owned())
}

/// HS256 by the `hmac` crate over `header.payload`, base64url without padding.
fn oracle_signature(secret: &[u8], jwt: &str) -> String {
    let signed = jwt.rsplit_once('.').unwrap().0;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(signed.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Every `sign` vector of `embedded-jwt.json` (Node's crypto, see its generator) comes out
/// byte for byte from its inputs, and its signature is the `hmac` crate's.
#[test]
fn reproduces_the_node_vectors() {
    let doc = test_vectors::load("embedded-jwt.json");
    for v in doc["sign"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let input = &v["input"];
        let (secret, secret_bytes) = match input["secret_from_key"].as_str() {
            Some(key) => {
                let key = Key::parse(key).unwrap();
                (
                    Hs256Secret::from_key(&key),
                    key.secret().as_bytes().to_vec(),
                )
            }
            None => {
                let s = input["secret"].as_str().unwrap();
                (Hs256Secret::new(s).unwrap(), s.as_bytes().to_vec())
            }
        };
        let token = match input["ably_jwt"].as_str() {
            Some(jwt) => EmbeddedToken::ably_jwt(jwt).unwrap(),
            None => EmbeddedToken::new(
                input["token"].as_str().unwrap(),
                input["token_expires_ms"].as_u64().unwrap(),
            )
            .unwrap(),
        };
        let placement = match input["placement"].as_str().unwrap() {
            "header" => TokenPlacement::Header,
            _ => TokenPlacement::Claim,
        };
        let mut builder = EmbeddedJwtBuilder::new(secret, token)
            .placement(placement)
            .issued_at_ms(input["issued_at_ms"].as_u64().unwrap());
        if let Some(ttl) = input["ttl_s"].as_u64() {
            builder = builder.ttl(Duration::from_secs(ttl));
        }
        if let Some(by) = input["backdate_s"].as_u64() {
            builder = builder.backdate(Duration::from_secs(by));
        }
        if let Some(kid) = input["kid"].as_str() {
            builder = builder.key_id(kid);
        }
        for claim in input["claims"].as_array().unwrap() {
            builder = builder
                .claim(claim[0].as_str().unwrap(), claim[1].clone())
                .unwrap();
        }
        let jwt = builder.sign().unwrap();
        assert_eq!(jwt, v["jwt"].as_str().unwrap(), "{name}");
        assert_eq!(
            jwt.rsplit_once('.').unwrap().1,
            oracle_signature(&secret_bytes, &jwt),
            "{name}"
        );
    }
}

/// The exact header and payload text for each placement, and the signature the `hmac`
/// crate computes.
#[test]
fn header_and_claim_placement_bytes() {
    let header = EmbeddedJwtBuilder::new(secret(), opaque(T0 + 600_000))
        .issued_at_ms(T0)
        .claim("sub", "alice")
        .unwrap()
        .sign()
        .unwrap();
    let (h, p, sig) = parts(&header);
    assert_eq!(
        h,
        r#"{"typ":"JWT","alg":"HS256","x-ably-token":"appId.opaque-token"}"#
    );
    assert_eq!(p, r#"{"iat":1700000000,"exp":1700000600,"sub":"alice"}"#);
    assert_eq!(sig, oracle_signature(SECRET.as_bytes(), &header));

    let claim = EmbeddedJwtBuilder::new(secret(), opaque(T0 + 600_000))
        .placement(TokenPlacement::Claim)
        .key_id("k1")
        .issued_at_ms(T0)
        .sign()
        .unwrap();
    let (h, p, sig) = parts(&claim);
    assert_eq!(h, r#"{"typ":"JWT","alg":"HS256","kid":"k1"}"#);
    assert_eq!(
        p,
        r#"{"iat":1700000000,"exp":1700000600,"x-ably-token":"appId.opaque-token"}"#
    );
    assert_eq!(sig, oracle_signature(SECRET.as_bytes(), &claim));
}

fn exp_of(jwt: &str) -> u64 {
    let (_, p, _) = parts(jwt);
    serde_json::from_str::<Value>(&p).unwrap()["exp"]
        .as_u64()
        .unwrap()
}

#[test]
fn exp_never_passes_the_embedded_expiry() {
    let at = |expires_ms: u64, ttl: Option<u64>| {
        let mut b = EmbeddedJwtBuilder::new(secret(), opaque(expires_ms)).issued_at_ms(T0);
        if let Some(ttl) = ttl {
            b = b.ttl(Duration::from_secs(ttl));
        }
        b.sign()
    };
    // Without a ttl, exp is the embedded expiry rounded down to the second.
    assert_eq!(exp_of(&at(T0 + 600_000, None).unwrap()), 1_700_000_600);
    assert_eq!(exp_of(&at(T0 + 600_999, None).unwrap()), 1_700_000_600);
    // A ttl ending exactly at the embedded expiry is allowed; one second later is not.
    assert_eq!(exp_of(&at(T0 + 600_000, Some(600)).unwrap()), 1_700_000_600);
    assert_eq!(at(T0 + 600_000, Some(601)).unwrap_err().code(), 40003);
    // ...even when the expiry has milliseconds past the second.
    assert_eq!(exp_of(&at(T0 + 600_500, Some(600)).unwrap()), 1_700_000_600);
    assert_eq!(at(T0 + 600_500, Some(601)).unwrap_err().code(), 40003);
    // A ttl of zero, and an embedded token already expired (or expiring within the second).
    assert_eq!(at(T0 + 600_000, Some(0)).unwrap_err().code(), 40003);
    assert_eq!(at(T0, None).unwrap_err().code(), 40003);
    assert_eq!(at(T0 + 999, None).unwrap_err().code(), 40003);
    assert_eq!(at(T0 - 1, None).unwrap_err().code(), 40003);
    assert_eq!(exp_of(&at(T0 + 1_000, None).unwrap()), 1_700_000_001);
}

/// An embedded token of unknown expiry (a bare token, an Ably JWT without `exp`) is refused
/// rather than guessed at.
#[test]
fn unknown_expiry_is_refused() {
    let bare = EmbeddedToken::from_details(&TokenDetails::from_token("appId.bare")).unwrap();
    assert_eq!(bare.expires_ms(), None);
    let err = EmbeddedJwtBuilder::new(secret(), bare).sign().unwrap_err();
    assert_eq!((err.code(), err.status()), (40000, 400));
    assert!(err.to_string().contains("EmbeddedToken::new"), "{err}");

    let key = Key::parse("appId.keyId:keySecret").unwrap();
    let no_exp = {
        let header = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"HS256","kid":"appId.keyId"}"#);
        let payload = URL_SAFE_NO_PAD.encode(r#"{"iat":1700000000}"#);
        let signed = format!("{header}.{payload}");
        let sig = URL_SAFE_NO_PAD.encode(key.mac(signed.as_bytes()));
        format!("{signed}.{sig}")
    };
    let token = EmbeddedToken::ably_jwt(no_exp).unwrap();
    assert_eq!(token.expires_ms(), None);
    assert_eq!(
        EmbeddedJwtBuilder::new(secret(), token)
            .sign()
            .unwrap_err()
            .code(),
        40000
    );
    // Not an HS256 JWT at all.
    assert_eq!(
        EmbeddedToken::ably_jwt("appId.opaque").unwrap_err().code(),
        40144
    );
    assert_eq!(EmbeddedToken::new("", T0).unwrap_err().code(), 40000);
}

#[test]
fn reserved_claim_names_are_refused() {
    let b = || EmbeddedJwtBuilder::new(secret(), opaque(T0 + 60_000));
    for name in [
        "iat",
        "exp",
        "x-ably-token",
        "X-Ably-Token",
        "x-ably-capability",
        "x-ably-clientId",
        "ably.channel.chat",
        "ably.limits.publish.perAttachment.maxRate.chat",
    ] {
        let err = b().claim(name, "v").unwrap_err();
        assert_eq!((err.code(), err.status()), (40000, 400), "{name}");
    }
    for name in ["sub", "aud", "iss", "nbf", "jti", "role", "ably"] {
        assert!(b().claim(name, "v").is_ok(), "{name}");
    }
    let err = b().key_id("").issued_at_ms(T0).sign().unwrap_err();
    assert_eq!(err.code(), 40000);
}

#[test]
fn secrets_are_checked_and_never_shown() {
    let err = Hs256Secret::new([7u8; MIN_SECRET_BYTES - 1]).unwrap_err();
    assert_eq!(err.code(), 40106);
    assert!(Hs256Secret::new([7u8; MIN_SECRET_BYTES]).is_ok());
    let shown = format!(
        "{:?}",
        EmbeddedJwtBuilder::new(secret(), opaque(T0 + 60_000))
    );
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!shown.contains("appId.opaque-token"), "{shown}");
    // An Ably key's secret is used whatever its length.
    let key = Key::parse("appId.keyId:keySecret").unwrap();
    let jwt = EmbeddedJwtBuilder::new(Hs256Secret::from_key(&key), opaque(T0 + 60_000))
        .issued_at_ms(T0)
        .sign()
        .unwrap();
    assert_eq!(
        jwt.rsplit_once('.').unwrap().1,
        oracle_signature(b"keySecret", &jwt)
    );
}
