use super::*;
use crate::clock::FixedClock;
use crate::jwt::JwtBuilder;
use crate::signer::Signer;
use crate::test_vectors;
use crate::token::TokenParams;
use serde_json::Value;

const NOW: u64 = 1_700_000_000_000;

fn setup(key_cap: Option<&str>) -> (Arc<FixedClock>, Key, Verifier) {
    let clock = Arc::new(FixedClock::new(NOW));
    let mut key = Key::parse("appId.keyId:keySecret").unwrap();
    if let Some(cap) = key_cap {
        key = key.with_capability(Capability::parse(cap).unwrap());
    }
    let verifier = Verifier::new()
        .with_clock(clock.clone())
        .with_key(key.clone());
    (clock, key, verifier)
}

fn sign(key: &Key, clock: &Arc<FixedClock>, params: TokenParams) -> TokenRequest {
    Signer::new(key.clone())
        .with_clock(clock.clone())
        .sign(&params)
        .unwrap()
}

#[test]
fn accepts_and_grants() {
    let (clock, key, verifier) = setup(None);
    let request = sign(
        &key,
        &clock,
        TokenParams {
            client_id: Some(ClientId::new("alice").unwrap()),
            ttl: Some(Duration::from_secs(600)),
            ..Default::default()
        },
    );
    let granted = verifier.verify_token_request(&request).unwrap();
    assert_eq!(granted.client_id.unwrap().as_str(), "alice");
    assert_eq!(granted.capability, Capability::everything());
    assert_eq!(granted.issued, NOW);
    assert_eq!(granted.expires, NOW + 600_000);
}

/// The ably-python vectors (spaced and `\u`-escaped capability strings) verify as sent.
#[test]
fn accepts_python_signed_requests() {
    let doc = test_vectors::load("token-requests.ably-python.json");
    for v in doc["vectors"].as_array().unwrap() {
        let (_, _, verifier) = setup(None);
        let wire = serde_json::to_vec(&v["wire_json"]).unwrap();
        let request = TokenRequest::from_json(&wire).unwrap();
        let granted = verifier.verify_token_request(&request).unwrap();
        let canonical = Capability::parse(v["wire_json"]["capability"].as_str().unwrap()).unwrap();
        assert_eq!(granted.capability, canonical);
    }
}

#[test]
fn refuses_with_the_service_codes() {
    let (clock, key, verifier) = setup(Some(r#"{"chat:*":["publish","subscribe"]}"#));
    let good = sign(&key, &clock, TokenParams::default());

    let mut tampered = good.clone();
    tampered.client_id = Some("mallory".into());
    assert_eq!(
        verifier.verify_token_request(&tampered).unwrap_err().code(),
        40101
    );

    let mut wrong_key = good.clone();
    wrong_key.key_name = "appId.other".into();
    let err = verifier.verify_token_request(&wrong_key).unwrap_err();
    assert_eq!((err.code(), err.status()), (40400, 404));

    let stale = sign(
        &key,
        &clock,
        TokenParams {
            timestamp: Some(NOW - 30 * 60_000),
            ..Default::default()
        },
    );
    let err = verifier.verify_token_request(&stale).unwrap_err();
    assert_eq!((err.code(), err.status()), (40104, 401));
    let future = sign(
        &key,
        &clock,
        TokenParams {
            timestamp: Some(NOW + 121_000),
            ..Default::default()
        },
    );
    assert_eq!(
        verifier.verify_token_request(&future).unwrap_err().code(),
        40104
    );
    let edge = sign(
        &key,
        &clock,
        TokenParams {
            timestamp: Some(NOW - 120_000),
            ..Default::default()
        },
    );
    assert!(verifier.verify_token_request(&edge).is_ok());

    verifier.verify_token_request(&good).unwrap();
    let err = verifier.verify_token_request(&good).unwrap_err();
    assert_eq!((err.code(), err.status()), (40105, 401));

    let mut long = good.clone();
    long.ttl = Some(24 * 3600 * 1000 + 1);
    long.nonce = "another-nonce-0001".into();
    long.set_mac(&key).unwrap();
    let err = verifier.verify_token_request(&long).unwrap_err();
    assert_eq!((err.code(), err.status()), (40003, 400));

    let mut denied = good.clone();
    denied.capability = Some(r#"{"admin":["publish"]}"#.into());
    denied.nonce = "another-nonce-0002".into();
    denied.set_mac(&key).unwrap();
    let err = verifier.verify_token_request(&denied).unwrap_err();
    assert_eq!((err.code(), err.status()), (40160, 401));

    let mut invalid = good.clone();
    invalid.capability = Some(r#"{"chat:a":["publish_"]}"#.into());
    invalid.nonce = "another-nonce-0003".into();
    invalid.set_mac(&key).unwrap();
    let err = verifier.verify_token_request(&invalid).unwrap_err();
    assert_eq!((err.code(), err.status()), (40000, 400));

    let mut empty_client = good.clone();
    empty_client.client_id = Some(String::new());
    empty_client.nonce = "another-nonce-0004".into();
    assert_eq!(empty_client.set_mac(&key).unwrap_err().code(), 40012);
    let err = verifier.verify_token_request(&empty_client).unwrap_err();
    assert_eq!((err.code(), err.status()), (40012, 400));

    clock.advance(Duration::from_secs(1));
    let mut short_nonce = good.clone();
    short_nonce.nonce = "short".into();
    short_nonce.set_mac(&key).unwrap();
    assert_eq!(
        verifier
            .verify_token_request(&short_nonce)
            .unwrap_err()
            .code(),
        40000
    );
}

#[test]
fn revocable_keys_allow_one_hour() {
    let clock = Arc::new(FixedClock::new(NOW));
    let key = Key::parse("appId.keyId:keySecret")
        .unwrap()
        .with_revocable_tokens(true);
    let verifier = Verifier::new()
        .with_clock(clock.clone())
        .with_key(key.clone());
    let mut request = sign(&key, &clock, TokenParams::default());
    request.ttl = Some(3_600_001);
    request.set_mac(&key).unwrap();
    assert_eq!(
        verifier.verify_token_request(&request).unwrap_err().code(),
        40003
    );
}

#[test]
fn nonce_memory_is_bounded() {
    let (clock, key, verifier) = setup(None);
    let verifier = verifier.with_nonce_capacity(3);
    for _ in 0..3 {
        verifier
            .verify_token_request(&sign(&key, &clock, TokenParams::default()))
            .unwrap();
    }
    let err = verifier
        .verify_token_request(&sign(&key, &clock, TokenParams::default()))
        .unwrap_err();
    assert_eq!(err.code(), 42910);
    // Still full a moment later (the entries are still inside the window).
    clock.advance(Duration::from_secs(60));
    let err = verifier
        .verify_token_request(&sign(&key, &clock, TokenParams::default()))
        .unwrap_err();
    assert_eq!(err.code(), 42910);
    // Once the window has passed, old nonces are forgotten and requests flow again.
    clock.advance(Duration::from_secs(61));
    verifier
        .verify_token_request(&sign(&key, &clock, TokenParams::default()))
        .unwrap();
}

#[test]
fn verifies_jwt_vectors() {
    let doc = test_vectors::load("jwt.json");
    for v in doc["vectors"].as_array().unwrap() {
        let key = Key::parse(v["key"].as_str().unwrap()).unwrap();
        let iat = v["claims"]["iat"].as_u64().unwrap();
        let clock = Arc::new(FixedClock::new(iat * 1000 + 5_000));
        let verifier = Verifier::new().with_clock(clock.clone()).with_key(key);
        let granted = verifier.verify_jwt(v["jwt"].as_str().unwrap()).unwrap();
        assert_eq!(
            granted.capability.to_json(),
            v["claims"]["x-ably-capability"].as_str().unwrap()
        );
        assert_eq!(
            granted.client_id.unwrap().as_str(),
            v["claims"]["x-ably-clientId"].as_str().unwrap()
        );
        assert_eq!(
            granted.revocation_key.as_deref(),
            v["claims"]["x-ably-revocation-key"].as_str()
        );
        // After exp the same JWT is expired.
        clock.set(v["claims"]["exp"].as_u64().unwrap() * 1000);
        let err = verifier.verify_jwt(v["jwt"].as_str().unwrap()).unwrap_err();
        assert_eq!((err.code(), err.status()), (40142, 401));
    }
}

#[test]
fn refuses_bad_jwts() {
    let (clock, key, verifier) = setup(Some(r#"{"chat:*":["subscribe"]}"#));
    let builder = || JwtBuilder::new(&key).clock(clock.clone());
    let good = builder().sign().unwrap();
    assert_eq!(
        verifier.verify_jwt(&good).unwrap().capability.to_json(),
        r#"{"chat:*":["subscribe"]}"#
    );
    // Tampered payload: flip one character of the claims.
    let parts: Vec<&str> = good.split('.').collect();
    let mut payload = parts[1].to_string();
    let flipped = if payload.ends_with('A') { 'B' } else { 'A' };
    payload.pop();
    payload.push(flipped);
    let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
    assert_eq!(verifier.verify_jwt(&tampered).unwrap_err().code(), 40144);
    // Signed with another secret.
    let other = Key::parse("appId.keyId:otherSecret").unwrap();
    let forged = JwtBuilder::new(&other).clock(clock.clone()).sign().unwrap();
    assert_eq!(verifier.verify_jwt(&forged).unwrap_err().code(), 40144);
    // Unknown kid.
    let stranger = Key::parse("other.key:secret").unwrap();
    let err = verifier
        .verify_jwt(
            &JwtBuilder::new(&stranger)
                .clock(clock.clone())
                .sign()
                .unwrap(),
        )
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (40400, 404));
    // Issued in the future.
    let future = builder().issued_at_ms(NOW + 60_000).sign().unwrap();
    assert_eq!(verifier.verify_jwt(&future).unwrap_err().code(), 40144);
    // Capability outside the key's.
    let denied = builder()
        .capability(Capability::new().grant_all("admin").unwrap())
        .sign()
        .unwrap();
    assert_eq!(verifier.verify_jwt(&denied).unwrap_err().code(), 40160);
    for garbage in [
        "",
        "a.b",
        "a.b.c",
        "....",
        "eyJ.eyJ.x",
        &"a".repeat(200_000),
    ] {
        assert_eq!(
            verifier.verify_jwt(garbage).unwrap_err().code(),
            40144,
            "{garbage:.20}"
        );
    }
    // alg none is refused.
    let none = format!(
        "{}.{}.",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            r#"{"alg":"none","kid":"appId.keyId"}"#
        ),
        parts[1]
    );
    assert_eq!(verifier.verify_jwt(&none).unwrap_err().code(), 40144);
}

proptest::proptest! {
    #[test]
    fn jwt_verification_never_panics(s in "\\PC{0,300}") {
        let (_, _, verifier) = setup(None);
        let _ = verifier.verify_jwt(&s);
    }
}

/// `ably-auth/vectors/jwt-edges.json` (Node crypto): JWTs signed correctly but with the wrong
/// `alg`, no usable `kid`, `exp - iat` at and over the ttl limits, `exp` not after `iat`,
/// missing or mistyped `iat`/`exp`, and non-string clientIds, each with the outcome the wire
/// reference gives.
#[test]
fn jwt_edge_vectors() {
    let doc = test_vectors::load("jwt-edges.json");
    let now = doc["now_ms"].as_u64().unwrap();
    let mut wrong = Vec::new();
    for v in doc["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let key = Key::parse(v["key"].as_str().unwrap())
            .unwrap()
            .with_revocable_tokens(v["revocable_tokens"].as_bool().unwrap());
        let verifier = Verifier::new()
            .with_clock(Arc::new(FixedClock::new(now)))
            .with_key(key);
        let claims = &v["claims"];
        let outcome = verifier.verify_jwt(v["jwt"].as_str().unwrap());
        let expected = match &v["expected"] {
            Value::String(s) if s == "accepted" => Ok((
                claims["iat"].as_u64().unwrap() * 1000,
                claims["exp"].as_u64().unwrap() * 1000,
                claims["x-ably-clientId"].as_str().map(str::to_owned),
                // Absent: the key's capability, here everything (Ably's `auth/capabilities.mdx`).
                claims["x-ably-capability"]
                    .as_str()
                    .unwrap_or(r#"{"[*]*":["*"]}"#)
                    .to_owned(),
            )),
            e => Err((
                e["code"].as_u64().unwrap(),
                e["statusCode"].as_u64().unwrap(),
            )),
        };
        let got = match &outcome {
            Ok(t) => Ok((
                t.issued,
                t.expires,
                t.client_id.as_ref().map(|c| c.as_str().to_owned()),
                t.capability.to_json(),
            )),
            Err(e) => Err((e.code() as u64, e.status() as u64)),
        };
        if got != expected {
            wrong.push(format!("{name}: expected {expected:?}, got {outcome:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A TokenRequest signed with `key` from exactly these fields (no validation on the way, so
/// the verifier is the one to refuse).
fn raw_request(key: &Key, timestamp: u64, nonce: &str, ttl: Option<u64>) -> TokenRequest {
    let mut request = TokenRequest {
        key_name: key.name().to_owned(),
        ttl,
        capability: None,
        client_id: None,
        timestamp,
        nonce: nonce.to_owned(),
        mac: String::new(),
    };
    request.set_mac(key).unwrap();
    request
}

/// The verifier refuses a 15-character nonce and accepts a 16-character one (RSA9c), counting
/// characters, not bytes.
#[test]
fn nonce_length_edges() {
    let (_, key, verifier) = setup(None);
    for (nonce, accepted) in [
        ("0123456789abcde".to_owned(), false),
        ("0123456789abcdef".to_owned(), true),
        ("\u{e9}".repeat(15), false),
        ("\u{e9}".repeat(16), true),
    ] {
        let outcome = verifier.verify_token_request(&raw_request(&key, NOW, &nonce, None));
        match outcome {
            Ok(_) => assert!(accepted, "{nonce:?} accepted"),
            Err(err) => {
                assert!(!accepted, "{nonce:?}: {err}");
                assert_eq!((err.code(), err.status()), (40000, 400), "{nonce:?}");
            }
        }
    }
}

/// The default window is the 2 minutes of the docs (`token-request-spec`): a timestamp
/// exactly 120 000 ms away on either side is current, 120 001 ms is not (40104).
#[test]
fn timestamp_window_edges() {
    let (_, key, verifier) = setup(None);
    for (n, (timestamp, accepted)) in [
        (NOW - 120_000, true),
        (NOW + 120_000, true),
        (NOW - 120_001, false),
        (NOW + 120_001, false),
        (NOW, true),
    ]
    .into_iter()
    .enumerate()
    {
        let request = raw_request(&key, timestamp, &format!("window-edge-nonce-{n}"), None);
        match verifier.verify_token_request(&request) {
            Ok(_) => assert!(accepted, "{timestamp} accepted"),
            Err(err) => {
                assert!(!accepted, "{timestamp}: {err}");
                assert_eq!((err.code(), err.status()), (40104, 401), "{timestamp}");
            }
        }
    }
    // A narrower window set by the caller is honoured at its edge too.
    let narrow = Verifier::new()
        .with_clock(Arc::new(FixedClock::new(NOW)))
        .with_key(key.clone())
        .with_window(Duration::from_secs(30));
    assert!(
        narrow
            .verify_token_request(&raw_request(&key, NOW - 30_000, "narrow-window-0001", None))
            .is_ok()
    );
    let err = narrow
        .verify_token_request(&raw_request(&key, NOW - 30_001, "narrow-window-0002", None))
        .unwrap_err();
    assert_eq!(err.code(), 40104);
}

/// Without a ttl, or with ably-js's `"ttl":0`, the token lives Ably's default 60 minutes
/// (spec RSA5, TK2a), from the verifier's clock rather than the request's timestamp; on a
/// key with revocable tokens too (its limit is 1 hour).
#[test]
fn default_ttl_is_sixty_minutes() {
    const SIXTY_MINUTES_MS: u64 = 60 * 60 * 1000;
    for revocable in [false, true] {
        let clock = Arc::new(FixedClock::new(NOW));
        let key = Key::parse("appId.keyId:keySecret")
            .unwrap()
            .with_revocable_tokens(revocable);
        let verifier = Verifier::new().with_clock(clock).with_key(key.clone());
        for (n, ttl) in [None, Some(0)].into_iter().enumerate() {
            let request = raw_request(&key, NOW - 60_000, &format!("default-ttl-nonce-{n}"), ttl);
            let granted = verifier.verify_token_request(&request).unwrap();
            assert_eq!(granted.issued, NOW);
            assert_eq!(granted.expires, NOW + SIXTY_MINUTES_MS, "{ttl:?}");
        }
    }
    // The ably-js requests with `"ttl":0` (token-requests.ably-js-edges.json) verify so.
    let doc = test_vectors::load("token-requests.ably-js-edges.json");
    for v in doc["vectors"].as_array().unwrap() {
        if v["wire_json"]["ttl"] != 0 {
            continue;
        }
        // The vectors share a timestamp and nonce: a verifier each.
        let (_, _, verifier) = setup(None);
        let wire = serde_json::to_vec(&v["wire_json"]).unwrap();
        let granted = verifier
            .verify_token_request(&TokenRequest::from_json(&wire).unwrap())
            .unwrap();
        assert_eq!(granted.expires - granted.issued, SIXTY_MINUTES_MS);
    }
}

/// An explicit ttl is the token's lifetime, up to the limit and no further.
#[test]
fn explicit_ttl_edges() {
    let (_, key, verifier) = setup(None);
    let day = 24 * 3600 * 1000;
    let granted = verifier
        .verify_token_request(&raw_request(&key, NOW, "explicit-ttl-0001", Some(day)))
        .unwrap();
    assert_eq!(granted.expires, NOW + day);
    let granted = verifier
        .verify_token_request(&raw_request(&key, NOW, "explicit-ttl-0002", Some(1)))
        .unwrap();
    assert_eq!(granted.expires, NOW + 1);
    let err = verifier
        .verify_token_request(&raw_request(&key, NOW, "explicit-ttl-0003", Some(day + 1)))
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (40003, 400));
}

/// A JWT's `iat` may be up to 10 seconds ahead of the verifier's clock, and it is valid until
/// the second of its `exp`.
#[test]
fn jwt_time_edges() {
    let (clock, key, verifier) = setup(None);
    let issued_at = |ms: u64| {
        JwtBuilder::new(&key)
            .issued_at_ms(ms)
            .ttl(Duration::from_secs(60))
            .sign()
            .unwrap()
    };
    let granted = verifier.verify_jwt(&issued_at(NOW + 10_000)).unwrap();
    assert_eq!(granted.issued, NOW + 10_000);
    assert_eq!(granted.expires, NOW + 70_000);
    let err = verifier.verify_jwt(&issued_at(NOW + 11_000)).unwrap_err();
    assert_eq!((err.code(), err.status()), (40144, 401));
    assert!(err.to_string().contains("future"), "{err}");

    let jwt = issued_at(NOW);
    clock.set(NOW + 59_999);
    assert!(verifier.verify_jwt(&jwt).is_ok());
    clock.set(NOW + 60_000);
    let err = verifier.verify_jwt(&jwt).unwrap_err();
    assert_eq!((err.code(), err.status()), (40142, 401));
}

/// What a verified JWT grants: its kid's key, the capability intersected with the key's, the
/// clientId and revocation key as signed.
#[test]
fn jwt_grants() {
    let (clock, key, verifier) = setup(Some(r#"{"chat:*":["publish","subscribe"]}"#));
    let jwt = JwtBuilder::new(&key)
        .clock(clock.clone())
        .capability(Capability::parse(r#"{"chat:a":["*"],"news":["subscribe"]}"#).unwrap())
        .client_id(ClientId::new("alice").unwrap())
        .revocation_key("group-1")
        .sign()
        .unwrap();
    let granted = verifier.verify_jwt(&jwt).unwrap();
    assert_eq!(granted.key_name, "appId.keyId");
    assert_eq!(
        granted.capability.to_json(),
        r#"{"chat:a":["publish","subscribe"]}"#
    );
    assert_eq!(granted.client_id.unwrap().as_str(), "alice");
    assert_eq!(granted.revocation_key.as_deref(), Some("group-1"));
    assert_eq!(granted.issued, NOW);
    assert_eq!(granted.expires, NOW + 3_600_000);
    // Without a capability claim, the key's own.
    let plain = JwtBuilder::new(&key).clock(clock).sign().unwrap();
    let granted = verifier.verify_jwt(&plain).unwrap();
    assert_eq!(
        granted.capability.to_json(),
        r#"{"chat:*":["publish","subscribe"]}"#
    );
    assert_eq!(granted.client_id, None);
    assert_eq!(granted.revocation_key, None);
}

/// A token string may have 128 KiB (RSA4f): a valid JWT of exactly 131 072 bytes verifies, the
/// next longer one the builder makes is refused for its length alone.
#[test]
fn jwt_size_limit_edges() {
    const LIMIT: usize = 128 * 1024;
    let (clock, key, verifier) = setup(None);
    let padded = |n: usize| {
        JwtBuilder::new(&key)
            .clock(clock.clone())
            .claim("pad", "x".repeat(n))
            .unwrap()
            .sign()
            .unwrap()
    };
    // Each padding byte adds 4/3 of a base64url character.
    let first = (LIMIT - padded(0).len()) * 3 / 4 - 4;
    let mut sizes = (first..first + 16).map(padded);
    let at_limit = sizes
        .by_ref()
        .find(|jwt| jwt.len() >= LIMIT)
        .filter(|jwt| jwt.len() == LIMIT)
        .expect("a padding that gives exactly 128 KiB");
    assert!(verifier.verify_jwt(&at_limit).is_ok());
    let over = sizes
        .find(|jwt| jwt.len() > LIMIT)
        .expect("a padding just over 128 KiB");
    assert!(over.len() <= LIMIT + 2);
    let err = verifier.verify_jwt(&over).unwrap_err();
    assert_eq!((err.code(), err.status()), (40144, 401));
    assert!(err.to_string().contains("128 KiB"), "{err}");
}

/// JWTs the builder signs at the ttl limits (24 hours; 1 hour on a key with revocable
/// tokens) verify.
#[test]
fn builder_jwts_at_the_ttl_limits_verify() {
    for (revocable, limit) in [(false, 24 * 3600), (true, 3600)] {
        let clock = Arc::new(FixedClock::new(NOW));
        let key = Key::parse("appId.keyId:keySecret")
            .unwrap()
            .with_revocable_tokens(revocable);
        let verifier = Verifier::new()
            .with_clock(clock.clone())
            .with_key(key.clone());
        let jwt = JwtBuilder::new(&key)
            .clock(clock)
            .ttl(Duration::from_secs(limit))
            .sign()
            .unwrap();
        let granted = verifier.verify_jwt(&jwt).unwrap();
        assert_eq!(granted.expires - granted.issued, limit * 1000);
    }
}

/// Debug shows the key names and the window, never a secret.
#[test]
fn debug_names_keys_without_secrets() {
    let verifier = Verifier::new()
        .with_key(Key::parse("appId.keyId:topSecretValue").unwrap())
        .with_window(Duration::from_secs(30));
    let debug = format!("{verifier:?}");
    assert!(debug.starts_with("Verifier {"), "{debug}");
    assert!(debug.contains("appId.keyId"), "{debug}");
    assert!(debug.contains("30s"), "{debug}");
    assert!(!debug.contains("topSecretValue"), "{debug}");
}
