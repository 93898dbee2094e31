//! The field-splitting attack on the signed text, replayed end to end: a user signs in with a
//! line feed in their name, asks the token route for a TokenRequest, and presents it (and the
//! same MAC re-split into another clientId, timestamp and nonce) to the local Ably endpoint.
//! Every step refuses.

mod support;

use ably_auth::{AblyIdentity, FixedClock, Key, TokenRequest, TokenRequestIssuer};
use ably_auth_actix::{AblyError, TokenRoute};
use ably_auth_local::{LocalAbly, LocalAblyServer};
use actix_web::dev::Payload;
use actix_web::{App, FromRequest, HttpRequest, test};
use serde_json::Value;
use std::future::{Ready, ready};
use std::sync::Arc;
use support::{T0, http, oracle_mac};

fn key() -> Key {
    "appId.keyId:keySecret".parse().unwrap()
}

/// The signed-in user, named by a percent-encoded `x-user` header (a stand-in for a session
/// filled by a login form, which accepts any text).
#[derive(AblyIdentity)]
#[ably(grant("user:{client_id}" => [publish, subscribe]))]
struct User {
    #[ably(client_id)]
    name: String,
}

impl FromRequest for User {
    type Error = AblyError;
    type Future = Ready<Result<User, AblyError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let encoded = req.headers().get("x-user").unwrap().to_str().unwrap();
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&format!("name={encoded}")).unwrap();
        ready(Ok(User {
            name: pairs[0].1.clone(),
        }))
    }
}

fn encode(name: &str) -> String {
    serde_urlencoded::to_string([("n", name)]).unwrap()[2..].to_owned()
}

fn start_local() -> LocalAblyServer {
    LocalAbly::new(key())
        .with_clock(Arc::new(FixedClock::new(T0)))
        .start("127.0.0.1:0")
        .unwrap()
}

async fn redeem(url: &str, request: &TokenRequest) -> (u16, Value) {
    let response = http()
        .post(format!("{url}/keys/{}/requestToken", request.key_name))
        .header("content-type", "application/json")
        .body(request.to_json())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_str(&response.text().await.unwrap()).unwrap(),
    )
}

#[actix_web::test]
async fn a_line_feed_in_a_user_name_gets_no_credential_anywhere() {
    let local = start_local();
    let app = test::init_service(App::new().service(TokenRoute::<User, _>::new(
        "/token-request",
        TokenRequestIssuer::new(key()).with_clock(Arc::new(FixedClock::new(T0))),
    )))
    .await;
    let get = |name: &str| {
        test::TestRequest::get()
            .uri("/token-request")
            .insert_header(("x-user", encode(name)))
            .to_request()
    };

    // The honest path works: alice gets a TokenRequest the local endpoint redeems.
    let response = test::call_service(&app, get("alice")).await;
    assert_eq!(response.status(), 200);
    let honest: TokenRequest = test::read_body_json(response).await;
    let (status, details) = redeem(&local.url(), &honest).await;
    assert_eq!(status, 200, "{details}");
    assert_eq!(details["clientId"], "alice");

    // Step 1: sign in as `alice\n<T>`; the route signs nothing.
    let forged_time = T0 + 1;
    let attacker = format!("alice\n{forged_time}");
    let response = test::call_service(&app, get(&attacker)).await;
    let status = response.status().as_u16();
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    let body: Value = test::read_body_json(response).await;
    assert_eq!(
        (status, body["error"]["code"].as_u64()),
        (400, Some(40012)),
        "{body}"
    );
    assert!(body.get("mac").is_none());

    // Step 2: the request an unchecked signer would have made for that name (MACed by the
    // independent oracle), and the same MAC re-split into clientId `alice`, timestamp `T` and
    // nonce `<timestamp>\n<nonce>`. The local endpoint refuses both, and issues nothing.
    let nonce = "0123456789abcdef";
    let mut original = TokenRequest {
        key_name: key().name().to_owned(),
        ttl: None,
        capability: None,
        client_id: Some(attacker.clone()),
        timestamp: T0,
        nonce: nonce.into(),
        mac: String::new(),
    };
    original.mac = oracle_mac(&key(), &original);
    let resplit = TokenRequest {
        client_id: Some("alice".into()),
        timestamp: forged_time,
        nonce: format!("{T0}\n{nonce}"),
        ..original.clone()
    };
    assert_eq!(
        oracle_mac(&key(), &resplit),
        original.mac,
        "one text, two readings"
    );

    let (status, body) = redeem(&local.url(), &resplit).await;
    assert_eq!(
        (status, body["error"]["code"].as_u64()),
        (400, Some(40000)),
        "{body}"
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("nonce"));
    let (status, body) = redeem(&local.url(), &original).await;
    assert_eq!(
        (status, body["error"]["code"].as_u64()),
        (400, Some(40012)),
        "{body}"
    );
    // Neither was remembered as redeemed: both are refused the same way again.
    let (status, _) = redeem(&local.url(), &resplit).await;
    assert_eq!(status, 400);
    local.stop().await;
}
