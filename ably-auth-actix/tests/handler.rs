//! The route's parts mounted by hand: the `AuthUrlRequest` extractor, which only extracts, and
//! `credential_handler`, which answers as the route does.

mod common;

use ably_auth::{FixedClock, Key, TokenRequestIssuer};
use ably_auth_actix::{AblyError, AuthUrlRequest, TokenRoute, credential_handler};
use actix_web::body::MessageBody;
use actix_web::{App, test, web};
use common::{GRANT_OF_ALICE, User};
use std::sync::Arc;

const SECRET: &str = "handlerTestSecret";
const NOW: u64 = 1_700_000_000_000;

fn issuer() -> TokenRequestIssuer {
    let key = Key::parse(&format!("appId.keyId:{SECRET}")).unwrap();
    TokenRequestIssuer::new(key).with_clock(Arc::new(FixedClock::new(NOW)))
}

/// Echoes what the extractor found, without deciding anything (and, like every response of
/// these apps, not to be cached).
async fn echo(request: AuthUrlRequest<User>) -> actix_web::HttpResponse {
    let text = format!(
        "{} ttl={:?} clientId={:?} capability={:?}",
        request.user.0,
        request.hints.ttl.map(|t| t.as_millis()),
        request.hints.client_id,
        request.hints.capability.map(|c| c.to_json()),
    );
    actix_web::HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .body(text)
}

macro_rules! app {
    () => {
        test::init_service(
            App::new()
                .service(TokenRoute::<User, _>::new("/route", issuer()))
                .service(
                    web::resource("/handler")
                        .app_data(web::Data::new(issuer()))
                        .route(web::get().to(credential_handler::<User, TokenRequestIssuer>))
                        .route(web::post().to(credential_handler::<User, TokenRequestIssuer>)),
                )
                .route(
                    "/no-issuer",
                    web::get().to(credential_handler::<User, TokenRequestIssuer>),
                )
                .route("/echo", web::get().to(echo))
                .route("/echo", web::post().to(echo)),
        )
        .await
    };
}

/// Sends `request` and returns the status, `x-ably-errorcode` (0 if none), content type and body.
macro_rules! call {
    ($app:expr, $request:expr) => {{
        let response = test::call_service($app, $request.to_request()).await;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let code: u32 = header("x-ably-errorcode").parse().unwrap_or(0);
        let content_type = header("content-type");
        assert_eq!(header("cache-control"), "no-store");
        let status = response.status().as_u16();
        let body = response.into_body().try_into_bytes().unwrap().to_vec();
        (status, code, content_type, String::from_utf8(body).unwrap())
    }};
}

/// Checks a TokenRequest's MAC independently of the crate (the `hmac` crate over the signed
/// text as Ably's spec lays it out) and returns its JSON.
fn verified_token_request(body: &str) -> serde_json::Value {
    use base64::Engine;
    use hmac::{Hmac, KeyInit, Mac};
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
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
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    let given = base64::engine::general_purpose::STANDARD
        .decode(field("mac"))
        .unwrap();
    mac.verify_slice(&given)
        .expect("the MAC of the signed text");
    json
}

#[actix_web::test]
async fn a_hand_mounted_handler_answers_as_the_route_does() {
    let app = app!();
    for path in ["/route", "/handler"] {
        // A credential: hints narrow the user's grant, the MAC checks out.
        let (status, _, content_type, body) = call!(
            &app,
            test::TestRequest::post()
                .uri(&format!("{path}?ttl=60000"))
                .insert_header(("x-user", "alice"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload("clientId=alice")
        );
        assert_eq!(
            (status, content_type.as_str()),
            (200, "application/json"),
            "{path}: {body}"
        );
        let json = verified_token_request(&body);
        assert_eq!(json["keyName"], "appId.keyId", "{path}");
        assert_eq!(json["ttl"], 60_000, "{path}");
        assert_eq!(json["clientId"], "alice", "{path}");
        assert_eq!(json["capability"], GRANT_OF_ALICE, "{path}");
        assert_eq!(json["timestamp"], NOW, "{path}");
        assert!(!body.contains(SECRET));

        // Errors of the extractor and of the steps after it, all as Ably errors.
        for (request, expected) in [
            (test::TestRequest::get().uri(path), (401, 40100)),
            (
                test::TestRequest::get()
                    .uri(&format!("{path}?ttl=soon"))
                    .insert_header(("x-user", "alice")),
                (400, 40003),
            ),
            (
                test::TestRequest::get()
                    .uri(&format!("{path}?clientId=bob"))
                    .insert_header(("x-user", "alice")),
                (403, 40102),
            ),
        ] {
            let (status, code, content_type, body) = call!(&app, request);
            assert_eq!((status, code), expected, "{path}: {body}");
            assert_eq!(content_type, "application/json");
            let info = ably_auth::ErrorInfo::from_json(body.as_bytes()).unwrap();
            assert_eq!((info.status_code, info.code), expected, "{path}");
        }
    }
}

/// Without the issuer in `app_data` the app is misconfigured: 500, code 50000, saying what to
/// add.
#[actix_web::test]
async fn a_handler_without_its_issuer_says_what_to_add() {
    let app = app!();
    let (status, code, _, body) = call!(
        &app,
        test::TestRequest::get()
            .uri("/no-issuer")
            .insert_header(("x-user", "alice"))
    );
    assert_eq!((status, code), (500, 50000), "{body}");
    assert!(body.contains("web::Data<TokenRequestIssuer>"), "{body}");
}

/// The extractor hands over the user and the hints (query, then a form body that wins) and
/// decides nothing: a hint for another clientId or more than the user's grant is passed on.
#[actix_web::test]
async fn the_extractor_only_extracts() {
    let app = app!();
    let (status, _, _, body) = call!(
        &app,
        test::TestRequest::post()
            .uri("/echo?ttl=1000&clientId=bob")
            .insert_header(("x-user", "alice"))
            .set_payload("ttl=2000&capability=%7B%22*%22%3A%5B%22*%22%5D%7D")
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        r#"alice ttl=Some(2000) clientId=Some("bob") capability=Some("{\"*\":[\"*\"]}")"#
    );
}

/// What the extractor refuses, as an `AblyError` with the Ably code: no user, a hint that
/// can't be read, a body that is not form-encoded.
#[actix_web::test]
async fn the_extractor_fails_with_ably_errors() {
    let app = app!();
    for (request, expected) in [
        (test::TestRequest::get().uri("/echo"), (401, 40100)),
        (
            test::TestRequest::get()
                .uri("/echo?capability=nope")
                .insert_header(("x-user", "alice")),
            (400, 40000),
        ),
        (
            test::TestRequest::post()
                .uri("/echo")
                .insert_header(("x-user", "alice"))
                .insert_header(("content-type", "application/json"))
                .set_payload(r#"{"ttl":1000}"#),
            (415, 40000),
        ),
    ] {
        let (status, code, _, body) = call!(&app, request);
        assert_eq!((status, code), expected, "{body}");
    }
    // The same errors, as the extractor's own type.
    let req = test::TestRequest::get().uri("/echo").to_http_request();
    let err = <AuthUrlRequest<User> as actix_web::FromRequest>::extract(&req)
        .await
        .err()
        .unwrap();
    let AblyError(err) = err;
    assert_eq!((err.status(), err.code()), (401, 40100));
}
