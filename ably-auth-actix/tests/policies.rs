//! Grant policies fail closed: an app-wide `GrantPolicy` is found however actix-web users
//! register app data (bare or in `web::Data`), a route's own policy adds to it instead of
//! replacing it, and a `GrantPolicy<User>` applies to a route for `Lookup<User>` too.

mod common;

use ably_auth::{
    AblyIdentity, Capability, ClientId, Error, FixedClock, Grant, JwtIssuer, Operation::*,
    TokenRequest, TokenRequestIssuer,
};
use ably_auth_actix::adapters::{Lookup, UserLookup};
use ably_auth_actix::{
    AblyRoutes, AuthUrlRequest, GrantPolicy, Issued, Issuers, TokenRoute, credential_handler,
};
use actix_web::body::MessageBody;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use common::User;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const KEY: &str = "appId.keyId:policyTestSecret";

fn issuer() -> TokenRequestIssuer {
    TokenRequestIssuer::new(KEY.parse().unwrap())
        .with_clock(Arc::new(FixedClock::new(1_700_000_000_000)))
}

fn deny_suspended() -> GrantPolicy<User> {
    GrantPolicy::new(|_: &HttpRequest, user: &User, grant: Grant| {
        if user.0 == "mallory" {
            return Err(Error::Forbidden("this account is suspended".into()));
        }
        Ok(grant)
    })
}

fn allow_all(_: &HttpRequest, _: &User, grant: Grant) -> Result<Grant, Error> {
    Ok(grant)
}

/// How the app-wide policy is registered.
#[derive(Clone, Copy, Debug)]
enum Registered {
    Bare,
    Data,
}

/// An app with the deny policy registered app-wide as `how`, serving a plain token route, a
/// route with an allow-all policy of its own, and a handler written with `Issued`.
macro_rules! app_with {
    ($how:expr) => {{
        let app = App::new()
            .service(TokenRoute::<User, _>::new("/plain", issuer()))
            .service(TokenRoute::<User, _>::new("/own-policy", issuer()).policy(allow_all))
            .route(
                "/handler",
                web::get().to(|issued: Issued<User, TokenRequestIssuer>| async move { issued }),
            )
            .app_data(web::Data::new(issuer()));
        let app = match $how {
            Registered::Bare => app.app_data(deny_suspended()),
            Registered::Data => app.app_data(web::Data::new(deny_suspended())),
        };
        test::init_service(app).await
    }};
}

/// GETs `path` as `user` and returns the status and body.
macro_rules! call {
    ($app:expr, $path:expr, $user:expr) => {{
        let response = test::call_service(
            $app,
            test::TestRequest::get()
                .uri($path)
                .insert_header(("x-user", $user))
                .to_request(),
        )
        .await;
        let status = response.status().as_u16();
        (
            status,
            response.into_body().try_into_bytes().unwrap().to_vec(),
        )
    }};
}

fn assert_forbidden(status: u16, body: &[u8], code: u32) {
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(body));
    let info = ably_auth::ErrorInfo::from_json(body).expect("an Ably ErrorInfo");
    assert_eq!((info.code, info.status_code), (code, 403));
}

#[actix_web::test]
async fn an_app_wide_policy_applies_in_either_registration_form() {
    for how in [Registered::Bare, Registered::Data] {
        let app = app_with!(how);
        for path in ["/plain", "/own-policy", "/handler"] {
            let (status, body) = call!(&app, path, "mallory");
            println!("{how:?} {path} -> {status}");
            assert_forbidden(status, &body, 40300);
            let (status, body) = call!(&app, path, "alice");
            assert_eq!(
                status,
                200,
                "{how:?} {path}: {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
}

#[actix_web::test]
async fn both_forms_registered_both_run() {
    let app = test::init_service(
        App::new()
            .service(TokenRoute::<User, _>::new("/plain", issuer()))
            .app_data(deny_suspended())
            .app_data(web::Data::new(GrantPolicy::new(
                |_: &HttpRequest, user: &User, grant: Grant| {
                    if user.0 == "trudy" {
                        return Err(Error::Forbidden("trial expired".into()));
                    }
                    Ok(grant)
                },
            ))),
    )
    .await;
    for user in ["mallory", "trudy"] {
        let (status, body) = call!(&app, "/plain", user);
        assert_forbidden(status, &body, 40300);
    }
    assert_eq!(call!(&app, "/plain", "alice").0, 200);
}

/// The route's policy shapes the grant first; the app-wide policy runs on its result and can
/// only narrow it.
#[actix_web::test]
async fn the_route_policy_shapes_and_app_wide_policies_only_narrow() {
    // The route's policy adds `route:*` and `beta:*` and asks for a 2 h ttl. The app-wide
    // policy refuses unless it sees `route:*`, removes `beta:*`, tries to add `app:*` and
    // shortens the ttl to 10 minutes.
    let app = test::init_service(
        App::new()
            .app_data(GrantPolicy::new(
                |_: &HttpRequest, _: &User, mut grant: Grant| {
                    if grant.capability.get("route:*").is_none() {
                        return Err(Error::Forbidden("the route's policy has not run".into()));
                    }
                    let mut narrowed = Capability::new();
                    for (resource, operations) in grant.capability.iter() {
                        if resource.as_str() != "beta:*" {
                            narrowed = narrowed.grant(resource.as_str(), operations)?;
                        }
                    }
                    grant.capability = narrowed.grant("app:*", [Subscribe])?;
                    grant.ttl = Duration::from_secs(600);
                    Ok(grant)
                },
            ))
            .service(TokenRoute::<User, _>::new("/ordered", issuer()).policy(
                |_: &HttpRequest, _: &User, mut grant: Grant| {
                    grant.capability = grant
                        .capability
                        .grant("route:*", [Subscribe])?
                        .grant("beta:*", [Subscribe])?;
                    grant.ttl = Duration::from_secs(7200);
                    Ok(grant)
                },
            )),
    )
    .await;
    let (status, body) = call!(&app, "/ordered", "alice");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let request = TokenRequest::from_json(&body).unwrap();
    assert_eq!(request.ttl, Some(600_000));
    let capability = Capability::parse(request.capability.as_deref().unwrap()).unwrap();
    assert_eq!(capability.get("route:*"), Some([Subscribe].into()));
    assert_eq!(
        capability.get("beta:*"),
        None,
        "removed app-wide, not re-added"
    );
    assert_eq!(
        capability.get("app:*"),
        None,
        "an app-wide policy can't widen"
    );
    assert!(capability.get("user:alice").is_some());
}

/// An app-wide policy that leaves nothing of the capability refuses (40160), rather than
/// issuing an empty or a wider credential.
#[actix_web::test]
async fn an_app_wide_policy_that_removes_everything_refuses() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(GrantPolicy::new(
                |_: &HttpRequest, _: &User, mut grant: Grant| {
                    grant.capability = Capability::new().grant("elsewhere", [Publish])?;
                    Ok(grant)
                },
            )))
            .service(TokenRoute::<User, _>::new("/emptied", issuer())),
    )
    .await;
    let (status, body) = call!(&app, "/emptied", "alice");
    assert_forbidden(status, &body, 40160);
}

#[actix_web::test]
async fn a_policy_may_not_change_the_client_id() {
    let app = test::init_service(
        App::new()
            .service(TokenRoute::<User, _>::new("/impersonate", issuer()).policy(
                |req: &HttpRequest, _: &User, mut grant: Grant| {
                    let name = req.headers().get("x-as").unwrap().to_str().unwrap();
                    grant.client_id = Some(match name {
                        "*" => ClientId::wildcard(),
                        name => ClientId::new(name)?,
                    });
                    Ok(grant)
                },
            ))
            .service(TokenRoute::<User, _>::new("/anonymous", issuer()).policy(
                |_: &HttpRequest, _: &User, mut grant: Grant| {
                    grant.client_id = None;
                    Ok(grant)
                },
            )),
    )
    .await;
    for target in ["bob", "*"] {
        let response = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/impersonate")
                .insert_header(("x-user", "alice"))
                .insert_header(("x-as", target))
                .to_request(),
        )
        .await;
        let status = response.status().as_u16();
        let body = response.into_body().try_into_bytes().unwrap();
        assert_forbidden(status, &body, 40102);
    }
    // Dropping the clientId narrows: an anonymous credential.
    let (status, body) = call!(&app, "/anonymous", "alice");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(TokenRequest::from_json(&body).unwrap().client_id, None);
}

#[actix_web::test]
async fn then_chains_two_policies_with_the_same_rules() {
    let shorten = GrantPolicy::new(|_: &HttpRequest, _: &User, mut grant: Grant| {
        grant.ttl = Duration::from_secs(60);
        Ok(grant)
    });
    let lengthen = GrantPolicy::new(|_: &HttpRequest, _: &User, mut grant: Grant| {
        grant.ttl = Duration::from_secs(86_400);
        Ok(grant)
    });
    let app = test::init_service(
        App::new()
            .app_data(deny_suspended().then(shorten).then(lengthen))
            .service(TokenRoute::<User, _>::new("/chained", issuer())),
    )
    .await;
    let (status, body) = call!(&app, "/chained", "mallory");
    assert_forbidden(status, &body, 40300);
    let (status, body) = call!(&app, "/chained", "alice");
    assert_eq!(status, 200);
    assert_eq!(TokenRequest::from_json(&body).unwrap().ttl, Some(60_000));
}

/// A route's `.policy` called twice keeps both, as `AblyRoutes::policy` does: the first still
/// refuses, and the second can only narrow what the first returns.
#[actix_web::test]
async fn a_second_route_policy_adds_to_the_first() {
    let refuse = |_: &HttpRequest, user: &User, grant: Grant| match user.0.as_str() {
        "mallory" => Err(Error::Forbidden("this account is suspended".into())),
        _ => Ok(grant),
    };
    let lengthen = |_: &HttpRequest, _: &User, mut grant: Grant| {
        grant.ttl = Duration::from_secs(86_400);
        Ok(grant)
    };
    let shorten = |_: &HttpRequest, _: &User, mut grant: Grant| {
        grant.ttl = Duration::from_secs(60);
        Ok(grant)
    };
    let app = test::init_service(
        App::new()
            .service(
                TokenRoute::<User, _>::new("/two", issuer())
                    .policy(refuse)
                    .policy(lengthen),
            )
            .service(
                TokenRoute::<User, _>::new("/narrow", issuer())
                    .policy(shorten)
                    .policy(lengthen),
            ),
    )
    .await;
    let (status, body) = call!(&app, "/two", "mallory");
    assert_forbidden(status, &body, 40300);
    let (status, body) = call!(&app, "/narrow", "alice");
    assert_eq!(status, 200);
    assert_eq!(TokenRequest::from_json(&body).unwrap().ttl, Some(60_000));
}

/// The user found by a [`UserLookup`] from the `x-user` header.
fn header_lookup() -> UserLookup<User> {
    UserLookup::new(|req: &HttpRequest| -> Result<User, Error> {
        let name = req.headers().get("x-user").and_then(|v| v.to_str().ok());
        name.map(|name| User(name.to_owned()))
            .ok_or_else(|| Error::Unauthorized("sign in first".into()))
    })
}

/// A policy written for the app's user type: refuses mallory, removes every `user:` channel
/// and shortens the ttl to 10 minutes.
fn trim_for_users() -> GrantPolicy<User> {
    deny_suspended().then(GrantPolicy::new(
        |_: &HttpRequest, _: &User, mut grant: Grant| {
            grant.capability = without_prefix(&grant.capability, "user:")?;
            grant.ttl = Duration::from_secs(600);
            Ok(grant)
        },
    ))
}

/// `capability` without the resources whose name starts with `prefix`.
fn without_prefix(capability: &Capability, prefix: &str) -> Result<Capability, Error> {
    let mut kept = Capability::new();
    for (resource, operations) in capability.iter() {
        if !resource.as_str().starts_with(prefix) {
            kept = kept.grant(resource.as_str(), operations)?;
        }
    }
    Ok(kept)
}

/// The capability JSON and ttl of a TokenRequest body.
fn granted(status: u16, body: &[u8]) -> (String, Option<u64>) {
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(body));
    let request = TokenRequest::from_json(body).unwrap();
    (request.capability.unwrap(), request.ttl)
}

/// A `Lookup<User>` route, through `Issued` or `credential_handler`, applies the app-wide
/// `GrantPolicy<User>`: the policy written for the app's user type, not only one written for
/// the wrapper.
#[actix_web::test]
async fn an_app_wide_policy_for_the_user_type_applies_to_lookup_users() {
    for how in [Registered::Bare, Registered::Data] {
        let app = App::new()
            .app_data(header_lookup())
            .app_data(web::Data::new(issuer()))
            .route(
                "/issued",
                web::get()
                    .to(|issued: Issued<Lookup<User>, TokenRequestIssuer>| async move { issued }),
            )
            .route(
                "/handler",
                web::get().to(credential_handler::<Lookup<User>, TokenRequestIssuer>),
            );
        let app = match how {
            Registered::Bare => app.app_data(trim_for_users()),
            Registered::Data => app.app_data(web::Data::new(trim_for_users())),
        };
        let app = test::init_service(app).await;
        for path in ["/issued", "/handler"] {
            let (status, body) = call!(&app, path, "mallory");
            assert_forbidden(status, &body, 40300);
            let (status, body) = call!(&app, path, "alice");
            assert_eq!(
                granted(status, &body),
                (
                    r#"{"chat:*":["history","subscribe"]}"#.to_owned(),
                    Some(600_000)
                ),
                "{how:?} {path}"
            );
        }
    }
}

/// A policy for the wrapper and one for the user type inside it both run, so the stricter
/// wins: each refuses its own user, one removes a channel, the other shortens the ttl.
#[actix_web::test]
async fn policies_for_lookup_and_for_the_user_type_both_apply() {
    let for_wrapper = GrantPolicy::new(|_: &HttpRequest, user: &Lookup<User>, mut grant: Grant| {
        if user.0.0 == "trudy" {
            return Err(Error::Forbidden("trial expired".into()));
        }
        grant.capability = without_prefix(&grant.capability, "user:")?;
        Ok(grant)
    });
    let for_user = deny_suspended().then(GrantPolicy::new(
        |_: &HttpRequest, _: &User, mut grant: Grant| {
            grant.ttl = Duration::from_secs(600);
            Ok(grant)
        },
    ));
    let app = test::init_service(
        App::new()
            .app_data(header_lookup())
            .app_data(web::Data::new(issuer()))
            .app_data(web::Data::new(for_wrapper))
            .app_data(for_user)
            .route(
                "/issued",
                web::get()
                    .to(|issued: Issued<Lookup<User>, TokenRequestIssuer>| async move { issued }),
            )
            .route(
                "/handler",
                web::get().to(credential_handler::<Lookup<User>, TokenRequestIssuer>),
            ),
    )
    .await;
    for path in ["/issued", "/handler"] {
        for user in ["mallory", "trudy"] {
            let (status, body) = call!(&app, path, user);
            assert_forbidden(status, &body, 40300);
        }
        let (status, body) = call!(&app, path, "alice");
        assert_eq!(
            granted(status, &body),
            (
                r#"{"chat:*":["history","subscribe"]}"#.to_owned(),
                Some(600_000)
            ),
            "{path}"
        );
    }
}

/// A user type that no route of this file extracts inside a `Lookup`.
struct Visitor(User);

impl AblyIdentity for Visitor {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        self.0.ably_grant()
    }
}

/// A handler that builds the `Lookup` itself, without extracting one, still gets the policy
/// for the user type inside it.
#[actix_web::test]
async fn a_lookup_built_by_a_handler_gets_the_user_types_policy() {
    async fn built(req: HttpRequest, request: AuthUrlRequest<User>) -> HttpResponse {
        let AuthUrlRequest { user, hints } = request;
        let request = AuthUrlRequest {
            user: Lookup(Visitor(user)),
            hints,
        };
        credential_handler::<Lookup<Visitor>, TokenRequestIssuer>(req, Ok(request)).await
    }
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(issuer()))
            .app_data(GrantPolicy::new(
                |_: &HttpRequest, visitor: &Visitor, mut grant: Grant| {
                    if visitor.0.0 == "mallory" {
                        return Err(Error::Forbidden("this account is suspended".into()));
                    }
                    grant.ttl = Duration::from_secs(600);
                    Ok(grant)
                },
            ))
            .route("/built", web::get().to(built)),
    )
    .await;
    let (status, body) = call!(&app, "/built", "mallory");
    assert_forbidden(status, &body, 40300);
    let (status, body) = call!(&app, "/built", "alice");
    assert_eq!(granted(status, &body).1, Some(600_000));
}

/// `AblyRoutes` finds its users through a `Lookup` too, and applies the `GrantPolicy<User>`
/// itself: the policy runs once per request, not once more for the wrapper. A policy that
/// halves the ttl would otherwise quarter it.
#[actix_web::test]
async fn ably_routes_apply_the_user_types_policy_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let halve = GrantPolicy::new(move |_: &HttpRequest, _: &User, mut grant: Grant| {
        counted.fetch_add(1, Ordering::SeqCst);
        grant.ttl /= 2;
        Ok(grant)
    });
    let routes = AblyRoutes::<User>::new(Issuers {
        token_requests: issuer(),
        jwts: JwtIssuer::new(KEY.parse().unwrap()),
    })
    .user_lookup(header_lookup())
    .token_requests("/routes");
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(halve))
            .app_data(header_lookup())
            .app_data(web::Data::new(issuer()))
            .service(routes)
            .route(
                "/issued",
                web::get()
                    .to(|issued: Issued<Lookup<User>, TokenRequestIssuer>| async move { issued }),
            ),
    )
    .await;
    for path in ["/routes", "/issued"] {
        let before = calls.load(Ordering::SeqCst);
        let (status, body) = call!(&app, path, "alice");
        assert_eq!(granted(status, &body).1, Some(1_800_000), "{path}");
        assert_eq!(calls.load(Ordering::SeqCst) - before, 1, "{path}");
    }
}
