//! `SessionUser` and `IdentityUser` behind the real actix-session (`CookieSessionStore`) and
//! actix-identity middleware: sign in, get a credential for that user, sign out, tamper; and
//! the app-wide policies written for the user type inside them.
#![cfg(all(feature = "session", feature = "identity"))]

use ably_auth::{
    AblyIdentity, Capability, ClientId, Error, ErrorInfo, FixedClock, Grant, JwtIssuer,
    Operation::*, TokenRequest, TokenRequestIssuer, Verifier,
};
use ably_auth_actix::adapters::{IdentityUser, Lookup, SessionUser, UserLookup};
use ably_auth_actix::{AblyRoutes, GrantPolicy, Issued, Issuers, TokenRoute};
use actix_identity::{Identity, IdentityMiddleware};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::body::MessageBody;
use actix_web::cookie::Key as CookieKey;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{COOKIE, HeaderValue, SET_COOKIE};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, test, web};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// An app with the real session and identity middleware and their sign-in routes, and what
/// `$extra` adds (`.service(..)`, `.app_data(..)`).
macro_rules! signed_in_app {
    ($($extra:tt)*) => {
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
                $($extra)*,
        )
        .await
    };
}

macro_rules! app {
    () => {
        signed_in_app!(
            .service(TokenRoute::<SessionUser<Member>, _>::new("/session/token", issuer()))
            .service(TokenRoute::<IdentityUser<AccountId>, _>::new("/identity/token", issuer()))
        )
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

/// Signs in with the POST `$login` and returns the session cookie.
macro_rules! sign_in {
    ($app:expr, $login:expr) => {{
        let response = test::call_service($app, request("POST", $login, None).to_request()).await;
        assert_eq!(response.status(), 200);
        session_cookie(&response)
    }};
}

/// GETs `$path` with the session cookie `$cookie`: the status and body.
macro_rules! get {
    ($app:expr, $path:expr, $cookie:expr) => {
        body_of(test::call_service($app, request("GET", $path, Some($cookie)).to_request()).await)
            .await
    };
}

/// The capability JSON and ttl (ms) of a TokenRequest that verifies with the key.
fn capability_and_ttl(status: u16, body: &[u8]) -> (String, u64) {
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(body));
    let granted = verified(body);
    (
        granted.capability.to_json(),
        granted.expires - granted.issued,
    )
}

/// Refuses `user` if it is `suspended` (40300).
fn refuse(suspended: &str, user: &str) -> Result<(), Error> {
    if user == suspended {
        return Err(Error::Forbidden(format!("{user} is suspended")));
    }
    Ok(())
}

/// For the app's session user type: refuses bob, removes `live:*`, shortens the ttl to 2 min.
fn member_policy() -> GrantPolicy<Member> {
    GrantPolicy::new(|_: &HttpRequest, member: &Member, mut grant: Grant| {
        refuse("bob", &member.name)?;
        let mut kept = Capability::new();
        for (resource, operations) in grant.capability.iter() {
            if resource.as_str() != "live:*" {
                kept = kept.grant(resource.as_str(), operations)?;
            }
        }
        grant.capability = kept;
        grant.ttl = Duration::from_secs(120);
        Ok(grant)
    })
}

/// For the app's identity user type: refuses bob, keeps `chat:lobby` of `chat:*`, shortens the
/// ttl to 1 min.
fn account_policy() -> GrantPolicy<AccountId> {
    GrantPolicy::new(|_: &HttpRequest, account: &AccountId, mut grant: Grant| {
        refuse("bob", &account.0)?;
        grant.capability = Capability::new().grant("chat:lobby", [Subscribe])?;
        grant.ttl = Duration::from_secs(60);
        Ok(grant)
    })
}

/// Signs alice and bob in with each adapter and checks what `member_policy` and
/// `account_policy` leave them.
macro_rules! assert_user_type_policies_applied {
    ($app:expr) => {{
        let app = $app;
        let alice = sign_in!(&app, "/session/login?name=alice");
        let (status, body) = get!(&app, "/session/token", &alice);
        assert_eq!(
            capability_and_ttl(status, &body),
            (r#"{"user:alice":["publish"]}"#.to_owned(), 120_000)
        );
        let bob = sign_in!(&app, "/session/login?name=bob");
        let (status, body) = get!(&app, "/session/token", &bob);
        assert_ably_error(status, &body, 40300, 403);

        let alice = sign_in!(&app, "/identity/login?id=u-alice");
        let (status, body) = get!(&app, "/identity/token", &alice);
        assert_eq!(
            capability_and_ttl(status, &body),
            (r#"{"chat:lobby":["subscribe"]}"#.to_owned(), 60_000)
        );
        let bob = sign_in!(&app, "/identity/login?id=u-bob");
        let (status, body) = get!(&app, "/identity/token", &bob);
        assert_ably_error(status, &body, 40300, 403);
    }};
}

/// A route for `SessionUser<Member>` or `IdentityUser<AccountId>` applies the app-wide
/// `GrantPolicy<Member>` or `GrantPolicy<AccountId>`, bare or in `web::Data`: it refuses,
/// removes a channel, shortens the ttl.
#[actix_web::test]
async fn an_app_wide_policy_for_the_user_type_applies_to_session_and_identity_users() {
    assert_user_type_policies_applied!(signed_in_app!(
        .service(TokenRoute::<SessionUser<Member>, _>::new("/session/token", issuer()))
        .service(TokenRoute::<IdentityUser<AccountId>, _>::new("/identity/token", issuer()))
        .app_data(member_policy())
        .app_data(account_policy())
    ));
    assert_user_type_policies_applied!(signed_in_app!(
        .service(TokenRoute::<SessionUser<Member>, _>::new("/session/token", issuer()))
        .service(TokenRoute::<IdentityUser<AccountId>, _>::new("/identity/token", issuer()))
        .app_data(web::Data::new(member_policy()))
        .app_data(web::Data::new(account_policy()))
    ));
}

/// With a policy for the wrapper and one for the user type inside it, both run, after the
/// route's own policy (which may add a channel): the stricter wins.
#[actix_web::test]
async fn policies_for_the_wrapper_and_for_the_user_type_both_apply() {
    let app = signed_in_app!(
        .service(
            TokenRoute::<SessionUser<Member>, _>::new("/session/token", issuer()).policy(
                |_: &HttpRequest, _: &SessionUser<Member>, mut grant: Grant| {
                    grant.capability = grant.capability.grant("beta:*", [Subscribe])?;
                    grant.ttl = Duration::from_secs(7200);
                    Ok(grant)
                },
            ),
        )
        .service(TokenRoute::<IdentityUser<AccountId>, _>::new("/identity/token", issuer()))
        // For the wrappers: refuse carol, remove `live:*`; keep `chat:lobby` of `chat:*`.
        .app_data(web::Data::new(GrantPolicy::new(
            |_: &HttpRequest, member: &SessionUser<Member>, mut grant: Grant| {
                refuse("carol", &member.name)?;
                grant.capability = grant
                    .capability
                    .intersect(&Capability::parse(r#"{"user:*":["*"],"beta:*":["*"]}"#)?);
                Ok(grant)
            },
        )))
        .app_data(web::Data::new(GrantPolicy::new(
            |_: &HttpRequest, _: &IdentityUser<AccountId>, mut grant: Grant| {
                grant.capability = Capability::new().grant("chat:lobby", [Subscribe])?;
                Ok(grant)
            },
        )))
        // For the user types: refuse bob, and shorten the ttl; the member's policy also
        // refuses a grant the route's policy has not shaped.
        .app_data(GrantPolicy::new(
            |_: &HttpRequest, member: &Member, mut grant: Grant| {
                refuse("bob", &member.name)?;
                if grant.capability.get("beta:*").is_none() {
                    return Err(Error::Forbidden("the route's policy has not run".into()));
                }
                grant.ttl = Duration::from_secs(120);
                Ok(grant)
            },
        ))
        .app_data(GrantPolicy::new(
            |_: &HttpRequest, account: &AccountId, mut grant: Grant| {
                refuse("bob", &account.0)?;
                grant.ttl = Duration::from_secs(60);
                Ok(grant)
            },
        ))
    );
    let alice = sign_in!(&app, "/session/login?name=alice");
    let (status, body) = get!(&app, "/session/token", &alice);
    assert_eq!(
        capability_and_ttl(status, &body),
        (
            r#"{"beta:*":["subscribe"],"user:alice":["publish"]}"#.to_owned(),
            120_000
        )
    );
    for name in ["bob", "carol"] {
        let cookie = sign_in!(&app, &format!("/session/login?name={name}"));
        let (status, body) = get!(&app, "/session/token", &cookie);
        assert_ably_error(status, &body, 40300, 403);
    }

    let alice = sign_in!(&app, "/identity/login?id=u-alice");
    let (status, body) = get!(&app, "/identity/token", &alice);
    assert_eq!(
        capability_and_ttl(status, &body),
        (r#"{"chat:lobby":["subscribe"]}"#.to_owned(), 60_000)
    );
    let bob = sign_in!(&app, "/identity/login?id=u-bob");
    let (status, body) = get!(&app, "/identity/token", &bob);
    assert_ably_error(status, &body, 40300, 403);
}

/// `AblyRoutes` of `SessionUser<Member>` applies the `GrantPolicy<Member>` once per request: a
/// policy that halves the ttl halves it once.
#[actix_web::test]
async fn ably_routes_of_session_users_apply_the_user_types_policy_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let routes = AblyRoutes::<SessionUser<Member>>::new(Issuers {
        token_requests: issuer(),
        jwts: JwtIssuer::new(KEY.parse().unwrap()),
    })
    .token_requests("/session/token");
    let app = signed_in_app!(
        .service(routes)
        .app_data(GrantPolicy::new(
            move |_: &HttpRequest, _: &Member, mut grant: Grant| {
                counted.fetch_add(1, Ordering::SeqCst);
                grant.ttl /= 2;
                Ok(grant)
            },
        ))
    );
    let alice = sign_in!(&app, "/session/login?name=alice");
    let (status, body) = get!(&app, "/session/token", &alice);
    assert_eq!(capability_and_ttl(status, &body).1, 300_000);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// The session's user, read as another user type that only the next test uses.
#[derive(serde::Deserialize)]
struct Guest {
    name: String,
}

impl AblyIdentity for Guest {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        Member {
            name: self.name.clone(),
            pro: false,
        }
        .ably_grant()
    }
}

/// A wrapper of a wrapper (a `Lookup` running the `SessionUser` extractor) reaches the
/// policies of each user type inside: `GrantPolicy<Guest>` applies to `Lookup<SessionUser<Guest>>`.
#[actix_web::test]
async fn a_wrapper_of_a_wrapper_applies_the_innermost_user_types_policy() {
    let app = signed_in_app!(
        .app_data(UserLookup::<SessionUser<Guest>>::extractor())
        .app_data(web::Data::new(issuer()))
        .app_data(GrantPolicy::new(
            |_: &HttpRequest, guest: &Guest, mut grant: Grant| {
                refuse("bob", &guest.name)?;
                grant.ttl = Duration::from_secs(120);
                Ok(grant)
            },
        ))
        .route(
            "/session/token",
            web::get().to(
                |issued: Issued<Lookup<SessionUser<Guest>>, TokenRequestIssuer>| async move {
                    issued
                },
            ),
        )
    );
    let alice = sign_in!(&app, "/session/login?name=alice");
    let (status, body) = get!(&app, "/session/token", &alice);
    assert_eq!(
        capability_and_ttl(status, &body),
        (r#"{"user:alice":["publish"]}"#.to_owned(), 120_000)
    );
    let bob = sign_in!(&app, "/session/login?name=bob");
    let (status, body) = get!(&app, "/session/token", &bob);
    assert_ably_error(status, &body, 40300, 403);
}
