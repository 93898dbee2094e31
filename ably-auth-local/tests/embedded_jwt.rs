//! The External-JWT mode: the route asks the local Ably endpoint for an Ably token and hands
//! it out inside a JWT signed with the app's own secret, as `application/jwt`.

mod common;

use ably_auth::jwt::{Hs256Secret, TokenPlacement};
use ably_auth::{Auth, AuthOptions, Capability, EmbeddedJwtIssuer, FixedClock, Key, Verifier};
use ably_auth_actix::TokenRoute;
use ably_auth_local::LocalAbly;
use actix_web::dev::Service;
use actix_web::{App, HttpServer, test};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::User;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const T0: u64 = 1_700_000_000_000;
const SECRET: &str = "the-app-own-secret-for-external-jwts";

fn key() -> Key {
    Key::parse("appId.keyId:embeddedJwtTestSecret").unwrap()
}

/// The local Ably endpoint on a port of its own, at `clock`, recording the body of every
/// `requestToken` it answers.
fn local_ably(
    key: Key,
    clock: Arc<FixedClock>,
) -> (
    String,
    Arc<Mutex<Vec<String>>>,
    actix_web::dev::ServerHandle,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let local = LocalAbly::new(key).with_clock(clock);
    let recorded = seen.clone();
    let server = HttpServer::new(move || {
        let recorded = recorded.clone();
        App::new()
            .wrap_fn(move |req, srv| {
                recorded.lock().unwrap().push(req.path().to_owned());
                srv.call(req)
            })
            .configure(local.configure())
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .unwrap();
    let url = format!("http://{}", server.addrs()[0]);
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (url, seen, handle)
}

/// HS256 by the `hmac` crate over `header.payload`, base64url without padding.
fn oracle_signature(secret: &[u8], signed: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(signed.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn ask(
    route: TokenRoute<User, EmbeddedJwtIssuer<ably_auth::AblyTokenIssuer>>,
) -> (u16, String, String) {
    let app = test::init_service(App::new().service(route)).await;
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/ably/jwt?ttl=60000")
            .insert_header(("x-user", "alice"))
            .to_request(),
    )
    .await;
    let status = response.status().as_u16();
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let body = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    (status, content_type, body)
}

#[actix_web::test]
async fn the_route_wraps_a_token_the_local_endpoint_issued() {
    let clock = Arc::new(FixedClock::new(T0));
    let (url, seen, handle) = local_ably(key(), clock.clone());
    let auth = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(&url)
        .with_clock(clock.clone());
    let issuer = EmbeddedJwtIssuer::ably_tokens(auth, Hs256Secret::new(SECRET).unwrap())
        .with_clock(clock.clone())
        .with_claims(|grant, jwt| {
            jwt.claim("sub", grant.client_id.as_ref().map(|c| c.as_str()))?
                .claim("aud", "chat-app")
        });
    let (status, content_type, jwt) = ask(TokenRoute::new("/ably/jwt", issuer)).await;
    assert_eq!(status, 200, "{jwt}");
    assert_eq!(content_type, "application/jwt");

    // The local endpoint answered one requestToken, for alice's grant narrowed to 60 s.
    assert_eq!(*seen.lock().unwrap(), ["/keys/appId.keyId/requestToken"]);

    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let (header, payload) = (decode(parts[0]), decode(parts[1]));
    let token = header["x-ably-token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("appId."), "{token}");
    assert_eq!(
        header,
        json!({"typ": "JWT", "alg": "HS256", "x-ably-token": token})
    );
    // The token expires with the local endpoint's answer: its clock plus the 60 s granted.
    assert_eq!(
        payload,
        json!({"iat": T0 / 1000, "exp": (T0 + 60_000) / 1000, "sub": "alice", "aud": "chat-app"})
    );
    assert_eq!(
        parts[2],
        oracle_signature(SECRET.as_bytes(), &format!("{}.{}", parts[0], parts[1]))
    );

    // The token is the local endpoint's: asking it again for the same grant gives another.
    let again = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(&url)
        .with_clock(clock.clone())
        .request_token(None, None)
        .await
        .unwrap();
    assert_ne!(again.token, token);

    // A verifier with the app's secret accepts it and hands back the embedded token.
    let verifier = Verifier::new()
        .with_clock(clock)
        .with_external_jwt_secret(Hs256Secret::new(SECRET).unwrap());
    let external = verifier.verify_external_jwt(&jwt).unwrap();
    assert_eq!(
        (external.token.as_str(), external.placement),
        (token.as_str(), TokenPlacement::Header)
    );
    assert!(external.check_embedded_expiry(T0 + 60_000).is_ok());
    assert_eq!(external.claims["sub"], "alice");
    handle.stop(true).await;
}

#[actix_web::test]
async fn the_one_line_route_with_system_clocks() {
    let local = LocalAbly::new(key()).start("127.0.0.1:0").unwrap();
    let auth = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(local.url());
    let route =
        TokenRoute::<User, _>::embedded_jwts("/ably/jwt", auth, Hs256Secret::new(SECRET).unwrap());
    let (status, content_type, jwt) = ask(route).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/jwt"),
        "{jwt}"
    );
    let parts: Vec<&str> = jwt.split('.').collect();
    let payload = decode(parts[1]);
    let (iat, exp) = (
        payload["iat"].as_u64().unwrap(),
        payload["exp"].as_u64().unwrap(),
    );
    assert!(exp > iat && exp - iat <= 60, "{payload}");
    assert_eq!(
        parts[2],
        oracle_signature(SECRET.as_bytes(), &format!("{}.{}", parts[0], parts[1]))
    );
    local.stop().await;
}

#[actix_web::test]
async fn an_ably_refusal_is_answered_as_an_error_not_a_jwt() {
    let restricted = key().with_capability(Capability::parse(r#"{"news":["subscribe"]}"#).unwrap());
    let local = LocalAbly::new(restricted).start("127.0.0.1:0").unwrap();
    let auth = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(local.url());
    let route =
        TokenRoute::<User, _>::embedded_jwts("/ably/jwt", auth, Hs256Secret::new(SECRET).unwrap());
    let (status, content_type, body) = ask(route).await;
    assert_eq!((status, content_type.as_str()), (401, "application/json"));
    let info = ably_auth::ErrorInfo::from_json(body.as_bytes()).unwrap();
    assert_eq!((info.code, info.status_code), (40160, 401));
    assert!(!body.contains(SECRET));
    local.stop().await;
}
