//! `Capability::parse` on arbitrary text, and the algebra on what parses: the canonical JSON
//! round-trips, an intersection is within both operands, `overlaps` says whether it is empty,
//! and intersecting with itself or with everything changes nothing it permits.
#![no_main]

use ably_auth::Capability;
use libfuzzer_sys::fuzz_target;

const FIXED: &[&str] = &[
    r#"{"*":["*"]}"#,
    r#"{"[*]*":["*"]}"#,
    r#"{"chat:*":["publish","subscribe"],"user:alice":["presence"]}"#,
    r#"{"a:*:c":["history"],"[queue]q":["subscribe"],"[meta]*":["*"]}"#,
];

fn check(a: &Capability, b: &Capability) {
    let both = a.intersect(b);
    assert_eq!(a.overlaps(b), !both.is_empty(), "{a} overlaps {b}: {both}");
    assert!(both.is_subset_of(a), "{a} ∩ {b} = {both} is not within {a}");
    assert!(both.is_subset_of(b), "{a} ∩ {b} = {both} is not within {b}");
    if !both.is_empty() {
        assert_eq!(Capability::parse(&both.to_json()).unwrap(), both);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Up to two capabilities, one per line.
    let mut parsed = Vec::new();
    for part in text.splitn(2, '\n') {
        match Capability::parse(part) {
            Ok(cap) => {
                let json = cap.to_json();
                let again = Capability::parse(&json)
                    .unwrap_or_else(|e| panic!("{json} does not parse again: {e}"));
                assert_eq!(again, cap, "{json}");
                assert_eq!(again.to_json(), json);
                assert!(cap.is_subset_of(&cap), "{cap} is not within itself");
                parsed.push(cap);
            }
            Err(err) => assert_eq!(err.code(), 40000),
        }
    }
    for cap in &parsed {
        check(cap, cap);
        assert!(cap.is_subset_of(&cap.intersect(cap)) || cap.len() > 256);
        for fixed in FIXED {
            let fixed = Capability::parse(fixed).unwrap();
            check(cap, &fixed);
            check(&fixed, cap);
        }
    }
    if let [a, b] = &parsed[..] {
        check(a, b);
        check(b, a);
    }
});
