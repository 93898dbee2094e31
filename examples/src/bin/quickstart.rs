//! The quickstart: an actix-web app whose signed-in users get Ably credentials.
//!
//! `cargo run -p ably-auth-examples --bin quickstart`
//!
//! * `ABLY_API_KEY`: your key, or `ABLY_API_KEY_FILE`: a file with one key per line (the first
//!   signs, the others only verify), reloaded on SIGHUP and when it changes. Without either a
//!   demo key and an embedded local Ably endpoint are used, so everything works offline.
//! * `ABLY_ENDPOINT`: the Ably REST base URL (default: Ably with a key, the local endpoint without).
//! * `BIND_ADDR`: where to listen (default `127.0.0.1:8080`; port 0 picks a free port). With a
//!   key, an address other machines can reach also needs `ALLOW_PUBLIC_BIND=1`:
//!   roles are self-service here, anyone who reaches the app can sign in as admin.
//! * `ALLOWED_HOSTS`: more host names to answer to (comma-separated), besides `localhost` and
//!   the bound address; any other `Host` is refused (DNS rebinding).
//! * `SESSION_IDLE_SECS` (default 1800), `SESSION_MAX_AGE_SECS` (8 h), `MAX_SESSIONS` (10 000).
//!
//! `GET /metrics` serves ably-auth's metrics in Prometheus' text format, to requests from this
//! machine only (a loopback address; any other gets 403).

use ably_auth::{AblyIdentity, AblyRole, RotatingJwtIssuer, RotatingTokenRequestIssuer};
use ably_auth_actix::{AblyError, TokenRoute};
use ably_auth_examples::quickstart::{
    Config, Sessions, check_host, check_same_origin, install_prometheus, metrics_route,
};
use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::dev::Payload;
use actix_web::middleware::from_fn;
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, HttpServer, web};
use std::future::{Ready, ready};

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
    let config = Config::from_env().unwrap_or_else(|err| {
        eprintln!("quickstart: {err}");
        std::process::exit(2)
    });
    let sessions = web::Data::new(Sessions::<SessionUser>::new(config.sessions));
    let hosts = web::Data::new(config.allowed_hosts.clone());
    let page = web::Data::new(config.page_config());
    let keys = config.keys.clone();
    let ably_tokens = web::Data::new(config.ably_tokens);
    let prometheus = install_prometheus().unwrap_or_else(|err| {
        eprintln!("quickstart: {err}");
        std::process::exit(2)
    });

    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(check_host))
            .app_data(hosts.clone())
            .app_data(sessions.clone())
            .app_data(page.clone())
            .app_data(web::FormConfig::default().error_handler(|err, _| {
                AblyError::from(ably_auth::Error::BadRequest {
                    code: 40000,
                    message: format!("{err}; send user=NAME&role=viewer|editor|admin"),
                })
                .into()
            }))
            .service(TokenRoute::<SessionUser, _>::new(
                "/ably/token-request",
                RotatingTokenRequestIssuer::new(keys.clone()),
            ))
            .service(TokenRoute::<SessionUser, _>::new(
                "/ably/jwt",
                RotatingJwtIssuer::new(keys.clone()),
            ))
            .service(TokenRoute::<SessionUser, _>::with_data(
                "/ably/token",
                ably_tokens.clone(),
            ))
            .route("/login", web::post().to(login))
            .route("/logout", web::post().to(logout))
            .route("/config", web::get().to(page_config))
            .route("/", web::get().to(index))
            .route("/healthz", web::get().to(|| async { "ok" }))
            .service(metrics_route(prometheus.clone()))
    })
    .bind(&config.bind[..])?;
    for addr in server.addrs() {
        println!("listening on http://{addr}");
    }
    server.run().await
}

// ---- Sign-in: a cookie naming an in-memory session -------------------------------------

const SESSION_COOKIE: &str = "quickstart_session";

impl FromRequest for SessionUser {
    type Error = AblyError;
    type Future = Ready<Result<SessionUser, AblyError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = req
            .cookie(SESSION_COOKIE)
            .zip(req.app_data::<web::Data<Sessions<SessionUser>>>())
            .and_then(|(cookie, sessions)| sessions.user(cookie.value()));
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
    req: HttpRequest,
    form: web::Form<LoginForm>,
    sessions: web::Data<Sessions<SessionUser>>,
) -> Result<HttpResponse, AblyError> {
    check_same_origin(&req)?;
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
    // refuse (`ClientId::new`: empty, `*`, control characters), and names that would inject
    // into channel names (`eve:*`). Only spaces around it are dropped.
    let name = form.user.trim_matches(' ');
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
    // A new session id on every sign-in; the one the browser came with ends.
    let previous = req.cookie(SESSION_COOKIE);
    let session_id = sessions.start(user.clone(), previous.as_ref().map(Cookie::value));
    let max_age = sessions.settings().lifetime.as_secs();
    let cookie = Cookie::build(SESSION_COOKIE, session_id)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(
            max_age.try_into().unwrap_or(i64::MAX),
        ))
        .finish();
    Ok(HttpResponse::Ok()
        .cookie(cookie)
        .json(serde_json::json!({ "clientId": user.name, "role": form.role })))
}

async fn logout(
    req: HttpRequest,
    sessions: web::Data<Sessions<SessionUser>>,
) -> Result<HttpResponse, AblyError> {
    check_same_origin(&req)?;
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        sessions.end(cookie.value());
    }
    let mut expired = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    expired.make_removal();
    Ok(HttpResponse::Ok()
        .cookie(expired)
        .json(serde_json::json!({ "signedOut": true })))
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
