//! A team app: a user `{ id, org, plan }` found by `Authorization: Bearer <id>`, whose plan
//! decides what they may do on their organization's channels; every credential route is
//! mounted by one builder, with one policy that refuses suspended accounts.
//!
//! `ABLY_API_KEY=appId.keyId:secret cargo run -p ably-auth-examples --bin plans`, then
//! `curl -H 'Authorization: Bearer 2' localhost:8080/ably/token-request`. Users 1, 2 and 3
//! are on Free, Pro and Staff at `acme`; user 4 is suspended. `ABLY_ENDPOINT` sets the Ably
//! REST base URL of the Ably-token route, `BIND_ADDR` where to listen.

use ably_auth::{AblyIdentity, AblyRole, Auth, AuthOptions, Error, Key};
use ably_auth_actix::{AblyRoutes, adapters::UserLookup};
use actix_web::{App, HttpServer};
use std::collections::HashMap;
use std::sync::Arc;

/// A signed-in user: the id is the clientId, the plan decides the rest.
#[derive(AblyIdentity, Clone)]
pub struct User {
    #[ably(client_id)]
    pub id: u64,
    pub org: String,
    #[ably(role)]
    pub plan: Plan,
    pub suspended: bool,
}

/// What each plan may do, on the user's own organization and channel.
#[derive(AblyRole, Clone, Copy)]
pub enum Plan {
    #[ably(grant("org:{org}:*" => [subscribe, history], "user:{id}" => [publish]), ttl = "10m")]
    Free,
    #[ably(grant("org:{org}:*" => [subscribe, history, publish, presence]))]
    #[ably(grant("user:{id}" => [publish]), ttl = "1h")]
    Pro,
    #[ably(grant("[*]*" => ["*"]), ttl = "15m")]
    Staff,
}

/// The app's accounts by id (a stand-in for your database).
pub struct Accounts(HashMap<u64, User>);

impl Accounts {
    /// Users 1, 2 and 3 on Free, Pro and Staff at `acme`; user 4 on Pro, suspended.
    pub fn demo() -> Accounts {
        use Plan::{Free, Pro, Staff};
        let plans = [(1, Free), (2, Pro), (3, Staff), (4, Pro)];
        let users = plans.map(|(id, plan)| {
            let (org, suspended) = ("acme".to_owned(), id == 4);
            (
                id,
                User {
                    id,
                    org,
                    plan,
                    suspended,
                },
            )
        });
        Accounts(HashMap::from(users))
    }

    /// The user a bearer token names (here the token is the id; use your sessions).
    fn find(&self, token: &str) -> Result<User, Error> {
        let user = token.parse().ok().and_then(|id| self.0.get(&id)).cloned();
        user.ok_or_else(|| Error::Unauthorized("no user has this token; sign in again".into()))
    }
}

/// Every credential route for `User`: TokenRequests, Ably JWTs and Ably tokens (from `auth`).
pub fn routes(key: Key, auth: Auth, accounts: Arc<Accounts>) -> AblyRoutes<User, UserLookup<User>> {
    AblyRoutes::<User>::new(key)
        .bearer(move |token, _| accounts.find(token))
        .policy(|_, user: &User, grant| match user.suspended {
            true => Err(Error::Forbidden("this account is suspended".into())),
            false => Ok(grant),
        })
        .token_requests("/ably/token-request")
        .jwts("/ably/jwt")
        .ably_tokens("/ably/token", auth)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let key = Key::from_env().map_err(std::io::Error::other)?;
    let mut auth = Auth::new(AuthOptions::key(key.clone())).map_err(std::io::Error::other)?;
    if let Ok(endpoint) = std::env::var("ABLY_ENDPOINT") {
        auth = auth.with_endpoint(endpoint);
    }
    let routes = routes(key, auth, Arc::new(Accounts::demo()));
    let server = HttpServer::new(move || App::new().service(routes.clone()))
        .bind(std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into()))?;
    for addr in server.addrs() {
        println!("listening on http://{addr}");
    }
    server.run().await
}
