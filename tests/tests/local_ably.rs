//! The local Ably token endpoint, spoken to over HTTP like an SDK would.

mod support;

use ably_auth::{Capability, FixedClock, Key, TokenDetails, TokenRequest};
use ably_auth_local::{DEMO_KEY, LocalAbly, LocalAblyServer};
use serde_json::Value;
use std::sync::Arc;
use support::{T0, http, signed, vectors};

fn key() -> Key {
    "appId.keyId:keySecret".parse().unwrap()
}

fn start(local: LocalAbly) -> LocalAblyServer {
    local
        .with_clock(Arc::new(FixedClock::new(T0)))
        .start("127.0.0.1:0")
        .unwrap()
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn post(url: &str, path_key: &str, body: impl Into<reqwest::Body>) -> Answer {
    let response = http()
        .post(format!("{url}/keys/{path_key}/requestToken"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

async fn exchange(url: &str, request: &TokenRequest) -> Answer {
    post(url, &request.key_name, request.to_json()).await
}

/// Asserts an Ably error answer: status, code, exact content type and the error headers.
fn assert_ably_error(answer: &Answer, code: u32, status: u16) {
    assert_eq!(
        (answer.status, answer.body["error"]["code"].as_u64()),
        (status, Some(u64::from(code))),
        "{}",
        answer.body
    );
    assert_eq!(answer.body["error"]["statusCode"], status);
    assert_eq!(
        answer.body["error"]["href"],
        format!("https://help.ably.io/error/{code}")
    );
    assert!(answer.body["error"]["message"].as_str().unwrap().len() > 3);
    assert_eq!(answer.headers["content-type"], "application/json");
    assert_eq!(
        answer.headers["x-ably-errorcode"],
        code.to_string().as_str()
    );
    assert!(answer.headers.contains_key("x-ably-errormessage"));
}

#[tokio::test]
async fn time_comes_from_the_injected_clock() {
    let server = start(LocalAbly::new(key()));
    let response = http()
        .get(format!("{}/time", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.text().await.unwrap(), format!("[{T0}]"));
    server.stop().await;
}

#[tokio::test]
async fn issues_token_details_for_a_signed_request() {
    let server = start(LocalAbly::new(key()));
    let request = signed(&key(), T0 - 30_000, "0123456789abcdef", |r| {
        r.ttl = Some(60_000);
        r.client_id = Some("alice".into());
        // Not canonical on purpose: the MAC covers the text as sent.
        r.capability = Some(r#"{"chat:*": ["subscribe", "publish"], "a":["history"]}"#.into());
    });
    let answer = exchange(&server.url(), &request).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.headers["content-type"], "application/json");
    let details: TokenDetails = serde_json::from_value(answer.body.clone()).unwrap();
    assert!(details.token.starts_with("appId."), "{}", details.token);
    assert!(details.token.len() > "appId.".len() + 32);
    assert_eq!(details.issued, T0);
    assert_eq!(details.expires, T0 + 60_000);
    assert_eq!(details.key_name.as_deref(), Some("appId.keyId"));
    assert_eq!(details.client_id.as_deref(), Some("alice"));
    assert_eq!(
        details.capability.as_deref(),
        Some(r#"{"a":["history"],"chat:*":["publish","subscribe"]}"#)
    );
    // No ttl: Ably's default of 60 minutes; no clientId: none in the answer.
    let answer = exchange(
        &server.url(),
        &signed(&key(), T0, "fedcba9876543210", |_| {}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["expires"], T0 + 3_600_000);
    assert!(answer.body.get("clientId").is_none());
    assert_eq!(answer.body["capability"], r#"{"[*]*":["*"]}"#);
}

#[tokio::test]
async fn refuses_bad_requests_with_ably_codes() {
    let server = start(LocalAbly::new(key()));
    let url = server.url();
    let wrong: Key = "appId.keyId:otherSecret".parse().unwrap();
    let cases: Vec<(&str, TokenRequest, u32, u16)> = vec![
        (
            "wrong secret",
            signed(&wrong, T0, "n000000000000001", |_| {}),
            40101,
            401,
        ),
        (
            "tampered ttl",
            {
                let mut r = signed(&key(), T0, "n000000000000002", |_| {});
                r.ttl = Some(1000);
                r
            },
            40101,
            401,
        ),
        (
            "stale",
            signed(&key(), T0 - 121_000, "n000000000000003", |_| {}),
            40104,
            401,
        ),
        (
            "future",
            signed(&key(), T0 + 121_000, "n000000000000004", |_| {}),
            40104,
            401,
        ),
        (
            "ttl over 24 h",
            signed(&key(), T0, "n000000000000005", |r| r.ttl = Some(86_400_001)),
            40003,
            400,
        ),
        (
            "empty clientId",
            signed(&key(), T0, "n000000000000006", |r| {
                r.client_id = Some(String::new())
            }),
            40012,
            400,
        ),
        (
            "invalid capability",
            signed(&key(), T0, "n000000000000007", |r| {
                r.capability = Some("{\"a\":[]}".into())
            }),
            40000,
            400,
        ),
        (
            "capability not JSON",
            signed(&key(), T0, "n000000000000008", |r| {
                r.capability = Some("nope".into())
            }),
            40000,
            400,
        ),
        (
            "unknown key",
            signed(
                &"appId.other:keySecret".parse().unwrap(),
                T0,
                "n000000000000009",
                |_| {},
            ),
            40400,
            404,
        ),
    ];
    for (name, request, code, status) in cases {
        let answer = exchange(&url, &request).await;
        println!("{name}: {}", answer.body);
        assert_ably_error(&answer, code, status);
    }
}

#[tokio::test]
async fn a_replayed_nonce_is_refused() {
    let server = start(LocalAbly::new(key()));
    let request = signed(&key(), T0, "0123456789abcdef", |_| {});
    assert_eq!(exchange(&server.url(), &request).await.status, 200);
    assert_ably_error(&exchange(&server.url(), &request).await, 40105, 401);
    // The same request written differently (fields in another order, spaced) is the same
    // nonce and timestamp: still a replay.
    let body = format!(
        r#"{{ "mac": {:?}, "nonce": {:?}, "timestamp": {}, "keyName": "appId.keyId" }}"#,
        request.mac, request.nonce, request.timestamp
    );
    assert_ably_error(&post(&server.url(), "appId.keyId", body).await, 40105, 401);
    // A replay is the nonce *and* timestamp pair: the nonce with another timestamp is new.
    let later = signed(&key(), T0 + 1, "0123456789abcdef", |_| {});
    assert_eq!(exchange(&server.url(), &later).await.status, 200);
}

#[tokio::test]
async fn the_path_key_must_be_the_body_key() {
    let server = start(LocalAbly::new(key()).with_key("appId.second:keySecret".parse().unwrap()));
    let request = signed(&key(), T0, "0123456789abcdef", |_| {});
    let answer = post(&server.url(), "appId.second", request.to_json()).await;
    assert_ably_error(&answer, 40101, 401);
}

#[tokio::test]
async fn malformed_bodies_are_400_never_500() {
    let server = start(LocalAbly::new(key()));
    for body in [
        "",
        "not json",
        "[]",
        r#"{"keyName":"appId.keyId"}"#,
        r#"{"keyName":"appId.keyId","timestamp":"x","nonce":"0123456789abcdef","mac":"m"}"#,
    ] {
        let answer = post(&server.url(), "appId.keyId", body).await;
        assert_ably_error(&answer, 40001, 400);
    }
    // A short nonce is a bad request too (and the MAC is checked first).
    let answer = exchange(&server.url(), &signed(&key(), T0, "short", |_| {})).await;
    assert_ably_error(&answer, 40000, 400);
}

#[tokio::test]
async fn json_with_another_content_type_is_accepted() {
    let server = start(LocalAbly::new(key()));
    let request = signed(&key(), T0, "0123456789abcdef", |_| {});
    let response = http()
        .post(format!("{}/keys/appId.keyId/requestToken", server.url()))
        .header("content-type", "text/plain")
        .body(request.to_json())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn bodies_over_128_kib_are_refused() {
    let server = start(LocalAbly::new(key()));
    let big = format!(
        r#"{{"keyName":"appId.keyId","pad":"{}"}}"#,
        "x".repeat(129 * 1024)
    );
    let answer = post(&server.url(), "appId.keyId", big).await;
    assert_ably_error(&answer, 40001, 413);
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_ably_errors() {
    let server = start(LocalAbly::new(key()));
    let response = http()
        .get(format!("{}/no/such/endpoint", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["x-ably-errorcode"], "40400");
    let response = http()
        .get(format!("{}/keys/appId.keyId/requestToken", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["statusCode"], 405);
}

/// The comma-separated names of a header value, lowercased.
fn names(value: &reqwest::header::HeaderValue) -> Vec<String> {
    value
        .to_str()
        .unwrap()
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect()
}

/// Asserts the CORS answer to a request from `origin`: Ably's service reflects a browser's
/// origin and allows credentials (ably-js sends token-authenticated requests
/// `withCredentials`); with no origin, or `null`, it is `*` without credentials.
fn assert_cors(headers: &reqwest::header::HeaderMap, origin: Option<&str>, what: &str) {
    match origin.filter(|o| *o != "null") {
        Some(origin) => {
            assert_eq!(headers["access-control-allow-origin"], origin, "{what}");
            assert_eq!(
                headers["access-control-allow-credentials"], "true",
                "{what}"
            );
            let vary: Vec<_> = headers.get_all("vary").iter().collect();
            assert!(
                vary.iter().any(|v| names(v).iter().any(|n| n == "origin")),
                "{what}: the answer varies with Origin: {vary:?}"
            );
        }
        None => {
            assert_eq!(headers["access-control-allow-origin"], "*", "{what}");
            assert!(
                !headers.contains_key("access-control-allow-credentials"),
                "{what}: credentials are allowed only to a named origin"
            );
        }
    }
}

#[tokio::test]
async fn cors_answers_browsers_as_the_service_does() {
    let server = start(LocalAbly::new(key()));
    let url = format!("{}/keys/appId.keyId/requestToken", server.url());
    let site = "https://any-site.example";
    // The preflight a browser sends before ably-js posts a TokenRequest or publishes (the
    // headers ably-js sets, and Authorization, which the `*` wildcard would not cover).
    for path in [
        "/keys/appId.keyId/requestToken",
        "/time",
        "/channels/chat/messages",
        "/no/such/path",
    ] {
        let preflight = http()
            .request(reqwest::Method::OPTIONS, format!("{}{path}", server.url()))
            .header("origin", site)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "x-ably-version,ably-agent,content-type,authorization",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 204, "{path}");
        let h = preflight.headers();
        assert_cors(h, Some(site), path);
        let allowed = names(&h["access-control-allow-headers"]);
        for name in [
            "x-ably-version",
            "ably-agent",
            "content-type",
            "authorization",
        ] {
            assert!(allowed.iter().any(|a| a == name), "{path}: {allowed:?}");
        }
        let methods = names(&h["access-control-allow-methods"]);
        for method in ["get", "post"] {
            assert!(methods.iter().any(|m| m == method), "{path}: {methods:?}");
        }
    }
    // A success, an error and /time, each asked from a foreign origin with a cookie: the
    // origin reflected, credentials allowed, and the Ably error headers readable by the page.
    let request = signed(&key(), T0, "0123456789abcdef", |_| {});
    for (body, status) in [(request.to_json(), 200), ("{}".to_owned(), 400)] {
        let response = http()
            .post(&url)
            .header("origin", site)
            .header("cookie", "session=1")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status);
        let h = response.headers();
        assert_cors(h, Some(site), &format!("POST answered {status}"));
        let exposed = names(&h["access-control-expose-headers"]);
        assert!(
            exposed.contains(&"x-ably-errorcode".to_owned())
                && exposed.contains(&"x-ably-errormessage".to_owned()),
            "{exposed:?}"
        );
    }
    for path in ["/time", "/no/such/path", "/channels/chat/messages"] {
        for origin in [Some("http://localhost:3000"), Some("null"), None] {
            let mut get = http().get(format!("{}{path}", server.url()));
            if let Some(origin) = origin {
                get = get.header("origin", origin);
            }
            let response = get.send().await.unwrap();
            let what = format!("GET {path} from {origin:?} ({})", response.status());
            assert_cors(response.headers(), origin, &what);
        }
    }
}

/// The ably-js vector "full" (ttl, capability and clientId set), MAC made by ably-js.
fn ably_js_full_vector() -> serde_json::Map<String, Value> {
    let vectors = vectors("token-requests.ably-js.json");
    let full = vectors["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "full")
        .expect("the ably-js vector \"full\"");
    assert_eq!(full["key"], "appId.keyId:keySecret");
    assert_eq!(full["expected_json"]["timestamp"], T0);
    full["expected_json"].as_object().unwrap().clone()
}

#[tokio::test]
async fn the_mac_covers_every_field() {
    // A second key with the same secret: a keyName changed to it must not verify either.
    let server = start(LocalAbly::new(key()).with_key("appId.other:keySecret".parse().unwrap()));
    let original = ably_js_full_vector();
    let edits: Vec<(&str, &str, Option<Value>)> = vec![
        ("keyName", "appId.other", Some("appId.other".into())),
        ("ttl", "appId.keyId", Some(3_599_999.into())),
        ("ttl removed", "appId.keyId", None),
        (
            // The same capability, spaced: the MAC covers the text as sent.
            "capability",
            "appId.keyId",
            Some(
                r#"{"*": ["subscribe"], "a:*": ["history", "presence"], "b": ["publish", "subscribe"]}"#
                    .into(),
            ),
        ),
        ("clientId", "appId.keyId", Some("user-2".into())),
        ("clientId removed", "appId.keyId", None),
        ("timestamp", "appId.keyId", Some((T0 + 1).into())),
        ("nonce", "appId.keyId", Some("0123456789abcdeF".into())),
        (
            "mac",
            "appId.keyId",
            Some("ds7yKx+KILNbOHUv0LZva9Wf75iisPPnWe22PVkyywj=".into()),
        ),
    ];
    for (field, path_key, value) in edits {
        let mut tampered = original.clone();
        let name = field.trim_end_matches(" removed");
        match value {
            Some(value) => tampered.insert(name.to_owned(), value),
            None => tampered.remove(name),
        };
        let answer = post(&server.url(), path_key, Value::from(tampered).to_string()).await;
        println!("{field}: {}", answer.body);
        assert_ably_error(&answer, 40101, 401);
    }
    // Untouched, ably-js's request is accepted.
    let answer = post(
        &server.url(),
        "appId.keyId",
        Value::from(original).to_string(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["clientId"], "user-1");
}

#[tokio::test]
async fn the_timestamp_window_is_two_minutes_each_way() {
    let server = start(LocalAbly::new(key()));
    for (i, (timestamp, accepted)) in [
        (T0 - 120_000, true),
        (T0 + 120_000, true),
        (T0 - 120_001, false),
        (T0 + 120_001, false),
    ]
    .into_iter()
    .enumerate()
    {
        let answer = exchange(
            &server.url(),
            &signed(&key(), timestamp, &format!("window-{i:010}"), |_| {}),
        )
        .await;
        if accepted {
            assert_eq!(answer.status, 200, "{timestamp}: {}", answer.body);
        } else {
            assert_ably_error(&answer, 40104, 401);
        }
    }
}

#[tokio::test]
async fn ttl_limits_are_24_hours_and_1_hour_for_revocable_keys() {
    let revocable: Key = "appId.revocable:keySecret".parse().unwrap();
    let revocable = revocable.with_revocable_tokens(true);
    let server = start(LocalAbly::new(key()).with_key(revocable.clone()));
    let cases = [
        (key(), Some(86_400_000), Some(86_400_000)),
        (key(), Some(86_400_001), None),
        (revocable.clone(), Some(3_600_000), Some(3_600_000)),
        (revocable.clone(), Some(3_600_001), None),
        (revocable.clone(), Some(86_400_000), None),
        // No ttl: Ably's default of 1 h, within both limits.
        (revocable, None, Some(3_600_000)),
    ];
    for (i, (key, ttl, granted)) in cases.into_iter().enumerate() {
        let request = signed(&key, T0, &format!("ttl-{i:014}"), |r| r.ttl = ttl);
        let answer = exchange(&server.url(), &request).await;
        let what = format!("{} ttl {ttl:?}", key.name());
        match granted {
            Some(ms) => {
                assert_eq!(answer.status, 200, "{what}: {}", answer.body);
                assert_eq!(answer.body["expires"], T0 + ms, "{what}");
            }
            None => {
                println!("{what}: {}", answer.body);
                assert_ably_error(&answer, 40003, 400);
            }
        }
    }
}

#[tokio::test]
async fn capability_intersections_match_the_service() {
    let vectors = vectors("capability-intersections.json");
    let keys = vectors["keys"].as_object().unwrap();
    let mut local = LocalAbly::new(key());
    let mut key_of = std::collections::HashMap::new();
    for (name, capability) in keys {
        let key: Key = format!("app.{name}:secret-{name}").parse().unwrap();
        let key = key.with_capability(Capability::parse(&capability.to_string()).unwrap());
        local = local.with_key(key.clone());
        key_of.insert(name.clone(), key);
    }
    let server = start(local);
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 14);
    for (i, case) in cases.iter().enumerate() {
        let name = case["name"].as_str().unwrap();
        let key_name = case["key"].as_str().unwrap();
        let key = &key_of[key_name];
        let key_capability = &keys[key_name];
        let requested = match &case["requested"] {
            Value::Null => None,
            Value::String(s) if s == "key capability" => Some(key_capability.to_string()),
            other => Some(other.to_string()),
        };
        let request = signed(key, T0, &format!("nonce-{i:012}"), |r| {
            r.capability = requested
        });
        let answer = exchange(&server.url(), &request).await;
        if let Some(error) = case.get("error") {
            let code = error["code"].as_u64().unwrap() as u32;
            let status = error["statusCode"].as_u64().unwrap() as u16;
            println!("{name}: {}", answer.body);
            assert_ably_error(&answer, code, status);
        } else {
            assert_eq!(answer.status, 200, "{name}: {}", answer.body);
            let expected = match &case["expected"] {
                Value::String(s) if s == "key capability" => key_capability.clone(),
                other => other.clone(),
            };
            let expected = Capability::parse(&expected.to_string()).unwrap().to_json();
            assert_eq!(answer.body["capability"], expected, "{name}");
        }
    }
}

#[actix_web::test]
async fn mounts_into_an_existing_app() {
    use actix_web::{App, test, web};
    let local = LocalAbly::new(key()).with_clock(Arc::new(FixedClock::new(T0)));
    let app =
        test::init_service(App::new().service(web::scope("/ably").configure(local.configure())))
            .await;
    let request = signed(&key(), T0, "0123456789abcdef", |_| {});
    let response = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/ably/keys/appId.keyId/requestToken")
            .set_payload(request.to_json())
            .to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["keyName"], "appId.keyId");
    let response = test::call_service(
        &app,
        test::TestRequest::get().uri("/ably/time").to_request(),
    )
    .await;
    assert_eq!(test::read_body(response).await, format!("[{T0}]"));
}

#[tokio::test]
async fn the_demo_endpoint_accepts_the_demo_key() {
    let server = LocalAbly::demo().start("127.0.0.1:0").unwrap();
    let key: Key = DEMO_KEY.parse().unwrap();
    let now = ably_auth::Clock::now_ms(&ably_auth::SystemClock);
    let answer = exchange(
        &server.url(),
        &signed(&key, now, "0123456789abcdef", |_| {}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["capability"], r#"{"[*]*":["*"]}"#);
    assert!(
        answer.body["token"]
            .as_str()
            .unwrap()
            .starts_with("demoApp.")
    );
}

#[tokio::test]
async fn chunked_bodies_over_128_kib_are_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = start(LocalAbly::new(key()));
    let addr = server.url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /keys/appId.keyId/requestToken HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "x".repeat(16 * 1024);
    for _ in 0..9 {
        let piece = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if stream.write_all(piece.as_bytes()).await.is_err() {
            break; // the server may answer and close before the whole body is sent
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("\"code\":40001"), "{response}");
}

/// With a `KeyRing`, the endpoint follows it: a key the ring gains is accepted at once (for
/// TokenRequests and Basic auth, with its own capability), one it drops is unknown again
/// (40400), and the keys given to `new` stay.
#[tokio::test]
async fn a_key_ring_is_followed_while_the_endpoint_runs() {
    use ably_auth::{KeyRing, KeySet};
    let first: Key = "appId.first:firstSecretValue".parse().unwrap();
    let second: Key = "appId.second:secondSecretValue".parse().unwrap();
    let second = second.with_capability(Capability::parse(r#"{"chat:*":["*"]}"#).unwrap());
    let ring = KeyRing::new(KeySet::new(first.clone()));
    let server = start(LocalAbly::new(key()).with_key_ring(ring.clone()));
    let url = server.url();
    let nonces = ["0123456789abcdef", "1123456789abcdef", "2123456789abcdef"];
    let mut nonce = nonces.iter();
    let mut ask = async |key: &Key, edit: fn(&mut TokenRequest)| {
        exchange(&url, &signed(key, T0, nonce.next().unwrap(), edit)).await
    };

    assert_eq!(ask(&first, |_| {}).await.status, 200);
    assert_ably_error(&ask(&second, |_| {}).await, 40400, 404);

    ring.replace(KeySet::new(second.clone()));
    let answer = ask(&second, |r| {
        r.capability = Some(r#"{"chat:lobby":["publish"]}"#.into())
    })
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["keyName"], "appId.second");
    let first_again = signed(&first, T0, "3123456789abcdef", |_| {});
    assert_ably_error(&exchange(&url, &first_again).await, 40400, 404);
    // The second key's own capability bounds what its TokenRequests get.
    let outside = signed(&second, T0, "4123456789abcdef", |r| {
        r.capability = Some(r#"{"user:*":["publish"]}"#.into())
    });
    assert_ably_error(&exchange(&url, &outside).await, 40160, 401);
    // The key given to `new` is still accepted.
    let own = signed(&key(), T0, "5123456789abcdef", |_| {});
    assert_eq!(exchange(&url, &own).await.status, 200);

    // Basic auth with the ring's key, on a channel call.
    let basic = |key: &Key| {
        use base64::Engine;
        let text = format!("{}:{}", key.name(), key.secret());
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(text)
        )
    };
    let history = |key: &Key| {
        http()
            .get(format!("{url}/channels/chat:lobby/messages"))
            .header("authorization", basic(key))
            .send()
    };
    assert_eq!(history(&second).await.unwrap().status(), 200);
    let refused = history(&first).await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["x-ably-errorcode"], "40101");
}
