//! `SessionUser` and `IdentityUser` behind the real actix-session (`CookieSessionStore`) and
//! actix-identity middleware: sign in, get a credential for that user, sign out, tamper.
#![cfg(all(feature = "session", feature = "identity"))]

use ably_auth::{
    AblyIdentity, Capability, ClientId, ErrorInfo, FixedClock, Grant, Operation::*, TokenRequest,
    TokenRequestIssuer, Verifier,
};
use ably_auth_actix::TokenRoute;
use ably_auth_actix::adapters::{IdentityUser, SessionUser};
use actix_identity::{Identity, IdentityMiddleware};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::body::MessageBody;
use actix_web::cookie::Key as CookieKey;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{COOKIE, HeaderValue, SET_COOKIE};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, test, web};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "appId.keyId:adapterTestSecret";
const NOW: u64 = 1_700_000_000_000;

/// The app's user as it keeps it in the session.
#[derive(serde::Serialize, serde::Deserialize)]
struct Member {
    name: String,
    pro: bool,
}

impl AblyIdentity for Member {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        let mut capability =
            Capability::new().grant(ably_auth::channel_name(["user:", &self.name])?, [Publish])?;
        if self.pro {
            capability = capability.grant("live:*", [Subscribe])?;
        }
        Ok(Grant::new(
            Some(ClientId::new(&self.name)?),
            capability,
            Duration::from_secs(600),
        ))
    }
}

/// A user id as actix-identity holds it; only known ids parse.
struct AccountId(String);

impl std::str::FromStr for AccountId {
    type Err = String;
    fn from_str(id: &str) -> Result<Self, String> {
        match id {
            "u-alice" | "u-bob" => Ok(AccountId(id.trim_start_matches("u-").to_owned())),
            other => Err(format!("no account {other:?}")),
        }
    }
}

impl AblyIdentity for AccountId {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        Ok(Grant::new(
            Some(ClientId::new(&self.0)?),
            Capability::new().grant("chat:*", [Subscribe])?,
            Duration::from_secs(300),
        ))
    }
}

fn issuer() -> TokenRequestIssuer {
    TokenRequestIssuer::new(KEY.parse().unwrap()).with_clock(Arc::new(FixedClock::new(NOW)))
}

async fn session_login(session: Session, req: HttpRequest) -> HttpResponse {
    let name = req.query_string().trim_start_matches("name=").to_owned();
    let member = Member {
        pro: name == "alice",
        name,
    };
    SessionUser::login(&session, &member).unwrap();
    HttpResponse::Ok().finish()
}

async fn session_logout(session: Session) -> HttpResponse {
    SessionUser::<Member>::logout(&session);
    HttpResponse::Ok().finish()
}

async fn identity_login(req: HttpRequest) -> HttpResponse {
    let id = req.query_string().trim_start_matches("id=").to_owned();
    Identity::login(&req.extensions(), id).unwrap();
    HttpResponse::Ok().finish()
}

async fn identity_logout(identity: Identity) -> HttpResponse {
    identity.logout();
    HttpResponse::Ok().finish()
}

macro_rules! app {
    () => {
        test::init_service(
            App::new()
                .wrap(IdentityMiddleware::default())
                .wrap(
                    SessionMiddleware::builder(
                        CookieSessionStore::default(),
                        CookieKey::from(&[7u8; 64]),
                    )
                    .cookie_secure(false)
                    .build(),
                )
                .route("/session/login", web::post().to(session_login))
                .route("/session/logout", web::post().to(session_logout))
                .route("/identity/login", web::post().to(identity_login))
                .route("/identity/logout", web::post().to(identity_logout))
                .service(TokenRoute::<SessionUser<Member>, _>::new(
                    "/session/token",
                    issuer(),
                ))
                .service(TokenRoute::<IdentityUser<AccountId>, _>::new(
                    "/identity/token",
                    issuer(),
                )),
        )
        .await
    };
}

/// The `name=value` of the session cookie a response sets.
fn session_cookie(response: &ServiceResponse) -> String {
    let set = response
        .headers()
        .get(SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn body_of(response: ServiceResponse) -> (u16, Vec<u8>) {
    let status = response.status().as_u16();
    (
        status,
        response.into_body().try_into_bytes().unwrap().to_vec(),
    )
}

fn assert_ably_error(status: u16, body: &[u8], code: u32, http: u16) -> ErrorInfo {
    assert_eq!(status, http, "{}", String::from_utf8_lossy(body));
    let info = ErrorInfo::from_json(body).expect("an Ably ErrorInfo");
    assert_eq!((info.code, info.status_code), (code, http));
    info
}

fn verified(body: &[u8]) -> ably_auth::VerifiedToken {
    let request = TokenRequest::from_json(body).unwrap();
    Verifier::new()
        .with_clock(Arc::new(FixedClock::new(NOW)))
        .with_key(KEY.parse().unwrap())
        .verify_token_request(&request)
        .unwrap()
}

/// A request with an optional cookie (`name=value`).
fn request(method: &str, uri: &str, cookie: Option<&str>) -> test::TestRequest {
    let mut request = test::TestRequest::default()
        .method(method.parse().unwrap())
        .uri(uri);
    if let Some(cookie) = cookie {
        request = request.insert_header((COOKIE, cookie.to_owned()));
    }
    request
}

#[actix_web::test]
async fn session_user_is_read_from_a_real_cookie_session() {
    let app = app!();
    // Not signed in: no session cookie, so no user.
    let (status, body) = body_of(
        test::call_service(&app, request("GET", "/session/token", None).to_request()).await,
    )
    .await;
    let info = assert_ably_error(status, &body, 40100, 401);
    assert_eq!(
        info.message,
        "unauthorized: no user in the session; sign in first"
    );

    // Sign in as alice: the session cookie names her, and only her.
    let response = test::call_service(
        &app,
        request("POST", "/session/login?name=alice", None).to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let alice = session_cookie(&response);
    let (status, body) = body_of(
        test::call_service(
            &app,
            request("GET", "/session/token", Some(&alice)).to_request(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let granted = verified(&body);
    assert_eq!(granted.client_id.unwrap().as_str(), "alice");
    assert_eq!(
        granted.capability.to_json(),
        r#"{"live:*":["subscribe"],"user:alice":["publish"]}"#
    );
    assert_eq!(granted.expires - granted.issued, 600_000);

    // Another user's session gives that user's grant.
    let response = test::call_service(
        &app,
        request("POST", "/session/login?name=bob", None).to_request(),
    )
    .await;
    let bob = session_cookie(&response);
    let (status, body) = body_of(
        test::call_service(
            &app,
            request("GET", "/session/token", Some(&bob)).to_request(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let granted = verified(&body);
    assert_eq!(granted.client_id.unwrap().as_str(), "bob");
    assert_eq!(granted.capability.to_json(), r#"{"user:bob":["publish"]}"#);

    // Hints still only narrow: bob's session can't ask for alice's clientId.
    let (status, body) = body_of(
        test::call_service(
            &app,
            request("GET", "/session/token?clientId=alice", Some(&bob)).to_request(),
        )
        .await,
    )
    .await;
    assert_ably_error(status, &body, 40102, 403);

    // A tampered cookie is no session.
    let (name, value) = alice.split_once('=').unwrap();
    let mut bytes = value.as_bytes().to_vec();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{name}={}", String::from_utf8(bytes).unwrap());
    let (status, body) = body_of(
        test::call_service(
            &app,
            request("GET", "/session/token", Some(&tampered)).to_request(),
        )
        .await,
    )
    .await;
    assert_ably_error(status, &body, 40100, 401);

    // Signing out clears the user.
    let response = test::call_service(
        &app,
        request("POST", "/session/logout", Some(&alice)).to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let cleared = session_cookie(&response);
    let (status, body) = body_of(
        test::call_service(
            &app,
            request("GET", "/session/token", Some(&cleared)).to_request(),
        )
        .await,
    )
    .await;
    assert_ably_error(status, &body, 40100, 401);
}

#[actix_web::test]
async fn identity_user_is_read_from_real_actix_identity() {
    let app = app!();
    let (status, body) = body_of(
        test::call_service(&app, request("GET", "/identity/token", None).to_request()).await,
    )
    .await;
    let info = assert_ably_error(status, &body, 40100, 401);
    assert_eq!(info.message, "unauthorized: no identity; sign in first");

    let response = test::call_service(
        &app,
        request("POST", "/identity/login?id=u-alice", None).to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let alice = session_cookie(&response);
    let (status, body) = body_of(
        test::call_service(
            &app,
            request("GET", "/identity/token", Some(&alice)).to_request(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let granted = verified(&body);
    assert_eq!(granted.client_id.unwrap().as_str(), "alice");
    assert_eq!(granted.capability.to_json(), r#"{"chat:*":["subscribe"]}"#);
    assert_eq!(granted.expires - granted.issued, 300_000);

    // An id that is not a known user is refused, not issued for.
    let response = test::call_service(
        &app,
        request("POST", "/identity/login?id=u-eve", None).to_request(),
    )
    .await;
    let eve = session_cookie(&response);
    let (status, body) = body_of(
        test::call_service(
            &app,
            request("GET", "/identity/token", Some(&eve)).to_request(),
        )
        .await,
    )
    .await;
    let info = assert_ably_error(status, &body, 40100, 401);
    assert!(
        info.message.contains(r#"no account "u-eve""#),
        "{}",
        info.message
    );

    // Signing out clears the identity.
    let response = test::call_service(
        &app,
        request("POST", "/identity/logout", Some(&alice)).to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let cleared = session_cookie(&response);
    let (status, body) = body_of(
        test::call_service(
            &app,
            request("GET", "/identity/token", Some(&cleared)).to_request(),
        )
        .await,
    )
    .await;
    assert_ably_error(status, &body, 40100, 401);
}

#[actix_web::test]
async fn a_cookie_header_that_is_not_utf8_is_an_ably_400() {
    let app = app!();
    let response = test::call_service(
        &app,
        request("POST", "/session/login?name=alice", None).to_request(),
    )
    .await;
    let alice = session_cookie(&response);
    for path in ["/session/token", "/identity/token"] {
        let mut header = alice.clone().into_bytes();
        header.extend_from_slice(b"; theme=caf\xe9");
        let response = test::call_service(
            &app,
            request("GET", path, None)
                .insert_header((COOKIE, HeaderValue::from_bytes(&header).unwrap()))
                .to_request(),
        )
        .await;
        assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
        let (status, body) = body_of(response).await;
        let info = assert_ably_error(status, &body, 40000, 400);
        assert!(info.message.contains("Cookie header"), "{}", info.message);
    }
}
