//! JWT only: the app signs Ably JWTs and never talks to Ably itself.
//!
//! `ABLY_API_KEY=appId.keyId:secret cargo run -p ably-auth-examples --bin jwt_only`, then
//! `curl -H 'authorization: Bearer demo-user-42' localhost:8080/ably/jwt`.

use ably_auth::{AblyIdentity, JwtIssuer, Key};
use ably_auth_actix::{AblyError, TokenRoute};
use actix_web::dev::Payload;
use actix_web::{App, FromRequest, HttpRequest, HttpServer};
use std::future::{Ready, ready};
use std::time::Duration;

/// A device, identified by the bearer token your API already checks (a stand-in here).
#[derive(AblyIdentity)]
#[ably(ttl = "10m")]
#[ably(grant("devices:{client_id}" => [publish, subscribe]))]
#[ably(grant("fleet:{fleet}" => [subscribe]))]
struct Device {
    #[ably(client_id)]
    id: String,
    fleet: String,
}

impl FromRequest for Device {
    type Error = AblyError;
    type Future = Ready<Result<Device, AblyError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let bearer = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        ready(match bearer {
            Some(id) => Ok(Device {
                id: id.to_owned(),
                fleet: "north".into(),
            }),
            None => Err(ably_auth::Error::Unauthorized(
                "send `Authorization: Bearer <device id>`".into(),
            )
            .into()),
        })
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let key = Key::from_env().map_err(std::io::Error::other)?;
    // Tolerate a server clock a few seconds ahead of Ably's.
    let issuer = JwtIssuer::new(key).with_backdate(Duration::from_secs(5));
    let server = HttpServer::new(move || {
        App::new().service(TokenRoute::<Device, _>::new("/ably/jwt", issuer.clone()))
    })
    .bind(std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into()))?;
    for addr in server.addrs() {
        println!("listening on http://{addr}");
    }
    server.run().await
}
