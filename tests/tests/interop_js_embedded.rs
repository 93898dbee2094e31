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

/// Bob with publish rights on `chat:*` (and nothing else).
struct Publisher;

impl AblyIdentity for Publisher {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        Ok(Grant::new(
            Some(ClientId::new("bob")?),
            Capability::parse(r#"{"chat:*":["publish"]}"#)?,
            Duration::from_secs(3600),
        ))
    }
}

impl FromRequest for Publisher {
    type Error = AblyError;
    type Future = Ready<Result<Publisher, AblyError>>;
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(
            Bob::from_request(req, payload)
                .into_inner()
                .map(|Bob| Publisher),
        )
    }
}

/// The External JWT as ably-js sends it (on its default settings: msgpack) to the local
/// endpoint configured with the app's secret: allowed within the embedded token's
/// capability, 40160 outside it. (A token error such as 40144 is not tried here: ably-js
/// 2.28 retries it without a limit, ably/ably-js#2193; `rest_local_channels.rs` covers it.)
#[tokio::test]
async fn ably_js_publishes_with_the_external_jwt() {
    let key: Key = KEY.parse().unwrap();
    let with_secret = LocalAbly::new(key.clone())
        .with_external_jwt_secret(Hs256Secret::new(SECRET).unwrap())
        .start("127.0.0.1:0")
        .unwrap();
    let ably_url = with_secret.url();
    let app = serve(move |cfg| {
        let auth = Auth::new(AuthOptions::key(key.clone()))
            .unwrap()
            .with_endpoint(ably_url.clone());
        let secret = Hs256Secret::new(SECRET).unwrap();
        cfg.service(TokenRoute::<Publisher, _>::embedded_jwts(
            "/auth", auth, secret,
        ));
    });
    let auth_url = format!("{}/auth", app.url);
    let out = node(
        "ably-js.cjs",
        &[
            ("MODE", "authurl"),
            ("ABLY_ENDPOINT", &with_secret.url()),
            ("AUTH_URL", &auth_url),
            ("PUBLISH", "chat:lobby,news"),
        ],
    )
    .await;
    assert_eq!(out["published"]["chat:lobby"]["ok"], true, "{out}");
    let denied = &out["published"]["news"]["error"];
    assert_eq!(
        (&denied["code"], &denied["statusCode"]),
        (&40160.into(), &401.into()),
        "{out}"
    );
    with_secret.stop().await;
}
