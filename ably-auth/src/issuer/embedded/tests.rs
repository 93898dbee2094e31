use super::*;
use crate::capability::Capability;
use crate::client_id::ClientId;
use crate::clock::FixedClock;
use crate::issuer::JwtIssuer;
use crate::key::Key;
use crate::signer::Signer;
use crate::token::{TokenDetails, TokenRequest};
use crate::verify::Verifier;
use base64::Engine;

const T0: u64 = 1_700_000_000_000;
const SECRET: &str = "app-secret-for-embedded-jwt-vectors-0001";

fn now<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("a local issuer never waits"),
    }
}

fn key() -> Key {
    Key::parse("appId.keyId:keySecret").unwrap()
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(T0))
}

fn grant(ttl_s: u64) -> Grant {
    Grant::new(
        Some(ClientId::new("alice").unwrap()),
        Capability::parse(r#"{"chat:*":["publish"]}"#).unwrap(),
        Duration::from_secs(ttl_s),
    )
}

/// An inner issuer that always answers `credential`.
struct Fixed(Credential);

impl TokenIssuer for Fixed {
    fn issue(&self, _: &Grant) -> impl Future<Output = Result<Credential>> + Send {
        std::future::ready(Ok(self.0.clone()))
    }
}

fn details(expires: u64) -> Credential {
    Credential::TokenDetails(TokenDetails {
        expires,
        issued: T0,
        ..TokenDetails::from_token("appId.inner-token")
    })
}

fn payload(jwt: &str) -> serde_json::Value {
    let p = jwt.split('.').nth(1).unwrap();
    let p = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(p)
        .unwrap();
    serde_json::from_slice(&p).unwrap()
}

fn embedded<I: TokenIssuer>(inner: I) -> EmbeddedJwtIssuer<I> {
    EmbeddedJwtIssuer::new(inner, Hs256Secret::new(SECRET).unwrap()).with_clock(clock())
}

#[test]
fn an_embedded_ably_jwt_verifies_end_to_end() {
    let issuer = embedded(JwtIssuer::new(key()).with_clock(clock()))
        .with_claims(|grant, jwt| jwt.claim("sub", grant.client_id.as_ref().map(|c| c.as_str())));
    let credential = now(issuer.issue(&grant(600))).unwrap();
    assert_eq!(
        (credential.kind(), credential.content_type()),
        ("embedded_jwt", "application/jwt")
    );
    let Credential::EmbeddedJwt(jwt) = credential else {
        panic!("an External JWT")
    };
    assert_eq!(now(issuer.issue_body(&grant(600))).unwrap().body, jwt);
    let verifier = Verifier::new()
        .with_clock(clock())
        .with_key(key())
        .with_external_jwt_secret(Hs256Secret::new(SECRET).unwrap());
    let external = verifier.verify_external_jwt(&jwt).unwrap();
    assert_eq!(external.claims["sub"], "alice");
    assert_eq!(external.expires, T0 + 600_000);
    let granted = verifier.verify_embedded_jwt(&jwt).unwrap();
    assert_eq!(granted.client_id.unwrap().as_str(), "alice");
    assert_eq!(granted.capability.to_json(), r#"{"chat:*":["publish"]}"#);
    assert_eq!(granted.expires, T0 + 600_000);
}

/// `exp` is the earlier of the embedded token's expiry and now plus the grant's ttl.
#[test]
fn exp_is_the_stricter_of_token_and_grant() {
    let jwt = |expires: u64, ttl: u64| {
        let Credential::EmbeddedJwt(jwt) =
            now(embedded(Fixed(details(expires))).issue(&grant(ttl))).unwrap()
        else {
            panic!("an External JWT")
        };
        payload(&jwt)["exp"].as_u64().unwrap()
    };
    assert_eq!(jwt(T0 + 300_000, 600), 1_700_000_300);
    assert_eq!(jwt(T0 + 900_000, 600), 1_700_000_600);
    assert_eq!(jwt(T0 + 600_000, 600), 1_700_000_600);
    assert_eq!(jwt(T0 + 600_999, 600), 1_700_000_600);
}

#[test]
fn what_cannot_be_embedded_is_a_server_error() {
    let request: TokenRequest = Signer::new(key())
        .with_clock(clock())
        .sign(&Default::default())
        .unwrap();
    for inner in [
        Credential::TokenRequest(request),
        details(0),
        Credential::EmbeddedJwt("a.b.c".into()),
    ] {
        let err = now(embedded(Fixed(inner)).issue(&grant(600))).unwrap_err();
        assert_eq!((err.code(), err.status()), (50000, 500), "{err}");
    }
    // An inner token that has expired.
    let err = now(embedded(Fixed(details(T0))).issue(&grant(600))).unwrap_err();
    assert_eq!(err.code(), 40003);
    // A reserved claim from the app's hook.
    let err = now(embedded(Fixed(details(T0 + 60_000)))
        .with_claims(|_, jwt| jwt.claim("x-ably-capability", "{}"))
        .issue(&grant(600)))
    .unwrap_err();
    assert_eq!(err.code(), 40000);
}

#[test]
fn placement_and_kid_are_applied_and_the_secret_is_not_shown() {
    let issuer = embedded(Fixed(details(T0 + 60_000)))
        .with_placement(TokenPlacement::Claim)
        .with_key_id("k1");
    let Credential::EmbeddedJwt(jwt) = now(issuer.issue(&grant(600))).unwrap() else {
        panic!("an External JWT")
    };
    assert_eq!(payload(&jwt)["x-ably-token"], "appId.inner-token");
    let shown = format!("{:?}", embedded(JwtIssuer::new(key())));
    assert!(
        !shown.contains(SECRET) && !shown.contains("keySecret"),
        "{shown}"
    );
}
