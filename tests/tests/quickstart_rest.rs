//! The quickstart's policies through `ably_auth`'s own REST client: signed in as viewer,
//! editor and admin, a `Rest` client whose authUrl is one of the quickstart's routes (the
//! session cookie as an auth header) publishes and reads where the role allows it and gets
//! 40160 where it does not, in msgpack and in JSON; a revoked token gets 40141 and the
//! client renews it through the authUrl once and carries on.

mod support;

use ably_auth::AuthOptions;
use ably_auth::rest::{ClientOptions, Rest};
use base64::Engine;
use serde_json::{Value, json};
use support::quickstart::Quickstart;

const ROUTES: [&str; 3] = ["/ably/token-request", "/ably/jwt", "/ably/token"];

/// A client of the quickstart's local Ably endpoint, authenticated through `route` with
/// `cookie`.
fn client(app: &Quickstart, route: &str, cookie: &str, binary: bool) -> Rest {
    let (host, port) = app.ably_host_port();
    let auth =
        AuthOptions::auth_url(format!("{}{route}", app.url)).with_auth_header("cookie", cookie);
    Rest::new(
        ClientOptions::new(auth)
            .with_endpoint(host)
            .with_tls(false)
            .with_port(port.parse().unwrap())
            .with_use_binary_protocol(binary),
    )
    .unwrap()
}

/// `None` when the request succeeded, else its Ably code (and the status is 401).
async fn outcome(rest: &Rest, method: &str, path: &str, body: Option<&Value>) -> Option<u32> {
    let page = rest.request(method, path, &[], body, &[]).await.unwrap();
    if page.success() {
        return None;
    }
    assert_eq!(page.status_code(), 401, "{path}: {page:?}");
    Some(page.error_code().unwrap())
}

async fn publish(rest: &Rest, channel: &str, data: &str) -> Option<u32> {
    let body = json!({"name": "greeting", "data": data});
    outcome(
        rest,
        "POST",
        &format!("/channels/{channel}/messages"),
        Some(&body),
    )
    .await
}

async fn history(rest: &Rest, channel: &str) -> Vec<Value> {
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
    assert!(page.success(), "{channel}: {page:?}");
    page.items().to_vec()
}

/// Each role's rights, as the quickstart defines them (`examples/src/bin/quickstart.rs`):
/// publish and history on `chat:lobby`, publish and history on the user's own channel, the
/// status of `chat:lobby` (`channel-metadata`). `None` is allowed.
fn expected(role: &str) -> [Option<u32>; 5] {
    const DENIED: Option<u32> = Some(40160);
    match role {
        "viewer" => [DENIED, None, None, None, DENIED],
        "editor" => [None, None, None, None, DENIED],
        "admin" => [None, None, None, None, None],
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn roles_publish_and_read_as_their_capability_allows() {
    let app = Quickstart::start();
    for route in ROUTES {
        for binary in [true, false] {
            for (name, role) in [("vera", "viewer"), ("alice", "editor"), ("root", "admin")] {
                let user = format!("{name}{}", u8::from(binary));
                let own = format!("user:{user}");
                let cookie = app.login(&user, role);
                let rest = client(&app, route, &cookie, binary);
                let text = format!("hello from {user} over {route}");
                let body = json!({"name": "greeting", "data": text});
                let lobby = "/channels/chat:lobby/messages";
                let mine = format!("/channels/{own}/messages");
                let got = [
                    outcome(&rest, "POST", lobby, Some(&body)).await,
                    outcome(&rest, "GET", lobby, None).await,
                    outcome(&rest, "POST", &mine, Some(&body)).await,
                    outcome(&rest, "GET", &mine, None).await,
                    outcome(&rest, "GET", "/channels/chat:lobby", None).await,
                ];
                let what = format!("{route} {role} binary={binary}");
                assert_eq!(got, expected(role), "{what}");
                let mine = history(&rest, &own).await;
                assert!(
                    mine.iter()
                        .any(|m| m["data"] == text.as_str() && m["clientId"] == user.as_str()),
                    "{what}: {mine:?}"
                );
                let lobby = history(&rest, "chat:lobby").await;
                let posted = lobby.iter().any(|m| m["data"] == text.as_str());
                assert_eq!(posted, role != "viewer", "{what}: {lobby:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_revoked_token_is_renewed_through_the_auth_url() {
    let app = Quickstart::start();
    let (host, port) = app.ably_host_port();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    for (index, route) in ROUTES.iter().enumerate() {
        for role in ["viewer", "editor"] {
            let user = format!("rest{index}{role}");
            let own = format!("user:{user}");
            let cookie = app.login(&user, role);
            let rest = client(&app, route, &cookie, index % 2 == 0);
            assert_eq!(publish(&rest, &own, "before").await, None);
            let revoked = rest.auth().token_details().unwrap().token;

            // Revoked with the demo key (Basic, sent apart from the client).
            let basic = base64::engine::general_purpose::STANDARD.encode(ably_auth_local::DEMO_KEY);
            let answer = http
                .post(format!(
                    "http://{host}:{port}/keys/demoApp.demoKey/revokeTokens"
                ))
                .header("authorization", format!("Basic {basic}"))
                .header("content-type", "application/json")
                .body(json!({"targets": [format!("clientId:{user}")]}).to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 201);
            // JWTs carry their issue time in seconds: renew in the next second.
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

            let what = format!("{route} {role}");
            assert_eq!(publish(&rest, &own, "after").await, None, "{what}");
            assert_ne!(
                rest.auth().token_details().unwrap().token,
                revoked,
                "{what}"
            );
            let mine = history(&rest, &own).await;
            assert_eq!(mine.len(), 2, "{what}: {mine:?}");
            let lobby = if role == "viewer" { Some(40160) } else { None };
            assert_eq!(publish(&rest, "chat:lobby", "lobby").await, lobby, "{what}");
            // The old token, sent apart from the client: revoked.
            let old = base64::engine::general_purpose::STANDARD.encode(&revoked);
            let answer = http
                .post(format!("http://{host}:{port}/channels/{own}/messages"))
                .header("authorization", format!("Bearer {old}"))
                .header("content-type", "application/json")
                .body(json!({"data": "x"}).to_string())
                .send()
                .await
                .unwrap();
            let code = answer.headers().get("x-ably-errorcode").cloned().unwrap();
            assert_eq!(
                (answer.status().as_u16(), code.to_str().unwrap()),
                (401, "40141"),
                "{what}"
            );
        }
    }
}
