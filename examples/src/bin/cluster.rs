//! An app meant to run as several instances behind a load balancer: users are kept in Redis
//! through actix-session (with the `SessionUser` adapter), so any instance serves any
//! signed-in user, and each instance signs with the keys of a key file it reloads on SIGHUP
//! and when the file changes.
//!
//! `cargo run -p ably-auth-examples --features cluster --bin cluster`
//!
//! * `ABLY_API_KEY_FILE`: a file with one Ably key per line, the first signs, the others only
//!   verify (or `ABLY_API_KEY`: one key, which never changes). Required.
//! * `REDIS_URL`: the session store (default `redis://127.0.0.1:6379`; `rediss://` for TLS).
//! * `SESSION_SECRET`: at least 64 bytes, the same on every instance: it signs and encrypts
//!   the session cookie, so a cookie made by one instance reads on another.
//! * `BIND_ADDR` (default `127.0.0.1:8080`; port 0 picks a free one), `KEY_POLL_SECS` (how
//!   often the key file is checked for a change, default 2), `SESSION_COOKIE_SECURE=0` to send
//!   the cookie over plain HTTP (development only).

use ably_auth::{AblyIdentity, AblyRole, RotatingJwtIssuer, RotatingTokenRequestIssuer};
use ably_auth_actix::adapters::SessionUser;
use ably_auth_actix::{AblyError, TokenRoute};
use ably_auth_examples::quickstart::check_same_origin;
use actix_session::storage::RedisSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::Key as CookieKey;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use std::io;

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

#[derive(serde::Deserialize)]
struct LoginForm {
    user: String,
    #[serde(default)]
    plan: String,
}

async fn login(
    req: HttpRequest,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AblyError> {
    check_same_origin(&req)?;
    let member = Member {
        name: form.user.clone(),
        plan: if form.plan == "pro" {
            Plan::Pro
        } else {
            Plan::Free
        },
    };
    // Refuse a name Ably would refuse, or one that would reach into other channels.
    member.ably_grant()?;
    SessionUser::login(&session, &member).map_err(|err| {
        ably_auth::Error::Internal(format!("the session store refused the session: {err}"))
    })?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "clientId": member.name })))
}

async fn logout(req: HttpRequest, session: Session) -> Result<HttpResponse, AblyError> {
    check_same_origin(&req)?;
    SessionUser::<Member>::logout(&session);
    Ok(HttpResponse::Ok().json(serde_json::json!({ "signedOut": true })))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// The cookie key from `SESSION_SECRET`, which every instance must share.
fn cookie_key() -> io::Result<CookieKey> {
    let secret = std::env::var("SESSION_SECRET").map_err(|_| {
        invalid(
            "SESSION_SECRET is not set; set it to the same random text of at least 64 bytes on \
             every instance (for example `head -c 48 /dev/urandom | base64`)"
                .into(),
        )
    })?;
    if secret.len() < 64 {
        return Err(invalid(format!(
            "SESSION_SECRET has {} bytes; it needs at least 64, the same on every instance",
            secret.len()
        )));
    }
    Ok(CookieKey::from(secret.as_bytes()))
}

#[actix_web::main]
async fn main() -> io::Result<()> {
    let run = async {
        let (keys, source) = ably_auth_examples::keys::from_env()?.ok_or_else(|| {
            invalid(
                "set ABLY_API_KEY_FILE to a file with one Ably key per line (or ABLY_API_KEY)"
                    .into(),
            )
        })?;
        let cookie_key = cookie_key()?;
        let secure = std::env::var("SESSION_COOKIE_SECURE").as_deref() != Ok("0");
        let redis_url =
            std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let store = RedisSessionStore::new(redis_url.as_str())
            .await
            .map_err(|e| invalid(format!("REDIS_URL={redis_url:?}: {e}")))?;
        ably_auth_examples::keys::watch(&keys, &source)?;
        let bind = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
        let server = HttpServer::new(move || {
            App::new()
                .wrap(
                    SessionMiddleware::builder(store.clone(), cookie_key.clone())
                        .cookie_secure(secure)
                        .build(),
                )
                .route("/login", web::post().to(login))
                .route("/logout", web::post().to(logout))
                .service(TokenRoute::<SessionUser<Member>, _>::new(
                    "/ably/token-request",
                    RotatingTokenRequestIssuer::new(keys.clone()),
                ))
                .service(TokenRoute::<SessionUser<Member>, _>::new(
                    "/ably/jwt",
                    RotatingJwtIssuer::new(keys.clone()),
                ))
                .route("/healthz", web::get().to(|| async { "ok" }))
        })
        .bind(&bind)
        .map_err(|e| invalid(format!("BIND_ADDR={bind:?}: {e}")))?;
        for addr in server.addrs() {
            println!("listening on http://{addr}");
        }
        io::Result::Ok(server)
    };
    match run.await {
        Ok(server) => server.run().await,
        Err(err) => {
            eprintln!("cluster: {err}");
            std::process::exit(2)
        }
    }
}
