//! The official ably-js SDK (npm `ably@2`, installed by the test) against the local Ably
//! token endpoint: its signatures are accepted, its authUrl flow exchanges our TokenRequests,
//! and our error codes surface in its `ErrorInfo`. Needs `node` and `npm` on PATH.

mod support;

use ably_auth::{Capability, ClientId, Key, Signer, TokenParams, TokenRequest};
use ably_auth_local::{LocalAbly, LocalAblyServer};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;
use std::time::Duration;
use support::{Recorder, node, serve};

const KEY: &str = "interopApp.interopKey:interopSecret";
const KEY_CAPABILITY: &str = r#"{"chat:*":["*"],"café":["*"],"room:*":["*"],"x":["*"]}"#;

fn key() -> Key {
    KEY.parse::<Key>().unwrap()
}

fn local() -> LocalAblyServer {
    LocalAbly::new(key().with_capability(Capability::parse(KEY_CAPABILITY).unwrap()))
        .start("127.0.0.1:0")
        .unwrap()
}

fn assert_error(result: &Value, code: u64, status: u64) {
    assert_eq!(result["error"]["code"], code, "{result}");
    assert_eq!(result["error"]["statusCode"], status, "{result}");
}

#[tokio::test]
async fn ably_js_signatures_are_accepted() {
    let server = local();
    let out = node(
        "ably-js.cjs",
        &[
            ("MODE", "key"),
            ("ABLY_ENDPOINT", &server.url()),
            ("ABLY_KEY", KEY),
        ],
    )
    .await;

    // ably-js's createTokenRequest is byte-identical to ours for the same inputs...
    let theirs: TokenRequest = serde_json::from_value(out["fixed"].clone()).unwrap();
    assert!(theirs.mac_matches(&key()), "{theirs:?}");
    let ours = Signer::new(key())
        .sign(&TokenParams {
            ttl: Some(Duration::from_secs(60)),
            capability: Some(
                Capability::parse(r#"{"chat:*":["subscribe","publish"],"café":["presence"]}"#)
                    .unwrap(),
            ),
            client_id: Some(ClientId::new("jürgen").unwrap()),
            timestamp: Some(theirs.timestamp),
            nonce: Some("interop-nonce-0001".into()),
        })
        .unwrap();
    assert_eq!(ours, theirs);

    // ...and exchanging it at the local endpoint gives the token it asked for.
    let details = &out["exchanged"]["details"];
    assert_eq!(details["clientId"], "jürgen", "{out}");
    assert_eq!(
        details["capability"],
        r#"{"café":["presence"],"chat:*":["publish","subscribe"]}"#
    );
    assert_eq!(
        details["expires"].as_u64().unwrap() - details["issued"].as_u64().unwrap(),
        60_000
    );
    assert!(
        details["token"]
            .as_str()
            .unwrap()
            .starts_with("interopApp.")
    );

    // The SDK's own requestToken (sign + POST /keys/{keyName}/requestToken) works too.
    let requested = &out["requested"];
    assert_eq!(requested["clientId"], "alice", "{out}");
    assert_eq!(requested["capability"], r#"{"room:1":["publish"]}"#);
    assert_eq!(
        requested["expires"].as_u64().unwrap() - requested["issued"].as_u64().unwrap(),
        120_000
    );
    let plain = &out["plain"];
    assert_eq!(
        plain["capability"],
        Capability::parse(KEY_CAPABILITY).unwrap().to_json()
    );
    assert!(plain.get("clientId").is_none());
    server.stop().await;
}

#[tokio::test]
async fn ably_js_auth_url_flow_exchanges_our_token_requests() {
    let server = local();
    let recorder = Recorder::default();
    let app = {
        let recorder = recorder.clone();
        serve(move |cfg| {
            let recorder = recorder.clone();
            cfg.route(
                "/auth",
                web::get().to(move |req: HttpRequest| {
                    let recorder = recorder.clone();
                    async move {
                        recorder.record(&req, b"");
                        let pairs: Vec<(String, String)> =
                            serde_urlencoded::from_str(req.query_string()).unwrap();
                        let get =
                            |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
                        // The app decides; the hints only narrow: here it honours them.
                        let params = TokenParams {
                            ttl: get("ttl").map(|t| Duration::from_millis(t.parse().unwrap())),
                            client_id: get("clientId").map(|c| ClientId::new(c).unwrap()),
                            capability: Some(
                                Capability::parse(r#"{"chat:*":["subscribe"]}"#).unwrap(),
                            ),
                            ..TokenParams::default()
                        };
                        let request = Signer::new(key()).sign(&params).unwrap();
                        HttpResponse::Ok()
                            .insert_header(("content-type", "application/json"))
                            .insert_header(("cache-control", "no-store"))
                            .body(request.to_json())
                    }
                }),
            );
        })
    };
    let auth_url = format!("{}/auth", app.url);
    let out = node(
        "ably-js.cjs",
        &[
            ("MODE", "authurl"),
            ("ABLY_ENDPOINT", &server.url()),
            ("AUTH_URL", &auth_url),
        ],
    )
    .await;
    let got = recorder.last();
    let query: Vec<(String, String)> = serde_urlencoded::from_str(&got.query).unwrap();
    let has = |k: &str, v: &str| query.iter().any(|(a, b)| a == k && b == v);
    assert!(
        has("fromjs", "1") && has("ttl", "120000") && has("clientId", "bob"),
        "{query:?}"
    );
    assert_eq!(got.header("x-interop"), Some("yes"));
    let details = &out["details"];
    assert_eq!(details["clientId"], "bob", "{out}");
    assert_eq!(details["capability"], r#"{"chat:*":["subscribe"]}"#);
    assert_eq!(details["keyName"], "interopApp.interopKey");
    assert_eq!(out["clientId"], "bob");
    server.stop().await;
}

#[tokio::test]
async fn our_error_codes_surface_in_ably_js() {
    let server = local();
    let out = node(
        "ably-js.cjs",
        &[
            ("MODE", "errors"),
            ("ABLY_ENDPOINT", &server.url()),
            ("ABLY_KEY", KEY),
        ],
    )
    .await;
    assert!(out["first"]["details"]["token"].is_string(), "{out}");
    assert_error(&out["replay"], 40105, 401);
    assert_error(&out["stale"], 40104, 401);
    assert_error(&out["wrongSecret"], 40101, 401);
    assert_error(&out["denied"], 40160, 401);
    assert_error(&out["invalidCapability"], 40000, 400);
    assert_error(&out["ttl"], 40003, 400);
    assert!(
        out["replay"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nonce"),
        "{out}"
    );
    server.stop().await;
}
