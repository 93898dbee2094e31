//! An app that keeps its users in actix-session, with the `session` adapter.
//!
//! `ABLY_API_KEY=appId.keyId:secret cargo run -p ably-auth-examples --features session --bin session_app`

use ably_auth::{AblyIdentity, AblyRole, Key};
use ably_auth_actix::TokenRoute;
use ably_auth_actix::adapters::SessionUser;
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::Key as CookieKey;
use actix_web::{App, HttpResponse, HttpServer, web};

#[derive(AblyIdentity, serde::Serialize, serde::Deserialize)]
#[ably(grant("user:{client_id}" => [publish, subscribe, presence]))]
struct Member {
    #[ably(client_id)]
    name: String,
    #[ably(role)]
    plan: Plan,
}

#[derive(AblyRole, serde::Serialize, serde::Deserialize)]
enum Plan {
    #[ably(grant("news" => [subscribe]))]
    Free,
    #[ably(grant("news" => [subscribe, history]), grant("live:*" => [subscribe]), ttl = "2h")]
    Pro,
}

async fn login(
    session: Session,
    form: web::Form<std::collections::HashMap<String, String>>,
) -> HttpResponse {
    let member = Member {
        name: form.get("user").cloned().unwrap_or_default(),
        plan: if form.get("plan").map(String::as_str) == Some("pro") {
            Plan::Pro
        } else {
            Plan::Free
        },
    };
    if let Err(err) = member.ably_grant() {
        return ably_auth_actix::error_response(&err);
    }
    match SessionUser::login(&session, &member) {
        Ok(()) => HttpResponse::Ok().finish(),
        Err(err) => HttpResponse::InternalServerError().body(err.to_string()),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let key = Key::from_env().map_err(std::io::Error::other)?;
    let cookie_key = CookieKey::generate();
    HttpServer::new(move || {
        App::new()
            .wrap(SessionMiddleware::new(
                CookieSessionStore::default(),
                cookie_key.clone(),
            ))
            .route("/login", web::post().to(login))
            .service(TokenRoute::<SessionUser<Member>, _>::token_requests(
                "/ably/token-request",
                key.clone(),
            ))
    })
    .bind(std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into()))?
    .run()
    .await
}
