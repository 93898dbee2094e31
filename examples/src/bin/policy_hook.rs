//! A per-request policy hook: deny suspended accounts and add a beta channel for testers,
//! without writing an issuer of your own.
//!
//! `ABLY_API_KEY=appId.keyId:secret cargo run -p ably-auth-examples --bin policy_hook`, then
//! `curl -H 'x-user: alice' -H 'x-beta: 1' localhost:8080/ably/token-request`.

use ably_auth::{AblyIdentity, Grant, Key, Operation};
use ably_auth_actix::{AblyError, TokenRoute};
use actix_web::dev::Payload;
use actix_web::{App, FromRequest, HttpRequest, HttpServer};
use std::future::{Ready, ready};

#[derive(AblyIdentity)]
#[ably(ttl = "30m")]
#[ably(grant("chat:*" => [subscribe, publish, presence]))]
#[ably(grant("user:{client_id}" => [subscribe, publish]))]
struct User {
    #[ably(client_id)]
    name: String,
    suspended: bool,
}

/// A stand-in for your session: the user name comes from a header set by your auth proxy.
impl FromRequest for User {
    type Error = AblyError;
    type Future = Ready<Result<User, AblyError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let name = req.headers().get("x-user").and_then(|v| v.to_str().ok());
        ready(match name {
            Some(name) => Ok(User {
                name: name.to_owned(),
                suspended: name == "mallory",
            }),
            None => Err(ably_auth::Error::Unauthorized("sign in first".into()).into()),
        })
    }
}

fn policy(req: &HttpRequest, user: &User, mut grant: Grant) -> ably_auth::Result<Grant> {
    if user.suspended {
        return Err(ably_auth::Error::Forbidden(
            "this account is suspended".into(),
        ));
    }
    if req.headers().contains_key("x-beta") {
        grant.capability = grant.capability.grant("beta:*", [Operation::Subscribe])?;
    }
    Ok(grant)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let key = Key::from_env().map_err(std::io::Error::other)?;
    let server = HttpServer::new(move || {
        App::new().service(
            TokenRoute::<User, _>::token_requests("/ably/token-request", key.clone())
                .policy(policy),
        )
    })
    .bind(std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into()))?;
    for addr in server.addrs() {
        println!("listening on http://{addr}");
    }
    server.run().await
}
