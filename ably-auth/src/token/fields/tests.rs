//! The signed text reads back as exactly the fields it was made from, and the field-splitting
//! attack (a line feed in a clientId) is refused by every signing and verifying path.

use crate::client_id::ClientId;
use crate::clock::FixedClock;
use crate::key::Key;
use crate::nonce::NonceSource;
use crate::signer::Signer;
use crate::token::{TokenParams, TokenRequest};
use crate::verify::Verifier;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use std::sync::Arc;

const NOW: u64 = 1_700_000_000_000;
const SECRET: &str = "keySecret";

/// The MAC ably-js would write for these fields, computed apart from our signer: the `hmac`
/// crate over the six fields each followed by a line feed (ttl 0 empty), as Ably's token
/// request spec describes the text. It signs anything, so a test can hand the verifier a
/// correctly MACed request that our own signer refuses to make.
fn oracle_mac(request: &TokenRequest) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(raw_text(request).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn request(client_id: Option<&str>, timestamp: u64, nonce: &str) -> TokenRequest {
    let mut request = TokenRequest {
        key_name: "appId.keyId".into(),
        ttl: None,
        capability: None,
        client_id: client_id.map(str::to_owned),
        timestamp,
        nonce: nonce.into(),
        mac: String::new(),
    };
    request.mac = oracle_mac(&request);
    request
}

fn key() -> Key {
    Key::parse(&format!("appId.keyId:{SECRET}")).unwrap()
}

fn verifier() -> Verifier {
    Verifier::new()
        .with_clock(Arc::new(FixedClock::new(NOW)))
        .with_key(key())
}

/// The attack as an attacker runs it: sign in as `alice\n<T>`, get a TokenRequest signed for
/// that clientId, and present the same MAC re-split as clientId `alice`, timestamp `T` and
/// nonce `<timestamp>\n<nonce>`. Both readings carry a correct MAC (the oracle's); both are
/// refused before the MAC is compared, and nothing signs the first one.
#[test]
fn a_line_feed_cannot_move_a_field_boundary() {
    let forged_time = NOW + 1;
    let nonce = "0123456789abcdef";
    let signed_as = format!("alice\n{forged_time}");
    let original = request(Some(&signed_as), NOW, nonce);
    let resplit = request(Some("alice"), forged_time, &format!("{NOW}\n{nonce}"));
    assert_eq!(
        original.mac, resplit.mac,
        "the two readings share one signed text"
    );

    let verifier = verifier();
    let err = verifier.verify_token_request(&resplit).unwrap_err();
    assert_eq!((err.code(), err.status()), (40000, 400), "{err}");
    assert!(err.to_string().contains("U+000A"), "{err}");
    let err = verifier.verify_token_request(&original).unwrap_err();
    assert_eq!((err.code(), err.status()), (40012, 400), "{err}");
    assert!(!resplit.mac_matches(&key()) && !original.mac_matches(&key()));

    // Nothing signs the first reading: not the raw path, not the typed one.
    let mut raw = original.clone();
    assert_eq!(raw.set_mac(&key()).unwrap_err().code(), 40012);
    assert_eq!(raw.compute_mac(&key()).unwrap_err().code(), 40012);
    assert_eq!(raw.signed_text().unwrap_err().code(), 40012);
    assert_eq!(ClientId::new(&signed_as).unwrap_err().code(), 40012);
}

/// A line feed in any text field is refused by the raw signing path and by the verifier,
/// before the MAC (each request carries the oracle's correct MAC).
#[test]
fn every_text_field_refuses_a_line_feed() {
    type Edit = fn(&mut TokenRequest);
    let cases: [(Edit, u32); 5] = [
        (|r| r.key_name = "appId.key\nId".into(), 40000),
        (
            |r| r.capability = Some("{\"a\":\n[\"publish\"]}".into()),
            40000,
        ),
        (|r| r.client_id = Some("ali\nce".into()), 40012),
        (|r| r.nonce = "0123456789\nabcdef".into(), 40000),
        (|r| r.client_id = Some("alice\r".into()), 40012),
    ];
    for (i, (edit, code)) in cases.into_iter().enumerate() {
        let mut request = request(None, NOW, &format!("nonce-of-case-{i:04}"));
        edit(&mut request);
        request.mac = oracle_mac(&request);
        let err = verifier().verify_token_request(&request).unwrap_err();
        assert_eq!((err.code(), err.status()), (code, 400), "case {i}: {err}");
        assert_eq!(request.clone().set_mac(&key()).unwrap_err().code(), code);
        assert!(!request.mac_matches(&key()), "case {i}");
    }
    // The same fields without the line feed verify: the refusals above are the line feed's.
    let clean = request(Some("alice"), NOW, "0123456789abcdef");
    verifier().verify_token_request(&clean).unwrap();
}

/// A nonce source that returns a nonce with a line feed is the app's bug: both signing paths
/// refuse (50000), neither signs.
#[test]
fn a_nonce_source_cannot_inject_a_line_feed() {
    struct Splitting;
    impl NonceSource for Splitting {
        fn nonce(&self) -> String {
            "0123456789\nabcdef".into()
        }
    }
    let signer = Signer::new(key()).with_nonce_source(Arc::new(Splitting));
    let err = signer.sign(&TokenParams::default()).unwrap_err();
    assert_eq!((err.code(), err.status()), (50000, 500));
    let err = signer.sign_json(&TokenParams::default()).unwrap_err();
    assert_eq!((err.code(), err.status()), (50000, 500));
    let params = TokenParams {
        nonce: Some("0123456789\nabcdef".into()),
        ..TokenParams::default()
    };
    assert_eq!(signer.sign(&params).unwrap_err().code(), 40000);
    assert_eq!(signer.sign_json(&params).unwrap_err().code(), 40000);
}

/// A request of hostile fields: text drawn from a tiny alphabet with line feeds and digits,
/// so that different field sets often share a signed text unless validation stops them.
fn arb_fields() -> impl Strategy<Value = TokenRequest> {
    let text = "[a1\n\r*\u{2028}]{0,4}";
    (
        "[a.\n]{1,3}",
        proptest::option::of(0u64..3),
        proptest::option::of(text),
        proptest::option::of(text),
        0u64..12,
        text,
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

/// The fields as the service reads them: a ttl of 0 is no ttl (both get the default).
fn normalized(r: &TokenRequest) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        &r.key_name,
        r.ttl.filter(|t| *t != 0),
        &r.capability,
        &r.client_id,
        r.timestamp,
        &r.nonce,
    )
}

/// The text `r` would sign, written without any check: the six fields each followed by a line
/// feed, a ttl of 0 empty.
fn raw_text(r: &TokenRequest) -> String {
    let ttl = r
        .ttl
        .filter(|t| *t != 0)
        .map_or(String::new(), |t| t.to_string());
    format!(
        "{}\n{ttl}\n{}\n{}\n{}\n{}\n",
        r.key_name,
        r.capability.as_deref().unwrap_or(""),
        r.client_id.as_deref().unwrap_or(""),
        r.timestamp,
        r.nonce,
    )
}

/// Another reading of the same text: its line-feed-separated pieces grouped into six fields
/// differently, the `i`-th extra piece going to field `owners[i] % 6`. `None` when the pieces
/// do not fit (a ttl or timestamp that is not a number).
fn resplit(text: &str, owners: &[usize]) -> Option<TokenRequest> {
    let pieces: Vec<&str> = text.strip_suffix('\n')?.split('\n').collect();
    let extra = pieces.len().checked_sub(6)?;
    let mut sizes = [1usize; 6];
    for i in 0..extra {
        sizes[owners.get(i).copied().unwrap_or(0) % 6] += 1;
    }
    let mut fields = Vec::new();
    let mut at = 0;
    for size in sizes {
        fields.push(pieces[at..at + size].join("\n"));
        at += size;
    }
    let optional = |s: &String| (!s.is_empty()).then(|| s.clone());
    Some(TokenRequest {
        key_name: fields[0].clone(),
        ttl: if fields[1].is_empty() {
            None
        } else {
            Some(fields[1].parse().ok()?)
        },
        capability: optional(&fields[2]),
        client_id: optional(&fields[3]),
        timestamp: fields[4].parse().ok()?,
        nonce: fields[5].clone(),
        mac: String::new(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// For any two different field sets that pass validation, the signed texts differ. Two
    /// field sets drawn at random almost never share a text, so the second is drawn as another
    /// reading of the first one's text (its pieces regrouped into fields): at most one of the
    /// two may pass validation.
    #[test]
    fn different_valid_fields_never_share_a_signed_text(
        r in arb_fields(),
        owners in proptest::collection::vec(0usize..6, 0..8),
    ) {
        let text = raw_text(&r);
        if let Some(other) = resplit(&text, &owners) {
            prop_assert_eq!(raw_text(&other), text.clone());
            if normalized(&other) != normalized(&r) {
                prop_assert!(
                    r.validate().is_err() || other.validate().is_err(),
                    "{:?} and {:?} both sign {:?}", r, other, text
                );
            }
        }
    }

    /// Any field set that passes validation is read back from its signed text: split at the
    /// line feeds, the text gives exactly the six fields and a final empty piece.
    #[test]
    fn signed_text_splits_back_into_its_fields(r in arb_fields()) {
        if let Ok(text) = r.signed_text() {
            let pieces: Vec<&str> = text.split('\n').collect();
            let ttl = r.ttl.filter(|t| *t != 0).map_or(String::new(), |t| t.to_string());
            let timestamp = r.timestamp.to_string();
            let expected = [
                r.key_name.as_str(),
                &ttl,
                r.capability.as_deref().unwrap_or(""),
                r.client_id.as_deref().unwrap_or(""),
                &timestamp,
                &r.nonce,
                "",
            ];
            prop_assert_eq!(pieces, expected);
        }
    }
}

/// The typed signers write a capability as JSON, escaping a line feed in a resource name, and
/// a parsed key's name has none: what they sign passes the same checks as a raw request, and
/// its text has exactly the six line feeds that end the fields.
#[test]
fn typed_signing_writes_no_raw_line_feed() {
    use crate::capability::{Capability, Operation};
    let params = TokenParams {
        capability: Some(
            Capability::new()
                .grant("chat:\nlobby", [Operation::Publish])
                .unwrap(),
        ),
        client_id: Some(ClientId::new("alice").unwrap()),
        ..TokenParams::default()
    };
    let signer = Signer::new(key()).with_clock(Arc::new(FixedClock::new(NOW)));
    let request = signer.sign(&params).unwrap();
    request.validate().unwrap();
    assert_eq!(request.signed_text().unwrap().matches('\n').count(), 6);
    assert!(request.mac_matches(&key()));
    let json = signer.sign_json(&params).unwrap();
    let from_json = TokenRequest::from_json(json.as_bytes()).unwrap();
    from_json.validate().unwrap();
    assert_eq!(from_json.capability, request.capability);
}
