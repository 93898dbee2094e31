use super::*;
use crate::capability::Capability;
use crate::client_id::ClientId;
use crate::clock::FixedClock;
use crate::test_vectors;
use serde_json::Value;

/// Polls a future that never waits (every issuer here answers without I/O).
fn now<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the issuer waited"),
    }
}

/// A nonce source that always answers the vector's nonce.
struct FixedNonce(String);

impl NonceSource for FixedNonce {
    fn nonce(&self) -> String {
        self.0.clone()
    }
}

/// The ably-js vectors a grant can express (a ttl and a capability), through
/// `TokenRequestIssuer::issue_body`: the body is the TokenRequest ably-js made, field for field
/// and string for string, and the same bytes `issue` then `to_body` give.
#[test]
fn issue_body_is_the_ably_js_token_request() {
    let doc = test_vectors::load("token-requests.ably-js.json");
    let mut checked = 0;
    for v in doc["vectors"].as_array().unwrap() {
        let params = &v["params"];
        let (Some(ttl), false) = (params["ttl"].as_u64(), params["capability"].is_null()) else {
            continue;
        };
        let name = v["name"].as_str().unwrap();
        let grant = Grant::new(
            params["clientId"]
                .as_str()
                .map(|c| ClientId::new(c).unwrap()),
            serde_json::from_value::<Capability>(params["capability"].clone()).unwrap(),
            Duration::from_millis(ttl),
        );
        let issuer = || {
            TokenRequestIssuer::new(Key::parse(v["key"].as_str().unwrap()).unwrap())
                .with_clock(Arc::new(FixedClock::new(
                    params["timestamp"].as_u64().unwrap(),
                )))
                .with_nonce_source(Arc::new(FixedNonce(
                    params["nonce"].as_str().unwrap().to_owned(),
                )))
        };
        let body = now(issuer().issue_body(&grant)).unwrap();
        assert_eq!(body.content_type, "application/json", "{name}");
        assert_eq!(body.kind, "token_request", "{name}");
        let ours: Value = serde_json::from_str(&body.body).unwrap();
        assert_eq!(ours, v["expected_json"], "{name}");
        for (field, value) in v["expected_json"].as_object().unwrap() {
            assert_eq!(value.to_string(), ours[field].to_string(), "{name}.{field}");
        }
        let credential = now(issuer().issue(&grant)).unwrap();
        assert_eq!(body.body, credential.to_body(), "{name}");
        assert_eq!(body, CredentialBody::from(credential), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 2);
}

/// `issue_body` refuses what `issue` refuses, with the same error.
#[test]
fn issue_body_refuses_what_issue_refuses() {
    let key = Key::parse("appId.keyId:keySecret")
        .unwrap()
        .with_capability(
            Capability::new()
                .grant("chat:*", [crate::Operation::Subscribe])
                .unwrap(),
        );
    let issuer = TokenRequestIssuer::new(key);
    let too_long = Grant::new(
        None,
        Capability::all_channels(),
        Duration::from_secs(25 * 3600),
    );
    let elsewhere = Grant::new(
        None,
        Capability::new()
            .grant("other", [crate::Operation::Publish])
            .unwrap(),
        Duration::from_secs(60),
    );
    for grant in [too_long, elsewhere] {
        let by_body = now(issuer.issue_body(&grant)).unwrap_err();
        let by_credential = now(issuer.issue(&grant)).unwrap_err();
        assert_eq!(by_body.code(), by_credential.code());
        assert_eq!(by_body.status(), by_credential.status());
        assert_eq!(by_body.to_string(), by_credential.to_string());
    }
}

/// An issuer that implements only `issue` gets `issue_body` from its credential, for every
/// kind of credential; `Arc` forwards both.
#[test]
fn the_default_issue_body_is_the_credential_as_sent() {
    struct Fixed(Credential);
    impl TokenIssuer for Fixed {
        fn issue(&self, _: &Grant) -> impl Future<Output = Result<Credential>> + Send {
            std::future::ready(Ok(self.0.clone()))
        }
    }
    let details: TokenDetails = serde_json::from_str(
        r#"{"token":"xVLyHw.tok","expires":1700003600000,"issued":1700000000000}"#,
    )
    .unwrap();
    let grant = Grant::new(None, Capability::all_channels(), Duration::from_secs(60));
    for (credential, content_type, kind) in [
        (Credential::Jwt("a.b.c".into()), "application/jwt", "jwt"),
        (
            Credential::TokenDetails(details),
            "application/json",
            "token",
        ),
    ] {
        let expected = credential.to_body();
        for body in [
            now(Fixed(credential.clone()).issue_body(&grant)).unwrap(),
            now(Arc::new(Fixed(credential.clone())).issue_body(&grant)).unwrap(),
        ] {
            assert_eq!(body.body, expected);
            assert_eq!((body.content_type, body.kind), (content_type, kind));
        }
    }
}

/// A JWT through `issue_body` is the JWT `issue` signs, sent as `application/jwt`.
#[test]
fn jwt_issue_body_is_the_signed_jwt() {
    let issuer = JwtIssuer::new(Key::parse("appId.keyId:keySecret").unwrap())
        .with_clock(Arc::new(FixedClock::new(1_700_000_000_000)));
    let grant = Grant::new(
        Some(ClientId::new("alice").unwrap()),
        Capability::all_channels(),
        Duration::from_secs(60),
    );
    let body = now(issuer.issue_body(&grant)).unwrap();
    let Credential::Jwt(jwt) = now(issuer.issue(&grant)).unwrap() else {
        panic!("not a JWT");
    };
    assert_eq!((body.content_type, body.kind), ("application/jwt", "jwt"));
    assert_eq!(body.body, jwt);
    assert_eq!(body.body.split('.').count(), 3);
}
