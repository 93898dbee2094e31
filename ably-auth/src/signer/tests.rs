use super::*;
use crate::capability::{Capability, Operation};
use crate::client_id::ClientId;
use crate::clock::FixedClock;
use crate::test_vectors;
use proptest::prelude::*;
use serde_json::Value;
use std::time::Duration;

fn params_from(v: &Value) -> TokenParams {
    TokenParams {
        ttl: v["ttl"].as_u64().map(Duration::from_millis),
        capability: (!v["capability"].is_null())
            .then(|| serde_json::from_value::<Capability>(v["capability"].clone()).unwrap()),
        client_id: v["clientId"]
            .as_str()
            .map(|c| ClientId::from_token(c).unwrap()),
        timestamp: v["timestamp"].as_u64(),
        nonce: v["nonce"].as_str().map(str::to_owned),
    }
}

/// `ably-auth/vectors/token-requests.ably-js.json`: same JSON fields, same capability text and
/// the same MAC as ably-js 2.28.
#[test]
fn reproduces_ably_js_vectors() {
    let doc = test_vectors::load("token-requests.ably-js.json");
    let vectors = doc["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 6);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let key = Key::parse(v["key"].as_str().unwrap()).unwrap();
        let request = Signer::new(key.clone())
            .sign(&params_from(&v["params"]))
            .unwrap();
        assert_eq!(
            request.signed_text().unwrap(),
            v["signed_text"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(request.mac, v["mac"].as_str().unwrap(), "{name}");
        let ours: Value = serde_json::from_str(&request.to_json()).unwrap();
        assert_eq!(ours, v["expected_json"], "{name}");
        // Byte-level: each string value is the same text (the capability above all).
        for (field, value) in v["expected_json"].as_object().unwrap() {
            assert_eq!(value.to_string(), ours[field].to_string(), "{name}.{field}");
        }
        assert!(request.mac_matches(&key), "{name}");
    }
}

/// A nonce source for deterministic comparisons: `n` zero-padded to 20 digits.
#[derive(Default)]
struct CountingNonce(std::sync::atomic::AtomicU64);

impl NonceSource for CountingNonce {
    fn nonce(&self) -> String {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        format!("{n:020}")
    }
}

/// Two signers with the same key, a fixed clock and nonce sources in step, so `sign` and
/// `sign_json` see the same timestamp and nonce.
fn twin_signers(key: &Key) -> (Signer, Signer) {
    let clock = Arc::new(FixedClock::new(1_700_000_000_000));
    let twin = || {
        Signer::new(key.clone())
            .with_clock(clock.clone())
            .with_nonce_source(Arc::new(CountingNonce::default()))
    };
    (twin(), twin())
}

/// `Signer::sign_json` against the ably-js vectors, and byte for byte against `sign` +
/// `to_json`.
#[test]
fn sign_json_reproduces_ably_js_vectors() {
    let doc = test_vectors::load("token-requests.ably-js.json");
    for v in doc["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let key = Key::parse(v["key"].as_str().unwrap()).unwrap();
        let params = params_from(&v["params"]);
        let (one_pass, two_step) = twin_signers(&key);
        let json = one_pass.sign_json(&params).unwrap();
        assert_eq!(json, two_step.sign(&params).unwrap().to_json(), "{name}");
        let ours: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(ours, v["expected_json"], "{name}");
        for (field, value) in v["expected_json"].as_object().unwrap() {
            assert_eq!(value.to_string(), ours[field].to_string(), "{name}.{field}");
        }
    }
}

/// The one-pass path refuses what `sign` refuses, with the same code.
#[test]
fn sign_json_refuses_what_sign_refuses() {
    let key = Key::parse("appId.keyId:keySecret")
        .unwrap()
        .with_capability(Capability::parse(r#"{"chat:*":["subscribe"]}"#).unwrap());
    let signer = Signer::new(key);
    for params in [
        TokenParams {
            ttl: Some(Duration::ZERO),
            ..Default::default()
        },
        TokenParams {
            nonce: Some("short".into()),
            ..Default::default()
        },
        TokenParams {
            capability: Some(Capability::new()),
            ..Default::default()
        },
        TokenParams {
            capability: Some(Capability::parse(r#"{"admin":["*"]}"#).unwrap()),
            ..Default::default()
        },
    ] {
        let one_pass = signer.sign_json(&params).unwrap_err();
        let two_step = signer.sign(&params).unwrap_err();
        assert_eq!(one_pass.code(), two_step.code(), "{params:?}");
        assert_eq!(one_pass.to_string(), two_step.to_string());
    }
}

/// A nonce source that itself signs (so `sign_json` runs inside `sign_json`) still gets a
/// correct TokenRequest: the nested call must not share the outer call's buffer.
#[test]
fn sign_json_nested_in_a_nonce_source() {
    struct Nested(Signer);
    impl NonceSource for Nested {
        fn nonce(&self) -> String {
            let inner = self.0.sign_json(&TokenParams::default()).unwrap();
            let inner = TokenRequest::from_json(inner.as_bytes()).unwrap();
            format!("outer-{}", inner.nonce)
        }
    }
    let key = Key::parse("appId.keyId:keySecret").unwrap();
    let signer =
        Signer::new(key.clone()).with_nonce_source(Arc::new(Nested(Signer::new(key.clone()))));
    let params = TokenParams {
        capability: Some(Capability::parse(r#"{"chat:*":["subscribe"]}"#).unwrap()),
        ..Default::default()
    };
    let request = TokenRequest::from_json(signer.sign_json(&params).unwrap().as_bytes()).unwrap();
    assert!(
        request.nonce.starts_with("outer-") && request.nonce.len() == 38,
        "{}",
        request.nonce
    );
    assert_eq!(
        request.capability.as_deref(),
        Some(r#"{"chat:*":["subscribe"]}"#)
    );
    assert!(request.mac_matches(&key));
}

/// `ably-auth/vectors/token-requests.ably-python.json`: python's spaced and `\u`-escaped
/// capability strings are signed verbatim, so the MAC matches and verifies.
#[test]
fn verifies_ably_python_vectors() {
    let doc = test_vectors::load("token-requests.ably-python.json");
    for v in doc["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let key = Key::parse(v["key"].as_str().unwrap()).unwrap();
        let wire = serde_json::to_vec(&v["wire_json"]).unwrap();
        let mut request = TokenRequest::from_json(&wire).unwrap();
        assert!(request.mac_matches(&key), "{name}");
        assert_eq!(
            request.compute_mac(&key).unwrap(),
            v["mac"].as_str().unwrap(),
            "{name}"
        );
        request.mac.clear();
        request.set_mac(&key).unwrap();
        assert_eq!(request.mac, v["mac"].as_str().unwrap(), "{name}");
    }
}

/// Two vectors the vector files do not hold: ably-js 2.28.0 `createTokenRequest` with the key,
/// timestamp and nonce of `vectors/token-requests.ably-js.json` and integer-like resource names
/// (ably-js puts them first, in numeric order), and ably-python's upstream `test_hmac` vector
/// (`test/ably/rest/resttoken_test.py`).
#[test]
fn reproduces_reference_table_vectors() {
    let key = Key::parse("appId.keyId:keySecret").unwrap();
    let request = Signer::new(key.clone())
        .sign(&TokenParams {
            capability: Some(
                Capability::parse(r#"{"9":["publish"],"10":["subscribe"],"abc":["*"]}"#).unwrap(),
            ),
            timestamp: Some(1_700_000_000_000),
            nonce: Some("0123456789abcdef".into()),
            ..TokenParams::default()
        })
        .unwrap();
    assert_eq!(
        request.capability.as_deref(),
        Some(r#"{"9":["publish"],"10":["subscribe"],"abc":["*"]}"#)
    );
    assert_eq!(request.mac, "nxBVe8ea1XY5ty7NtkKhPWMPi5Y4jADQHrPAAKYX1tQ=");

    let key = Key::parse("a_key_name:a_secret").unwrap();
    let mut request = TokenRequest {
        key_name: "a_key_name".into(),
        ttl: Some(1000),
        capability: None,
        client_id: Some("a_id".into()),
        timestamp: 1000,
        nonce: "abcde100".into(),
        mac: String::new(),
    };
    request.set_mac(&key).unwrap();
    assert_eq!(request.mac, "sYkCH0Un+WgzI7/Nhy0BoQIKq9HmjKynCRs4E3qAbGQ=");
}

/// `ably-auth/vectors/token-requests.ably-js-edges.json` (ably-js 2.28.0): a ttl of 0 signed
/// as an empty line, resources ordered by UTF-16 code units above U+FFFF, and the last of a
/// repeated resource winning. Each request ably-js made verifies here with the same signed text
/// and MAC; the capability ably-js wrote is what `Capability` writes for the same input, and
/// signing that input gives ably-js's MAC. A ttl of 0 is never signed here (40003).
#[test]
fn reproduces_ably_js_edge_vectors() {
    let doc = test_vectors::load("token-requests.ably-js-edges.json");
    let vectors = doc["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 6);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let key = Key::parse(v["key"].as_str().unwrap()).unwrap();
        let wire = serde_json::to_vec(&v["wire_json"]).unwrap();
        let request = TokenRequest::from_json(&wire).unwrap();
        assert_eq!(
            request.signed_text().unwrap(),
            v["signed_text"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            request.compute_mac(&key).unwrap(),
            v["mac"].as_str().unwrap(),
            "{name}"
        );
        assert!(request.mac_matches(&key), "{name}");
        // Re-serialised, the request is the one ably-js sent.
        let back: Value = serde_json::from_str(&request.to_json()).unwrap();
        assert_eq!(back, v["wire_json"], "{name}");

        let given = &v["params"];
        let capability = match &given["capability"] {
            Value::Null => None,
            Value::String(text) => Some(Capability::parse(text).unwrap()),
            object => Some(Capability::parse(&object.to_string()).unwrap()),
        };
        let params = TokenParams {
            ttl: given["ttl"].as_u64().map(Duration::from_millis),
            capability,
            client_id: given["clientId"]
                .as_str()
                .map(|c| ClientId::new(c).unwrap()),
            timestamp: given["timestamp"].as_u64(),
            nonce: given["nonce"].as_str().map(str::to_owned),
        };
        if given["ttl"] == 0 {
            let err = Signer::new(key.clone()).sign(&params).unwrap_err();
            assert_eq!((err.code(), err.status()), (40003, 400), "{name}");
            continue;
        }
        let ours = Signer::new(key.clone()).sign(&params).unwrap();
        assert_eq!(
            ours.capability.as_deref(),
            v["wire_json"]["capability"].as_str(),
            "{name}"
        );
        assert_eq!(ours.mac, v["mac"].as_str().unwrap(), "{name}");
    }
}

/// A nonce needs 16 characters (RSA9c, TK2e): 15 are refused and 16 accepted, counted in
/// characters rather than bytes, in every signing path.
#[test]
fn nonce_length_edges() {
    let key = Key::parse("appId.keyId:keySecret").unwrap();
    let signer = Signer::new(key.clone());
    for (nonce, accepted) in [
        ("0123456789abcde".to_owned(), false),
        ("0123456789abcdef".to_owned(), true),
        ("\u{e9}".repeat(15), false),
        ("\u{e9}".repeat(16), true),
    ] {
        let params = TokenParams {
            nonce: Some(nonce.clone()),
            ..Default::default()
        };
        let outcomes = [
            signer.sign(&params).map(|r| r.to_json()),
            signer.sign_json(&params),
        ];
        for outcome in outcomes {
            match outcome {
                Ok(json) if accepted => {
                    let request = TokenRequest::from_json(json.as_bytes()).unwrap();
                    assert_eq!(request.nonce, nonce);
                    assert!(request.mac_matches(&key));
                }
                Err(err) if !accepted => {
                    assert_eq!((err.code(), err.status()), (40000, 400), "{nonce}");
                    assert!(err.to_string().contains("16 characters"), "{err}");
                }
                other => panic!(
                    "nonce {nonce:?} ({} chars): {other:?}",
                    nonce.chars().count()
                ),
            }
        }
        assert_eq!(
            params.validate(crate::token::MAX_TTL).is_ok(),
            accepted,
            "{nonce}"
        );
    }
}

/// `Signer::new` shares one system clock among signers rather than allocating one each, and a
/// signer given its own clock keeps it.
#[test]
fn new_signers_share_the_default_clock() {
    let key = Key::parse("appId.keyId:keySecret").unwrap();
    let (a, b) = (Signer::new(key.clone()), Signer::new(key.clone()));
    assert!(Arc::ptr_eq(a.clock(), b.clock()));
    let fixed: Arc<dyn Clock> = Arc::new(FixedClock::new(1));
    let c = Signer::new(key).with_clock(fixed.clone());
    assert!(Arc::ptr_eq(c.clock(), &fixed) && !Arc::ptr_eq(c.clock(), a.clock()));
}

#[test]
fn random_nonces_are_long_and_distinct() {
    let nonces: std::collections::HashSet<String> =
        (0..10_000).map(|_| RandomNonce.nonce()).collect();
    assert_eq!(nonces.len(), 10_000);
    assert!(
        nonces
            .iter()
            .all(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()))
    );
}

#[test]
fn refuses_bad_params_before_signing() {
    let key = Key::parse("appId.keyId:keySecret").unwrap();
    let err = Signer::new(key.clone())
        .sign(&TokenParams {
            ttl: Some(Duration::from_secs(25 * 3600)),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), 40003);
    let revocable = key.clone().with_revocable_tokens(true);
    let err = Signer::new(revocable.clone())
        .sign(&TokenParams {
            ttl: Some(Duration::from_secs(2 * 3600)),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), 40003);
    let err = Signer::new(key.clone())
        .sign(&TokenParams {
            nonce: Some("short".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), 40000);
    let limited = key.with_capability(Capability::parse(r#"{"chat:*":["subscribe"]}"#).unwrap());
    let err = Signer::new(limited.clone())
        .sign(&TokenParams {
            capability: Some(Capability::parse(r#"{"admin":["*"]}"#).unwrap()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), 40160);
}

fn arb_request() -> impl Strategy<Value = TokenRequest> {
    (
        "[a-z]{1,6}\\.[A-Za-z0-9]{1,6}",
        proptest::option::of(1u64..86_400_000),
        proptest::option::of("\\{\"[a-z:*]{1,8}\":\\[\"(publish|subscribe)\"\\]\\}"),
        proptest::option::of("[^\\p{C}\\x{2028}\\x{2029}]{1,12}"),
        0u64..4_000_000_000_000,
        "[^\\p{C}\\x{2028}\\x{2029}]{16,24}",
    )
        .prop_map(
            |(key_name, ttl, capability, client_id, timestamp, nonce)| TokenRequest {
                key_name,
                ttl,
                capability,
                client_id,
                timestamp,
                nonce,
                mac: String::new(),
            },
        )
}

proptest! {
    #[test]
    fn set_mac_then_mac_matches(mut request in arb_request(), secret in "[A-Za-z0-9+/=]{8,40}") {
        let key = Key::parse(&format!("{}:{secret}", request.key_name)).unwrap();
        request.set_mac(&key).unwrap();
        prop_assert!(request.mac_matches(&key));
        let wire = request.to_json();
        let back = TokenRequest::from_json(wire.as_bytes()).unwrap();
        prop_assert!(back.mac_matches(&key));
    }

    /// Changing any signed field, or the key, breaks the MAC.
    #[test]
    fn any_change_breaks_the_mac(mut request in arb_request(), field in 0usize..7, salt in "[a-z]{1,4}") {
        let key = Key::parse(&format!("{}:secret", request.key_name)).unwrap();
        request.set_mac(&key).unwrap();
        let mut changed = request.clone();
        let mut other_key = key.clone();
        match field {
            0 => changed.key_name.push_str(&salt),
            1 => changed.ttl = Some(changed.ttl.unwrap_or(0) + 1),
            2 => changed.capability = Some(format!("{}{salt}", changed.capability.unwrap_or_default())),
            3 => changed.client_id = Some(format!("{}{salt}", changed.client_id.unwrap_or_default())),
            4 => changed.timestamp += 1,
            5 => changed.nonce.push_str(&salt),
            _ => other_key = Key::parse(&format!("{}:secret{salt}", request.key_name)).unwrap(),
        }
        prop_assert!(!changed.mac_matches(&other_key));
    }

    /// For any capability (names with quotes, backslashes, control and non-ASCII characters)
    /// and clientId, the one-pass path writes exactly what `sign` + `to_json` writes.
    #[test]
    fn sign_json_is_sign_then_to_json(
        names in proptest::collection::vec("(\\PC|[\\x00-\\x1f\"\\\\]){1,12}", 0..4),
        client_id in proptest::option::of("[^*\\p{Cc}\\x{2028}\\x{2029}]{1,12}"),
        ttl in proptest::option::of(1u64..86_400_000),
        long in any::<bool>(),
    ) {
        let mut capability = Capability::new();
        for name in &names {
            capability = capability.grant(format!("ch:{name}").as_str(), [Operation::Publish]).unwrap();
        }
        if long {
            // A signed text of many SHA-256 blocks.
            capability = capability.grant("x".repeat(600).as_str(), [Operation::Presence]).unwrap();
        }
        let params = TokenParams {
            ttl: ttl.map(Duration::from_millis),
            capability: (!capability.is_empty()).then_some(capability),
            client_id: client_id.map(|c| ClientId::new(c).unwrap()),
            ..TokenParams::default()
        };
        let key = Key::parse("appId.keyId:keySecret").unwrap();
        let (one_pass, two_step) = twin_signers(&key);
        let json = one_pass.sign_json(&params).unwrap();
        let request = two_step.sign(&params).unwrap();
        prop_assert_eq!(&json, &request.to_json());
        prop_assert_eq!(&json, &serde_json::to_string(&request).unwrap());
        prop_assert!(TokenRequest::from_json(json.as_bytes()).unwrap().mac_matches(&key));
    }

    #[test]
    fn token_request_json_never_panics(s in "\\PC{0,200}") {
        let _ = TokenRequest::from_json(s.as_bytes());
    }
}
