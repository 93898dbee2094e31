//! The token route's Ably-token mode against the local endpoint: TokenDetails fetched from
//! Ably's REST API, and Ably's refusals passed through.

mod common;

use ably_auth::{AblyTokenIssuer, Auth, AuthOptions, Capability, Key, TokenDetails};
use ably_auth_actix::TokenRoute;
use ably_auth_local::LocalAbly;
use actix_web::{App, test};
use common::{GRANT_OF_ALICE, User};
use std::time::Duration;

fn key() -> Key {
    Key::parse("appId.keyId:ablyTokenTestSecret").unwrap()
}

async fn ask(endpoint: &str) -> (u16, Vec<u8>) {
    let auth = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(endpoint)
        .with_timeout(Duration::from_secs(5));
    let app = test::init_service(App::new().service(TokenRoute::<User, _>::new(
        "/ably/token",
        AblyTokenIssuer::new(auth),
    )))
    .await;
    let response = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/ably/token")
            .insert_header(("x-user", "alice"))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("ttl=60000")
            .to_request(),
    )
    .await;
    let status = response.status().as_u16();
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    (status, test::read_body(response).await.to_vec())
}

fn error_code(body: &[u8]) -> (u32, u16) {
    let info = ably_auth::ErrorInfo::from_json(body)
        .unwrap_or_else(|| panic!("an Ably error: {}", String::from_utf8_lossy(body)));
    (info.code, info.status_code)
}

#[actix_web::test]
async fn token_details_from_ably() {
    let local = LocalAbly::new(key()).start("127.0.0.1:0").unwrap();
    let (status, body) = ask(&local.url()).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let details: TokenDetails = serde_json::from_slice(&body).unwrap();
    assert_eq!(details.client_id.as_deref(), Some("alice"));
    assert_eq!(details.capability.as_deref(), Some(GRANT_OF_ALICE));
    assert_eq!(details.expires - details.issued, 60_000);
    assert!(details.token.starts_with("appId."));
}

#[actix_web::test]
async fn ably_refusals_pass_through() {
    // The key can only subscribe to news: Ably itself refuses the grant with 40160.
    let restricted = key().with_capability(Capability::parse(r#"{"news":["subscribe"]}"#).unwrap());
    let local = LocalAbly::new(restricted).start("127.0.0.1:0").unwrap();
    let (status, body) = ask(&local.url()).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&body), (40160, 401));
}
