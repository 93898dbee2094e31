//! The official ably-js SDK (npm `ably@2`, installed by the test) as the client of a token
//! route answering External JWTs with an embedded Ably token: its authUrl flow takes the
//! `application/jwt` answer as its token, as it stands. Needs `node` and `npm` on PATH.

mod support;

use ably_auth::jwt::{Hs256Secret, TokenPlacement};
use ably_auth::{
    AblyIdentity, Auth, AuthOptions, Capability, ClientId, EmbeddedJwtIssuer, Grant, Key, Verifier,
};
use ably_auth_actix::{AblyError, TokenRoute};
use ably_auth_local::LocalAbly;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::{Ready, ready};
use std::time::Duration;
use support::{node, serve};

const KEY: &str = "interopApp.interopKey:interopSecret";
const SECRET: &str = "the-app-own-secret-for-external-jwts";

/// The signed-in user: whoever sends `X-Interop: yes` is bob.
struct Bob;

impl AblyIdentity for Bob {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        Ok(Grant::new(
            Some(ClientId::new("bob")?),
            Capability::parse(r#"{"chat:*":["subscribe"]}"#)?,
            Duration::from_secs(3600),
        ))
    }
}

impl FromRequest for Bob {
    type Error = AblyError;
    type Future = Ready<Result<Bob, AblyError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.headers().get("x-interop") {
            Some(v) if v == "yes" => Ok(Bob),
            _ => Err(ably_auth::Error::Unauthorized("sign in first".into()).into()),
        })
    }
}

#[tokio::test]
async fn ably_js_takes_the_external_jwt_as_its_token() {
    let key: Key = KEY.parse().unwrap();
    let ably = LocalAbly::new(key.clone()).start("127.0.0.1:0").unwrap();
    let ably_url = ably.url();
    let app = serve(move |cfg| {
        let auth = Auth::new(AuthOptions::key(key.clone()))
            .unwrap()
            .with_endpoint(ably_url.clone());
        cfg.service(TokenRoute::<Bob, _>::new(
            "/auth",
            EmbeddedJwtIssuer::ably_tokens(auth, Hs256Secret::new(SECRET).unwrap()),
        ));
    });
    let out = node(
        "ably-js.cjs",
        &[
            ("MODE", "authurl"),
            ("ABLY_ENDPOINT", &ably.url()),
            ("AUTH_URL", &format!("{}/auth", app.url)),
        ],
    )
    .await;
    let jwt = out["details"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(out["clientId"], "bob", "{out}");
    // The token ably-js holds is the External JWT, around a token of the local endpoint,
    // living no longer than the 120 s ably-js asked for.
    let external = Verifier::new()
        .with_external_jwt_secret(Hs256Secret::new(SECRET).unwrap())
        .verify_external_jwt(jwt)
        .unwrap();
    assert_eq!(external.placement, TokenPlacement::Header);
    assert!(external.token.starts_with("interopApp."), "{external:?}");
    let lifetime = external.expires - external.issued.unwrap();
    assert!((119_000..=120_000).contains(&lifetime), "{lifetime}");
    ably.stop().await;
}
