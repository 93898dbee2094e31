use super::*;
use crate::clock::FixedClock;
use crate::jwt::{EmbeddedJwtBuilder, EmbeddedToken};
use crate::key::Key;
use crate::test_vectors;
use std::sync::Arc;

fn verifier(now_ms: u64, secret: &str) -> Verifier {
    Verifier::new()
        .with_clock(Arc::new(FixedClock::new(now_ms)))
        .with_key(Key::parse("appId.keyId:keySecret").unwrap())
        .with_external_jwt_secret(Hs256Secret::new(secret).unwrap())
}

fn outcome<T>(result: &Result<T>) -> Option<(u64, u64)> {
    result
        .as_ref()
        .err()
        .map(|e| (u64::from(e.code()), u64::from(e.status())))
}

/// Every `verify` vector of `embedded-jwt.json` (Node's crypto; outcomes from Ably's docs)
/// gets its outcome from both methods.
#[test]
fn verify_vectors() {
    let doc = test_vectors::load("embedded-jwt.json");
    let v = verifier(
        doc["now_ms"].as_u64().unwrap(),
        doc["secret"].as_str().unwrap(),
    );
    for case in doc["verify"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let jwt = case["jwt"].as_str().unwrap();
        let external = v.verify_external_jwt(jwt);
        let want = &case["external"];
        match want["code"].as_u64() {
            Some(code) => assert_eq!(
                outcome(&external),
                Some((code, want["statusCode"].as_u64().unwrap())),
                "{name}: {external:?}"
            ),
            None => {
                let got = external.unwrap_or_else(|e| panic!("{name}: {e}"));
                let placement = match want["placement"].as_str().unwrap() {
                    "header" => TokenPlacement::Header,
                    _ => TokenPlacement::Claim,
                };
                assert_eq!(got.placement, placement, "{name}");
                assert_eq!(got.token, want["token"].as_str().unwrap(), "{name}");
                assert_eq!(got.expires, want["expires_ms"].as_u64().unwrap(), "{name}");
                assert_eq!(got.embedded_expires, want["embedded_expires_ms"].as_u64());
                assert!(!got.claims.contains_key(X_ABLY_TOKEN), "{name}");
            }
        }
        let embedded = v.verify_embedded_jwt(jwt);
        let want = &case["embedded"];
        match want["code"].as_u64() {
            Some(code) => assert_eq!(
                outcome(&embedded),
                Some((code, want["statusCode"].as_u64().unwrap())),
                "{name}: {embedded:?}"
            ),
            None => {
                let got = embedded.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    got.client_id.as_ref().map(|c| c.as_str()),
                    want["client_id"].as_str(),
                    "{name}"
                );
                assert_eq!(got.expires, want["expires_ms"].as_u64().unwrap(), "{name}");
                assert_eq!(
                    got.capability.to_json(),
                    r#"{"chat:*":["publish","subscribe"]}"#
                );
            }
        }
    }
}

#[test]
fn the_app_claims_come_back_and_an_ably_token_expiry_is_checked_by_its_issuer() {
    let t0 = 1_700_000_000_000;
    let secret = "app-secret-for-embedded-jwt-vectors-0001";
    let jwt = EmbeddedJwtBuilder::new(
        Hs256Secret::new(secret).unwrap(),
        EmbeddedToken::new("appId.opaque", t0 + 600_500).unwrap(),
    )
    .issued_at_ms(t0)
    .claim("sub", "alice")
    .unwrap()
    .claim("aud", "chat")
    .unwrap()
    .sign()
    .unwrap();
    let external = verifier(t0 + 1_000, secret)
        .verify_external_jwt(&jwt)
        .unwrap();
    assert!(!external.is_ably_jwt());
    assert_eq!(external.issued, Some(t0));
    assert_eq!(external.expires, t0 + 600_000);
    assert_eq!(
        serde_json::Value::Object(external.claims.clone()),
        serde_json::json!({"sub": "alice", "aud": "chat"})
    );
    // Its issuer knows the token's expiry: the rule holds at and after the JWT's exp.
    assert!(external.check_embedded_expiry(t0 + 600_000).is_ok());
    assert!(external.check_embedded_expiry(t0 + 600_500).is_ok());
    let err = external.check_embedded_expiry(t0 + 599_999).unwrap_err();
    assert_eq!((err.code(), err.status()), (40144, 401));
    let shown = format!("{external:?}");
    assert!(!shown.contains("appId.opaque"), "{shown}");
}

#[test]
fn secrets_rotate_and_none_is_a_configuration_error() {
    let t0 = 1_700_000_000_000;
    let old = "old-app-secret-for-embedded-jwts-00001";
    let new = "new-app-secret-for-embedded-jwts-00002";
    let jwt = |secret: &str| {
        EmbeddedJwtBuilder::new(
            Hs256Secret::new(secret).unwrap(),
            EmbeddedToken::new("appId.opaque", t0 + 60_000).unwrap(),
        )
        .issued_at_ms(t0)
        .sign()
        .unwrap()
    };
    let both = verifier(t0, new).with_external_jwt_secret(Hs256Secret::new(old).unwrap());
    assert!(both.verify_external_jwt(&jwt(old)).is_ok());
    assert!(both.verify_external_jwt(&jwt(new)).is_ok());
    assert_eq!(
        verifier(t0, new)
            .verify_external_jwt(&jwt(old))
            .unwrap_err()
            .code(),
        40144
    );
    let none = Verifier::new().with_clock(Arc::new(FixedClock::new(t0)));
    assert_eq!(
        none.verify_external_jwt(&jwt(old)).unwrap_err().code(),
        40106
    );
}

/// With audiences or issuers configured, `aud` and `iss` must name one (a string `aud` or an
/// array holding it); without, they are not checked. JWTs built by the `hmac`-crate oracle.
#[test]
fn configured_audiences_and_issuers_are_required() {
    let (t0, secret) = (
        1_700_000_000_000u64,
        "app-secret-for-audience-checks-000001",
    );
    let jwt = |claims: &str| {
        let header = r#"{"alg":"HS256","typ":"JWT","x-ably-token":"appId.opaque"}"#;
        let (iat, exp) = (t0 / 1000, t0 / 1000 + 600);
        let sep = if claims.is_empty() { "" } else { "," };
        let payload = format!(r#"{{"iat":{iat},"exp":{exp}{sep}{claims}}}"#);
        oracle_jwt(secret.as_bytes(), header, &payload)
    };
    let code = |v: &Verifier, claims: &str| outcome(&v.verify_external_jwt(&jwt(claims)));
    let refused = Some((40144, 401));

    let open = verifier(t0, secret);
    for claims in [
        "",
        r#""aud":"billing""#,
        r#""iss":"elsewhere""#,
        r#""aud":7"#,
    ] {
        assert_eq!(code(&open, claims), None, "{claims}");
    }

    let chat = verifier(t0, secret)
        .with_external_jwt_audience("chat")
        .with_external_jwt_audience("support");
    for claims in [
        r#""aud":"chat""#,
        r#""aud":"support""#,
        r#""aud":["billing","chat"]"#,
    ] {
        assert_eq!(code(&chat, claims), None, "{claims}");
    }
    for claims in [
        "",
        r#""aud":"billing""#,
        r#""aud":"Chat""#,
        r#""aud":["billing"]"#,
        r#""aud":[]"#,
        r#""aud":null"#,
        r#""aud":{"chat":true}"#,
        r#""aud":["chat "]"#,
    ] {
        assert_eq!(code(&chat, claims), refused, "{claims}");
    }
    let err = chat.verify_external_jwt(&jwt("")).unwrap_err().to_string();
    assert!(err.contains(r#"one of "chat", "support""#), "{err}");

    let accounts = verifier(t0, secret).with_external_jwt_issuer("https://accounts.example.com");
    assert_eq!(
        code(&accounts, r#""iss":"https://accounts.example.com""#),
        None
    );
    for claims in [
        "",
        r#""iss":"https://evil.example.com""#,
        r#""iss":["https://accounts.example.com"]"#,
    ] {
        assert_eq!(code(&accounts, claims), refused, "{claims}");
    }
    let err = accounts
        .verify_external_jwt(&jwt(""))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(r#"is not "https://accounts.example.com""#),
        "{err}"
    );

    // Both configured: both must hold.
    let both = accounts.with_external_jwt_audience("chat");
    let good = r#""aud":"chat","iss":"https://accounts.example.com""#;
    assert_eq!(code(&both, good), None);
    assert_eq!(code(&both, r#""aud":"chat""#), refused);
    assert_eq!(
        code(&both, r#""iss":"https://accounts.example.com""#),
        refused
    );
    // The embedded-Ably-JWT path refuses the same way.
    assert_eq!(
        outcome(&both.verify_embedded_jwt(&jwt(r#""aud":"chat""#))),
        refused
    );
}

/// `iat` and `nbf` may be up to 10 s ahead of the clock, not a second more; a secret
/// configured twice still verifies; Debug names the claims but never the token.
#[test]
fn the_clock_skew_bound_and_a_secret_given_twice() {
    let (t0, secret) = (
        1_700_000_000_000u64,
        "app-secret-for-skew-and-debug-checks-01",
    );
    let jwt = |claims: String| {
        let header = r#"{"alg":"HS256","typ":"JWT","x-ably-token":"appId.opaque"}"#;
        let exp = t0 / 1000 + 600;
        let payload = format!(r#"{{"exp":{exp},"sub":"alice",{claims}}}"#);
        oracle_jwt(secret.as_bytes(), header, &payload)
    };
    let v = verifier(t0, secret);
    let ahead = |s: u64| t0 / 1000 + s;
    for name in ["iat", "nbf"] {
        let at_bound = jwt(format!(r#""{name}":{}"#, ahead(10)));
        assert!(
            v.verify_external_jwt(&at_bound).is_ok(),
            "{name} 10 s ahead"
        );
        let past = jwt(format!(r#""{name}":{}"#, ahead(11)));
        let err = v.verify_external_jwt(&past).unwrap_err();
        assert_eq!(
            (err.code(), err.status()),
            (40144, 401),
            "{name} 11 s ahead"
        );
    }

    let twice = verifier(t0, secret).with_external_jwt_secret(Hs256Secret::new(secret).unwrap());
    let external = twice
        .verify_external_jwt(&jwt(format!(r#""iat":{}"#, t0 / 1000)))
        .unwrap();
    let shown = format!("{external:?}");
    assert!(shown.starts_with("ExternalJwt {"), "{shown}");
    assert!(shown.contains(r#""sub": String("alice")"#), "{shown}");
    assert!(!shown.contains("appId.opaque"), "{shown}");
}

/// A compact HS256 JWT built apart from the crate: `hmac` crate, base64url without padding.
fn oracle_jwt(secret: &[u8], header: &str, payload: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{KeyInit, Mac};
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

proptest::proptest! {
    #[test]
    fn external_jwt_verification_never_panics(s in "\\PC{0,300}") {
        let v = verifier(1_700_000_000_000, "app-secret-for-embedded-jwt-vectors-0001");
        let _ = v.verify_external_jwt(&s);
        let _ = v.verify_embedded_jwt(&s);
    }

    /// Whatever the two expiries and the placement: expired is 40142, an outer `exp` past
    /// the embedded Ably JWT's is 40144, anything else is accepted with the outer `exp`.
    #[test]
    fn the_expiry_rule(
        outer_exp in 1_699_999_900u64..1_700_007_300,
        inner_exp in 1_699_999_900u64..1_700_007_300,
        in_claim in proptest::bool::ANY,
    ) {
        let now = 1_700_000_000_000;
        let secret = "app-secret-for-embedded-jwt-vectors-0001";
        let inner = oracle_jwt(
            b"keySecret",
            r#"{"typ":"JWT","alg":"HS256","kid":"appId.keyId"}"#,
            &format!(r#"{{"iat":1699999000,"exp":{inner_exp}}}"#),
        );
        let jwt = if in_claim {
            oracle_jwt(
                secret.as_bytes(),
                r#"{"typ":"JWT","alg":"HS256"}"#,
                &format!(r#"{{"exp":{outer_exp},"x-ably-token":"{inner}"}}"#),
            )
        } else {
            oracle_jwt(
                secret.as_bytes(),
                &format!(r#"{{"typ":"JWT","alg":"HS256","x-ably-token":"{inner}"}}"#),
                &format!(r#"{{"exp":{outer_exp}}}"#),
            )
        };
        let got = verifier(now, secret).verify_external_jwt(&jwt);
        if outer_exp * 1000 <= now {
            proptest::prop_assert_eq!(outcome(&got), Some((40142, 401)));
        } else if outer_exp > inner_exp {
            proptest::prop_assert_eq!(outcome(&got), Some((40144, 401)));
        } else {
            let got = got.unwrap();
            proptest::prop_assert_eq!(got.expires, outer_exp * 1000);
            proptest::prop_assert_eq!(got.embedded_expires, Some(inner_exp * 1000));
            proptest::prop_assert_eq!(got.token, inner);
        }
    }
}
