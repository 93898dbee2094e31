//! The signed text of a TokenRequest: any field set that passes `TokenRequest::validate`
//! reads back from its text as exactly the same fields (so no two valid field sets share a
//! text, and no MAC can be re-split into other fields), and the text is what an independent
//! writer (each field followed by a line feed, a ttl of 0 empty) produces. A field set that
//! fails validation is never signed and never verified.
#![no_main]

use ably_auth::{FixedClock, Key, TokenRequest, Verifier};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, LazyLock};

const NOW: u64 = 1_700_000_000_000;

static KEY: LazyLock<Key> = LazyLock::new(|| Key::parse("appId.keyId:keySecret").unwrap());

#[derive(Arbitrary, Debug)]
struct Fields {
    key_name: String,
    ttl: Option<u64>,
    capability: Option<String>,
    client_id: Option<String>,
    timestamp: u64,
    nonce: String,
}

fuzz_target!(|fields: Fields| {
    let request = TokenRequest {
        key_name: fields.key_name,
        ttl: fields.ttl,
        capability: fields.capability,
        client_id: fields.client_id,
        timestamp: fields.timestamp,
        nonce: fields.nonce,
        mac: String::new(),
    };
    let ttl = request
        .ttl
        .filter(|t| *t != 0)
        .map_or(String::new(), |t| t.to_string());
    let independent = format!(
        "{}\n{ttl}\n{}\n{}\n{}\n{}\n",
        request.key_name,
        request.capability.as_deref().unwrap_or(""),
        request.client_id.as_deref().unwrap_or(""),
        request.timestamp,
        request.nonce
    );
    let text = match request.signed_text() {
        Ok(text) => text,
        Err(err) => {
            assert!(matches!(err.code(), 40000 | 40012), "{err:?}");
            assert!(request.clone().set_mac(&KEY).is_err());
            assert!(request.compute_mac(&KEY).is_err());
            let verifier = Verifier::new()
                .with_clock(Arc::new(FixedClock::new(NOW)))
                .with_key(KEY.clone());
            assert!(verifier.verify_token_request(&request).is_err());
            return;
        }
    };
    assert_eq!(text, independent);
    let pieces: Vec<&str> = text.split('\n').collect();
    assert_eq!(pieces.len(), 7, "{text:?}");
    assert_eq!(pieces[0], request.key_name);
    assert_eq!(pieces[1], ttl);
    assert_eq!(pieces[2], request.capability.as_deref().unwrap_or(""));
    assert_eq!(pieces[3], request.client_id.as_deref().unwrap_or(""));
    assert_eq!(pieces[4].parse::<u64>().ok(), Some(request.timestamp));
    assert_eq!(pieces[5], request.nonce);
    assert_eq!(pieces[6], "");
    // Absent and empty are one text only because empty is refused.
    assert_ne!(request.capability.as_deref(), Some(""));
    assert_ne!(request.client_id.as_deref(), Some(""));
    let mut signed = request.clone();
    signed.set_mac(&KEY).unwrap();
    assert!(signed.mac_matches(&KEY));
});
