//! `TokenRequest::from_json` and `Verifier::verify_token_request` on arbitrary bodies. To get
//! past the MAC, each parsed request is also given a MAC (`set_mac`) with the verifier's key
//! (and a current timestamp), so the checks behind the MAC are fuzzed too.
#![no_main]

use ably_auth::{Capability, FixedClock, Key, TokenRequest, Verifier};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, LazyLock};

const NOW: u64 = 1_700_000_000_000;

static KEY: LazyLock<Key> = LazyLock::new(|| {
    Key::parse("appId.keyId:keySecret")
        .unwrap()
        .with_capability(
            Capability::parse(r#"{"chat:*":["publish","subscribe"],"[queue]*":["*"]}"#).unwrap(),
        )
});

fuzz_target!(|data: &[u8]| {
    let request = match TokenRequest::from_json(data) {
        Ok(request) => request,
        Err(err) => {
            assert!(matches!(err.code(), 40001 | 40003), "{err:?}");
            return;
        }
    };
    let again = TokenRequest::from_json(request.to_json().as_bytes()).unwrap();
    assert_eq!(again, request);
    assert_eq!(request.to_json(), serde_json::to_string(&request).unwrap());

    let verifier = Verifier::new()
        .with_clock(Arc::new(FixedClock::new(NOW)))
        .with_key(KEY.clone());
    if verifier.verify_token_request(&request).is_ok() {
        assert!(request.mac_matches(&KEY));
    }
    let mut signed = request.clone();
    signed.key_name = KEY.name().to_owned();
    signed.timestamp = NOW - (request.timestamp % 100_000);
    if let Err(refused) = signed.set_mac(&KEY) {
        // What `set_mac` refuses to MAC, the verifier refuses to accept, with the same code
        // and before it looks at the MAC.
        assert_eq!(refused.code(), signed.validate().unwrap_err().code());
        let err = verifier.verify_token_request(&signed).unwrap_err();
        assert_eq!(err.code(), refused.code(), "{err:?}");
        return;
    }
    assert!(signed.validate().is_ok());
    match verifier.verify_token_request(&signed) {
        Ok(granted) => {
            assert!(granted.capability.is_subset_of(KEY.capability().unwrap()));
            assert!(!granted.capability.is_empty());
            assert_eq!(
                granted.client_id.as_ref().map(|c| c.as_str()),
                signed.client_id.as_deref()
            );
            assert!(granted.expires > granted.issued);
            assert!(granted.expires - granted.issued <= 24 * 3600 * 1000);
            // The same request again is a replay.
            assert_eq!(
                verifier.verify_token_request(&signed).unwrap_err().code(),
                40105
            );
        }
        Err(err) => assert_ne!(err.code(), 40101, "a freshly signed request: {err:?}"),
    }
});
