//! `AblyRoutes`: every route of a user type with one policy, the user lookups (a closure, a
//! bearer token, async with app data), and the policies' order, through test apps read with
//! `ably_auth_actix::testing`.

mod common;

use ably_auth::{
    AblyIdentity, Capability, ClientId, Error, FixedClock, Grant, JwtIssuer, Key, Operation::*,
    TokenRequestIssuer, Verifier,
};
use ably_auth_actix::adapters::{Lookup, UserLookup, bearer_token};
use ably_auth_actix::testing::{self, RouteAnswer};
use ably_auth_actix::{AblyError, AblyRoutes, GrantPolicy, Issued, Issuers};
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "appId.keyId:routesTestSecret";
const NOW: u64 = 1_700_000_000_000;

fn key() -> Key {
    Key::parse(KEY).unwrap()
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(NOW))
}

fn issuers() -> Issuers<TokenRequestIssuer, JwtIssuer> {
    Issuers {
        token_requests: TokenRequestIssuer::new(key()).with_clock(clock()),
        jwts: JwtIssuer::new(key()).with_clock(clock()),
    }
}

fn verifier() -> Verifier {
    Verifier::new().with_clock(clock()).with_key(key())
}

/// A user that is not an extractor: found by a lookup.
struct Member {
    id: u64,
    banned: bool,
}

/// `chat:*` to read, `user:{id}` to write, for an hour.
const MEMBER_7: &str = r#"{"chat:*":["history","subscribe"],"user:7":["publish","subscribe"]}"#;

impl AblyIdentity for Member {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        let own = ably_auth::channel_name(["user:", &self.id.to_string()])?;
        Ok(Grant::new(
            Some(ClientId::new(self.id.to_string())?),
            Capability::new()
                .grant("chat:*", [Subscribe, History])?
                .grant(own, [Publish, Subscribe])?,
            Duration::from_secs(3600),
        ))
    }
}

/// The members' store: `Bearer <id>`, 13 is banned, 404 unknown.
fn member(token: &str, _: &HttpRequest) -> Result<Member, Error> {
    match token.parse::<u64>() {
        Ok(404) | Err(_) => Err(Error::Unauthorized("no member has this token".into())),
        Ok(id) => Ok(Member {
            id,
            banned: id == 13,
        }),
    }
}

fn refuse_banned(_: &HttpRequest, member: &Member, grant: Grant) -> Result<Grant, Error> {
    if member.banned {
        return Err(Error::Forbidden("this member is banned".into()));
    }
    Ok(grant)
}

/// Sends a `TestRequest` to the app and reads the answer.
macro_rules! call {
    ($app:expr, $request:expr) => {
        testing::call(&$app, $request.to_request()).await
    };
}

fn get(path: &str, token: &str) -> test::TestRequest {
    test::TestRequest::get()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
}

fn assert_refused(answer: &RouteAnswer, code: u32, status: u16) {
    let err = answer.error();
    assert_eq!((err.code, err.status_code), (code, status), "{err}");
    assert_eq!(answer.status().as_u16(), status);
    assert_eq!(answer.headers().get("cache-control").unwrap(), "no-store");
    assert_eq!(
        answer.headers().get("x-ably-errorcode").unwrap(),
        code.to_string().as_str()
    );
    assert!(!String::from_utf8_lossy(answer.body()).contains("routesTestSecret"));
}

#[actix_web::test]
async fn every_route_of_the_builder_issues_for_the_same_user() {
    let routes = AblyRoutes::<Member>::new(issuers())
        .bearer(member)
        .policy(refuse_banned)
        .token_requests("/ably/token-request")
        .jwts("/ably/jwt")
        .route("/ably/other-jwt", JwtIssuer::new(key()).with_clock(clock()));
    let app = test::init_service(App::new().service(routes)).await;

    let answer = call!(app, get("/ably/token-request", "7"));
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers().get("cache-control").unwrap(), "no-store");
    let request = answer.token_request();
    assert_eq!(request.client_id.as_deref(), Some("7"));
    assert_eq!(request.capability.as_deref(), Some(MEMBER_7));
    assert_eq!((request.ttl, request.timestamp), (Some(3_600_000), NOW));
    assert_eq!(
        answer.verify(&verifier()).unwrap().capability.to_json(),
        MEMBER_7
    );

    for path in ["/ably/jwt", "/ably/other-jwt"] {
        let answer = call!(app, get(path, "7"));
        assert_eq!(
            answer.headers().get("content-type").unwrap(),
            "application/jwt"
        );
        let granted = answer.verify(&verifier()).unwrap();
        assert_eq!(granted.capability.to_json(), MEMBER_7, "{path}");
        assert_eq!(granted.client_id.unwrap().as_str(), "7");
        assert_eq!(granted.expires - granted.issued, 3_600_000);
    }

    // The policy is on every route, the last one added included.
    for path in ["/ably/token-request", "/ably/jwt", "/ably/other-jwt"] {
        let answer = call!(app, get(path, "13"));
        assert_refused(&answer, 40300, 403);
        assert!(answer.headers().get("www-authenticate").is_none(), "{path}");
    }
}

#[actix_web::test]
async fn options_apply_to_routes_added_before_and_after_them() {
    let routes = AblyRoutes::<Member>::new(key())
        .token_requests("/before")
        .bearer(member)
        .policy(refuse_banned)
        .error_body(|_, err: &Error| {
            HttpResponse::build(StatusCode::from_u16(err.status()).unwrap())
                .json(serde_json::json!({ "problem": err.code() }))
        })
        .jwts("/after");
    let app = test::init_service(App::new().service(routes.clone())).await;
    for path in ["/before", "/after"] {
        let answer = call!(app, get(path, "13"));
        assert_eq!(answer.status(), 403);
        assert_eq!(answer.body(), br#"{"problem":40300}"#, "{path}");
        assert_eq!(answer.headers().get("cache-control").unwrap(), "no-store");
    }
}

#[actix_web::test]
async fn methods_are_those_of_a_token_route() {
    let routes = AblyRoutes::<Member>::new(issuers())
        .bearer(member)
        .token_requests("/ably/token-request");
    let app = test::init_service(App::new().configure(routes.configure())).await;
    let post = test::TestRequest::post()
        .uri("/ably/token-request")
        .insert_header(("authorization", "Bearer 7"))
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload("ttl=60000");
    assert_eq!(call!(app, post).token_request().ttl, Some(60_000));
    let options = test::call_service(
        &app,
        test::TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/ably/token-request")
            .to_request(),
    )
    .await;
    assert_eq!(options.status(), 204);
    let put = test::TestRequest::put()
        .uri("/ably/token-request")
        .insert_header(("authorization", "Bearer 7"));
    assert_refused(&call!(app, put), 40500, 405);
}

#[actix_web::test]
async fn a_missing_or_malformed_bearer_token_is_401_with_the_challenge() {
    let routes = AblyRoutes::<Member>::new(key())
        .bearer(member)
        .token_requests("/t");
    let app = test::init_service(App::new().service(routes)).await;

    let answer = call!(app, test::TestRequest::get().uri("/t"));
    assert_refused(&answer, 40100, 401);
    assert_eq!(answer.headers().get("www-authenticate").unwrap(), "Bearer");

    let invalid = r#"Bearer error="invalid_token""#;
    for header in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Bearer a=b",
        "Bearer ===",
        "Bearer 7,8",
        "Token 7",
    ] {
        let request = test::TestRequest::get()
            .uri("/t")
            .insert_header(("authorization", header));
        let answer = call!(app, request);
        assert_refused(&answer, 40100, 401);
        assert_eq!(
            answer.headers().get("www-authenticate").unwrap(),
            invalid,
            "{header}"
        );
        // One message for every malformed header, repeating none of it.
        assert_eq!(
            answer.error().message,
            "unauthorized: the Authorization header is not `Bearer <token>` with a token of letters, digits and -._~+/ (then = padding)",
            "{header}"
        );
    }
    // Two Authorization headers: which one is meant is unclear.
    let request = test::TestRequest::get()
        .uri("/t")
        .append_header(("authorization", "Bearer 7"))
        .append_header(("authorization", "Bearer 8"));
    assert_refused(&call!(app, request), 40100, 401);

    // A well-formed token the lookup does not know: the lookup's 401, with the challenge.
    let answer = call!(app, get("/t", "404"));
    assert_refused(&answer, 40100, 401);
    assert_eq!(answer.headers().get("www-authenticate").unwrap(), invalid);
    assert_eq!(
        answer.error().message,
        "unauthorized: no member has this token"
    );

    // Scheme in any case, several spaces, padding and the b64token characters.
    for header in ["bearer 7", "BEARER   7", "Bearer 7"] {
        let request = test::TestRequest::get()
            .uri("/t")
            .insert_header(("authorization", header));
        assert_eq!(
            call!(app, request).token_request().client_id.as_deref(),
            Some("7")
        );
    }
}

#[actix_web::test]
async fn lookups_sync_and_async_with_app_data() {
    struct Store(Vec<u64>);
    let sync = AblyRoutes::<Member>::new(key())
        .lookup(|req: &HttpRequest| -> Result<Member, AblyError> {
            let id = req
                .headers()
                .get("x-member")
                .and_then(|v| v.to_str().ok()?.parse().ok())
                .ok_or_else(|| Error::Unauthorized("sign in first".into()))?;
            Ok(Member { id, banned: false })
        })
        .token_requests("/sync");
    let with_data = AblyRoutes::<Member>::new(key())
        .user_lookup(UserLookup::with_data(
            |store: web::Data<Store>, req: HttpRequest| async move {
                let id: u64 = bearer_token(&req)?.parse().unwrap_or(0);
                match store.0.contains(&id) {
                    true => Ok(Member { id, banned: false }),
                    false => Err(Error::Unauthorized("unknown member".into())),
                }
            },
        ))
        .token_requests("/async");
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(Store(vec![7])))
            .service(sync)
            .service(with_data),
    )
    .await;
    let answer = call!(
        app,
        test::TestRequest::get()
            .uri("/sync")
            .insert_header(("x-member", "7"))
    );
    assert_eq!(answer.token_request().capability.as_deref(), Some(MEMBER_7));
    let answer = call!(app, test::TestRequest::get().uri("/sync"));
    assert_refused(&answer, 40100, 401);
    // No bearer token was asked for: no challenge.
    assert!(answer.headers().get("www-authenticate").is_none());

    assert_eq!(
        call!(app, get("/async", "7"))
            .token_request()
            .client_id
            .as_deref(),
        Some("7")
    );
    let answer = call!(app, get("/async", "8"));
    assert_refused(&answer, 40100, 401);
    assert_eq!(
        answer.headers().get("www-authenticate").unwrap(),
        r#"Bearer error="invalid_token""#
    );
}

#[actix_web::test]
async fn a_lookup_without_its_app_data_is_a_clear_500() {
    struct Store;
    let routes = AblyRoutes::<Member>::new(key())
        .user_lookup(UserLookup::with_data(
            |_: web::Data<Store>, _: HttpRequest| async {
                Ok::<_, Error>(Member {
                    id: 1,
                    banned: false,
                })
            },
        ))
        .token_requests("/t");
    let app = test::init_service(App::new().service(routes)).await;
    let answer = call!(app, get("/t", "1"));
    assert_refused(&answer, 50000, 500);
    assert!(
        answer.error().message.contains("web::Data<"),
        "{}",
        answer.error()
    );
    assert!(
        answer.error().message.contains("Store"),
        "{}",
        answer.error()
    );
}

#[actix_web::test]
async fn the_builders_policy_is_narrowed_by_app_wide_ones() {
    // The builder's policy adds a beta channel; the app-wide policy keeps only `chat:*`.
    let routes = AblyRoutes::<Member>::new(issuers())
        .bearer(member)
        .policy(|_: &HttpRequest, _: &Member, mut grant: Grant| {
            grant.capability = grant.capability.grant("beta:*", [Subscribe])?;
            grant.ttl = Duration::from_secs(7200);
            Ok(grant)
        })
        .token_requests("/t");
    let app_wide = GrantPolicy::new(|_: &HttpRequest, _: &Member, mut grant: Grant| {
        grant.capability = Capability::new().grant("chat:*", ably_auth::Operations::ALL)?;
        Ok(grant)
    });
    let app = test::init_service(App::new().app_data(app_wide).service(routes)).await;
    let request = call!(app, get("/t", "7")).token_request().clone();
    assert_eq!(
        request.capability.as_deref(),
        Some(r#"{"chat:*":["history","subscribe"]}"#)
    );
    // No policy lengthens the ttl.
    assert_eq!(request.ttl, Some(3_600_000));

    // An app-wide refusal is the answer, whatever the builder's policy allows.
    let routes = AblyRoutes::<Member>::new(key())
        .bearer(member)
        .policy(|_: &HttpRequest, _: &Member, grant: Grant| Ok(grant))
        .token_requests("/t");
    let deny = GrantPolicy::new(|_: &HttpRequest, _: &Member, _: Grant| {
        Err(Error::Forbidden("maintenance".into()))
    });
    let app = test::init_service(App::new().app_data(web::Data::new(deny)).service(routes)).await;
    assert_refused(&call!(app, get("/t", "7")), 40300, 403);
}

#[actix_web::test]
async fn a_second_policy_can_only_narrow_the_first() {
    let routes = AblyRoutes::<Member>::new(key())
        .bearer(member)
        .policy(|_: &HttpRequest, _: &Member, grant: Grant| {
            let capability = Capability::new().grant("chat:*", [Subscribe])?;
            Ok(Grant {
                capability,
                ..grant
            })
        })
        // Tries to widen to everything: intersected with the first policy's result.
        .policy(|_: &HttpRequest, _: &Member, grant: Grant| {
            Ok(Grant {
                capability: Capability::everything(),
                ..grant
            })
        })
        .token_requests("/t");
    let app = test::init_service(App::new().service(routes)).await;
    let answer = call!(app, get("/t", "7"));
    assert_eq!(
        answer.token_request().capability.as_deref(),
        Some(r#"{"chat:*":["subscribe"]}"#)
    );
}

#[actix_web::test]
async fn hints_narrow_and_only_nothing_left_is_refused() {
    let routes = AblyRoutes::<Member>::new(issuers())
        .bearer(member)
        .token_requests("/t");
    let app = test::init_service(App::new().service(routes)).await;
    // More than the grant: narrowed to it, not refused.
    let everything = "/t?capability=%7B%22*%22%3A%5B%22*%22%5D%7D&ttl=86400000";
    let request = call!(app, get(everything, "7")).token_request().clone();
    assert_eq!(request.capability.as_deref(), Some(MEMBER_7));
    assert_eq!(request.ttl, Some(3_600_000));
    // Nothing in common with the grant: 40160, 403.
    let elsewhere = "/t?capability=%7B%22admin%3A*%22%3A%5B%22publish%22%5D%7D";
    assert_refused(&call!(app, get(elsewhere, "7")), 40160, 403);
    // Another clientId: 40102, 403.
    assert_refused(&call!(app, get("/t?clientId=8", "7")), 40102, 403);
}

#[actix_web::test]
async fn lookup_extracts_in_handlers_of_your_own() {
    let app = test::init_service(
        App::new()
            .app_data(UserLookup::bearer(member))
            .app_data(web::Data::new(TokenRequestIssuer::new(key())))
            .route(
                "/own",
                web::get().to(
                    |issued: Issued<Lookup<Member>, TokenRequestIssuer>| async move {
                        let who = issued.user().map(|m| m.id).unwrap_or(0);
                        HttpResponse::Ok().body(format!("{who}:{}", issued.outcome().is_ok()))
                    },
                ),
            )
            .route(
                "/no-lookup",
                web::get().to(|_: Lookup<String>| async { "unreachable" }),
            ),
    )
    .await;
    let response = test::call_service(&app, get("/own", "7").to_request()).await;
    assert_eq!(test::read_body(response).await, "7:true");
    let response = test::call_service(&app, get("/no-lookup", "7").to_request()).await;
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers().get("x-ably-errorcode").unwrap(), "50000");
    // The lookup in `web::Data` form is found too.
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(UserLookup::bearer(member)))
            .route(
                "/id",
                web::get().to(|member: Lookup<Member>| async move { member.id.to_string() }),
            ),
    )
    .await;
    let response = test::call_service(&app, get("/id", "7").to_request()).await;
    assert_eq!(test::read_body(response).await, "7");
}

#[actix_web::test]
async fn a_user_type_that_extracts_itself_needs_no_lookup() {
    let routes = AblyRoutes::<common::User>::new(issuers())
        .token_requests("/t")
        .jwts("/j");
    let app = test::init_service(App::new().service(routes)).await;
    let header = ("x-user", "alice");
    let answer = call!(
        app,
        test::TestRequest::get().uri("/t").insert_header(header)
    );
    assert_eq!(
        answer.token_request().capability.as_deref(),
        Some(common::GRANT_OF_ALICE)
    );
    let answer = call!(
        app,
        test::TestRequest::get().uri("/j").insert_header(header)
    );
    let granted = answer.verify(&verifier()).unwrap();
    assert_eq!(granted.capability.to_json(), common::GRANT_OF_ALICE);
    assert_refused(&call!(app, test::TestRequest::get().uri("/t")), 40100, 401);
}

#[actix_web::test]
async fn bearer_tokens_are_rfc_6750_b64tokens() {
    let token = |header: &str| {
        let req = test::TestRequest::default()
            .insert_header(("authorization", header))
            .to_http_request();
        bearer_token(&req)
            .map(str::to_owned)
            .map_err(|e| (e.code(), e.status()))
    };
    assert_eq!(token("Bearer aZ09-._~+/==").unwrap(), "aZ09-._~+/==");
    assert_eq!(token("bEaReR  x").unwrap(), "x");
    for header in [
        "Bearer =a",
        "Bearer a\tb",
        "Bearer é",
        "Bearer\t7",
        "Bearer7",
    ] {
        assert_eq!(token(header), Err((40100, 401)), "{header}");
    }
}

/// The MAC of a TokenRequest body, computed apart from the crate (the `hmac` crate over the
/// signed text as Ably's spec lays it out) with `secret`.
fn oracle_mac(json: &serde_json::Value, secret: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, KeyInit, Mac};
    let field = |name: &str| match &json[name] {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let text: String = [
        "keyName",
        "ttl",
        "capability",
        "clientId",
        "timestamp",
        "nonce",
    ]
    .iter()
    .map(|name| field(name) + "\n")
    .collect();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[actix_web::test]
async fn routes_built_from_a_key_ring_follow_its_swaps() {
    let old: Key = "appId.oldKey:oldRingSecret".parse().unwrap();
    let new: Key = "appId.newKey:newRingSecret".parse().unwrap();
    let ring = ably_auth::KeyRing::from(old);
    let routes = AblyRoutes::<Member>::new(ring.clone())
        .bearer(member)
        .token_requests("/ably/token-request")
        .jwts("/ably/jwt");
    let app = test::init_service(App::new().service(routes)).await;

    for (name, secret) in [
        ("appId.oldKey", "oldRingSecret"),
        ("appId.newKey", "newRingSecret"),
    ] {
        if name == "appId.newKey" {
            ring.replace(ably_auth::KeySet::from(new.clone()));
        }
        let answer = call!(app, get("/ably/token-request", "7"));
        assert_eq!(answer.status(), StatusCode::OK);
        let json: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
        assert_eq!(json["keyName"], name);
        assert_eq!(json["mac"].as_str().unwrap(), oracle_mac(&json, secret));

        let answer = call!(app, get("/ably/jwt", "7"));
        let jwt = answer.jwt().to_owned();
        let header = jwt.split('.').next().unwrap();
        let header: serde_json::Value = serde_json::from_slice(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["kid"], name);
    }
}

/// Two routes at one path: actix-web would serve only the first, so the builder refuses the
/// second, whichever kind either is.
#[actix_web::test]
async fn a_path_taken_twice_is_refused_when_the_builder_is_made() {
    type Builder = AblyRoutes<Member, UserLookup<Member>>;
    let builder = || AblyRoutes::<Member>::new(issuers()).bearer(member);
    let taken = |add: fn(Builder) -> Builder| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| add(builder())))
            .err()
            .and_then(|panic| panic.downcast_ref::<String>().cloned())
    };
    for add in [
        |b: Builder| b.token_requests("/ably/a").token_requests("/ably/a"),
        |b: Builder| b.token_requests("/ably/a").jwts("/ably/a"),
        |b: Builder| b.jwts("/ably/a").route("/ably/a", JwtIssuer::new(key())),
    ] {
        let message = taken(add).expect("a panic");
        assert!(message.contains(r#"two routes at "/ably/a""#), "{message}");
    }
    // Different paths are fine.
    assert!(taken(|b| b.token_requests("/ably/a").jwts("/ably/b")).is_none());
}
