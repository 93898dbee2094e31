//! Grant policies fail closed: an app-wide `GrantPolicy` is found however actix-web users
//! register app data (bare or in `web::Data`), and a route's own policy adds to it instead of
//! replacing it.

mod common;

use ably_auth::{
    Capability, ClientId, Error, FixedClock, Grant, Operation::*, TokenRequest, TokenRequestIssuer,
};
use ably_auth_actix::{GrantPolicy, Issued, TokenRoute};
use actix_web::body::MessageBody;
use actix_web::{App, HttpRequest, test, web};
use common::User;
use std::sync::Arc;
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
