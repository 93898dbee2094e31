//! `ably_auth::rest::Rest` against the local Ably endpoint over HTTP: Basic auth (through a
//! TLS front, as RSA1 asks) and token auth through the key, publish and history in msgpack
//! and JSON, capability refusals (40160), `revokeTokens` (RSA17) and the renewal of a revoked
//! token (RSA4b), 40162 under token auth, and External JWTs from `TokenRoute::embedded_jwts`
//! used as the client's token.
//!
//! Every request the endpoint answers is recorded (wire format, scheme, status, Ably code),
//! so the tests check what went over the wire, not what the client says it did.

use ably_auth::jwt::Hs256Secret;
use ably_auth::rest::{
    AuthScheme, ClientOptions, Rest, RevokeOptions, TokenRevocationResult, TokenRevocationSuccess,
    TokenRevocationTarget,
};
use ably_auth::{AblyIdentity, Capability, ClientId, Error, Grant, Operation::*};
use ably_auth::{Auth, AuthOptions, FixedClock, Key, TokenParams};
use ably_auth_actix::{AblyError, TokenRoute};
use ably_auth_local::LocalAbly;
use actix_web::dev::{Payload, ServerHandle, Service};
use actix_web::{App, FromRequest, HttpRequest, HttpServer};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};
use std::future::{Ready, ready};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T0: u64 = 1_700_000_000_000;
const KEY: &str = "appId.keyId:restLocalKeySecret";
const SECRET: &str = "the-app-own-secret-for-external-jwts";
const CA: &[u8] = include_bytes!("../../ably-auth/tests/fixtures/test-ca.pem");
const CERT: &[u8] = include_bytes!("../../ably-auth/tests/fixtures/test-server.pem");
const CERT_KEY: &[u8] = include_bytes!("../../ably-auth/tests/fixtures/test-server.key");

fn key() -> Key {
    Key::parse(KEY).unwrap().with_revocable_tokens(true)
}

/// One request the endpoint answered.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    content_type: String,
    accept: String,
    authorization: String,
    status: u16,
    code: Option<u32>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// `local` on a free port, recording every request it answers.
fn serve(local: LocalAbly) -> (SocketAddr, Log, ServerHandle) {
    let log = Log::default();
    let recorded = log.clone();
    let server = HttpServer::new(move || {
        let recorded = recorded.clone();
        App::new()
            .wrap_fn(move |req, srv| {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned()
                };
                let mut seen = Seen {
                    method: req.method().to_string(),
                    path: req.path().to_owned(),
                    content_type: header("content-type"),
                    accept: header("accept"),
                    authorization: header("authorization"),
                    status: 0,
                    code: None,
                };
                let answer = srv.call(req);
                let recorded = recorded.clone();
                async move {
                    let answer = answer.await?;
                    seen.status = answer.status().as_u16();
                    seen.code = answer
                        .headers()
                        .get("x-ably-errorcode")
                        .and_then(|v| v.to_str().ok()?.parse().ok());
                    recorded.lock().unwrap().push(seen);
                    Ok(answer)
                }
            })
            .configure(local.configure())
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (addr, log, handle)
}

/// TLS in front of `backend` with the test certificate (`ably-auth/tests/fixtures`, issued
/// for 127.0.0.1 by the test CA); returns its port.
async fn tls_front(backend: SocketAddr) -> u16 {
    let certs = CertificateDer::pem_slice_iter(CERT)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let private = PrivateKeyDer::from_pem_slice(CERT_KEY).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

/// Options reaching `addr` over plain HTTP.
fn plain(addr: SocketAddr, auth: AuthOptions, binary: bool) -> ClientOptions {
    ClientOptions::new(auth)
        .with_endpoint("127.0.0.1")
        .with_tls(false)
        .with_port(addr.port())
        .with_use_binary_protocol(binary)
}

/// Options reaching the TLS front on `port`, trusting the test CA.
fn tls(port: u16, auth: AuthOptions, binary: bool) -> ClientOptions {
    ClientOptions::new(auth)
        .with_endpoint("127.0.0.1")
        .with_tls(true)
        .with_tls_port(port)
        .with_root_certificates_pem(CA)
        .unwrap()
        .with_use_binary_protocol(binary)
}

fn wire(binary: bool) -> &'static str {
    if binary {
        "application/x-msgpack"
    } else {
        "application/json"
    }
}

async fn publish(rest: &Rest, channel: &str, data: &str) -> (u16, Option<u32>) {
    let page = rest
        .request(
            "POST",
            &format!("/channels/{channel}/messages"),
            &[],
            Some(&json!({"name": "greeting", "data": data})),
            &[],
        )
        .await
        .unwrap();
    (page.status_code(), page.error_code())
}

async fn history(rest: &Rest, channel: &str) -> Result<Vec<Value>, (u16, Option<u32>)> {
    let page = rest
        .request(
            "GET",
            &format!("/channels/{channel}/messages"),
            &[],
            None,
            &[],
        )
        .await
        .unwrap();
    if page.success() {
        Ok(page.items().to_vec())
    } else {
        Err((page.status_code(), page.error_code()))
    }
}

/// A raw request with `authorization`, apart from `Rest`: `(status, X-Ably-ErrorCode)`.
async fn raw(url: &str, authorization: &str, body: Value) -> (u16, Option<u32>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let answer = reqwest::Client::new()
        .post(url)
        .header("authorization", authorization)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let code = answer
        .headers()
        .get("x-ably-errorcode")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    (answer.status().as_u16(), code)
}

fn count(log: &Log, path: &str) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|s| s.path == path)
        .count()
}

const REQUEST_TOKEN: &str = "/keys/appId.keyId/requestToken";
const REVOKE: &str = "/keys/appId.keyId/revokeTokens";

#[tokio::test]
async fn basic_auth_publishes_and_reads_history_in_msgpack_and_json() {
    for binary in [true, false] {
        let (addr, log, _server) = serve(LocalAbly::new(key()));
        let port = tls_front(addr).await;
        let rest = Rest::new(tls(port, AuthOptions::key(key()), binary)).unwrap();
        assert_eq!(rest.auth().scheme(), AuthScheme::Basic);
        assert_eq!(publish(&rest, "chat:lobby", "hello").await, (201, None));
        let items = history(&rest, "chat:lobby").await.unwrap();
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(
            (&items[0]["name"], &items[0]["data"]),
            (&json!("greeting"), &json!("hello"))
        );
        let log = log.lock().unwrap().clone();
        assert_eq!(log.len(), 2, "{log:?}");
        // Basic base64(keyName:keySecret), encoded here apart from the client.
        let basic = format!("Basic {}", STANDARD.encode(KEY));
        assert!(log.iter().all(|s| s.authorization == basic), "{log:?}");
        assert_eq!(log[0].content_type, wire(binary), "{log:?}");
        assert!(
            log.iter().all(|s| s.accept.starts_with(wire(binary))),
            "{log:?}"
        );
    }
}

#[tokio::test]
async fn token_auth_through_the_key_publishes_within_its_capability_only() {
    for binary in [true, false] {
        let restricted = key()
            .with_capability(Capability::parse(r#"{"chat:*":["publish","history"]}"#).unwrap());
        let (addr, log, _server) = serve(LocalAbly::new(restricted));
        let auth = AuthOptions::key(key()).with_use_token_auth(true);
        let rest = Rest::new(plain(addr, auth, binary).with_client_id("alice")).unwrap();
        assert_eq!(rest.auth().scheme(), AuthScheme::Token);
        assert_eq!(publish(&rest, "chat:lobby", "hi").await, (201, None));
        assert_eq!(publish(&rest, "news", "hi").await, (401, Some(40160)));
        let items = history(&rest, "chat:lobby").await.unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["clientId"], "alice");
        // A narrower token than the key: no history on chat:* then.
        let narrow = TokenParams {
            capability: Some(Capability::parse(r#"{"chat:*":["publish"]}"#).unwrap()),
            ..TokenParams::default()
        };
        let auth = AuthOptions::key(key()).with_use_token_auth(true);
        let publisher =
            Rest::new(plain(addr, auth, binary).with_default_token_params(narrow)).unwrap();
        assert_eq!(publish(&publisher, "chat:lobby", "hi").await, (201, None));
        assert_eq!(
            history(&publisher, "chat:lobby").await,
            Err((401, Some(40160)))
        );

        let log = log.lock().unwrap().clone();
        // One TokenRequest per client; 40160 is no token error, so nothing was renewed.
        assert_eq!(
            log.iter().filter(|s| s.path == REQUEST_TOKEN).count(),
            2,
            "{log:?}"
        );
        for seen in log.iter().filter(|s| s.path != REQUEST_TOKEN) {
            assert!(seen.authorization.starts_with("Bearer "), "{seen:?}");
            if seen.method == "POST" {
                assert_eq!(seen.content_type, wire(binary), "{seen:?}");
            }
        }
        assert!(
            log.iter()
                .filter(|s| s.path == REQUEST_TOKEN)
                .all(|s| s.content_type == wire(binary)),
            "{log:?}"
        );
    }
}

#[tokio::test]
async fn a_token_revoked_by_client_id_is_40141_and_renewed_once() {
    for binary in [true, false] {
        let clock = Arc::new(FixedClock::new(T0));
        let (addr, log, _server) = serve(LocalAbly::new(key()).with_clock(clock.clone()));
        let port = tls_front(addr).await;
        let auth = AuthOptions::key(key()).with_use_token_auth(true);
        let client = Rest::new(
            plain(addr, auth, binary)
                .with_client_id("alice")
                .with_clock(clock.clone()),
        )
        .unwrap();
        assert_eq!(publish(&client, "chat:lobby", "before").await, (201, None));
        let revoked = client.auth().token_details().unwrap().token;

        clock.advance(Duration::from_secs(1));
        let admin = Rest::new(tls(port, AuthOptions::key(key()), binary).with_clock(clock.clone()))
            .unwrap();
        let result = admin
            .auth()
            .revoke_tokens(
                &[TokenRevocationTarget::ClientId("alice".into())],
                RevokeOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!((result.success_count, result.failure_count), (1, 0));
        assert_eq!(
            result.results,
            [TokenRevocationResult::Success(TokenRevocationSuccess {
                target: "clientId:alice".into(),
                applies_at: T0 + 1_000,
                issued_before: T0 + 1_000,
            })]
        );
        let sent = log.lock().unwrap().last().cloned().unwrap();
        assert_eq!((sent.path.as_str(), sent.status), (REVOKE, 201));
        assert_eq!(sent.content_type, wire(binary));

        // The old token, sent apart from the client: revoked.
        let url = format!("http://{addr}/channels/chat:lobby/messages");
        let old = format!("Bearer {}", STANDARD.encode(&revoked));
        assert_eq!(
            raw(&url, &old, json!({"data": "x"})).await,
            (401, Some(40141))
        );

        // The client's next request: 40141, one renewal, the retry succeeds.
        let before = log.lock().unwrap().len();
        assert_eq!(publish(&client, "chat:lobby", "after").await, (201, None));
        let steps: Vec<(String, u16, Option<u32>)> = log.lock().unwrap()[before..]
            .iter()
            .map(|s| (s.path.clone(), s.status, s.code))
            .collect();
        let messages = "/channels/chat:lobby/messages".to_owned();
        assert_eq!(
            steps,
            [
                (messages.clone(), 401, Some(40141)),
                (REQUEST_TOKEN.to_owned(), 200, None),
                (messages, 201, None),
            ]
        );
        assert_ne!(client.auth().token_details().unwrap().token, revoked);
        let items = history(&client, "chat:lobby").await.unwrap();
        assert_eq!(items.len(), 2);
    }
}

#[tokio::test]
async fn revoking_needs_basic_auth_40162() {
    let (addr, log, _server) = serve(LocalAbly::new(key()));
    let auth = AuthOptions::key(key()).with_use_token_auth(true);
    let rest = Rest::new(plain(addr, auth, true)).unwrap();
    // The client refuses before sending (RSA17d) …
    let err = rest
        .auth()
        .revoke_tokens(
            &[TokenRevocationTarget::ClientId("alice".into())],
            RevokeOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (40162, 401));
    assert_eq!(count(&log, REVOKE), 0);
    // … and the endpoint refuses a token on revokeTokens, without a renewal.
    let page = rest
        .request(
            "POST",
            REVOKE,
            &[],
            Some(&json!({"targets": ["clientId:alice"]})),
            &[],
        )
        .await
        .unwrap();
    assert_eq!((page.status_code(), page.error_code()), (401, Some(40162)));
    assert_eq!((count(&log, REVOKE), count(&log, REQUEST_TOKEN)), (1, 1));
}

/// The signed-in user, named by an `x-user` header (a stand-in for a session): subscribe
/// and history on `chat:*`, everything but admin rights on `user:{name}`.
struct User(String);

impl AblyIdentity for User {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        let own = ably_auth::channel_name(["user:", &self.0])?;
        Ok(Grant::new(
            Some(ClientId::new(&self.0)?),
            Capability::new()
                .grant("chat:*", [Subscribe, History])?
                .grant(own, [Publish, Subscribe, Presence, History])?,
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
                .ok_or_else(|| Error::Unauthorized("sign in first".into()).into()),
        )
    }
}

/// An app serving `TokenRoute::embedded_jwts` at `/ably/jwt`, its Ably tokens from `ably`.
fn app(ably: SocketAddr) -> (String, ServerHandle) {
    let server = HttpServer::new(move || {
        let auth = Auth::new(AuthOptions::key(key()))
            .unwrap()
            .with_endpoint(format!("http://{ably}"));
        let secret = Hs256Secret::new(SECRET).unwrap();
        App::new().service(TokenRoute::<User, _>::embedded_jwts(
            "/ably/jwt",
            auth,
            secret,
        ))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let url = format!("http://{}", server.addrs()[0]);
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (url, handle)
}

fn json_part(jwt: &str, index: usize) -> Value {
    let part = jwt.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn external_jwts_from_the_route_work_within_their_capability() {
    for binary in [true, false] {
        let local =
            LocalAbly::new(key()).with_external_jwt_secret(Hs256Secret::new(SECRET).unwrap());
        let (addr, log, _server) = serve(local);
        let (app, _app) = app(addr);
        let auth =
            AuthOptions::auth_url(format!("{app}/ably/jwt")).with_auth_header("x-user", "alice");
        let rest = Rest::new(plain(addr, auth, binary)).unwrap();

        assert_eq!(publish(&rest, "user:alice", "mine").await, (201, None));
        assert_eq!(publish(&rest, "chat:lobby", "no").await, (401, Some(40160)));
        assert_eq!(publish(&rest, "user:bob", "no").await, (401, Some(40160)));
        assert_eq!(history(&rest, "chat:lobby").await, Ok(vec![]));
        let mine = history(&rest, "user:alice").await.unwrap();
        assert_eq!((mine.len(), &mine[0]["clientId"]), (1, &json!("alice")));

        // The client's token is an External JWT around a token the endpoint minted.
        let jwt = rest.auth().token_details().unwrap().token;
        let inner = json_part(&jwt, 0)["x-ably-token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(inner.starts_with("appId."), "{inner}");
        assert_eq!(count(&log, REQUEST_TOKEN), 1);
        let sent = format!("Bearer {}", STANDARD.encode(&jwt));
        assert!(
            log.lock()
                .unwrap()
                .iter()
                .filter(|s| s.path.starts_with("/channels/"))
                .all(|s| s.authorization == sent)
        );

        // Tampered: a payload with another `sub`, the signature kept.
        let mut payload = json_part(&jwt, 1);
        payload["sub"] = json!("mallory");
        let parts: Vec<&str> = jwt.split('.').collect();
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(payload.to_string()),
            parts[2]
        );
        let url = format!("http://{addr}/channels/user:alice/messages");
        let bearer = |t: &str| format!("Bearer {}", STANDARD.encode(t));
        assert_eq!(
            raw(&url, &bearer(&tampered), json!({})).await,
            (401, Some(40144))
        );
        assert_eq!(raw(&url, &bearer(&jwt), json!({})).await, (201, None));

        // An endpoint with no External JWT secret refuses the same JWT with 40144.
        let (bare, _, _bare) = serve(LocalAbly::new(key()));
        let elsewhere = format!("http://{bare}/channels/user:alice/messages");
        assert_eq!(
            raw(&elsewhere, &bearer(&jwt), json!({})).await,
            (401, Some(40144))
        );

        // Revoking alice's tokens (Basic with the key, sent apart from the client) revokes
        // the embedded one: 40141, and the client renews through the route.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let revoke = format!("http://{addr}{REVOKE}");
        let basic = format!("Basic {}", STANDARD.encode(KEY));
        assert_eq!(
            raw(&revoke, &basic, json!({"targets": ["clientId:alice"]})).await,
            (201, None)
        );
        assert_eq!(
            raw(&url, &bearer(&jwt), json!({})).await,
            (401, Some(40141))
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(publish(&rest, "user:alice", "again").await, (201, None));
        assert_ne!(rest.auth().token_details().unwrap().token, jwt);
        assert_eq!(count(&log, REQUEST_TOKEN), 2);
    }
}
