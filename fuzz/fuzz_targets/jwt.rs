//! `Verifier::verify_jwt` on arbitrary tokens, and on arbitrary payloads signed with the
//! verifier's key (so the claim checks behind the signature are fuzzed too).
#![no_main]

use ably_auth::{Capability, FixedClock, Key, Verifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, LazyLock};

const NOW: u64 = 1_700_000_000_000;

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    let key = Key::parse("appId.keyId:keySecret")
        .unwrap()
        .with_capability(Capability::parse(r#"{"chat:*":["publish","subscribe"]}"#).unwrap());
    Verifier::new()
        .with_clock(Arc::new(FixedClock::new(NOW)))
        .with_key(key)
});

fn sign(payload: &[u8]) -> String {
    let header = br#"{"typ":"JWT","alg":"HS256","kid":"appId.keyId"}"#;
    let mut token = URL_SAFE_NO_PAD.encode(header);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut token);
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"keySecret").unwrap();
    mac.update(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(mac.finalize().into_bytes(), &mut token);
    token
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let token = if mode & 1 == 0 {
        match std::str::from_utf8(rest) {
            Ok(text) => text.to_owned(),
            Err(_) => return,
        }
    } else {
        sign(rest)
    };
    if let Ok(granted) = VERIFIER.verify_jwt(&token) {
        let key = VERIFIER.key("appId.keyId").unwrap();
        assert!(granted.capability.is_subset_of(key.capability().unwrap()));
        assert!(!granted.capability.is_empty());
        assert!(granted.issued <= NOW + 10_000);
        assert!(granted.expires > NOW);
        assert!(granted.expires - granted.issued <= 24 * 3600 * 1000);
    }
});
