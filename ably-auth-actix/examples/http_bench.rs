//! The server `benches/http/run.sh` measures: the token route next to a constant-body route of
//! the same size, in one actix-web app, so the difference between the two is the route's own
//! work (the user extractor, the hints, the grant, the policy, signing, the response).
//!
//! `cargo run --release -p ably-auth-actix --example http_bench` (`BIND_ADDR`, default
//! `127.0.0.1:0`); prints `listening on http://ADDR`.
//!
//! * `GET /ably/token-request` with `x-user: NAME`: a TokenRequest for NAME (a header stands in
//!   for the session, so no session store is measured);
//! * `GET /constant`: a TokenRequest-sized JSON body written once at start-up, with the same
//!   headers.

use ably_auth::{
    AblyIdentity, Capability, ClientId, Error, Grant, Key, Operation::*, TokenRequestIssuer,
};
use ably_auth_actix::{AblyError, TokenRoute};
use actix_web::dev::Payload;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, HttpServer, web};
use std::future::{Ready, ready};
use std::time::Duration;

/// The signed-in user, named by the `x-user` header.
struct User(String);

impl AblyIdentity for User {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        Ok(Grant::new(
            Some(ClientId::new(&self.0)?),
            Capability::new()
                .grant("chat:*", [Subscribe, History])?
                .grant(
                    ably_auth::channel_name(["user:", &self.0])?,
                    [Publish, Subscribe, Presence, History],
                )?,
            Duration::from_secs(3600),
        ))
    }
}

impl FromRequest for User {
    type Error = AblyError;
    type Future = Ready<Result<User, AblyError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.headers()
                .get("x-user")
                .and_then(|v| v.to_str().ok())
                .map(|name| User(name.to_owned()))
                .ok_or_else(|| Error::Unauthorized("send x-user".into()).into()),
        )
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let key: Key = "appId.keyId:benchSecretValue".parse().expect("a key");
    // A body as large as the route's answer for `alice`, made by the same issuer.
    let sample = TokenRequestIssuer::new(key.clone())
        .sign_json(&User("alice".into()).ably_grant().expect("a grant"))
        .expect("a TokenRequest");
    let constant = web::Bytes::from(sample);
    let bind = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let server = HttpServer::new(move || {
        let constant = constant.clone();
        App::new()
            .service(TokenRoute::<User, _>::token_requests(
                "/ably/token-request",
                key.clone(),
            ))
            .route(
                "/constant",
                web::get().to(move || {
                    let body = constant.clone();
                    async move {
                        HttpResponse::Ok()
                            .insert_header((CONTENT_TYPE, "application/json"))
                            .insert_header((CACHE_CONTROL, "no-store"))
                            .body(body)
                    }
                }),
            )
    })
    .bind(bind)?;
    for addr in server.addrs() {
        println!("listening on http://{addr}");
    }
    server.run().await
}
