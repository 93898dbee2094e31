//! The plans example (`examples/src/bin/plans.rs`, compiled here as it is): a `User { id, org,
//! plan }` found by `Authorization: Bearer <id>`, Free, Pro and Staff grants and ttls, a
//! suspended account refused, every credential route mounted by one `AblyRoutes`. Each plan's
//! capability is checked against the literal JSON it should be, on every route; MACs are
//! checked with `support::oracle_mac` and JWT signatures with the `hmac` crate, apart from
//! `ably-auth`. The Ably-token route talks to a stand-in for Ably's token endpoint that checks
//! the TokenRequest it is sent with the same oracle.

mod support;

#[allow(dead_code)]
#[path = "../../examples/src/bin/plans.rs"]
mod plans;

use ably_auth::{Auth, AuthOptions, Key, TokenDetails, TokenRequest};
use ably_auth_actix::testing::{self, RouteAnswer};
use actix_web::{App, HttpResponse, HttpServer, test, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use std::sync::{Arc, Mutex};

const SECRET: &str = "plansTestSecret";

fn key() -> Key {
    Key::parse(&format!("appId.plans:{SECRET}")).unwrap()
}

/// What each user may do, written out: (bearer token, clientId, capability, ttl in ms).
const FREE: (&str, &str, &str, u64) = (
    "1",
    "1",
    r#"{"org:acme:*":["history","subscribe"],"user:1":["publish"]}"#,
    600_000,
);
const PRO: (&str, &str, &str, u64) = (
    "2",
    "2",
    r#"{"org:acme:*":["history","presence","publish","subscribe"],"user:2":["publish"]}"#,
    3_600_000,
);
const STAFF: (&str, &str, &str, u64) = ("3", "3", r#"{"[*]*":["*"]}"#, 900_000);

/// A stand-in for Ably's `POST /keys/{keyName}/requestToken`: checks the TokenRequest's MAC
/// with the oracle and answers a TokenDetails carrying what was asked. Returns its base URL and
/// the requests it accepted.
fn fake_ably() -> (String, Arc<Mutex<Vec<TokenRequest>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let data = web::Data::new(seen.clone());
    let server = HttpServer::new(move || {
        App::new().app_data(data.clone()).route(
            "/keys/{key_name}/requestToken",
            web::post().to(
                |body: web::Bytes, seen: web::Data<Arc<Mutex<Vec<TokenRequest>>>>| async move {
                    let request = TokenRequest::from_json(&body).unwrap();
                    if support::oracle_mac(&key(), &request) != request.mac {
                        return HttpResponse::Unauthorized()
                            .json(serde_json::json!({"error": {"code": 40101, "statusCode": 401, "message": "mac"}}));
                    }
                    seen.lock().unwrap().push(request.clone());
                    let ttl = request.ttl.unwrap_or(3_600_000);
                    HttpResponse::Ok().json(TokenDetails {
                        token: format!("token-of-{}", request.client_id.clone().unwrap_or_default()),
                        issued: request.timestamp,
                        expires: request.timestamp + ttl,
                        capability: request.capability.clone(),
                        client_id: request.client_id.clone(),
                        key_name: Some(request.key_name.clone()),
                    })
                },
            ),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let url = format!("http://{}", server.addrs()[0]);
    actix_web::rt::spawn(server.run());
    (url, seen)
}

/// The JWT's claims, after checking its HS256 signature with the `hmac` crate.
fn jwt_claims(jwt: &str) -> Value {
    use hmac::{Hmac, KeyInit, Mac};
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap())
        .expect("the JWT is signed with the key secret");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(
        (header["alg"].as_str(), header["kid"].as_str()),
        (Some("HS256"), Some("appId.plans"))
    );
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

macro_rules! app {
    ($endpoint:expr) => {{
        let auth = Auth::new(AuthOptions::key(key()))
            .unwrap()
            .with_endpoint($endpoint);
        let routes = plans::routes(key(), auth, Arc::new(plans::Accounts::demo()));
        test::init_service(App::new().service(routes)).await
    }};
}

macro_rules! ask {
    ($app:expr, $path:expr, $token:expr) => {{
        let mut request = test::TestRequest::get().uri($path);
        if let Some(token) = $token {
            request = request.insert_header(("authorization", format!("Bearer {token}")));
        }
        testing::call(&$app, request.to_request()).await
    }};
}

fn assert_refused(answer: &RouteAnswer, code: u32, status: u16) {
    let err = answer.error();
    assert_eq!(
        (err.code, err.status_code, answer.status().as_u16()),
        (code, status, status),
        "{err}"
    );
    assert_eq!(answer.headers().get("cache-control").unwrap(), "no-store");
    assert!(!String::from_utf8_lossy(answer.body()).contains(SECRET));
}

#[actix_web::test]
async fn each_plan_gets_its_grant_on_every_route() {
    let (endpoint, seen) = fake_ably();
    let app = app!(&endpoint);
    for (token, client_id, capability, ttl) in [FREE, PRO, STAFF] {
        let answer = ask!(app, "/ably/token-request", Some(token));
        let request = answer.token_request();
        assert_eq!(request.mac, support::oracle_mac(&key(), request), "{token}");
        assert_eq!(request.key_name, "appId.plans");
        assert_eq!(request.client_id.as_deref(), Some(client_id));
        assert_eq!(request.capability.as_deref(), Some(capability));
        assert_eq!(request.ttl, Some(ttl));

        let answer = ask!(app, "/ably/jwt", Some(token));
        assert_eq!(
            answer.headers().get("content-type").unwrap(),
            "application/jwt"
        );
        let claims = jwt_claims(answer.jwt());
        assert_eq!(claims["x-ably-clientId"], client_id);
        assert_eq!(claims["x-ably-capability"], capability);
        let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
        assert_eq!(lifetime * 1000, ttl);

        let answer = ask!(app, "/ably/token", Some(token));
        let details = answer.token_details();
        assert_eq!(details.token, format!("token-of-{client_id}"));
        assert_eq!(details.capability.as_deref(), Some(capability));
        assert_eq!(details.expires - details.issued, ttl);
        let sent = seen.lock().unwrap().pop().expect("the route asked Ably");
        assert_eq!(sent.capability.as_deref(), Some(capability));
        assert_eq!(
            (sent.client_id.as_deref(), sent.ttl),
            (Some(client_id), Some(ttl))
        );
    }
}

#[actix_web::test]
async fn suspended_unknown_and_anonymous_users_get_nothing() {
    let (endpoint, seen) = fake_ably();
    let app = app!(&endpoint);
    for path in ["/ably/token-request", "/ably/jwt", "/ably/token"] {
        // User 4 is on Pro, and suspended: the builder's policy is on every route.
        assert_refused(&ask!(app, path, Some("4")), 40300, 403);
        let unknown = ask!(app, path, Some("99"));
        assert_refused(&unknown, 40100, 401);
        assert_eq!(
            unknown.headers().get("www-authenticate").unwrap(),
            r#"Bearer error="invalid_token""#
        );
        let anonymous = ask!(app, path, None::<&str>);
        assert_refused(&anonymous, 40100, 401);
        assert_eq!(
            anonymous.headers().get("www-authenticate").unwrap(),
            "Bearer"
        );
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing was asked of Ably");
}

#[actix_web::test]
async fn asking_for_more_than_the_plan_is_narrowed_to_it() {
    let (endpoint, _) = fake_ably();
    let app = app!(&endpoint);
    // Everything, for a day: Free gets its own grant and ttl.
    let everything = "/ably/token-request?capability=%7B%22*%22%3A%5B%22*%22%5D%7D&ttl=86400000";
    let request = ask!(app, everything, Some("1")).token_request().clone();
    assert_eq!(request.capability.as_deref(), Some(FREE.2));
    assert_eq!(request.ttl, Some(FREE.3));
    // Publishing on the organization's channels: Pro may, Free has nothing left (40160).
    let publish =
        "/ably/token-request?capability=%7B%22org%3Aacme%3Achat%22%3A%5B%22publish%22%5D%7D";
    let request = ask!(app, publish, Some("2")).token_request().clone();
    assert_eq!(
        request.capability.as_deref(),
        Some(r#"{"org:acme:chat":["publish"]}"#)
    );
    assert_eq!(request.mac, support::oracle_mac(&key(), &request));
    assert_refused(&ask!(app, publish, Some("1")), 40160, 403);
    // Another organization's channels: nothing in common with any plan but Staff.
    let other = "/ably/jwt?capability=%7B%22org%3Aglobex%3A*%22%3A%5B%22subscribe%22%5D%7D";
    assert_refused(&ask!(app, other, Some("2")), 40160, 403);
    let claims = jwt_claims(ask!(app, other, Some("3")).jwt());
    assert_eq!(
        claims["x-ably-capability"],
        r#"{"org:globex:*":["subscribe"]}"#
    );
}
