//! The quickstart: an actix-web app whose signed-in users get Ably credentials.
//!
//! `cargo run -p ably-auth-examples --bin quickstart`
//!
//! * `ABLY_API_KEY`: your key. Without it a demo key and an embedded local Ably endpoint are
//!   used, so everything works offline.
//! * `ABLY_ENDPOINT`: the Ably REST base URL (default: Ably with a key, the local endpoint without).
//! * `BIND_ADDR`: where to listen (default `127.0.0.1:8080`; port 0 picks a free port).

use ably_auth::{AblyIdentity, AblyRole, AblyTokenIssuer, Auth, AuthOptions, Key};
use ably_auth_actix::local::{self, LocalAbly, LocalAblyServer};
use ably_auth_actix::{AblyError, TokenRoute};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, HttpServer, web};
use std::collections::HashMap;
use std::future::{Ready, ready};
use std::sync::Mutex;

/// Who is signed in: the clientId is the user name, the role decides the rest.
#[derive(AblyIdentity, Clone)]
#[ably(ttl = "1h")]
#[ably(grant("user:{client_id}" => [publish, subscribe, presence, history]))]
struct SessionUser {
    #[ably(client_id)]
    name: String,
    #[ably(role)]
    role: Role,
}

#[derive(AblyRole, Clone, Copy)]
enum Role {
    #[ably(grant("chat:*" => [subscribe, history]))]
    Viewer,
    #[ably(grant("chat:*" => [subscribe, history, publish, presence]))]
    Editor,
    #[ably(grant("*" => ["*"]), ttl = "15m")]
    Admin,
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let config = Config::from_env()?;
    let sessions = web::Data::new(Sessions::default());
    let page = web::Data::new(config.page_config());
    let key = config.key.clone();
    let ably_tokens = web::Data::new(AblyTokenIssuer::new(config.auth));

    let server = HttpServer::new(move || {
        App::new()
            .app_data(sessions.clone())
            .app_data(page.clone())
            .service(TokenRoute::<SessionUser, _>::token_requests(
                "/ably/token-request",
                key.clone(),
            ))
            .service(TokenRoute::<SessionUser, _>::jwts("/ably/jwt", key.clone()))
            .service(TokenRoute::<SessionUser, _>::with_data(
                "/ably/token",
                ably_tokens.clone(),
            ))
            .route("/login", web::post().to(login))
            .route("/logout", web::post().to(logout))
            .route("/config", web::get().to(page_config))
            .route("/", web::get().to(index))
            .route("/healthz", web::get().to(|| async { "ok" }))
    })
    .bind(&config.bind)?;
    for addr in server.addrs() {
        println!("listening on http://{addr}");
    }
    server.run().await
}

// ---- Sign-in: a cookie naming an in-memory session -------------------------------------

const SESSION_COOKIE: &str = "quickstart_session";

#[derive(Default)]
struct Sessions(Mutex<HashMap<String, SessionUser>>);

impl FromRequest for SessionUser {
    type Error = AblyError;
    type Future = Ready<Result<SessionUser, AblyError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = req
            .cookie(SESSION_COOKIE)
            .zip(req.app_data::<web::Data<Sessions>>())
            .and_then(|(cookie, sessions)| sessions.0.lock().unwrap().get(cookie.value()).cloned());
        ready(user.ok_or_else(|| {
            ably_auth::Error::Unauthorized("sign in first: POST /login".into()).into()
        }))
    }
}

#[derive(serde::Deserialize)]
struct LoginForm {
    user: String,
    role: String,
}

async fn login(
    form: web::Form<LoginForm>,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, AblyError> {
    let role = match form.role.as_str() {
        "viewer" => Role::Viewer,
        "editor" => Role::Editor,
        "admin" => Role::Admin,
        other => {
            return Err(ably_auth::Error::BadRequest {
                code: 40000,
                message: format!("unknown role {other:?}; use viewer, editor or admin"),
            }
            .into());
        }
    };
    // The user name is the clientId and part of a channel name: refuse what Ably would
    // refuse, and names that would inject into channel names (`eve:*`).
    let name = form.user.trim();
    if name.len() > 64 {
        return Err(ably_auth::Error::InvalidClientId("at most 64 bytes, please".into()).into());
    }
    ably_auth::ClientId::new(name)
        .and_then(|_| ably_auth::check_interpolated("user", name))
        .map_err(|err| ably_auth::Error::InvalidClientId(err.to_string()))?;
    let user = SessionUser {
        name: name.to_owned(),
        role,
    };
    let session_id = ably_auth::NonceSource::nonce(&ably_auth::RandomNonce);
    sessions
        .0
        .lock()
        .unwrap()
        .insert(session_id.clone(), user.clone());
    let cookie = Cookie::build(SESSION_COOKIE, session_id)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish();
    Ok(HttpResponse::Ok()
        .cookie(cookie)
        .json(serde_json::json!({ "clientId": user.name, "role": form.role })))
}

async fn logout(req: HttpRequest, sessions: web::Data<Sessions>) -> HttpResponse {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        sessions.0.lock().unwrap().remove(cookie.value());
    }
    let mut expired = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    expired.make_removal();
    HttpResponse::Ok()
        .cookie(expired)
        .json(serde_json::json!({ "signedOut": true }))
}

// ---- The page and its settings ----------------------------------------------------------

async fn index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(include_str!("../../static/index.html"))
}

async fn page_config(config: web::Data<serde_json::Value>) -> HttpResponse {
    HttpResponse::Ok().json(config.get_ref())
}

// ---- Configuration from the environment -------------------------------------------------

struct Config {
    key: Key,
    auth: Auth,
    endpoint: String,
    bind: String,
    /// The embedded local Ably endpoint, when there is no key.
    local: Option<LocalAblyServer>,
}

impl Config {
    fn from_env() -> std::io::Result<Config> {
        let bind = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
        let endpoint = std::env::var("ABLY_ENDPOINT").ok();
        let (key, endpoint, local) = if std::env::var_os("ABLY_API_KEY").is_some() {
            let key = Key::from_env().map_err(invalid)?;
            let endpoint = endpoint.unwrap_or_else(|| ably_auth::rest::DEFAULT_ENDPOINT.into());
            (key, endpoint, None)
        } else {
            // No key: the demo key, accepted by an embedded local Ably endpoint.
            let local = LocalAbly::demo().start("127.0.0.1:0")?;
            println!(
                "ABLY_API_KEY is not set: using the demo key and the local Ably endpoint at {}",
                local.url()
            );
            let endpoint = endpoint.unwrap_or_else(|| local.url());
            (local::demo_key(), endpoint, Some(local))
        };
        let auth = Auth::new(AuthOptions::key(key.clone()))
            .map_err(invalid)?
            .with_endpoint(&endpoint);
        Ok(Config {
            key,
            auth,
            endpoint,
            bind,
            local,
        })
    }

    fn page_config(&self) -> serde_json::Value {
        serde_json::json!({ "endpoint": self.endpoint, "local": self.local.is_some(), "keyName": self.key.name() })
    }
}

fn invalid(err: ably_auth::Error) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, err.to_string())
}
