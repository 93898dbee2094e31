use super::*;
use crate::capability::Capability;
use crate::client_id::ClientId;
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

/// `shared/vectors/token-requests.ably-js.json`: same JSON fields, same capability text and
/// the same MAC as ably-js 2.28.
#[test]
fn reproduces_ably_js_vectors() {
    let doc = test_vectors::load("token-requests.ably-js.json");
    let vectors = doc["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 6);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let key = Key::parse(v["key"].as_str().unwrap()).unwrap();
        let request = key.sign(&params_from(&v["params"])).unwrap();
        assert_eq!(
            request.signed_text(),
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

/// `shared/vectors/token-requests.ably-python.json`: python's spaced and `\u`-escaped
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
            request.compute_mac(&key),
            v["mac"].as_str().unwrap(),
            "{name}"
        );
        request.mac.clear();
        request.sign(&key);
        assert_eq!(request.mac, v["mac"].as_str().unwrap(), "{name}");
    }
}

/// Vector 4 and P1 of the wire reference's §3.7 table (`shared/ably-token-auth.md`), which
/// are not in the vector files: ably-js's integer-like key order, and ably-python's upstream
/// `test_hmac` vector.
#[test]
fn reproduces_reference_table_vectors() {
    let key = Key::parse("appId.keyId:keySecret").unwrap();
    let request = key
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
    request.sign(&key);
    assert_eq!(request.mac, "sYkCH0Un+WgzI7/Nhy0BoQIKq9HmjKynCRs4E3qAbGQ=");
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
    let err = key
        .sign(&TokenParams {
            ttl: Some(Duration::from_secs(25 * 3600)),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), 40003);
    let revocable = key.clone().with_revocable_tokens(true);
    let err = revocable
        .sign(&TokenParams {
            ttl: Some(Duration::from_secs(2 * 3600)),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), 40003);
    let err = key
        .sign(&TokenParams {
            nonce: Some("short".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), 40000);
    let limited = key.with_capability(Capability::parse(r#"{"chat:*":["subscribe"]}"#).unwrap());
    let err = limited
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
        proptest::option::of("\\PC{1,12}"),
        0u64..4_000_000_000_000,
        "\\PC{16,24}",
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
    fn sign_then_verify(mut request in arb_request(), secret in "[A-Za-z0-9+/=]{8,40}") {
        let key = Key::parse(&format!("{}:{secret}", request.key_name)).unwrap();
        request.sign(&key);
        prop_assert!(request.mac_matches(&key));
        let wire = request.to_json();
        let back = TokenRequest::from_json(wire.as_bytes()).unwrap();
        prop_assert!(back.mac_matches(&key));
    }

    /// Changing any signed field, or the key, breaks the MAC.
    #[test]
    fn any_change_breaks_the_mac(mut request in arb_request(), field in 0usize..7, salt in "[a-z]{1,4}") {
        let key = Key::parse(&format!("{}:secret", request.key_name)).unwrap();
        request.sign(&key);
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

    #[test]
    fn token_request_json_never_panics(s in "\\PC{0,200}") {
        let _ = TokenRequest::from_json(s.as_bytes());
    }
}
