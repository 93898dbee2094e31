//! Per-user rate limits on the credential routes, through test apps: 429 with Ably code 42910
//! and `Retry-After`, a budget per clientId, recovery after the period, the cap on tracked
//! users, limits that add up, and a refused request that costs nothing downstream.

mod common;

use ably_auth::{
    AblyIdentity, Capability, Credential, Error, Grant, JwtIssuer, Key, TokenIssuer,
    TokenRequestIssuer,
};
use ably_auth_actix::{AblyError, AblyRoutes, Issued, RateLimiter, TokenRoute, credential_handler};
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, test, web};
use common::User;
use std::future::{Ready, ready};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn key() -> Key {
    Key::parse("appId.keyId:rateLimitSecret").unwrap()
}

fn limit(requests: u32, period: Duration) -> RateLimiter {
    RateLimiter::per_user(requests, period).unwrap()
}

/// A GET of `path` by the signed-in user `user`.
macro_rules! get {
    ($path:expr, $user:expr) => {
        test::TestRequest::get()
            .uri($path)
            .insert_header(("x-user", $user))
            .to_request()
    };
}

fn header<'a>(response: &'a ServiceResponse, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

/// Asserts Ably's rate-limit answer, read with serde_json (not with this crate's types), and
/// returns its `Retry-After` in seconds.
fn assert_limited(response: ServiceResponse) -> u64 {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&response, "x-ably-errorcode"), Some("42910"));
    assert_eq!(header(&response, "cache-control"), Some("no-store"));
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    let retry_after: u64 = header(&response, "retry-after")
        .expect("a Retry-After header")
        .parse()
        .expect("Retry-After in whole seconds");
    let body = response.into_body().try_into_bytes().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], 42910, "{body}");
    assert_eq!(body["error"]["statusCode"], 429, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("retry in {retry_after} s")),
        "{message}"
    );
    retry_after
}

#[actix_web::test]
async fn over_the_limit_is_429_with_42910_and_retry_after() {
    let app = test::init_service(App::new().service(
        TokenRoute::<User, _>::jwts("/jwt", key()).rate_limit(limit(2, Duration::from_secs(60))),
    ))
    .await;
    for _ in 0..2 {
        let response = test::call_service(&app, get!("/jwt", "alice")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "retry-after"), None);
    }
    // Two per minute: the next one is allowed 30 s after the first two.
    let response = test::call_service(&app, get!("/jwt", "alice")).await;
    assert_eq!(assert_limited(response), 30);
    // POST counts the same.
    let post = test::TestRequest::post()
        .uri("/jwt")
        .insert_header(("x-user", "alice"))
        .to_request();
    assert_limited(test::call_service(&app, post).await);
}

#[actix_web::test]
async fn a_custom_error_renderer_keeps_retry_after() {
    let app = test::init_service(
        App::new().service(
            TokenRoute::<User, _>::jwts("/jwt", key())
                .rate_limit(limit(1, Duration::from_secs(10)))
                .error_body(|_req, err: &Error| {
                    HttpResponse::build(StatusCode::from_u16(err.status()).unwrap())
                        .json(serde_json::json!({ "problem": err.code() }))
                }),
        ),
    )
    .await;
    assert_eq!(
        test::call_service(&app, get!("/jwt", "alice"))
            .await
            .status(),
        200
    );
    let response = test::call_service(&app, get!("/jwt", "alice")).await;
    assert_eq!(response.status(), 429);
    assert_eq!(header(&response, "retry-after"), Some("10"));
    assert_eq!(header(&response, "cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn each_user_has_their_own_budget() {
    let app = test::init_service(App::new().service(
        TokenRoute::<User, _>::jwts("/jwt", key()).rate_limit(limit(1, Duration::from_secs(60))),
    ))
    .await;
    assert_eq!(
        test::call_service(&app, get!("/jwt", "alice"))
            .await
            .status(),
        200
    );
    assert_limited(test::call_service(&app, get!("/jwt", "alice")).await);
    assert_eq!(
        test::call_service(&app, get!("/jwt", "bob")).await.status(),
        200
    );
    assert_limited(test::call_service(&app, get!("/jwt", "bob")).await);
    assert_limited(test::call_service(&app, get!("/jwt", "alice")).await);
}

#[actix_web::test]
async fn the_budget_comes_back_after_the_period() {
    let app = test::init_service(App::new().service(
        TokenRoute::<User, _>::jwts("/jwt", key()).rate_limit(limit(2, Duration::from_millis(400))),
    ))
    .await;
    for _ in 0..2 {
        assert_eq!(
            test::call_service(&app, get!("/jwt", "alice"))
                .await
                .status(),
            200
        );
    }
    // 200 ms to wait, rounded up to whole seconds.
    assert_eq!(
        assert_limited(test::call_service(&app, get!("/jwt", "alice")).await),
        1
    );
    actix_web::rt::time::sleep(Duration::from_millis(450)).await;
    for _ in 0..2 {
        assert_eq!(
            test::call_service(&app, get!("/jwt", "alice"))
                .await
                .status(),
            200
        );
    }
    assert_limited(test::call_service(&app, get!("/jwt", "alice")).await);
}

#[actix_web::test]
async fn the_tracked_users_are_capped_and_idle_ones_make_room() {
    let limiter = limit(1, Duration::from_millis(300)).max_users(2);
    let app = test::init_service(
        App::new().service(TokenRoute::<User, _>::jwts("/jwt", key()).rate_limit(limiter.clone())),
    )
    .await;
    assert_eq!(
        test::call_service(&app, get!("/jwt", "alice"))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&app, get!("/jwt", "bob")).await.status(),
        200
    );
    // Full of users who are not idle: a newcomer is refused, never let through untracked.
    assert_eq!(
        assert_limited(test::call_service(&app, get!("/jwt", "carol")).await),
        1
    );
    assert_eq!(limiter.tracked_users(), 2);
    // Once alice and bob are idle, carol takes a place; the table stays within its cap.
    actix_web::rt::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(
        test::call_service(&app, get!("/jwt", "carol"))
            .await
            .status(),
        200
    );
    assert_limited(test::call_service(&app, get!("/jwt", "carol")).await);
    assert_eq!(limiter.tracked_users(), 1);
    // Forgetting an idle user changed nothing for them: a whole budget, as before.
    assert_eq!(
        test::call_service(&app, get!("/jwt", "alice"))
            .await
            .status(),
        200
    );
    assert_limited(test::call_service(&app, get!("/jwt", "alice")).await);
    assert_eq!(limiter.tracked_users(), 2);
}

#[actix_web::test]
async fn clones_share_one_budget_across_workers() {
    let limiter = limit(1, Duration::from_secs(60));
    let worker = |limiter: RateLimiter| {
        App::new().service(TokenRoute::<User, _>::jwts("/jwt", key()).rate_limit(limiter))
    };
    let first = test::init_service(worker(limiter.clone())).await;
    let second = test::init_service(worker(limiter.clone())).await;
    assert_eq!(
        test::call_service(&first, get!("/jwt", "alice"))
            .await
            .status(),
        200
    );
    assert_limited(test::call_service(&second, get!("/jwt", "alice")).await);
}

#[actix_web::test]
async fn limits_add_up_and_the_stricter_decides() {
    let app_wide = limit(1, Duration::from_secs(60));
    let app = test::init_service(
        App::new()
            .service(
                TokenRoute::<User, _>::jwts("/two-limits", key())
                    .rate_limit(limit(5, Duration::from_secs(60)))
                    .rate_limit(limit(1, Duration::from_secs(60))),
            )
            .service(
                web::scope("/common")
                    .app_data(app_wide.clone())
                    .service(
                        TokenRoute::<User, _>::jwts("/jwt", key())
                            .rate_limit(limit(5, Duration::from_secs(60))),
                    )
                    .service(TokenRoute::<User, _>::token_requests(
                        "/token-request",
                        key(),
                    )),
            ),
    )
    .await;
    assert_eq!(
        test::call_service(&app, get!("/two-limits", "alice"))
            .await
            .status(),
        200
    );
    assert_limited(test::call_service(&app, get!("/two-limits", "alice")).await);
    // The scope's limit is one budget for both routes under it, under the route's own.
    assert_eq!(
        test::call_service(&app, get!("/common/jwt", "bob"))
            .await
            .status(),
        200
    );
    assert_limited(test::call_service(&app, get!("/common/token-request", "bob")).await);
    assert_limited(test::call_service(&app, get!("/common/jwt", "bob")).await);
}

/// An issuer that counts what it is asked for.
struct Counting(Arc<AtomicUsize>, JwtIssuer);

impl TokenIssuer for Counting {
    fn issue(&self, grant: &Grant) -> impl Future<Output = ably_auth::Result<Credential>> + Send {
        self.0.fetch_add(1, Ordering::SeqCst);
        self.1.issue(grant)
    }
}

#[actix_web::test]
async fn a_refused_request_reaches_neither_the_policies_nor_the_issuer() {
    let issued = Arc::new(AtomicUsize::new(0));
    let policed = Arc::new(AtomicUsize::new(0));
    let seen = policed.clone();
    let app = test::init_service(
        App::new().service(
            TokenRoute::<User, _>::new("/jwt", Counting(issued.clone(), JwtIssuer::new(key())))
                .rate_limit(limit(1, Duration::from_secs(60)))
                .policy(move |_: &HttpRequest, _: &User, grant: Grant| {
                    seen.fetch_add(1, Ordering::SeqCst);
                    Ok(grant)
                }),
        ),
    )
    .await;
    assert_eq!(
        test::call_service(&app, get!("/jwt", "alice"))
            .await
            .status(),
        200
    );
    for _ in 0..3 {
        assert_limited(test::call_service(&app, get!("/jwt", "alice")).await);
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    assert_eq!(policed.load(Ordering::SeqCst), 1);
    // No signed-in user: refused before the limit, which does not count it.
    let anonymous = test::TestRequest::get().uri("/jwt").to_request();
    assert_eq!(test::call_service(&app, anonymous).await.status(), 401);
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

/// A visitor whose grant has no clientId.
struct Visitor;

impl AblyIdentity for Visitor {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        Ok(Grant::new(
            None,
            Capability::new().grant("lobby", [ably_auth::Operation::Subscribe])?,
            Duration::from_secs(600),
        ))
    }
}

impl FromRequest for Visitor {
    type Error = AblyError;
    type Future = Ready<Result<Visitor, AblyError>>;
    fn from_request(_: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Visitor))
    }
}

#[actix_web::test]
async fn grants_without_a_client_id_share_one_budget() {
    let app = test::init_service(
        App::new().service(
            TokenRoute::<Visitor, _>::token_requests("/visitor", key())
                .rate_limit(limit(2, Duration::from_secs(60))),
        ),
    )
    .await;
    for who in ["one", "two"] {
        let response = test::call_service(&app, get!("/visitor", who)).await;
        assert_eq!(response.status(), 200);
    }
    assert_limited(test::call_service(&app, get!("/visitor", "three")).await);
}

#[actix_web::test]
async fn handlers_of_your_own_are_limited_by_a_limiter_in_app_data() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(TokenRequestIssuer::new(key())))
            .app_data(web::Data::new(limit(1, Duration::from_secs(60))))
            .route(
                "/handler",
                web::get().to(credential_handler::<User, TokenRequestIssuer>),
            )
            .route(
                "/issued",
                web::get().to(|issued: Issued<User, TokenRequestIssuer>| async move { issued }),
            ),
    )
    .await;
    assert_eq!(
        test::call_service(&app, get!("/handler", "alice"))
            .await
            .status(),
        200
    );
    assert_limited(test::call_service(&app, get!("/handler", "alice")).await);
    assert_eq!(
        test::call_service(&app, get!("/issued", "bob"))
            .await
            .status(),
        200
    );
    assert_limited(test::call_service(&app, get!("/issued", "bob")).await);
}

#[actix_web::test]
async fn a_limit_on_the_builder_applies_to_each_of_its_routes_with_one_budget() {
    let routes = AblyRoutes::<User>::new(key())
        .rate_limit(limit(2, Duration::from_secs(60)))
        .token_requests("/token-request")
        .jwts("/jwt");
    // Two workers, each with a clone of the builder: one budget still.
    let first = test::init_service(App::new().service(routes.clone())).await;
    let second = test::init_service(App::new().service(routes)).await;
    assert_eq!(
        test::call_service(&first, get!("/token-request", "alice"))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&second, get!("/jwt", "alice"))
            .await
            .status(),
        200
    );
    assert_eq!(
        assert_limited(test::call_service(&first, get!("/jwt", "alice")).await),
        30
    );
    assert_limited(test::call_service(&second, get!("/token-request", "alice")).await);
    assert_eq!(
        test::call_service(&first, get!("/jwt", "bob"))
            .await
            .status(),
        200
    );
}

#[actix_web::test]
async fn two_limits_on_the_builder_combine_by_the_stricter() {
    for routes in [
        AblyRoutes::<User>::new(key())
            .rate_limit(limit(5, Duration::from_secs(60)))
            .rate_limit(limit(1, Duration::from_secs(60)))
            .jwts("/jwt"),
        // Set after the route, and the other way round: the same.
        AblyRoutes::<User>::new(key())
            .jwts("/jwt")
            .rate_limit(limit(1, Duration::from_secs(60)))
            .rate_limit(limit(5, Duration::from_secs(60))),
    ] {
        let app = test::init_service(App::new().service(routes)).await;
        assert_eq!(
            test::call_service(&app, get!("/jwt", "alice"))
                .await
                .status(),
            200
        );
        assert_limited(test::call_service(&app, get!("/jwt", "alice")).await);
    }
}

#[actix_web::test]
async fn a_builder_with_a_bearer_lookup_limits_the_user_it_finds() {
    let routes = AblyRoutes::<User>::new(key())
        .bearer(|token: &str, _: &HttpRequest| Ok::<_, Error>(User(token.to_owned())))
        .rate_limit(limit(1, Duration::from_secs(60)))
        .jwts("/jwt");
    let app = test::init_service(App::new().service(routes)).await;
    let bearer = |who: &str| {
        test::TestRequest::get()
            .uri("/jwt")
            .insert_header(("authorization", format!("Bearer {who}")))
            .to_request()
    };
    assert_eq!(
        test::call_service(&app, bearer("alice")).await.status(),
        200
    );
    assert_limited(test::call_service(&app, bearer("alice")).await);
    assert_eq!(test::call_service(&app, bearer("bob")).await.status(), 200);
}
