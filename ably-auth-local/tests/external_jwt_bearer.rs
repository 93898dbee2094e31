//! External JWTs (an Ably token or Ably JWT under `x-ably-token`, HS256 with the app's own
//! secret) as Bearer credentials on channel requests: accepted only with a configured secret,
//! with what the embedded token grants, refused with the token-error codes otherwise. The
//! JWTs are built here by hand (the `hmac` crate signs), so the endpoint is checked against
//! JWTs no `ably-auth` builder made, including ones the builder refuses to make.

use ably_auth::jwt::Hs256Secret;
use ably_auth::{Capability, FixedClock, Key, Signer, TokenParams};
use ably_auth_local::LocalAbly;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::{App, test};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const T0: u64 = 1_700_000_000_000;
const SECRET: &str = "the-app-own-secret-for-external-jwts";
const OTHER_SECRET: &str = "another-secret-of-the-app-32-bytes-long";
const KEY: &str = "appId.keyId:externalJwtKeySecret";

fn key() -> Key {
    Key::parse(KEY)
        .unwrap()
        .with_capability(Capability::everything())
        .with_revocable_tokens(true)
}

fn secret(text: &str) -> Hs256Secret {
    Hs256Secret::new(text).unwrap()
}

/// HS256 by the `hmac` crate: `header.payload.signature`, base64url without padding.
fn jws(secret: &[u8], header: &Value, payload: &Value) -> String {
    use hmac::{KeyInit, Mac};
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// An External JWT with `token` in its JOSE header, issued now (`now_ms`) and expiring at
/// `exp_ms`.
fn external(secret: &str, token: &str, now_ms: u64, exp_ms: u64) -> String {
    jws(
        secret.as_bytes(),
        &json!({"typ": "JWT", "alg": "HS256", "x-ably-token": token}),
        &json!({"iat": now_ms / 1000, "exp": exp_ms / 1000, "sub": "alice"}),
    )
}

struct Ably<S> {
    app: S,
    clock: Arc<FixedClock>,
}

impl<S> Ably<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
{
    /// `(status, X-Ably-ErrorCode)` of a request with `authorization`.
    async fn call(
        &self,
        method: &str,
        path: &str,
        authorization: &str,
        body: Option<Value>,
    ) -> (u16, Option<u32>, Value) {
        let mut request = match method {
            "GET" => test::TestRequest::get(),
            _ => test::TestRequest::post(),
        }
        .uri(path)
        .insert_header(("authorization", authorization.to_owned()));
        if let Some(body) = body {
            request = request.set_json(body);
        }
        let response = test::call_service(&self.app, request.to_request()).await;
        let status = response.status().as_u16();
        let code = response
            .headers()
            .get("x-ably-errorcode")
            .map(|v| v.to_str().unwrap().parse().unwrap());
        let body = test::read_body(response).await;
        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
        (status, code, body)
    }

    async fn publish(&self, channel: &str, authorization: &str) -> (u16, Option<u32>) {
        let (status, code, _) = self
            .call(
                "POST",
                &format!("/channels/{channel}/messages"),
                authorization,
                Some(json!({"name": "greeting", "data": "hello"})),
            )
            .await;
        (status, code)
    }

    /// A token minted by the endpoint for a TokenRequest signed by the key: clientId alice,
    /// publish on `chat:*`, 10 minutes.
    async fn mint(&self) -> Value {
        let params = TokenParams {
            ttl: Some(Duration::from_secs(600)),
            capability: Some(Capability::parse(r#"{"chat:*":["publish"]}"#).unwrap()),
            client_id: Some(ably_auth::ClientId::new("alice").unwrap()),
            timestamp: Some(self.clock_now()),
            ..TokenParams::default()
        };
        let signed = Signer::new(key()).sign(&params).unwrap();
        let request = test::TestRequest::post()
            .uri("/keys/appId.keyId/requestToken")
            .set_json(serde_json::to_value(&signed).unwrap())
            .to_request();
        let response = test::call_service(&self.app, request).await;
        assert_eq!(response.status(), 200);
        test::read_body_json(response).await
    }

    fn clock_now(&self) -> u64 {
        use ably_auth::Clock;
        self.clock.now_ms()
    }
}

async fn ably(
    local: impl FnOnce(LocalAbly) -> LocalAbly,
) -> Ably<impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>> {
    let clock = Arc::new(FixedClock::new(T0));
    let local = local(LocalAbly::new(key()).with_clock(clock.clone()));
    let app = test::init_service(App::new().configure(local.configure())).await;
    Ably { app, clock }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[actix_web::test]
async fn an_external_jwt_has_what_its_embedded_token_grants() {
    let ably = ably(|l| l.with_external_jwt_secret(secret(SECRET))).await;
    let token = ably.mint().await;
    let token = token["token"].as_str().unwrap();
    let expires = T0 + 600_000;
    let jwt = external(SECRET, token, T0, expires);
    assert_eq!(ably.publish("chat:lobby", &bearer(&jwt)).await, (201, None));
    // As the SDKs send it: base64 of the JWT.
    let encoded = bearer(&STANDARD.encode(&jwt));
    assert_eq!(ably.publish("chat:lobby", &encoded).await, (201, None));
    // The embedded token's capability: no publish on `news`, no history anywhere.
    assert_eq!(
        ably.publish("news", &bearer(&jwt)).await,
        (401, Some(40160))
    );
    let (status, code, _) = ably
        .call("GET", "/channels/chat:lobby/messages", &bearer(&jwt), None)
        .await;
    assert_eq!((status, code), (401, Some(40160)));
    // The embedded token's clientId: the message is alice's; another clientId is refused.
    let (status, code, _) = ably
        .call(
            "POST",
            "/channels/chat:lobby/messages",
            &bearer(&jwt),
            Some(json!({"name": "x", "clientId": "mallory"})),
        )
        .await;
    assert_eq!((status, code), (400, Some(40012)));
    let basic = format!("Basic {}", STANDARD.encode(KEY));
    let (status, _, history) = ably
        .call("GET", "/channels/chat:lobby/messages", &basic, None)
        .await;
    assert_eq!(status, 200);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert!(
        history.iter().all(|m| m["clientId"] == "alice"),
        "{history:?}"
    );

    // The token in the payload instead of the header works the same.
    let in_payload = jws(
        SECRET.as_bytes(),
        &json!({"typ": "JWT", "alg": "HS256"}),
        &json!({"iat": T0 / 1000, "exp": expires / 1000, "x-ably-token": token}),
    );
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&in_payload)).await,
        (201, None)
    );
}

#[actix_web::test]
async fn without_a_configured_secret_external_jwts_are_40144() {
    let ably = ably(|l| l).await;
    let token = ably.mint().await;
    let token = token["token"].as_str().unwrap();
    let jwt = external(SECRET, token, T0, T0 + 600_000);
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&jwt)).await,
        (401, Some(40144))
    );
    // The token alone works: it is the wrapping that is refused.
    assert_eq!(
        ably.publish("chat:lobby", &bearer(token)).await,
        (201, None)
    );
}

#[actix_web::test]
async fn bad_outer_jwts_are_40144() {
    let ably = ably(|l| l.with_external_jwt_secret(secret(SECRET))).await;
    let token = ably.mint().await;
    let token = token["token"].as_str().unwrap();
    let good = external(SECRET, token, T0, T0 + 600_000);
    // Another secret.
    let other = external(OTHER_SECRET, token, T0, T0 + 600_000);
    // A payload changed after signing (a later exp).
    let parts: Vec<&str> = good.split('.').collect();
    let later =
        URL_SAFE_NO_PAD.encode(json!({"iat": T0 / 1000, "exp": T0 / 1000 + 500}).to_string());
    let tampered = format!("{}.{later}.{}", parts[0], parts[2]);
    // A signature changed.
    let mut signature = parts[2].to_owned();
    let last = if signature.ends_with('A') { "B" } else { "A" };
    signature.replace_range(signature.len() - 1.., last);
    let resigned = format!("{}.{}.{signature}", parts[0], parts[1]);
    // An External JWT outliving its embedded token (which the builder refuses to make).
    let outliving = external(SECRET, token, T0, T0 + 601_000);
    // No exp.
    let no_exp = jws(
        SECRET.as_bytes(),
        &json!({"typ": "JWT", "alg": "HS256", "x-ably-token": token}),
        &json!({"iat": T0 / 1000}),
    );
    // An External JWT around another, signed by the key and naming it (so a plain Ably JWT
    // but for its own `x-ably-token`).
    let inner = jws(
        b"externalJwtKeySecret",
        &json!({"typ": "JWT", "alg": "HS256", "kid": "appId.keyId", "x-ably-token": token}),
        &json!({"iat": T0 / 1000, "exp": T0 / 1000 + 600, "x-ably-capability": r#"{"*":["*"]}"#}),
    );
    let nested = jws(
        SECRET.as_bytes(),
        &json!({"typ": "JWT", "alg": "HS256", "x-ably-token": inner}),
        &json!({"iat": T0 / 1000, "exp": T0 / 1000 + 60}),
    );
    for (what, jwt) in [
        ("another secret", &other),
        ("tampered payload", &tampered),
        ("tampered signature", &resigned),
        ("outliving its token", &outliving),
        ("no exp", &no_exp),
        ("nested", &nested),
    ] {
        assert_eq!(
            ably.publish("chat:lobby", &bearer(jwt)).await,
            (401, Some(40144)),
            "{what}"
        );
    }
    // A token this endpoint never minted, well wrapped: unrecognised.
    let unknown = external(SECRET, "appId.notMintedHere", T0, T0 + 60_000);
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&unknown)).await,
        (401, Some(40143))
    );
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&good)).await,
        (201, None)
    );
}

#[actix_web::test]
async fn several_secrets_are_accepted() {
    let ably = ably(|l| {
        l.with_external_jwt_secret(secret(SECRET))
            .with_external_jwt_secret(secret(OTHER_SECRET))
    })
    .await;
    let token = ably.mint().await;
    let token = token["token"].as_str().unwrap();
    for s in [SECRET, OTHER_SECRET] {
        let jwt = external(s, token, T0, T0 + 600_000);
        assert_eq!(ably.publish("chat:lobby", &bearer(&jwt)).await, (201, None));
    }
    let third = external(
        "a-third-secret-nobody-configured-here",
        token,
        T0,
        T0 + 600_000,
    );
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&third)).await,
        (401, Some(40144))
    );
}

#[actix_web::test]
async fn expired_outer_jwts_are_40142() {
    let ably = ably(|l| l.with_external_jwt_secret(secret(SECRET))).await;
    let token = ably.mint().await;
    let token = token["token"].as_str().unwrap().to_owned();
    let jwt = external(SECRET, &token, T0, T0 + 60_000);
    assert_eq!(ably.publish("chat:lobby", &bearer(&jwt)).await, (201, None));
    ably.clock.advance(Duration::from_secs(61));
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&jwt)).await,
        (401, Some(40142))
    );
    // The embedded token itself is still good for 9 minutes.
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&token)).await,
        (201, None)
    );
}

#[actix_web::test]
async fn a_revoked_embedded_token_is_40141() {
    let ably = ably(|l| l.with_external_jwt_secret(secret(SECRET))).await;
    let token = ably.mint().await;
    let token = token["token"].as_str().unwrap().to_owned();
    let jwt = external(SECRET, &token, T0, T0 + 600_000);
    assert_eq!(ably.publish("chat:lobby", &bearer(&jwt)).await, (201, None));
    ably.clock.advance(Duration::from_secs(1));
    let basic = format!("Basic {}", STANDARD.encode(KEY));
    let (status, _, answer) = ably
        .call(
            "POST",
            "/keys/appId.keyId/revokeTokens",
            &basic,
            Some(json!({"targets": ["clientId:alice"]})),
        )
        .await;
    assert_eq!(
        (status, &answer["successCount"]),
        (201, &json!(1)),
        "{answer}"
    );
    // A fresh JWT around the revoked token is refused too: the revocation is the token's.
    let fresh = external(SECRET, &token, T0 + 1_000, T0 + 600_000);
    for jwt in [&jwt, &fresh, &token] {
        assert_eq!(
            ably.publish("chat:lobby", &bearer(jwt)).await,
            (401, Some(40141))
        );
    }
}

#[actix_web::test]
async fn an_embedded_ably_jwt_is_verified_with_its_key() {
    let ably = ably(|l| l.with_external_jwt_secret(secret(SECRET))).await;
    let (iat, exp) = (T0 / 1000, T0 / 1000 + 600);
    let ably_jwt = |secret: &[u8]| {
        jws(
            secret,
            &json!({"typ": "JWT", "alg": "HS256", "kid": "appId.keyId"}),
            &json!({
                "iat": iat,
                "exp": exp,
                "x-ably-capability": r#"{"chat:*":["publish"]}"#,
                "x-ably-clientId": "bob",
            }),
        )
    };
    let wrap = |inner: &str, exp: u64| {
        jws(
            SECRET.as_bytes(),
            &json!({"typ": "JWT", "alg": "HS256", "x-ably-token": inner}),
            &json!({"iat": iat, "exp": exp}),
        )
    };
    let signed_by_key = ably_jwt(b"externalJwtKeySecret");
    let good = wrap(&signed_by_key, exp - 60);
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&good)).await,
        (201, None)
    );
    assert_eq!(
        ably.publish("news", &bearer(&good)).await,
        (401, Some(40160))
    );
    // An embedded Ably JWT not signed by the key; an External JWT outliving its Ably JWT.
    let forged = wrap(&ably_jwt(b"not-the-key-secret"), exp - 60);
    let outliving = wrap(&signed_by_key, exp + 60);
    for (what, jwt) in [("forged", forged), ("outliving", outliving)] {
        assert_eq!(
            ably.publish("chat:lobby", &bearer(&jwt)).await,
            (401, Some(40144)),
            "{what}"
        );
    }
    // The outer expiry bounds the grant: after it, 40142 though the Ably JWT lives on.
    ably.clock.advance(Duration::from_secs(541));
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&good)).await,
        (401, Some(40142))
    );
    assert_eq!(
        ably.publish("chat:lobby", &bearer(&signed_by_key)).await,
        (201, None)
    );
}
