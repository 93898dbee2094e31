//! The REST client against raw loopback servers that record every connection: redirects from
//! an authUrl stay within its origin, calls to Ably follow none, and no failure names an
//! authUrl's query, an auth param, an auth header, the key secret or a token, in errors or in
//! the `log` and `tracing` output of the HTTP stack (captured at TRACE).

use ably_auth::{Auth, AuthMethod, AuthOptions, Error, Key, TokenParams};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

const PARAM_SECRET: &str = "ParamSecretZq9Xw7";
const HEADER_SECRET: &str = "HeaderSecretLp3Mv8";
const URL_SECRET: &str = "UrlQuerySecretRt5Kd2";
const KEY_SECRET: &str = "KeySecretBn4Hc6Yw1";
const TOKEN: &str = "appId.TokenSecretQe7Jf0";

// ---------------------------------------------------------------------------------------------
// A raw HTTP/1.1 server on 127.0.0.1:0 that records what reaches it.

/// One request as it arrived.
#[derive(Clone, Debug)]
struct Request {
    method: String,
    target: String,
    head: String,
    body: String,
}

impl Request {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// What the server writes back.
#[derive(Clone, Default)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
    /// Bytes written as they are instead of a well-formed answer.
    raw: Option<Vec<u8>>,
}

impl Answer {
    fn new(status: u16) -> Answer {
        Answer {
            status,
            ..Answer::default()
        }
    }
    fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }
    fn body(mut self, body: impl Into<Vec<u8>>) -> Answer {
        self.body = body.into();
        self
    }
    fn typed(self, content_type: &str, body: impl Into<Vec<u8>>) -> Answer {
        self.header("content-type", content_type).body(body)
    }
    fn redirect(status: u16, location: &str) -> Answer {
        Answer::new(status).header("location", location)
    }
    fn after(mut self, delay: Duration) -> Answer {
        self.delay = delay;
        self
    }
    fn raw(bytes: &[u8]) -> Answer {
        Answer {
            raw: Some(bytes.to_vec()),
            ..Answer::default()
        }
    }
}

type Answers = dyn Fn(&Request) -> Answer + Send + Sync;

struct RawServer {
    /// `http://127.0.0.1:PORT`.
    url: String,
    port: u16,
    connections: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Request>>>,
}

impl RawServer {
    fn start(answer: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer: Arc<Answers> = Arc::new(answer);
        let (c, r) = (connections.clone(), received.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                c.fetch_add(1, Ordering::SeqCst);
                let (r, answer) = (r.clone(), answer.clone());
                std::thread::spawn(move || serve_one(stream, &r, &*answer));
            }
        });
        RawServer {
            url: format!("http://127.0.0.1:{port}"),
            port,
            connections,
            received,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn received(&self) -> Vec<Request> {
        self.received.lock().unwrap().clone()
    }
}

fn serve_one(mut stream: TcpStream, received: &Mutex<Vec<Request>>, answer: &Answers) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut request = Request {
        method: head.split(' ').next().unwrap_or("").to_owned(),
        target: head.split(' ').nth(1).unwrap_or("").to_owned(),
        head,
        body: String::new(),
    };
    let len: usize = request
        .header("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    request.body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    received.lock().unwrap().push(request.clone());
    let answer = answer(&request);
    std::thread::sleep(answer.delay);
    let bytes = answer.raw.unwrap_or_else(|| {
        let mut out = format!("HTTP/1.1 {} X\r\nconnection: close\r\n", answer.status);
        for (n, v) in &answer.headers {
            let _ = write!(out, "{n}: {v}\r\n");
        }
        if !answer.headers.iter().any(|(n, _)| n == "content-length") {
            let _ = write!(out, "content-length: {}\r\n", answer.body.len());
        }
        let mut bytes = format!("{out}\r\n").into_bytes();
        bytes.extend_from_slice(&answer.body);
        bytes
    });
    let _ = stream.write_all(&bytes);
    let _ = stream.flush();
}

/// A loopback port with nothing listening on it.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------------
// Everything the HTTP stack logs (`log`) or traces (`tracing`), at every level, process-wide.

static CAPTURED: Mutex<String> = Mutex::new(String::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let mut out = CAPTURED.lock().unwrap();
        let _ = write!(
            out,
            "\nlog {} {}: {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = CAPTURED.lock().unwrap();
        let _ = write!(out, "\nspan {}", span.metadata().name());
        span.record(&mut Fields(&mut out));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Fields(&mut CAPTURED.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = CAPTURED.lock().unwrap();
        let _ = write!(
            out,
            "\ntracing {} {}:",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn capture() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&Capture).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        tracing::subscriber::set_global_default(Capture).unwrap();
    });
}

fn captured() -> String {
    CAPTURED.lock().unwrap().clone()
}

/// Asserts that no secret shows in `err` (Display, Debug, alternate Debug, ErrorInfo JSON)
/// nor in anything captured so far; a piece of a secret counts.
fn assert_hidden(what: &str, err: &Error, secrets: &[&str]) {
    let renderings = [
        err.to_string(),
        format!("{err:?}"),
        format!("{err:#?}"),
        err.to_error_info().to_json(),
        captured(),
    ];
    for secret in secrets {
        for piece in [*secret, &secret[..9], &secret[secret.len() - 9..]] {
            for text in &renderings {
                assert!(!text.contains(piece), "{what} shows {secret}: {text}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// authUrl redirects.

fn auth_url_options(url: &str, method: AuthMethod) -> AuthOptions {
    AuthOptions::auth_url(url)
        .with_auth_method(method)
        .with_auth_header("x-app-session", HEADER_SECRET)
        .with_auth_param("session", PARAM_SECRET)
}

fn params() -> TokenParams {
    TokenParams {
        ttl: Some(Duration::from_secs(60)),
        ..TokenParams::default()
    }
}

fn auth(options: AuthOptions) -> Auth {
    Auth::new(options)
        .unwrap()
        .with_timeout(Duration::from_millis(1000))
}

#[tokio::test]
async fn cross_origin_redirects_are_refused_and_the_other_origin_gets_nothing() {
    capture();
    let elsewhere = RawServer::start(|_| Answer::new(200).typed("text/plain", TOKEN));
    let to = elsewhere.url.clone();
    let app = RawServer::start(move |req| {
        let port = req.path().rsplit('/').next().unwrap().to_owned();
        let status = req.path().split('/').nth(2).unwrap().parse().unwrap();
        let location = match req.path().split('/').nth(1).unwrap() {
            "elsewhere" => format!("{to}/steal?from=app"),
            // The same listener under another name is another origin.
            "by-name" => format!("http://localhost:{port}/auth"),
            "https" => format!("https://127.0.0.1:{port}/auth"),
            "no-scheme" => format!("//localhost:{port}/auth"),
            other => panic!("{other}"),
        };
        Answer::redirect(status, &location)
    });
    let mut calls = 0;
    for target in ["elsewhere", "by-name", "https", "no-scheme"] {
        for status in [301, 302, 303, 307, 308] {
            for method in [AuthMethod::Get, AuthMethod::Post] {
                let url = format!(
                    "{}/{target}/{status}/{}?urlSecret={URL_SECRET}",
                    app.url, app.port
                );
                let err = auth(auth_url_options(&url, method))
                    .request_token(Some(params()), None)
                    .await
                    .unwrap_err();
                calls += 1;
                let what = format!("{target} {status} {method:?}");
                assert_eq!((err.code(), err.status()), (40170, 401), "{what}: {err}");
                let shown = err.to_string();
                assert!(
                    shown.contains("cross-origin redirect was refused"),
                    "{what}: {shown}"
                );
                assert!(shown.contains(&format!("HTTP {status}")), "{what}: {shown}");
                assert!(!shown.contains("steal"), "{what}: {shown}");
                assert_hidden(&what, &err, &[PARAM_SECRET, HEADER_SECRET, URL_SECRET]);
                assert_eq!(app.received().len(), calls, "{what}: one request per call");
            }
        }
    }
    assert_eq!(elsewhere.connections(), 0, "the other origin was contacted");
    assert_eq!(app.connections(), calls, "a redirect came back to the app");
}

#[tokio::test]
async fn same_origin_redirects_are_followed() {
    capture();
    let app = RawServer::start(|req| match req.path() {
        "/moved/302" => Answer::redirect(302, "/final?from=redirect"),
        "/moved/303" => Answer::redirect(303, "/final"),
        "/moved/307" => Answer::redirect(307, "/final"),
        "/moved/308" => Answer::redirect(308, "/final"),
        "/moved/twice" => Answer::redirect(301, "/moved/307"),
        "/loop" => Answer::redirect(302, "/loop"),
        "/final" => Answer::new(200).typed("text/plain", TOKEN),
        other => panic!("{other}"),
    });
    let hops = |from: usize| app.received()[from..].to_vec();

    // GET: the redirect target gets the auth header; its own query is used as given.
    let details = auth(auth_url_options(
        &format!("{}/moved/302", app.url),
        AuthMethod::Get,
    ))
    .request_token(Some(params()), None)
    .await
    .unwrap();
    assert_eq!(details.token, TOKEN);
    let sent = hops(0);
    assert_eq!(sent.len(), 2);
    assert!(sent[0].target.contains(&format!("session={PARAM_SECRET}")));
    assert_eq!(
        (sent[1].method.as_str(), sent[1].target.as_str()),
        ("GET", "/final?from=redirect")
    );
    assert_eq!(sent[1].header("x-app-session"), Some(HEADER_SECRET));

    // POST with 307 and 308 resends the form; 302 and 303 turn into a GET without it.
    for (status, method, form) in [
        ("307", "POST", true),
        ("308", "POST", true),
        ("302", "GET", false),
        ("303", "GET", false),
    ] {
        let from = app.received().len();
        let details = auth(auth_url_options(
            &format!("{}/moved/{status}", app.url),
            AuthMethod::Post,
        ))
        .request_token(Some(params()), None)
        .await
        .unwrap();
        assert_eq!(details.token, TOKEN, "{status}");
        let sent = hops(from);
        assert_eq!(sent.len(), 2, "{status}");
        let expected_form = format!("session={PARAM_SECRET}&ttl=60000");
        assert_eq!(sent[0].body, expected_form, "{status}");
        assert_eq!(sent[1].method, method, "{status}");
        assert_eq!(sent[1].path(), "/final", "{status}");
        assert_eq!(sent[1].header("x-app-session"), Some(HEADER_SECRET));
        if form {
            assert_eq!(sent[1].body, expected_form, "{status}");
            assert_eq!(
                sent[1].header("content-type"),
                Some("application/x-www-form-urlencoded")
            );
        } else {
            assert_eq!(sent[1].body, "", "{status}");
            assert_eq!(sent[1].header("content-type"), None, "{status}");
        }
    }

    // Two hops: 301 turns the POST into a GET, which 307 keeps.
    let from = app.received().len();
    let details = auth(auth_url_options(
        &format!("{}/moved/twice", app.url),
        AuthMethod::Post,
    ))
    .request_token(Some(params()), None)
    .await
    .unwrap();
    assert_eq!(details.token, TOKEN);
    let methods: Vec<String> = hops(from).into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["POST", "GET", "GET"]);

    // A loop stops after five redirects.
    let from = app.received().len();
    let err = auth(auth_url_options(
        &format!("{}/loop", app.url),
        AuthMethod::Get,
    ))
    .request_token(Some(params()), None)
    .await
    .unwrap_err();
    assert_eq!(err.code(), 40170, "{err}");
    assert!(err.to_string().contains("more than 5"), "{err}");
    assert_eq!(hops(from).len(), 1 + ably_auth::rest::MAX_REDIRECTS);
}

// ---------------------------------------------------------------------------------------------
// Calls to Ably follow no redirects.

#[tokio::test]
async fn calls_to_ably_follow_no_redirects() {
    capture();
    let elsewhere = RawServer::start(|_| Answer::new(200).typed("application/json", "[1]"));
    let to = elsewhere.url.clone();
    let ably = RawServer::start(move |req| {
        let status = req
            .path()
            .split('/')
            .nth(2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(307);
        Answer::redirect(status, &format!("{to}/keys/appId.keyId/requestToken"))
    });
    let key: Key = format!("appId.keyId:{KEY_SECRET}").parse().unwrap();
    for status in [301, 302, 303, 307, 308] {
        let auth = Auth::new(AuthOptions::key(key.clone()))
            .unwrap()
            .with_endpoint(format!("{}/status/{status}", ably.url));
        let err = auth.request_token(None, None).await.unwrap_err();
        assert_eq!((err.code(), err.status()), (50002, 502), "{status}: {err}");
        let shown = err.to_string();
        assert!(shown.contains("follow no redirects"), "{shown}");
        assert!(shown.contains(&format!("to {}", elsewhere.url)), "{shown}");
        assert_hidden("redirect from Ably", &err, &[KEY_SECRET]);
    }
    // The server-time call too.
    let auth = Auth::new(AuthOptions::key(key).with_query_time(true))
        .unwrap()
        .with_endpoint(&ably.url);
    let err = auth.create_token_request(None, None).await.unwrap_err();
    assert_eq!(err.code(), 50002, "{err}");
    let sent = ably.received();
    assert_eq!(sent.len(), 6);
    assert!(sent[..5].iter().all(|r| r.method == "POST"));
    assert_eq!(sent[5].path(), "/time");
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");
}

// ---------------------------------------------------------------------------------------------
// No failure of an authUrl call names its query, an auth param or an auth header.

#[tokio::test]
async fn auth_url_failures_name_no_secret() {
    capture();
    let elsewhere = RawServer::start(|_| Answer::new(200).typed("text/plain", TOKEN));
    let to = elsewhere.url.clone();
    let app = RawServer::start(move |req| match req.path() {
        "/slow" => Answer::new(200)
            .typed("text/plain", TOKEN)
            .after(Duration::from_millis(1500)),
        "/slow-hop" => Answer::redirect(307, "/slow"),
        "/error" => Answer::new(500).typed("text/plain", "failed"),
        "/forbidden" => Answer::new(403).typed("text/plain", "no"),
        "/ably-error" => Answer::new(401).typed(
            "application/json",
            r#"{"error":{"code":40160,"statusCode":401,"message":"not for you"}}"#,
        ),
        "/html" => Answer::new(200).typed("text/html", "<html>login</html>"),
        "/untyped" => Answer::new(200).body("x"),
        "/bad-json" => Answer::new(200).typed("application/json", "{not json"),
        "/bad-details" => Answer::new(200).typed(
            "application/json",
            r#"{"token":"x","issued":"soon","expires":1}"#,
        ),
        "/neither" => Answer::new(200).typed("application/json", "{}"),
        "/empty" => Answer::new(200).typed("text/plain", " "),
        "/huge" => Answer::new(200).typed("text/plain", vec![b'x'; 200 * 1024]),
        "/short" => Answer::new(200)
            .header("content-length", "100")
            .typed("text/plain", "cut"),
        "/garbage" => Answer::raw(b"HTTP/1.1 abc\r\n\r\n"),
        "/elsewhere" => Answer::redirect(302, &format!("{to}/steal")),
        "/no-location" => Answer::new(302),
        "/loop" => Answer::redirect(307, "/loop"),
        other => panic!("{other}"),
    });
    let refused = format!("http://127.0.0.1:{}", closed_port());
    let cases = [
        (
            refused.as_str(),
            "/auth",
            40170,
            "could not be reached: Connection refused",
        ),
        (&app.url, "/slow", 40170, "did not answer within"),
        (&app.url, "/slow-hop", 40170, "did not answer within"),
        (&app.url, "/error", 40170, "HTTP 500"),
        (&app.url, "/forbidden", 40300, "HTTP 403"),
        (&app.url, "/ably-error", 40160, "not for you"),
        (&app.url, "/html", 40170, "text/html"),
        (&app.url, "/untyped", 40170, "without a content-type"),
        (&app.url, "/bad-json", 40170, "does not parse"),
        (&app.url, "/bad-details", 40170, "TokenDetails is malformed"),
        (&app.url, "/neither", 40170, "neither"),
        (&app.url, "/empty", 40170, "empty token"),
        (&app.url, "/huge", 40170, "131072"),
        (&app.url, "/short", 40170, "could not be read"),
        (&app.url, "/garbage", 40170, "request failed: invalid HTTP"),
        (&app.url, "/elsewhere", 40170, "cross-origin"),
        (&app.url, "/no-location", 40170, "Location"),
        (&app.url, "/loop", 40170, "more than 5"),
    ];
    for (base, path, code, says) in cases {
        for method in [AuthMethod::Get, AuthMethod::Post] {
            let url = format!("{base}{path}?urlSecret={URL_SECRET}");
            let err = auth(auth_url_options(&url, method))
                .request_token(Some(params()), None)
                .await
                .unwrap_err();
            let what = format!("{path} {method:?}");
            assert_eq!(err.code(), code, "{what}: {err}");
            assert!(err.to_string().contains(says), "{what}: {err}");
            assert_hidden(&what, &err, &[PARAM_SECRET, HEADER_SECRET, URL_SECRET]);
        }
    }
    // The secrets did reach the authUrl, so their absence above means something.
    let first = &app.received()[0];
    assert!(first.target.contains(URL_SECRET) && first.target.contains(PARAM_SECRET));
    assert_eq!(first.header("x-app-session"), Some(HEADER_SECRET));
    assert_eq!(elsewhere.connections(), 0);

    // A header value that can't be sent is named by its header only.
    let err = auth(
        AuthOptions::auth_url(&app.url)
            .with_auth_header("x-app-session", format!("{HEADER_SECRET}\n{HEADER_SECRET}")),
    )
    .request_token(None, None)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("x-app-session"), "{err}");
    assert_hidden("invalid header value", &err, &[HEADER_SECRET]);

    // The HTTP stack's own output was captured (the check above is not vacuous).
    let log = captured();
    assert!(log.contains("starting new connection"), "{log}");
}

// ---------------------------------------------------------------------------------------------
// No failure of a call to Ably names the key secret or a token.

#[tokio::test]
async fn ably_failures_name_no_key_secret_or_token() {
    capture();
    let details = |expires: &str| {
        format!(r#"{{"token":"{TOKEN}","keyName":"appId.keyId","issued":1,"expires":{expires}}}"#)
    };
    let (broken, not_json) = (details(&format!("\"{TOKEN}\"")), format!("{TOKEN}}}"));
    let ably = RawServer::start(move |req| {
        let error = |code: u32, status: u16| {
            Answer::new(status).typed(
                "application/json",
                format!(
                    r#"{{"error":{{"code":{code},"statusCode":{status},"message":"refused"}}}}"#
                ),
            )
        };
        match req.path().split('/').nth(1).unwrap() {
            "slow" => Answer::new(201)
                .typed("application/json", details("2"))
                .after(Duration::from_millis(1500)),
            "refused" => error(40101, 401),
            "headers-only" => Answer::new(401)
                .header("x-ably-errorcode", "40142")
                .header("x-ably-errormessage", "Token expired"),
            "down" => Answer::new(503),
            "teapot" => Answer::new(418),
            "broken" => Answer::new(201).typed("application/json", broken.clone()),
            "not-json" => Answer::new(201).typed("application/json", not_json.clone()),
            "huge" => Answer::new(201).typed("application/json", vec![b' '; 200 * 1024]),
            "short" => Answer::new(201)
                .header("content-length", "200")
                .typed("application/json", details("2")),
            "garbage" => Answer::raw(b"HTTP/1.1 abc\r\n\r\n"),
            "moved" => Answer::redirect(307, "http://127.0.0.1:1/"),
            other => panic!("{other}"),
        }
    });
    let key: Key = format!("appId.keyId:{KEY_SECRET}").parse().unwrap();
    let refused = format!("http://127.0.0.1:{}", closed_port());
    let cases = [
        (refused, 50002, "could not be reached: Connection refused"),
        (format!("{}/slow", ably.url), 50003, "did not answer within"),
        (format!("{}/refused", ably.url), 40101, "refused"),
        (format!("{}/headers-only", ably.url), 40142, "Token expired"),
        (format!("{}/down", ably.url), 50002, "HTTP 503"),
        (format!("{}/teapot", ably.url), 41800, "HTTP 418"),
        (
            format!("{}/broken", ably.url),
            50002,
            "malformed TokenDetails",
        ),
        (
            format!("{}/not-json", ably.url),
            50002,
            "malformed TokenDetails",
        ),
        (format!("{}/huge", ably.url), 50002, "131072"),
        (format!("{}/short", ably.url), 50002, "could not be read"),
        (
            format!("{}/garbage", ably.url),
            50002,
            "request failed: invalid HTTP",
        ),
        (format!("{}/moved", ably.url), 50002, "follow no redirects"),
    ];
    for (endpoint, code, says) in cases {
        let auth = Auth::new(AuthOptions::key(key.clone()))
            .unwrap()
            .with_endpoint(&endpoint)
            .with_timeout(Duration::from_millis(1000));
        for err in [
            auth.request_token(None, None).await.unwrap_err(),
            auth.authorize(None, None).await.unwrap_err(),
            auth.token().await.unwrap_err(),
        ] {
            assert_eq!(err.code(), code, "{endpoint}: {err}");
            assert!(err.to_string().contains(says), "{endpoint}: {err}");
            assert_hidden(&endpoint, &err, &[KEY_SECRET, TOKEN]);
        }
    }
    // The token was in the answers the errors came from.
    assert!(
        ably.received()
            .iter()
            .any(|r| r.path() == "/broken/keys/appId.keyId/requestToken")
    );
    assert!(captured().contains("starting new connection"));
}
