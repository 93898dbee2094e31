//! The token route and the `Issued` extractor, through a test app.

mod common;

use ably_auth::{
    Capability, Error, FixedClock, Grant, JwtIssuer, Key, Operation::*, TokenRequest,
    TokenRequestIssuer, Verifier,
};
use ably_auth_actix::{Issued, TokenRoute};
use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use common::{GRANT_OF_ALICE, LookupUser, User};
use std::sync::Arc;

const KEY: &str = "appId.keyId:routeTestSecret";
const NOW: u64 = 1_700_000_000_000;

fn key() -> Key {
    Key::parse(KEY).unwrap()
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(NOW))
}

macro_rules! app {
    () => {
        test::init_service(
            App::new()
                .service(TokenRoute::<User, _>::new(
                    "/token-request",
                    TokenRequestIssuer::new(key()).with_clock(clock()),
                ))
                .service(TokenRoute::<User, _>::new(
                    "/jwt",
                    JwtIssuer::new(key()).with_clock(clock()),
                ))
                .service(
                    TokenRoute::<User, _>::token_requests("/flagged", key()).policy(
                        |req: &HttpRequest, user: &User, mut grant: Grant| {
                            if user.0 == "banned" {
                                return Err(Error::Forbidden("this account is suspended".into()));
                            }
                            if req.headers().contains_key("x-beta") {
                                grant.capability = grant.capability.grant("beta:*", [Subscribe])?;
                            }
                            Ok(grant)
                        },
                    ),
                )
                .service(
                    TokenRoute::<User, _>::token_requests("/custom-errors", key()).error_body(
                        |_req, err: &Error| {
                            HttpResponse::build(StatusCode::from_u16(err.status()).unwrap())
                                .json(serde_json::json!({ "problem": err.code() }))
                        },
                    ),
                )
                .configure(TokenRoute::<User, _>::jwts("/configured-jwt", key()).configure())
                .service(TokenRoute::<LookupUser, _>::new(
                    "/lookup",
                    TokenRequestIssuer::new(key()).with_clock(clock()),
                ))
                .route(
                    "/audited",
                    web::get().to(|issued: Issued<User, TokenRequestIssuer>| async move {
                        let who = issued.user().map(|u| u.0.clone()).unwrap_or_default();
                        let code = issued.outcome().err().map(Error::code).unwrap_or(0);
                        let mut response = actix_web::Responder::respond_to(
                            issued,
                            &test::TestRequest::default().to_http_request(),
                        );
                        response.headers_mut().insert(
                            "x-audit".parse().unwrap(),
                            format!("{who}:{code}").parse().unwrap(),
                        );
                        response
                    }),
                )
                .app_data(web::Data::new(TokenRequestIssuer::new(key()))),
        )
        .await
    };
}

async fn body_of(
    response: ServiceResponse,
) -> (StatusCode, actix_web::http::header::HeaderMap, Vec<u8>) {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().try_into_bytes().unwrap().to_vec();
    (status, headers, body)
}

fn assert_ably_error(
    status: StatusCode,
    headers: &actix_web::http::header::HeaderMap,
    body: &[u8],
    code: u32,
    http: u16,
) {
    assert_eq!(status.as_u16(), http, "{}", String::from_utf8_lossy(body));
    assert_eq!(headers.get("content-type").unwrap(), "application/json");
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    assert_eq!(
        headers.get("x-ably-errorcode").unwrap().to_str().unwrap(),
        code.to_string()
    );
    let info = ably_auth::ErrorInfo::from_json(body).expect("an Ably ErrorInfo body");
    assert_eq!((info.code, info.status_code), (code, http));
    assert!(!String::from_utf8_lossy(body).contains("routeTestSecret"));
}

fn verifier() -> Verifier {
    Verifier::new().with_clock(clock()).with_key(key())
}

#[actix_web::test]
async fn get_and_post_issue_token_requests() {
    let app = app!();
    for request in [
        test::TestRequest::get().uri("/token-request?fromurl=1&ttl=60000&clientId=alice"),
        test::TestRequest::post()
            .uri("/token-request?fromurl=1")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("ttl=60000&clientId=alice&extra=1"),
    ] {
        let response = test::call_service(
            &app,
            request.insert_header(("x-user", "alice")).to_request(),
        )
        .await;
        let (status, headers, body) = body_of(response).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        assert_eq!(headers.get("content-type").unwrap(), "application/json");
        assert_eq!(headers.get("cache-control").unwrap(), "no-store");
        let request = TokenRequest::from_json(&body).unwrap();
        assert_eq!(request.ttl, Some(60_000));
        assert_eq!(request.client_id.as_deref(), Some("alice"));
        assert_eq!(request.timestamp, NOW);
        let granted = verifier().verify_token_request(&request).unwrap();
        assert_eq!(granted.capability.to_json(), GRANT_OF_ALICE);
    }
}

#[actix_web::test]
async fn python_style_hints_narrow_the_grant() {
    let app = app!();
    let query = "/token-request?client_id=alice&capability=%7B%27chat%3Alobby%27%3A+%5B%27subscribe%27%5D%7D";
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(query)
            .insert_header(("x-user", "alice"))
            .to_request(),
    )
    .await;
    let (status, _, body) = body_of(response).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let request = TokenRequest::from_json(&body).unwrap();
    assert_eq!(
        request.capability.as_deref(),
        Some(r#"{"chat:lobby":["subscribe"]}"#)
    );
}

/// Checks a JWT independently of the crate: the HMAC-SHA256 of `header.payload` with the key
/// secret (the `hmac` crate), then returns the decoded header and claims.
fn decode_jwt(jwt: &str) -> (serde_json::Value, serde_json::Value) {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{Hmac, KeyInit, Mac};
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"routeTestSecret").unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    mac.verify_slice(&signature)
        .expect("the JWT is signed with the key secret");
    let json = |part: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap();
    (json(parts[0]), json(parts[1]))
}

#[actix_web::test]
async fn jwt_route_answers_application_jwt() {
    let app = app!();
    for path in ["/jwt", "/configured-jwt"] {
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let response = test::call_service(
            &app,
            test::TestRequest::post()
                .uri(path)
                .insert_header(("x-user", "bob"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload("capability=%7B%22chat%3A*%22%3A%5B%22subscribe%22%5D%7D")
                .to_request(),
        )
        .await;
        let (status, headers, body) = body_of(response).await;
        assert_eq!(status, 200);
        assert_eq!(headers.get("content-type").unwrap(), "application/jwt");
        assert_eq!(headers.get("cache-control").unwrap(), "no-store");
        let jwt = String::from_utf8(body).unwrap();
        let (header, claims) = decode_jwt(&jwt);
        assert_eq!(header["alg"], "HS256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["kid"], "appId.keyId");
        assert_eq!(claims["x-ably-clientId"], "bob");
        assert_eq!(claims["x-ably-capability"], r#"{"chat:*":["subscribe"]}"#);
        let (iat, exp) = (
            claims["iat"].as_u64().unwrap(),
            claims["exp"].as_u64().unwrap(),
        );
        // The identity's ttl is an hour; iat may be back-dated for clock skew, exp may not move.
        let now = if path == "/jwt" { NOW / 1000 } else { before };
        assert!(iat <= now && iat + 60 >= now, "iat {iat}, now {now}");
        assert!(
            exp >= now + 3600 && exp <= now + 3601,
            "exp {exp}, now {now}"
        );
        let verifier = if path == "/jwt" {
            verifier()
        } else {
            Verifier::new().with_key(key())
        };
        let granted = verifier.verify_jwt(&jwt).unwrap();
        assert_eq!(granted.client_id.unwrap().as_str(), "bob");
        assert_eq!(granted.capability.to_json(), r#"{"chat:*":["subscribe"]}"#);
    }
}

#[actix_web::test]
async fn statuses_for_every_refusal() {
    let app = app!();
    let cases: Vec<(test::TestRequest, u32, u16)> = vec![
        // No user: 401.
        (test::TestRequest::get().uri("/token-request"), 40100, 401),
        (test::TestRequest::post().uri("/jwt"), 40100, 401),
        // Another clientId: 403.
        (
            test::TestRequest::get()
                .uri("/token-request?clientId=bob")
                .insert_header(("x-user", "alice")),
            40102,
            403,
        ),
        (
            test::TestRequest::get()
                .uri("/jwt?client_id=%2A")
                .insert_header(("x-user", "alice")),
            40102,
            403,
        ),
        // Capability outside the grant: 403.
        (
            test::TestRequest::get()
                .uri("/token-request?capability=%7B%22admin%22%3A%5B%22%2A%22%5D%7D")
                .insert_header(("x-user", "alice")),
            40160,
            403,
        ),
        // Malformed hints: 400.
        (
            test::TestRequest::get()
                .uri("/token-request?ttl=-1")
                .insert_header(("x-user", "alice")),
            40003,
            400,
        ),
        (
            test::TestRequest::get()
                .uri("/token-request?ttl=soon")
                .insert_header(("x-user", "alice")),
            40003,
            400,
        ),
        (
            test::TestRequest::get()
                .uri("/jwt?capability=%7B%22a%22%3A%5B%22publish_%22%5D%7D")
                .insert_header(("x-user", "alice")),
            40000,
            400,
        ),
        (
            test::TestRequest::get()
                .uri("/jwt?capability=%7B%22a%22%3A%5B%5D%7D")
                .insert_header(("x-user", "alice")),
            40000,
            400,
        ),
        (
            test::TestRequest::get()
                .uri("/jwt?capability=not-json")
                .insert_header(("x-user", "alice")),
            40000,
            400,
        ),
        (
            test::TestRequest::get()
                .uri("/token-request?clientId=%FF")
                .insert_header(("x-user", "alice")),
            40000,
            400,
        ),
        // A JSON nesting bomb in the capability hint.
        (
            test::TestRequest::post()
                .uri("/token-request")
                .insert_header(("x-user", "alice"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(format!("capability=%7B%22a%22%3A{}", "%5B".repeat(4_000))),
            40000,
            400,
        ),
        // A user whose name would inject a wildcard into a channel: refused, never widened.
        (
            test::TestRequest::get()
                .uri("/token-request")
                .insert_header(("x-user", "eve:*")),
            40300,
            403,
        ),
        // The app's policy hook denies.
        (
            test::TestRequest::get()
                .uri("/flagged")
                .insert_header(("x-user", "banned")),
            40300,
            403,
        ),
        // Oversized body and query.
        (
            test::TestRequest::post()
                .uri("/token-request")
                .insert_header(("x-user", "alice"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(format!("ttl=1&pad={}", "x".repeat(20_000))),
            40000,
            413,
        ),
        (
            test::TestRequest::get()
                .uri(&format!("/token-request?pad={}", "x".repeat(9_000)))
                .insert_header(("x-user", "alice")),
            40000,
            413,
        ),
    ];
    for (request, code, status) in cases {
        let request = request.to_request();
        let uri = request.uri().to_string();
        let response = test::call_service(&app, request).await;
        let (actual, headers, body) = body_of(response).await;
        println!("{uri:.60} -> {actual}");
        assert_ably_error(actual, &headers, &body, code, status);
    }
}

#[actix_web::test]
async fn ten_thousand_resources_in_a_hint_are_refused() {
    let app = app!();
    let entries: Vec<String> = (0..10_000)
        .map(|i| format!("\"c{i}\":[\"subscribe\"]"))
        .collect();
    let capability = format!("{{{}}}", entries.join(","));
    let body = serde_urlencoded::to_string([("capability", capability)]).unwrap();
    let response = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/token-request")
            .insert_header(("x-user", "alice"))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body)
            .to_request(),
    )
    .await;
    let (status, headers, body) = body_of(response).await;
    assert_ably_error(status, &headers, &body, 40000, 413);
}

#[actix_web::test]
async fn policy_hook_can_add_a_channel() {
    let app = app!();
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/flagged")
            .insert_header(("x-user", "carol"))
            .insert_header(("x-beta", "1"))
            .to_request(),
    )
    .await;
    let (status, _, body) = body_of(response).await;
    assert_eq!(status, 200);
    let request = TokenRequest::from_json(&body).unwrap();
    let capability = Capability::parse(request.capability.as_deref().unwrap()).unwrap();
    assert_eq!(capability.get("beta:*"), Some([Subscribe].into()));
}

#[actix_web::test]
async fn custom_error_body_keeps_status_and_no_store() {
    let app = app!();
    let response = test::call_service(
        &app,
        test::TestRequest::get().uri("/custom-errors").to_request(),
    )
    .await;
    let (status, headers, body) = body_of(response).await;
    assert_eq!(status, 401);
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    assert_eq!(body, br#"{"problem":40100}"#);
}

#[actix_web::test]
async fn extractor_lets_handlers_audit_and_return() {
    let app = app!();
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/audited?clientId=bob")
            .insert_header(("x-user", "alice"))
            .to_request(),
    )
    .await;
    assert_eq!(response.status(), 403);
    assert_eq!(response.headers().get("x-audit").unwrap(), "alice:40102");
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/audited")
            .insert_header(("x-user", "alice"))
            .to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("x-audit").unwrap(), "alice:0");
}

#[actix_web::test]
async fn form_values_win_over_query_values() {
    let app = app!();
    let response = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/token-request?ttl=1000&clientId=bob&capability=%7B%22chat%3Alobby%22%3A%5B%22subscribe%22%5D%7D")
            .insert_header(("x-user", "alice"))
            .insert_header((
                "content-type",
                "application/x-www-form-urlencoded; charset=UTF-8",
            ))
            .set_payload("ttl=60000&clientId=alice&capability=%7B%22user%3Aalice%22%3A%5B%22publish%22%5D%7D")
            .to_request(),
    )
    .await;
    let (status, _, body) = body_of(response).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let request = TokenRequest::from_json(&body).unwrap();
    assert_eq!(request.ttl, Some(60_000));
    assert_eq!(request.client_id.as_deref(), Some("alice"));
    assert_eq!(
        request.capability.as_deref(),
        Some(r#"{"user:alice":["publish"]}"#)
    );
}

#[actix_web::test]
async fn policy_runs_before_hints_narrow_what_it_added() {
    let app = app!();
    // The policy adds `beta:*` (subscribe) for testers; the client asks for one beta channel.
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/flagged?capability=%7B%22beta%3Anews%22%3A%5B%22subscribe%22%2C%22publish%22%5D%7D")
            .insert_header(("x-user", "carol"))
            .insert_header(("x-beta", "1"))
            .to_request(),
    )
    .await;
    let (status, _, body) = body_of(response).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let request = TokenRequest::from_json(&body).unwrap();
    assert_eq!(
        request.capability.as_deref(),
        Some(r#"{"beta:news":["subscribe"]}"#)
    );
}

#[actix_web::test]
async fn a_json_body_is_refused_not_ignored() {
    // Ably SDKs send authMethod POST hints form-encoded (ably-js, ably-python, ably-go); a JSON
    // body is refused with 415 so its hints are never silently dropped.
    let app = app!();
    for content_type in [
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
    ] {
        let response = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/token-request")
                .insert_header(("x-user", "alice"))
                .insert_header(("content-type", content_type))
                .set_payload(r#"{"clientId":"alice","ttl":60000}"#)
                .to_request(),
        )
        .await;
        let (status, headers, body) = body_of(response).await;
        assert_ably_error(status, &headers, &body, 40000, 415);
        let info = ably_auth::ErrorInfo::from_json(&body).unwrap();
        assert!(info.message.contains("form-encoded"), "{}", info.message);
    }
    // An empty body with any type is no body: the query's hints apply.
    let response = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/token-request?ttl=60000")
            .insert_header(("x-user", "alice"))
            .insert_header(("content-type", "application/json"))
            .to_request(),
    )
    .await;
    let (status, _, body) = body_of(response).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(TokenRequest::from_json(&body).unwrap().ttl, Some(60_000));
}

#[actix_web::test]
async fn other_methods_get_an_ably_405_with_allow() {
    let app = app!();
    for (path, method) in [
        ("/token-request", "PUT"),
        ("/token-request", "DELETE"),
        ("/jwt", "PATCH"),
        ("/configured-jwt", "TRACE"),
        ("/flagged", "PUT"),
    ] {
        let response = test::call_service(
            &app,
            test::TestRequest::default()
                .method(method.parse().unwrap())
                .uri(path)
                .insert_header(("x-user", "alice"))
                .to_request(),
        )
        .await;
        let (status, headers, body) = body_of(response).await;
        assert_ably_error(status, &headers, &body, 40500, 405);
        assert_eq!(headers.get("allow").unwrap(), "GET, POST, HEAD, OPTIONS");
        let info = ably_auth::ErrorInfo::from_json(&body).unwrap();
        assert!(info.message.contains(method), "{}", info.message);
    }
    // The app's error renderer is used for 405 too, with the Allow header and no-store.
    let response = test::call_service(
        &app,
        test::TestRequest::put().uri("/custom-errors").to_request(),
    )
    .await;
    let (status, headers, body) = body_of(response).await;
    assert_eq!(status, 405);
    assert_eq!(headers.get("allow").unwrap(), "GET, POST, HEAD, OPTIONS");
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    assert_eq!(body, br#"{"problem":40500}"#);
}

#[actix_web::test]
async fn options_and_head_are_answered() {
    let app = app!();
    let response = test::call_service(
        &app,
        test::TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/token-request")
            .to_request(),
    )
    .await;
    let (status, headers, body) = body_of(response).await;
    assert_eq!(status, 204);
    assert_eq!(headers.get("allow").unwrap(), "GET, POST, HEAD, OPTIONS");
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    assert!(body.is_empty());
    // HEAD is GET without the body (actix-web drops it on the wire): same status and headers.
    for (user, expected) in [(Some("alice"), 200), (None, 401)] {
        let mut request = test::TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/token-request");
        if let Some(user) = user {
            request = request.insert_header(("x-user", user));
        }
        let response = test::call_service(&app, request.to_request()).await;
        assert_eq!(response.status(), expected);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/json"
        );
        assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    }
}

#[actix_web::test]
async fn extractor_errors_keep_their_ably_code() {
    let app = app!();
    let cases: [(&str, Option<&str>, u32, u16, &str); 5] = [
        // An Ably error from the app's user lookup is answered as it is.
        (
            "/lookup",
            Some("suspended"),
            40300,
            403,
            "forbidden: this account is suspended",
        ),
        ("/lookup", None, 40100, 401, "unauthorized: sign in first"),
        (
            "/token-request",
            None,
            40100,
            401,
            "unauthorized: sign in first",
        ),
        // Any other extractor error means no signed-in user.
        (
            "/lookup",
            Some("store-down"),
            40100,
            401,
            "unauthorized: no signed-in user (the user store is down)",
        ),
        // A request actix-web could not parse is the client's: 400.
        (
            "/lookup",
            Some("bad-form"),
            40000,
            400,
            "invalid request: the request could not be parsed: Content type error.",
        ),
    ];
    for (path, user, code, http, message) in cases {
        let mut request = test::TestRequest::get().uri(path);
        if let Some(user) = user {
            request = request.insert_header(("x-user", user));
        }
        let response = test::call_service(&app, request.to_request()).await;
        let (status, headers, body) = body_of(response).await;
        assert_ably_error(status, &headers, &body, code, http);
        let info = ably_auth::ErrorInfo::from_json(&body).unwrap();
        assert_eq!(info.message, message);
    }
}

#[actix_web::test]
async fn a_malformed_cookie_header_is_an_ably_400() {
    let app = app!();
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/lookup")
            .insert_header(("x-user", "alice"))
            .insert_header((
                "cookie",
                actix_web::http::header::HeaderValue::from_bytes(b"session=caf\xe9").unwrap(),
            ))
            .to_request(),
    )
    .await;
    let (status, headers, body) = body_of(response).await;
    assert_ably_error(status, &headers, &body, 40000, 400);
    let info = ably_auth::ErrorInfo::from_json(&body).unwrap();
    assert!(info.message.contains("UTF-8"), "{}", info.message);
}
