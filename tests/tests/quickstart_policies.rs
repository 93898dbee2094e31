//! Testing capability policies offline: the official ably-js (Node) and ably-python SDKs, on
//! their default settings (binary protocol on), sign in to the quickstart as viewer, editor
//! and admin, get credentials through each of its routes, and use them on the local Ably
//! endpoint: what the role allows works, the rest is 40160; a revoked token is 40141 and the
//! SDK renews it through the authUrl; an expired JWT is 40142 and the SDK renews it.

mod support;

use serde_json::{Value, json};
use support::quickstart::Quickstart;

const ROUTES: [&str; 3] = ["/ably/token-request", "/ably/jwt", "/ably/token"];

#[derive(Clone, Copy, Debug)]
enum Sdk {
    Js,
    Python,
}

impl Sdk {
    fn name(self) -> &'static str {
        match self {
            Sdk::Js => "ably-js",
            Sdk::Python => "ably-python",
        }
    }

    /// Runs the scenario script of this SDK; one result per step.
    fn run(
        self,
        app: &Quickstart,
        route: &str,
        cookie: &str,
        steps: &Value,
        ttl: Option<u64>,
    ) -> Vec<Value> {
        let (host, port) = app.ably_host_port();
        let steps = steps.to_string();
        let ttl = ttl.map(|t| t.to_string());
        let mut args = vec![app.url.as_str(), route, cookie, &host, &port, &steps];
        if let Some(ttl) = &ttl {
            args.push(ttl);
        }
        let out = match self {
            Sdk::Js => support::deps::node_script("quickstart-scenario.mjs", &args),
            Sdk::Python => support::deps::python_script("quickstart_scenario.py", &args),
        };
        out.as_array()
            .unwrap_or_else(|| panic!("{}: {out}", self.name()))
            .clone()
    }
}

/// The Ably error code of a step's result, or `None` when it succeeded.
fn code(result: &Value) -> Option<u64> {
    if result.get("ok").is_some() {
        return None;
    }
    assert!(
        result.get("stalled").is_none(),
        "a request never settled: {result}"
    );
    Some(
        result["error"]["code"]
            .as_u64()
            .unwrap_or_else(|| panic!("{result}")),
    )
}

fn step(what: &str, channel: &str) -> Value {
    json!({"do": what, "channel": channel})
}

/// Each role's rights, as the quickstart defines them (`examples/src/bin/quickstart.rs`):
/// publish and history on `chat:lobby`, publish and history on the user's own channel, and
/// the status of `chat:lobby` (`channel-metadata`, admin only). `None` is allowed.
fn expected(role: &str) -> [Option<u64>; 5] {
    const DENIED: Option<u64> = Some(40160);
    match role {
        "viewer" => [DENIED, None, None, None, DENIED],
        "editor" => [None, None, None, None, DENIED],
        "admin" => [None, None, None, None, None],
        other => panic!("{other}"),
    }
}

fn roles_are_enforced(sdk: Sdk) {
    let app = Quickstart::start();
    for route in ROUTES {
        for (user, role) in [("vera", "viewer"), ("alice", "editor"), ("root", "admin")] {
            let cookie = app.login(user, role);
            let own = format!("user:{user}");
            let steps = json!([
                step("publish", "chat:lobby"),
                step("history", "chat:lobby"),
                step("publish", &own),
                step("history", &own),
                step("status", "chat:lobby"),
            ]);
            let results = sdk.run(&app, route, &cookie, &steps, None);
            let codes: Vec<Option<u64>> = results.iter().map(code).collect();
            let what = format!("{} {route} {role}: {results:?}", sdk.name());
            assert_eq!(codes, expected(role), "{what}");
            for denied in results.iter().filter(|r| code(r) == Some(40160)) {
                assert_eq!(denied["error"]["statusCode"], 401, "{what}");
            }
            // Their own message is in their channel's history, under their clientId.
            let mine = results[3]["ok"].as_array().unwrap();
            let text = format!("hello from {} on {own}", sdk.name());
            assert!(
                mine.iter()
                    .any(|m| m["data"] == text.as_str() && m["clientId"] == user),
                "{what}"
            );
            if role != "viewer" {
                let lobby = results[1]["ok"].as_array().unwrap();
                assert!(lobby.iter().any(|m| m["clientId"] == user), "{what}");
            }
        }
    }
}

#[test]
fn ably_js_roles_publish_and_read_as_their_capability_allows() {
    roles_are_enforced(Sdk::Js);
}

#[test]
fn ably_python_roles_publish_and_read_as_their_capability_allows() {
    roles_are_enforced(Sdk::Python);
}

/// What the SDK's request does after a token error: ably-python renews the token through the
/// authUrl and retries the request with it (RSA4b); ably-js 2.28 renews the token but
/// retries with the old `Authorization` header, without a limit (ably/ably-js#2193), so the
/// request never settles, while the renewed token serves the next request.
fn assert_retried(sdk: Sdk, result: &Value, what: &str) {
    match sdk {
        Sdk::Python => assert_eq!(code(result), None, "renewed and retried: {what}"),
        Sdk::Js => assert_eq!(result["stalled"], true, "ably/ably-js#2193 fixed? {what}"),
    }
}

/// A revoked token gets 40141; the SDK renews through the authUrl and carries on with what
/// the role still allows.
fn revoked_tokens_are_renewed(sdk: Sdk) {
    let app = Quickstart::start();
    for (index, route) in ROUTES.iter().enumerate() {
        for role in ["viewer", "editor"] {
            // A user of their own per run, so revocations do not reach the other runs.
            let user = format!("rev{index}{role}");
            let own = format!("user:{user}");
            let cookie = app.login(&user, role);
            let steps = json!([
                step("publish", &own),
                {"do": "token"},
                {"do": "revoke", "key": ably_auth_local::DEMO_KEY, "clientId": user},
                // JWTs carry their issue time in seconds: renew in the next second.
                {"do": "sleep", "ms": 1100},
                step("raw", &own),
                {"do": "publish", "channel": own, "within": 3000},
                {"do": "token"},
                step("history", &own),
                step("publish", "chat:lobby"),
            ]);
            let results = sdk.run(&app, route, &cookie, &steps, None);
            let what = format!("{} {route} {role}: {results:?}", sdk.name());
            assert_eq!(code(&results[0]), None, "{what}");
            assert_eq!(code(&results[2]), None, "revokeTokens: {what}");
            assert_eq!(results[2]["ok"]["successCount"], 1, "{what}");
            assert_eq!(code(&results[4]), Some(40141), "the old token: {what}");
            assert_eq!(results[4]["error"]["statusCode"], 401, "{what}");
            assert_retried(sdk, &results[5], &what);
            assert_ne!(
                results[1]["ok"], results[6]["ok"],
                "renewed through the authUrl: {what}"
            );
            assert!(results[6]["ok"].is_string(), "{what}");
            let published = match sdk {
                Sdk::Python => 2,
                Sdk::Js => 1,
            };
            let history = results[7]["ok"].as_array();
            assert_eq!(history.map(Vec::len), Some(published), "{what}");
            let lobby = if role == "viewer" { Some(40160) } else { None };
            assert_eq!(code(&results[8]), lobby, "{what}");
        }
    }
}

#[test]
fn ably_js_renews_a_revoked_token_through_the_auth_url() {
    revoked_tokens_are_renewed(Sdk::Js);
}

#[test]
fn ably_python_renews_a_revoked_token_through_the_auth_url() {
    revoked_tokens_are_renewed(Sdk::Python);
}

/// An expired JWT gets 40142 and the SDK renews it.
fn expired_jwts_are_renewed(sdk: Sdk) {
    let app = Quickstart::start();
    let cookie = app.login("exp", "editor");
    let steps = json!([
        step("publish", "chat:lobby"),
        {"do": "token"},
        {"do": "sleep", "ms": 3100},
        step("raw", "chat:lobby"),
        {"do": "publish", "channel": "chat:lobby", "within": 3000},
        {"do": "token"},
        step("history", "chat:lobby"),
    ]);
    // A 2-second ttl hint: the JWT expires two seconds after it is issued.
    let results = sdk.run(&app, "/ably/jwt", &cookie, &steps, Some(2_000));
    let what = format!("{}: {results:?}", sdk.name());
    assert_eq!(code(&results[0]), None, "{what}");
    assert_eq!(code(&results[3]), Some(40142), "the expired JWT: {what}");
    assert_retried(sdk, &results[4], &what);
    assert_ne!(
        results[1]["ok"], results[5]["ok"],
        "renewed through the authUrl: {what}"
    );
    assert!(results[5]["ok"].is_string(), "{what}");
    assert_eq!(code(&results[6]), None, "the renewed JWT works: {what}");
}

#[test]
fn ably_js_renews_an_expired_jwt() {
    expired_jwts_are_renewed(Sdk::Js);
}

#[test]
fn ably_python_renews_an_expired_jwt() {
    expired_jwts_are_renewed(Sdk::Python);
}
