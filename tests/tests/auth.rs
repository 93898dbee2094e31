//! `ably_auth::Auth` against the local Ably endpoint and a recording authUrl server.

mod support;

use ably_auth::rest::TokenSource;
use ably_auth::{
    AblyTokenIssuer, Auth, AuthMethod, AuthOptions, Capability, ClientId, Credential, Error,
    FixedClock, Grant, Key, Operation, TokenDetails, TokenIssuer, TokenParams,
};
use ably_auth_local::{LocalAbly, LocalAblyServer};
use actix_web::{HttpRequest, HttpResponse, web};
use std::sync::Arc;
use std::time::Duration;
use support::{Recorder, T0, TestServer, serve, signed};

fn key() -> Key {
    "appId.keyId:keySecret".parse().unwrap()
}

struct Fixture {
    clock: Arc<FixedClock>,
    ably: LocalAblyServer,
    app: TestServer,
    recorder: Recorder,
}

impl Fixture {
    /// The local Ably endpoint (keys: `appId.keyId` with every capability, `appId.narrow`
    /// with `{"a":["publish"]}`), and an app server with authUrl routes that sign with
    /// `appId.keyId`.
    fn new() -> Fixture {
        let clock = Arc::new(FixedClock::new(T0));
        let narrow: Key = "appId.narrow:narrowSecret".parse().unwrap();
        let ably = LocalAbly::new(key())
            .with_key(narrow.with_capability(Capability::parse(r#"{"a":["publish"]}"#).unwrap()))
            .with_clock(clock.clone())
            .start("127.0.0.1:0")
            .unwrap();
        let recorder = Recorder::default();
        let app = auth_url_server(recorder.clone(), clock.clone());
        Fixture {
            clock,
            ably,
            app,
            recorder,
        }
    }

    fn auth(&self, options: AuthOptions) -> Auth {
        Auth::new(options)
            .unwrap()
            .with_endpoint(self.ably.url())
            .with_clock(self.clock.clone())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app.url)
    }
}

/// Token params from authUrl params (query or form), as an app's auth endpoint reads them.
fn params_from(pairs: &[(String, String)]) -> TokenParams {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    TokenParams {
        ttl: get("ttl").map(|t| Duration::from_millis(t.parse().unwrap())),
        capability: get("capability").map(|c| Capability::parse(&c).unwrap()),
        client_id: get("clientId").map(|c| ClientId::from_token(c).unwrap()),
        ..TokenParams::default()
    }
}

fn auth_url_server(recorder: Recorder, clock: Arc<FixedClock>) -> TestServer {
    serve(move |cfg| {
        let recorder = recorder.clone();
        let clock = clock.clone();
        cfg.default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let recorder = recorder.clone();
            let clock = clock.clone();
            async move {
                let received = recorder.record(&req, &body);
                let mut pairs: Vec<(String, String)> =
                    serde_urlencoded::from_str(&received.query).unwrap();
                if received.method == "POST" {
                    pairs.extend(
                        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body).unwrap(),
                    );
                }
                let json = |body: String| {
                    HttpResponse::Ok()
                        .insert_header(("content-type", "application/json"))
                        .body(body)
                };
                match req.path() {
                    "/auth/token-request" => {
                        let signer = ably_auth::Signer::new(key()).with_clock(clock.clone());
                        json(signer.sign(&params_from(&pairs)).unwrap().to_json())
                    }
                    "/auth/token-request-charset" => HttpResponse::Ok()
                        .insert_header(("content-type", "application/json; charset=utf-8"))
                        .body(
                            ably_auth::Signer::new(key())
                                .with_clock(clock.clone())
                                .sign(&TokenParams::default())
                                .unwrap()
                                .to_json(),
                        ),
                    "/auth/details" => json(
                        r#"{"token":"appId.fromDetails","issued":1,"expires":9999999999999,"clientId":"alice"}"#
                            .into(),
                    ),
                    "/auth/text" => HttpResponse::Ok()
                        .insert_header(("content-type", "text/plain"))
                        .body("appId.plainToken\n"),
                    "/auth/jwt" => HttpResponse::Ok()
                        .insert_header(("content-type", "application/jwt"))
                        .body("eyJhbGciOiJIUzI1NiJ9.e30.sig"),
                    "/auth/html" => HttpResponse::Ok()
                        .insert_header(("content-type", "text/html"))
                        .body("<html>login</html>"),
                    "/auth/double-encoded" => HttpResponse::Ok()
                        .insert_header(("content-type", "text/plain"))
                        .body(r#"{"token":"x"}"#),
                    "/auth/neither" => json(r#"{"hello":"world"}"#.into()),
                    "/auth/huge" => HttpResponse::Ok()
                        .insert_header(("content-type", "text/plain"))
                        .body("x".repeat(200 * 1024)),
                    "/auth/denied" => HttpResponse::Forbidden()
                        .insert_header(("content-type", "application/json"))
                        .body(
                            ably_auth::ErrorInfo::new(40300, 403, "not your channel").to_json(),
                        ),
                    "/auth/forbidden" => HttpResponse::Forbidden().body("no"),
                    "/auth/slow" => {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        HttpResponse::Ok()
                            .insert_header(("content-type", "text/plain"))
                            .body("late")
                    }
                    // A fake Ably: a fixed server time, and a slow requestToken.
                    "/time" => json(format!("[{}]", T0 + 600_000)),
                    "/keys/appId.headerOnly/requestToken" => HttpResponse::Unauthorized()
                        .insert_header(("content-type", "text/plain"))
                        .insert_header(("x-ably-errorcode", "40142"))
                        .insert_header(("x-ably-errormessage", "Token expired"))
                        .body("nope"),
                    "/keys/appId.huge/requestToken" => json("x".repeat(200 * 1024)),
                    "/keys/appId.gateway/requestToken" => HttpResponse::BadGateway().finish(),
                    p if p.ends_with("/requestToken") => {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        HttpResponse::Ok().finish()
                    }
                    _ => HttpResponse::NotFound().finish(),
                }
            }
        }));
    })
}

fn code(result: Result<impl std::fmt::Debug, Error>) -> (u32, u16) {
    let err = result.expect_err("an error");
    println!("{err}");
    (err.code(), err.status())
}

fn cap(json: &str) -> Capability {
    Capability::parse(json).unwrap()
}

#[tokio::test]
async fn key_request_token_gets_a_token_from_ably() {
    let f = Fixture::new();
    let auth = f.auth(AuthOptions::key(key()));
    let details = auth
        .request_token(
            Some(TokenParams {
                ttl: Some(Duration::from_secs(60)),
                capability: Some(cap(r#"{"chat:*":["subscribe"]}"#)),
                client_id: Some(ClientId::new("alice").unwrap()),
                ..TokenParams::default()
            }),
            None,
        )
        .await
        .unwrap();
    assert!(details.token.starts_with("appId."));
    assert_eq!(details.expires, T0 + 60_000);
    assert_eq!(details.client_id.as_deref(), Some("alice"));
    assert_eq!(
        details.capability.as_deref(),
        Some(r#"{"chat:*":["subscribe"]}"#)
    );
    // request_token stores nothing.
    assert!(auth.current_token().is_none());
}

#[tokio::test]
async fn create_token_request_signs_locally_and_needs_the_key() {
    let f = Fixture::new();
    let auth = f.auth(AuthOptions::key(key()));
    let request = auth
        .create_token_request(
            Some(TokenParams {
                ttl: Some(Duration::from_secs(60)),
                ..TokenParams::default()
            }),
            None,
        )
        .await
        .unwrap();
    assert_eq!(request.timestamp, T0);
    assert_eq!(request.ttl, Some(60_000));
    assert!(request.mac_matches(&key()));
    // An authUrl-only Auth can't sign.
    let auth = f.auth(AuthOptions::auth_url(f.url("/auth/token-request")));
    assert_eq!(
        code(auth.create_token_request(None, None).await),
        (40106, 401)
    );
    // Unless the call brings a key.
    let request = auth
        .create_token_request(None, Some(AuthOptions::key(key())))
        .await
        .unwrap();
    assert!(request.mac_matches(&key()));
}

#[tokio::test]
async fn token_string_and_token_details_are_used_as_given() {
    let f = Fixture::new();
    let auth = f.auth(AuthOptions::token("appId.literal"));
    assert_eq!(auth.token().await.unwrap().token, "appId.literal");
    // No means to get another one.
    assert_eq!(code(auth.request_token(None, None).await), (40106, 401));

    let details = TokenDetails {
        expires: T0 + 3_600_000,
        client_id: Some("alice".into()),
        ..TokenDetails::from_token("appId.withDetails")
    };
    let auth = f.auth(AuthOptions::token_details(details.clone()));
    assert_eq!(auth.token().await.unwrap(), details);
    assert_eq!(auth.client_id().as_deref(), Some("alice"));
    // Once expired, with no way to renew: 40171.
    f.clock.advance(Duration::from_secs(3_601));
    assert_eq!(code(auth.token().await), (40171, 403));
    // A configured clientId that conflicts with the token's: 40102.
    let auth = Auth::new(AuthOptions::token_details(details)).unwrap();
    assert_eq!(code(auth.with_client_id("bob")), (40102, 401));
}

#[tokio::test]
async fn auth_url_get_merges_params_like_the_sdks() {
    let f = Fixture::new();
    let auth = f
        .auth(
            AuthOptions::auth_url(f.url("/auth/token-request?fromurl=1&a=url&ttl=5"))
                .with_auth_param("a", "param")
                .with_auth_param("extra", "1")
                .with_auth_param("ttl", "7")
                .with_auth_header("X-Custom", "h"),
        )
        .with_client_id("bob")
        .unwrap()
        .with_default_token_params(TokenParams {
            ttl: Some(Duration::from_secs(120)),
            ..TokenParams::default()
        });
    let details = auth.authorize(None, None).await.unwrap();
    let got = f.recorder.last();
    assert_eq!(got.method, "GET");
    assert_eq!(
        got.query,
        "fromurl=1&a=param&extra=1&ttl=120000&clientId=bob"
    );
    assert_eq!(got.header("x-custom"), Some("h"));
    assert_eq!(got.header("accept"), Some("application/json, text/plain"));
    // The TokenRequest from the authUrl was exchanged at the local endpoint.
    assert_eq!(details.client_id.as_deref(), Some("bob"));
    assert_eq!(details.expires, T0 + 120_000);
    assert_eq!(auth.current_token(), Some(details));
    assert_eq!(auth.client_id().as_deref(), Some("bob"));
}

#[tokio::test]
async fn auth_url_post_sends_a_form_and_keeps_the_url_query() {
    let f = Fixture::new();
    let auth = f.auth(
        AuthOptions::auth_url(f.url("/auth/token-request?fromurl=1&a=url"))
            .with_auth_method(AuthMethod::Post)
            .with_auth_param("a", "param")
            .with_auth_param("extra", "1")
            .with_auth_header("X-Custom", "h"),
    );
    let params = TokenParams {
        ttl: Some(Duration::from_secs(5)),
        capability: Some(cap(r#"{"x":["publish"]}"#)),
        client_id: Some(ClientId::new("bob").unwrap()),
        ..TokenParams::default()
    };
    let details = auth.request_token(Some(params), None).await.unwrap();
    let got = f.recorder.last();
    assert_eq!(got.method, "POST");
    assert_eq!(got.query, "fromurl=1&a=url");
    assert_eq!(
        got.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form: Vec<(String, String)> = serde_urlencoded::from_str(&got.body).unwrap();
    let expected: Vec<(String, String)> = [
        ("a", "param"),
        ("extra", "1"),
        ("ttl", "5000"),
        ("capability", r#"{"x":["publish"]}"#),
        ("clientId", "bob"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(form, expected);
    assert_eq!(got.header("x-custom"), Some("h"));
    assert_eq!(details.capability.as_deref(), Some(r#"{"x":["publish"]}"#));
    assert_eq!(details.expires, T0 + 5_000);
}

#[tokio::test]
async fn auth_url_answers_are_classified_by_content_type() {
    let f = Fixture::new();
    let token = |path: &str| {
        let auth = f.auth(AuthOptions::auth_url(f.url(path)));
        async move { auth.request_token(None, None).await }
    };
    assert_eq!(token("/auth/text").await.unwrap().token, "appId.plainToken");
    assert_eq!(
        token("/auth/jwt").await.unwrap().token,
        "eyJhbGciOiJIUzI1NiJ9.e30.sig"
    );
    let details = token("/auth/details").await.unwrap();
    assert_eq!(details.token, "appId.fromDetails");
    assert_eq!(details.client_id.as_deref(), Some("alice"));
    // A TokenRequest with `; charset=utf-8` is still JSON, and gets exchanged.
    let details = token("/auth/token-request-charset").await.unwrap();
    assert_eq!(details.key_name.as_deref(), Some("appId.keyId"));
    for bad in [
        "/auth/html",
        "/auth/double-encoded",
        "/auth/neither",
        "/auth/huge",
        "/auth/missing",
    ] {
        assert_eq!(code(token(bad).await), (40170, 401), "{bad}");
    }
    // An Ably error body from the authUrl keeps its code; a bare 403 is 40300.
    assert_eq!(code(token("/auth/denied").await), (40300, 403));
    assert_eq!(code(token("/auth/forbidden").await), (40300, 403));
}

#[tokio::test]
async fn timeouts_are_40170_for_auth_url_and_504_for_ably() {
    let f = Fixture::new();
    let auth = f
        .auth(AuthOptions::auth_url(f.url("/auth/slow")))
        .with_timeout(Duration::from_millis(300));
    assert_eq!(code(auth.request_token(None, None).await), (40170, 401));
    // The app server plays a slow Ably here.
    let auth = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(&f.app.url)
        .with_timeout(Duration::from_millis(300));
    let err = auth.request_token(None, None).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(err.status(), 504);
    // A callback that never answers.
    let auth = f
        .auth(AuthOptions::auth_callback(|_| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(TokenSource::Token("late".into()))
        }))
        .with_timeout(Duration::from_millis(300));
    assert_eq!(code(auth.request_token(None, None).await), (40170, 401));
}

#[tokio::test]
async fn auth_callback_results_are_resolved() {
    let f = Fixture::new();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let clock = f.clock.clone();
    let seen_in = seen.clone();
    let auth = f
        .auth(AuthOptions::auth_callback(move |params: TokenParams| {
            seen_in.lock().unwrap().push(params.clone());
            let signer = ably_auth::Signer::new(key()).with_clock(clock.clone());
            async move { Ok(TokenSource::TokenRequest(signer.sign(&params)?)) }
        }))
        .with_client_id("carol")
        .unwrap();
    let details = auth.authorize(None, None).await.unwrap();
    assert_eq!(details.client_id.as_deref(), Some("carol"));
    assert_eq!(
        seen.lock().unwrap()[0]
            .client_id
            .as_ref()
            .map(|c| c.as_str()),
        Some("carol")
    );
    // Strings and TokenDetails come back as they are.
    let auth = f.auth(AuthOptions::auth_callback(|_| async {
        Ok(TokenSource::Token("appId.fromCallback".into()))
    }));
    assert_eq!(
        auth.request_token(None, None).await.unwrap().token,
        "appId.fromCallback"
    );
    // A failing callback is 40170.
    let auth = f.auth(AuthOptions::auth_callback(|_| async {
        Err::<TokenSource, _>(Error::Unauthorized("session expired".into()))
    }));
    assert_eq!(code(auth.request_token(None, None).await), (40170, 401));
    let auth = f.auth(AuthOptions::auth_callback(|_| async {
        Ok(TokenSource::Token(" ".into()))
    }));
    assert_eq!(code(auth.request_token(None, None).await), (40170, 401));
}

#[tokio::test]
async fn ably_refusals_surface_with_their_codes() {
    let f = Fixture::new();
    // 40101: a key with the right name and the wrong secret.
    let wrong: Key = "appId.keyId:wrongSecret".parse().unwrap();
    let auth = f.auth(AuthOptions::key(wrong));
    let err = auth.request_token(None, None).await.unwrap_err();
    assert!(
        matches!(&err, Error::Ably(info) if info.code == 40101),
        "{err:?}"
    );
    // 40400: a key Ably doesn't know.
    let auth = f.auth(AuthOptions::key("appId.unknown:s".parse().unwrap()));
    assert_eq!(code(auth.request_token(None, None).await), (40400, 404));
    // 40104: our clock is 10 minutes behind Ably's.
    let auth = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(f.ably.url())
        .with_clock(Arc::new(FixedClock::new(T0 - 600_000)));
    assert_eq!(code(auth.request_token(None, None).await), (40104, 401));
    // 40105: the same timestamp and nonce twice.
    let auth = f.auth(AuthOptions::key(key()));
    let fixed = TokenParams {
        timestamp: Some(T0),
        nonce: Some("0123456789abcdef".into()),
        ..TokenParams::default()
    };
    auth.request_token(Some(fixed.clone()), None).await.unwrap();
    assert_eq!(
        code(auth.request_token(Some(fixed), None).await),
        (40105, 401)
    );
    // 40160: the key (whose capability we don't declare locally) can't publish on `b`.
    let auth = f.auth(AuthOptions::key(
        "appId.narrow:narrowSecret".parse().unwrap(),
    ));
    let b = TokenParams {
        capability: Some(cap(r#"{"b":["publish"]}"#)),
        ..TokenParams::default()
    };
    assert_eq!(code(auth.request_token(Some(b), None).await), (40160, 401));
    // 40003: a ttl over 24 h is refused by Ably (signed by a callback, which doesn't check).
    let clock = f.clock.clone();
    let auth = f.auth(AuthOptions::auth_callback(move |_| {
        let request = signed(
            &key(),
            ably_auth::Clock::now_ms(&*clock),
            "ttl-nonce-0000001",
            |r| r.ttl = Some(25 * 3_600_000),
        );
        async move { Ok(TokenSource::TokenRequest(request)) }
    }));
    assert_eq!(code(auth.request_token(None, None).await), (40003, 400));
    // 40000: an invalid capability, likewise.
    let clock = f.clock.clone();
    let auth = f.auth(AuthOptions::auth_callback(move |_| {
        let request = signed(
            &key(),
            ably_auth::Clock::now_ms(&*clock),
            "cap-nonce-0000001",
            |r| r.capability = Some(r#"{"a":["publish_"]}"#.into()),
        );
        async move { Ok(TokenSource::TokenRequest(request)) }
    }));
    assert_eq!(code(auth.request_token(None, None).await), (40000, 400));
    // And locally, a ttl over 24 h never leaves the process.
    let auth = f.auth(AuthOptions::key(key()));
    let long = TokenParams {
        ttl: Some(Duration::from_secs(25 * 3600)),
        ..TokenParams::default()
    };
    assert_eq!(
        code(auth.request_token(Some(long), None).await),
        (40003, 400)
    );
}

#[tokio::test]
async fn client_id_rules() {
    let f = Fixture::new();
    // `*` is not an identity.
    let auth = Auth::new(AuthOptions::key(key())).unwrap();
    assert_eq!(code(auth.with_client_id("*")), (40012, 400));
    // A token for someone else is refused by authorize, and not stored.
    let auth = f
        .auth(AuthOptions::key(key()))
        .with_client_id("alice")
        .unwrap();
    assert_eq!(auth.client_id().as_deref(), Some("alice"));
    // The configured clientId wins over the default params' (RSA7a4).
    let auth = auth.with_default_token_params(TokenParams {
        client_id: Some(ClientId::new("zed").unwrap()),
        ..TokenParams::default()
    });
    assert_eq!(
        auth.default_token_params().client_id.map(|c| c.to_string()),
        Some("alice".into())
    );
    let bob = TokenParams {
        client_id: Some(ClientId::new("bob").unwrap()),
        ..TokenParams::default()
    };
    assert_eq!(code(auth.authorize(Some(bob), None).await), (40102, 401));
    assert!(auth.current_token().is_none());
    // A wildcard token is compatible, and does not replace the configured clientId (RSA15b).
    let wildcard = TokenParams {
        client_id: Some(ClientId::wildcard()),
        ..TokenParams::default()
    };
    let details = auth.authorize(Some(wildcard), None).await.unwrap();
    assert_eq!(details.client_id.as_deref(), Some("*"));
    assert_eq!(auth.client_id().as_deref(), Some("alice"));
}

#[tokio::test]
async fn explicit_params_and_options_replace_the_defaults() {
    let f = Fixture::new();
    let auth = f
        .auth(AuthOptions::key(key()))
        .with_default_token_params(TokenParams {
            ttl: Some(Duration::from_secs(120)),
            capability: Some(cap(r#"{"defaults":["publish"]}"#)),
            client_id: Some(ClientId::new("dflt").unwrap()),
            ..TokenParams::default()
        });
    // Defaults apply when no params are given.
    let details = auth.request_token(None, None).await.unwrap();
    assert_eq!(
        details.capability.as_deref(),
        Some(r#"{"defaults":["publish"]}"#)
    );
    assert_eq!(details.client_id.as_deref(), Some("dflt"));
    // Explicit params replace them whole: no capability, no clientId, only the ttl.
    let only_ttl = TokenParams {
        ttl: Some(Duration::from_secs(30)),
        ..TokenParams::default()
    };
    let details = auth
        .request_token(Some(only_ttl.clone()), None)
        .await
        .unwrap();
    assert_eq!(details.expires, T0 + 30_000);
    assert_eq!(details.capability.as_deref(), Some(r#"{"[*]*":["*"]}"#));
    assert_eq!(details.client_id, None);
    // authorize stores them as the new defaults (timestamp and nonce excluded).
    let with_stamp = TokenParams {
        timestamp: Some(T0),
        nonce: Some("0123456789abcdef".into()),
        ..only_ttl.clone()
    };
    auth.authorize(Some(with_stamp), None).await.unwrap();
    assert_eq!(auth.default_token_params(), only_ttl);
    let details = auth.request_token(None, None).await.unwrap();
    assert_eq!(details.expires, T0 + 30_000);
    assert_eq!(details.client_id, None);
    // Explicit options replace the stored ones: here an authUrl, whose call carries only
    // the explicit params (no default clientId).
    let details = auth
        .authorize(
            Some(TokenParams {
                ttl: Some(Duration::from_secs(60)),
                ..TokenParams::default()
            }),
            Some(AuthOptions::auth_url(f.url("/auth/token-request"))),
        )
        .await
        .unwrap();
    assert_eq!(f.recorder.last().query, "ttl=60000");
    assert_eq!(details.expires, T0 + 60_000);
    // ...and are now the defaults: the next renewal goes to the authUrl again.
    auth.authorize(None, None).await.unwrap();
    assert_eq!(f.recorder.count("/auth/token-request"), 2);
    // The constructor's key survives the replaced options (RSA10i).
    let request = auth.create_token_request(None, None).await.unwrap();
    assert_eq!(request.key_name, "appId.keyId");
}

#[tokio::test]
async fn query_time_asks_the_server_once() {
    let f = Fixture::new();
    // The app server plays Ably's /time, 10 minutes ahead of our clock.
    let auth = Auth::new(AuthOptions::key(key()).with_query_time(true))
        .unwrap()
        .with_endpoint(&f.app.url)
        .with_clock(f.clock.clone());
    let first = auth.create_token_request(None, None).await.unwrap();
    f.clock.advance(Duration::from_secs(1));
    let second = auth.create_token_request(None, None).await.unwrap();
    assert_eq!(first.timestamp, T0 + 600_000);
    assert_eq!(second.timestamp, T0 + 601_000);
    assert_eq!(f.recorder.count("/time"), 1);
    // Against the local endpoint, query_time fixes a skewed clock.
    let skewed = Arc::new(FixedClock::new(T0 - 600_000));
    let auth = Auth::new(AuthOptions::key(key()).with_query_time(true))
        .unwrap()
        .with_endpoint(f.ably.url())
        .with_clock(skewed);
    let details = auth.request_token(None, None).await.unwrap();
    assert_eq!(details.issued, T0 + 1_000);
}

#[tokio::test]
async fn token_is_renewed_before_it_expires() {
    let f = Fixture::new();
    let auth = Arc::new(
        f.auth(AuthOptions::key(key()))
            .with_default_token_params(TokenParams {
                ttl: Some(Duration::from_secs(60)),
                ..TokenParams::default()
            }),
    );
    // Concurrent callers share one renewal.
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let auth = auth.clone();
            tokio::spawn(async move { auth.token().await.unwrap().token })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap());
    }
    assert!(tokens.iter().all(|t| t == &tokens[0]), "{tokens:?}");
    f.clock.advance(Duration::from_secs(29));
    assert_eq!(auth.token().await.unwrap().token, tokens[0]);
    // Within 30 s of expiry: a new token.
    f.clock.advance(Duration::from_secs(2));
    let renewed = auth.token().await.unwrap();
    assert_ne!(renewed.token, tokens[0]);
    assert_eq!(renewed.expires, T0 + 31_000 + 60_000);
}

#[tokio::test]
async fn ably_token_issuer_turns_grants_into_tokens() {
    let f = Fixture::new();
    let issuer = AblyTokenIssuer::new(f.auth(AuthOptions::key(key())));
    let grant = Grant::new(
        Some(ClientId::new("alice").unwrap()),
        Capability::new()
            .grant("chat:*", [Operation::Subscribe, Operation::Publish])
            .unwrap(),
        Duration::from_secs(300),
    );
    let Credential::TokenDetails(details) = issuer.issue(&grant).await.unwrap() else {
        panic!("an Ably token")
    };
    assert_eq!(details.client_id.as_deref(), Some("alice"));
    assert_eq!(details.expires, T0 + 300_000);
    assert_eq!(
        details.capability.as_deref(),
        Some(r#"{"chat:*":["publish","subscribe"]}"#)
    );
}

#[actix_web::test]
async fn works_on_the_actix_runtime() {
    let clock = Arc::new(FixedClock::new(T0));
    let ably = LocalAbly::new(key())
        .with_clock(clock.clone())
        .start("127.0.0.1:0")
        .unwrap();
    let auth = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(ably.url())
        .with_clock(clock);
    let details = auth.authorize(None, None).await.unwrap();
    assert!(details.token.starts_with("appId."));
    ably.stop().await;
}

#[tokio::test]
async fn debug_output_has_no_secret() {
    let f = Fixture::new();
    let auth = f.auth(AuthOptions::key(key()));
    auth.authorize(None, None).await.unwrap();
    let token = auth.current_token().unwrap().token;
    let shown = format!("{auth:?}");
    assert!(!shown.contains("keySecret"), "{shown}");
    assert!(!shown.contains(&token), "{shown}");
    assert!(shown.contains("appId.keyId"));
}

#[tokio::test]
async fn a_timed_out_token_request_is_never_resent() {
    // Each request_token signs afresh: two calls after a timeout carry different nonces.
    let f = Fixture::new();
    let auth = Auth::new(AuthOptions::key(key()))
        .unwrap()
        .with_endpoint(&f.app.url)
        .with_clock(f.clock.clone())
        .with_timeout(Duration::from_millis(200));
    let _ = auth.request_token(None, None).await;
    let _ = auth.request_token(None, None).await;
    let bodies: Vec<String> = f
        .recorder
        .all()
        .into_iter()
        .filter(|r| r.path.ends_with("/requestToken"))
        .map(|r| r.body)
        .collect();
    assert_eq!(bodies.len(), 2, "one POST per call, no retry");
    assert_ne!(bodies[0], bodies[1]);
}

#[tokio::test]
async fn ably_answers_are_read_carefully() {
    let f = Fixture::new();
    let against = |key: &str| {
        Auth::new(AuthOptions::key(key.parse().unwrap()))
            .unwrap()
            .with_endpoint(&f.app.url)
            .with_timeout(Duration::from_millis(500))
    };
    // An error carried only by the X-Ably-ErrorCode headers.
    let err = against("appId.headerOnly:s")
        .request_token(None, None)
        .await
        .unwrap_err();
    let Error::Ably(info) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((info.code, info.status_code), (40142, 401));
    assert_eq!(info.message, "Token expired");
    // The request carried Ably's headers and the TokenRequest as JSON.
    let sent = f.recorder.last();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.header("x-ably-version"), Some("6"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert!(sent.header("authorization").is_none());
    let request = ably_auth::TokenRequest::from_json(sent.body.as_bytes()).unwrap();
    assert_eq!(request.key_name, "appId.headerOnly");
    // More than 128 KiB is not read.
    let err = against("appId.huge:s")
        .request_token(None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Upstream(m) if m.contains("131072")),
        "{err:?}"
    );
    // A gateway error without an Ably body.
    let err = against("appId.gateway:s")
        .request_token(None, None)
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (50002, 502), "{err:?}");
}
