//! The official ably-js and ably-python SDKs against the running quickstart: `authUrl` at its
//! three routes (session cookie in the auth headers), REST host at its local Ably endpoint.

mod support;

use base64::Engine;
use serde_json::Value;
use support::quickstart::Quickstart;

const DEMO_SECRET: &str = ably_auth_actix::local::DEMO_KEY_SECRET;
const EDITOR: &str = r#"{"chat:*":["history","presence","publish","subscribe"],"user:alice":["history","presence","publish","subscribe"]}"#;
const ROUTES: [&str; 3] = ["/ably/token-request", "/ably/jwt", "/ably/token"];

fn jwt_claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn js(app: &Quickstart, route: &str, cookie: &str, method: &str) -> Value {
    let (host, port) = app.ably_host_port();
    support::deps::node_script(
        "quickstart-client.mjs",
        &[&app.url, route, cookie, &host, &port, method, DEMO_SECRET],
    )
}

fn python(app: &Quickstart, route: &str, cookie: &str, capability: Option<&str>) -> Value {
    let (host, port) = app.ably_host_port();
    let mut args = vec![app.url.as_str(), route, cookie, &host, &port];
    if let Some(c) = capability {
        args.push(c);
    }
    support::deps::python_script("quickstart_client.py", &args)
}

#[test]
fn ably_js_obtains_tokens_through_every_route() {
    let app = Quickstart::start();
    let cookie = app.login("alice", "editor");
    for route in ROUTES {
        for method in ["GET", "POST"] {
            let out = js(&app, route, &cookie, method);
            assert!(out.get("error").is_none(), "{route} {method}: {out}");
            if route == "/ably/jwt" {
                // The JWT's HS256 signature verifies with Node's crypto and the demo secret.
                let jwt = &out["jwt"];
                assert_eq!(jwt["signatureValid"], true, "{out}");
                assert_eq!(jwt["header"]["kid"], "demoApp.demoKey");
                assert_eq!(jwt["claims"]["x-ably-clientId"], "alice");
                assert_eq!(jwt["claims"]["x-ably-capability"], EDITOR);
                let claims = &jwt["claims"];
                assert_eq!(
                    claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
                    600
                );
            } else {
                // TokenRequests were exchanged at the local Ably endpoint by ably-js itself.
                assert_eq!(out["clientId"], "alice", "{route} {method}: {out}");
                assert_eq!(out["capability"], EDITOR, "{route} {method}");
                let ttl = out["expires"].as_u64().unwrap() - out["issued"].as_u64().unwrap();
                assert_eq!(
                    ttl, 600_000,
                    "{route} {method}: the ttl hint narrows the 1 h policy"
                );
                assert!(out["token"].as_str().unwrap().starts_with("demoApp."));
            }
        }
    }
}

#[test]
fn ably_js_sees_the_routes_errors() {
    let app = Quickstart::start();
    for route in ROUTES {
        let out = js(&app, route, "", "GET");
        assert_eq!(out["error"]["statusCode"], 401, "{route}: {out}");
        assert_eq!(out["error"]["code"], 40100, "{route}: {out}");
    }
}

#[test]
fn ably_python_obtains_tokens_and_its_capability_hint_is_understood() {
    let app = Quickstart::start();
    let cookie = app.login("alice", "editor");
    let lobby = r#"{"chat:lobby": ["subscribe"]}"#;
    for route in ROUTES {
        let out = python(&app, route, &cookie, None);
        assert!(out.get("error").is_none(), "{route}: {out}");
        let narrowed = python(&app, route, &cookie, Some(lobby));
        assert!(narrowed.get("error").is_none(), "{route}: {narrowed}");
        if route == "/ably/jwt" {
            let claims = jwt_claims(out["token"].as_str().unwrap());
            assert_eq!(claims["x-ably-clientId"], "alice");
            assert_eq!(claims["x-ably-capability"], EDITOR);
            let claims = jwt_claims(narrowed["token"].as_str().unwrap());
            assert_eq!(
                claims["x-ably-capability"],
                r#"{"chat:lobby":["subscribe"]}"#
            );
        } else {
            assert_eq!(out["clientId"], "alice", "{route}: {out}");
            assert_eq!(out["capability"], EDITOR, "{route}");
            // ably-python sent {'chat:lobby': ['subscribe']} (a Python repr) as the hint.
            assert_eq!(
                narrowed["capability"], r#"{"chat:lobby":["subscribe"]}"#,
                "{route}"
            );
        }
    }
    let refused = python(&app, "/ably/token-request", "", None);
    assert_eq!(refused["error"]["statusCode"], 401, "{refused}");
}

#[test]
fn roles_reach_the_sdks_as_defined() {
    let app = Quickstart::start();
    let viewer = app.login("vera", "viewer");
    let out = js(&app, "/ably/token-request", &viewer, "GET");
    assert_eq!(
        out["capability"],
        r#"{"chat:*":["history","subscribe"],"user:vera":["history","presence","publish","subscribe"]}"#,
        "{out}"
    );
    let admin = app.login("root", "admin");
    let out = js(&app, "/ably/token", &admin, "POST");
    assert_eq!(out["capability"], r#"{"*":["*"]}"#, "{out}");
    assert_eq!(out["clientId"], "root");
}
