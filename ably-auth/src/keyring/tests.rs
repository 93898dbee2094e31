//! Key sets, key files and rings: what signs and what verifies before and after a swap,
//! checked with MACs computed apart from this crate (the `hmac` crate).

use super::*;
use crate::capability::Capability;
use crate::clock::FixedClock;
use crate::identity::Grant;
use crate::issuer::{Credential, TokenIssuer};
use crate::token::TokenRequest;
use crate::verify::Verifier;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use std::time::Duration;

const NOW: u64 = 1_700_000_000_000;
const OLD: &str = "appId.old:oldSecretValue";
const NEW: &str = "appId.new:newSecretValue";

fn key(text: &str) -> Key {
    text.parse().unwrap()
}

fn secret(text: &str) -> &str {
    text.split_once(':').unwrap().1
}

/// The TokenRequest's MAC as Ably's spec describes it, with the `hmac` crate and `secret`.
fn oracle_mac(secret: &str, request: &TokenRequest) -> String {
    let text = format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n",
        request.key_name,
        request.ttl.map_or(String::new(), |t| t.to_string()),
        request.capability.as_deref().unwrap_or(""),
        request.client_id.as_deref().unwrap_or(""),
        request.timestamp,
        request.nonce
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The JWT's HS256 signature checked with the `hmac` crate and `secret`; returns its `kid`.
fn oracle_jwt_kid(secret: &str, jwt: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    mac.verify_slice(&b64.decode(signature).unwrap())
        .expect("the JWT is signed with this secret");
    let header: serde_json::Value =
        serde_json::from_slice(&b64.decode(signed.split('.').next().unwrap()).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

fn grant() -> Grant {
    Grant::new(None, Capability::all_channels(), Duration::from_secs(600))
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(NOW))
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => unreachable!("local issuers are ready at once"),
    }
}

#[test]
fn a_key_file_lists_the_signing_key_first() {
    let text = format!(
        "# rotated on Monday\r\n\t{NEW}  \r\n\n   \n#{OLD}\n{OLD}\nappId.older:olderSecret"
    );
    let keys = KeySet::parse(&text).unwrap();
    assert_eq!(keys.names(), ["appId.new", "appId.old", "appId.older"]);
    assert_eq!(keys.signing().secret(), secret(NEW));
    assert_eq!(keys.verify_only().len(), 2);
    assert_eq!(keys.get("appId.old").unwrap().secret(), secret(OLD));
    assert!(keys.get("appId.other").is_none());
}

#[test]
fn a_bad_key_file_says_which_line_and_what_to_change_without_the_secret() {
    let cases: &[(&str, u32, &str)] = &[
        ("", 40106, "no key found"),
        ("# only a comment\n\n", 40106, "no key found"),
        (
            "appId.new:newSecretValue\nappId.oldoldSecretValue\n",
            40101,
            "line 2",
        ),
        (
            "appId.new:newSecretValue\n\nappId.old:old SecretValue\n",
            40101,
            "line 3",
        ),
        (
            "appId.new:newSecretValue\nappId.new:newSecretValueToo\n",
            40101,
            "listed twice",
        ),
        ("appId.new:newSecret.Value\n", 40101, "line 1"),
    ];
    for (text, code, expected) in cases {
        let err = KeySet::parse(text).unwrap_err();
        let message = err.to_string();
        assert_eq!(err.code(), *code, "{text:?}: {message}");
        assert!(message.contains(expected), "{text:?}: {message}");
        assert!(!message.contains("SecretValue"), "{message}");
    }
}

#[test]
fn key_files_are_read_with_their_path_in_every_error() {
    let dir = std::env::temp_dir().join(format!("ably-auth-keyring-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("keys");
    std::fs::write(&path, format!("{NEW}\n{OLD}\n")).unwrap();
    assert_eq!(
        KeySet::from_file(&path).unwrap().names(),
        ["appId.new", "appId.old"]
    );
    assert_eq!(
        KeySource::File(path.clone()).load().unwrap().names(),
        ["appId.new", "appId.old"]
    );

    let missing = dir.join("missing");
    let err = KeySet::from_file(&missing).unwrap_err();
    assert_eq!(err.code(), 40106);
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
    assert!(err.to_string().contains(API_KEY_FILE_ENV), "{err}");

    std::fs::write(&path, format!("{NEW}\nnot a key\n")).unwrap();
    let err = KeySet::from_file(&path).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("{}: line 2", path.display())),
        "{err}"
    );

    std::fs::write(&path, vec![b'#'; MAX_KEY_FILE_BYTES as usize + 1]).unwrap();
    let err = KeySet::from_file(&path).unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");

    std::fs::write(&path, b"appId.new:\xffsecret\n").unwrap();
    let err = KeySet::from_file(&path).unwrap_err();
    assert!(err.to_string().contains("not UTF-8"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_name_twice_is_refused_however_the_set_is_built() {
    let err = KeySet::from_keys([key(NEW), key(OLD), key("appId.old:another")]).unwrap_err();
    assert_eq!(err.code(), 40101);
    assert!(err.to_string().contains("appId.old"), "{err}");
    assert_eq!(KeySet::from_keys([]).unwrap_err().code(), 40106);
}

#[test]
fn debug_shows_key_names_only() {
    let ring = KeyRing::new(KeySet::from_keys([key(NEW), key(OLD)]).unwrap());
    let verifier = Verifier::from_key_ring(ring.clone());
    let texts = [
        format!("{:?}", ring.current()),
        format!("{ring:?}"),
        format!("{verifier:?}"),
        format!("{:?}", RotatingTokenRequestIssuer::new(ring.clone())),
        format!("{:#?}", RotatingJwtIssuer::new(ring.clone())),
    ];
    for text in texts {
        assert!(text.contains("appId.new"), "{text}");
        assert!(!text.contains("SecretValue"), "{text}");
    }
}

#[test]
fn issuers_sign_with_the_key_that_signs_when_they_are_called() {
    let ring = KeyRing::from(key(OLD));
    let requests = RotatingTokenRequestIssuer::new(ring.clone()).with_clock(clock());
    let jwts = RotatingJwtIssuer::new(ring.clone()).with_clock(clock());

    let before = requests.sign(&grant()).unwrap();
    assert_eq!(before.key_name, "appId.old");
    assert_eq!(before.mac, oracle_mac(secret(OLD), &before));
    let Credential::Jwt(jwt) = block_on(jwts.issue(&grant())).unwrap() else {
        panic!("a JWT")
    };
    assert_eq!(oracle_jwt_kid(secret(OLD), &jwt), "appId.old");

    let previous = ring.replace(KeySet::from_keys([key(NEW), key(OLD)]).unwrap());
    assert_eq!(previous.names(), ["appId.old"]);
    let Credential::TokenRequest(after) = block_on(requests.issue(&grant())).unwrap() else {
        panic!("a TokenRequest")
    };
    assert_eq!(after.key_name, "appId.new");
    assert_eq!(after.mac, oracle_mac(secret(NEW), &after));
    let jwt = jwts.builder(&grant()).sign().unwrap();
    assert_eq!(oracle_jwt_kid(secret(NEW), &jwt), "appId.new");
}

#[test]
fn a_verifier_follows_the_ring_and_forgets_removed_keys() {
    let ring = KeyRing::from(key(OLD));
    let verifier = Verifier::from_key_ring(ring.clone()).with_clock(clock());
    let requests = RotatingTokenRequestIssuer::new(ring.clone()).with_clock(clock());
    let jwts = RotatingJwtIssuer::new(ring.clone()).with_clock(clock());
    let old_request = requests.sign(&grant()).unwrap();
    let old_jwt = jwts.builder(&grant()).sign().unwrap();
    let old_request_late = requests.sign(&grant()).unwrap();
    let old_jwt_late = old_jwt.clone();
    assert_eq!(
        verifier
            .verify_token_request(&old_request)
            .unwrap()
            .key_name,
        "appId.old"
    );
    assert!(!verifier.knows_key("appId.new"));

    // Rotated: the new key signs, the old one still verifies.
    ring.replace(KeySet::new(key(NEW)).with_verify_only(key(OLD)).unwrap());
    let new_request = requests.sign(&grant()).unwrap();
    assert_eq!(new_request.mac, oracle_mac(secret(NEW), &new_request));
    assert_eq!(
        verifier
            .verify_token_request(&new_request)
            .unwrap()
            .key_name,
        "appId.new"
    );
    assert_eq!(verifier.verify_jwt(&old_jwt).unwrap().key_name, "appId.old");

    // Retired: what the old key signed is refused as an unknown key.
    ring.replace(KeySet::new(key(NEW)));
    let err = verifier
        .verify_token_request(&old_request_late)
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (40400, 404), "{err}");
    let err = verifier.verify_jwt(&old_jwt_late).unwrap_err();
    assert_eq!((err.code(), err.status()), (40400, 404), "{err}");
    assert!(!verifier.knows_key("appId.old"));

    // A key with the name of a ring key but another secret does not verify its MACs.
    ring.replace(KeySet::new(key("appId.new:otherSecret")));
    let again = requests.sign(&grant()).unwrap();
    let forged = TokenRequest {
        mac: oracle_mac(secret(NEW), &again),
        ..again
    };
    assert_eq!(
        verifier.verify_token_request(&forged).unwrap_err().code(),
        40101
    );
}

#[test]
fn keys_added_directly_still_verify_beside_the_ring() {
    let ring = KeyRing::from(key(NEW));
    let verifier = Verifier::from_key_ring(ring)
        .with_key(key(OLD))
        .with_clock(clock());
    let request = RotatingTokenRequestIssuer::new(KeyRing::from(key(OLD)))
        .with_clock(clock())
        .sign(&grant())
        .unwrap();
    assert_eq!(
        verifier.verify_token_request(&request).unwrap().key_name,
        "appId.old"
    );
    assert!(verifier.knows_key("appId.new") && verifier.knows_key("appId.old"));
}

#[test]
fn a_failed_reload_keeps_the_keys_in_use() {
    let dir = std::env::temp_dir().join(format!("ably-auth-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("keys");
    let ring = KeyRing::from(key(OLD));
    let source = KeySource::File(path.clone());
    for bad in ["", "appId.new\n", "appId.new:a:b\n"] {
        std::fs::write(&path, bad).unwrap();
        assert!(ring.reload(&source).is_err(), "{bad:?}");
        assert_eq!(ring.current().names(), ["appId.old"]);
    }
    std::fs::remove_file(&path).unwrap();
    assert!(ring.reload(&source).is_err());
    assert_eq!(ring.signing_key().name(), "appId.old");
    std::fs::write(&path, format!("{NEW}\n{OLD}\n")).unwrap();
    assert_eq!(
        ring.reload(&source).unwrap().names(),
        ["appId.new", "appId.old"]
    );
    assert_eq!(ring.signing_key().name(), "appId.new");
    std::fs::remove_dir_all(&dir).unwrap();
}
