//! The local Ably endpoint's REST API, spoken to over HTTP in both wire formats: credentials,
//! capability checks on channel REST, publishing rules, history paging, expiry, revocation
//! and bounds. Inputs come from the official SDKs' vectors (`ably-auth/vectors`) or are
//! signed apart from `ably-auth` (`support::signed`); msgpack is written by `rmp-serde`.

mod support;

use ably_auth::{Capability, FixedClock, Key};
use ably_auth_local::{Limits, LocalAbly, LocalAblyServer};
use base64::Engine;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::{T0, http, signed, vectors};

const MSGPACK: &str = "application/x-msgpack";
const JSON: &str = "application/json";

fn key() -> Key {
    "appId.keyId:keySecret".parse().unwrap()
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn basic(key: &str) -> String {
    format!("Basic {}", b64(key))
}

fn bearer(token: &str) -> String {
    format!("Bearer {}", b64(token))
}

struct Local {
    server: LocalAblyServer,
    clock: Arc<FixedClock>,
}

fn start_at(local: LocalAbly, now: u64) -> Local {
    let clock = Arc::new(FixedClock::new(now));
    let server = local
        .with_clock(clock.clone())
        .start("127.0.0.1:0")
        .unwrap();
    Local { server, clock }
}

fn start(local: LocalAbly) -> Local {
    start_at(local, T0)
}

/// An answer: status, headers, and the body decoded from its content type.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    raw: Vec<u8>,
}

impl Answer {
    fn code(&self) -> Option<u64> {
        self.body["error"]["code"].as_u64()
    }

    /// Asserts an Ably error: code, status in body and header, JSON content type.
    fn assert_error(&self, code: u64, status: u16, what: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, Some(code)),
            "{what}: {}",
            self.body
        );
        assert_eq!(self.body["error"]["statusCode"], status, "{what}");
        assert_eq!(self.headers["content-type"], JSON, "{what}");
        assert_eq!(self.headers["x-ably-errorcode"], code.to_string().as_str());
    }
}

impl Local {
    async fn call(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
        accept: &str,
    ) -> Answer {
        let url = format!("{}{path}", self.server.url());
        let mut request = http()
            .request(method.parse().unwrap(), url)
            .header("accept", accept);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let content_type = headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        // (msgpack binary has no JSON value: such a body is read from `raw`.)
        let body = if content_type == MSGPACK {
            rmp_serde::from_slice(&bytes).unwrap_or(Value::Null)
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Answer {
            status,
            headers,
            body,
            raw: bytes.to_vec(),
        }
    }

    async fn get(&self, path: &str, auth: &str) -> Answer {
        self.call("GET", path, Some(auth), None, JSON).await
    }

    async fn post_json(&self, path: &str, auth: &str, body: Value) -> Answer {
        let bytes = serde_json::to_vec(&body).unwrap();
        self.call("POST", path, Some(auth), Some((JSON, bytes)), JSON)
            .await
    }

    /// A token for `key` with the given capability and clientId, through requestToken.
    async fn token(&self, key: &Key, capability: Option<&str>, client_id: Option<&str>) -> String {
        let nonce = format!("nonce{:011}", self.clock_ms() % 100_000_000_000);
        let request = signed(key, self.clock_ms(), &nonce, |r| {
            r.capability = capability.map(str::to_owned);
            r.client_id = client_id.map(str::to_owned);
        });
        let path = format!("/keys/{}/requestToken", key.name());
        let answer = self
            .call(
                "POST",
                &path,
                None,
                Some((JSON, request.to_json().into_bytes())),
                JSON,
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        // A new nonce for the next request.
        self.clock.advance(Duration::from_millis(1));
        answer.body["token"].as_str().unwrap().to_owned()
    }

    fn clock_ms(&self) -> u64 {
        use ably_auth::Clock;
        self.clock.now_ms()
    }
}

#[tokio::test]
async fn ably_python_msgpack_token_requests_with_nil_fields_are_accepted() {
    let vectors = vectors("token-requests.ably-python.json");
    for vector in vectors["vectors"].as_array().unwrap() {
        let name = vector["name"].as_str().unwrap();
        let mut wire = vector["wire_json"].clone();
        // ably-python sends every field; absent ones as msgpack nil.
        for field in ["ttl", "capability", "clientId"] {
            wire.as_object_mut()
                .unwrap()
                .entry(field)
                .or_insert(Value::Null);
        }
        let body = rmp_serde::to_vec_named(&wire).unwrap();
        for accept in [MSGPACK, JSON] {
            // The same nonce twice is a replay: a new endpoint for each format.
            let local = start_at(LocalAbly::new(key()), wire["timestamp"].as_u64().unwrap());
            let answer = local
                .call(
                    "POST",
                    "/keys/appId.keyId/requestToken",
                    None,
                    Some((MSGPACK, body.clone())),
                    accept,
                )
                .await;
            assert_eq!(answer.status, 200, "{name} {accept}: {}", answer.body);
            assert_eq!(answer.headers["content-type"], accept, "{name}");
            assert_eq!(answer.body["keyName"], "appId.keyId", "{name}");
            assert_eq!(answer.body["clientId"], wire["clientId"], "{name}");
            assert!(answer.body["token"].as_str().unwrap().starts_with("appId."));
        }
    }
}

#[tokio::test]
async fn credentials_are_checked_like_the_service() {
    let jwt = vectors("jwt.json")["vectors"][0]["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let local = start_at(LocalAbly::new(key()), T0 + 10_000);
    let token = local.token(&key(), None, Some("user-1")).await;
    let mut tampered = jwt.clone();
    tampered.pop();
    tampered.push('x');
    /// An Authorization header, the error it gets (or none), and what it is.
    type Case = (Option<String>, Option<(u64, u16)>, &'static str);
    let cases: Vec<Case> = vec![
        (None, Some((40101, 401)), "no credentials"),
        (
            Some(basic("appId.keyId:wrong")),
            Some((40101, 401)),
            "wrong secret",
        ),
        (
            Some(basic("appId.other:keySecret")),
            Some((40101, 401)),
            "unknown key",
        ),
        (
            Some(basic("no-colon")),
            Some((40101, 401)),
            "not keyName:secret",
        ),
        (
            Some("Digest abc".into()),
            Some((40101, 401)),
            "unknown scheme",
        ),
        (Some("Bearer ".into()), Some((40140, 401)), "empty token"),
        (
            Some(bearer("no-dot-at-all")),
            Some((40145, 401)),
            "not a token",
        ),
        (
            Some(bearer("appId.neverIssued")),
            Some((40143, 401)),
            "unrecognised",
        ),
        (
            Some(bearer(&tampered)),
            Some((40144, 401)),
            "bad JWT signature",
        ),
        (Some(basic("appId.keyId:keySecret")), None, "the key"),
        (Some(bearer(&token)), None, "a minted token"),
        (
            Some(bearer(&jwt)),
            None,
            "a JWT, base64 as the SDKs send it",
        ),
        (Some(format!("Bearer {jwt}")), None, "a raw JWT"),
    ];
    for (auth, expected, what) in cases {
        let answer = local
            .call(
                "GET",
                "/channels/chat/messages",
                auth.as_deref(),
                None,
                JSON,
            )
            .await;
        match expected {
            Some((code, status)) => answer.assert_error(code, status, what),
            None => assert_eq!(answer.status, 200, "{what}: {}", answer.body),
        }
        assert!(!answer.body.to_string().contains("keySecret"), "{what}");
    }
    // Expiry: the minted token (1 h default ttl) and the JWT (exp T0 + 3600 s).
    local.clock.set(T0 + 3_611_000);
    for (auth, what) in [(bearer(&token), "token"), (bearer(&jwt), "JWT")] {
        local
            .get("/channels/chat/messages", &auth)
            .await
            .assert_error(40142, 401, what);
    }
    // Basic over plain http is 40103 only when TLS is enforced.
    let strict = start(LocalAbly::new(key()).enforce_tls(true));
    strict
        .get("/channels/chat/messages", &basic("appId.keyId:keySecret"))
        .await
        .assert_error(40103, 401, "Basic over http, TLS enforced");
}

#[tokio::test]
async fn channel_rest_checks_the_capability() {
    let local = start(LocalAbly::new(key()));
    let token = local
        .token(&key(), Some(r#"{"chat:*":["publish","subscribe"]}"#), None)
        .await;
    let auth = bearer(&token);
    let message = json!({"name": "n", "data": "d"});
    let answer = local
        .post_json("/channels/chat:a/messages", &auth, message.clone())
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let denied = [
        ("POST", "/channels/other/messages", "publish elsewhere"),
        (
            "POST",
            "/channels/chat/messages",
            "chat:* does not cover chat",
        ),
        ("GET", "/channels/chat:a/messages", "history"),
        ("GET", "/channels/chat:a", "status needs channel-metadata"),
        (
            "GET",
            "/channels/chat:a/presence/history",
            "presence history",
        ),
    ];
    for (method, path, what) in denied {
        let body = (method == "POST").then(|| (JSON, serde_json::to_vec(&message).unwrap()));
        let answer = local.call(method, path, Some(&auth), body, JSON).await;
        answer.assert_error(40160, 401, what);
    }
    let presence = local.get("/channels/chat:a/presence", &auth).await;
    assert_eq!((presence.status, presence.body.clone()), (200, json!([])));
    // The key itself (Basic) has the key's capability: everything here.
    let key_auth = basic("appId.keyId:keySecret");
    let status = local.get("/channels/chat%3Aa", &key_auth).await;
    assert_eq!(status.status, 200, "{}", status.body);
    assert_eq!(status.body["channelId"], "chat:a");
    assert_eq!(
        status.body["status"]["occupancy"]["metrics"]["connections"],
        0
    );
    let history = local.get("/channels/chat:a/messages", &key_auth).await;
    assert_eq!(history.body[0]["data"], "d");
}

#[tokio::test]
async fn publish_follows_the_client_id_rules() {
    let local = start(LocalAbly::new(key()));
    let alice = bearer(&local.token(&key(), None, Some("alice")).await);
    let any = bearer(&local.token(&key(), None, Some("*")).await);
    let anonymous = bearer(&local.token(&key(), None, None).await);
    async fn publish(local: &Local, auth: &str, client_id: Option<&str>) -> Answer {
        let mut message = json!({"name": "n", "data": "d"});
        if let Some(id) = client_id {
            message["clientId"] = json!(id);
        }
        local.post_json("/channels/c/messages", auth, message).await
    }
    for (auth, client_id, expected) in [
        (&alice, Some("alice"), None),
        (&alice, None, None),
        (&alice, Some("bob"), Some(40012)),
        (&any, Some("bob"), None),
        (&any, Some("*"), Some(40012)),
        (&anonymous, Some("bob"), Some(40012)),
        (&anonymous, None, None),
    ] {
        let answer = publish(&local, auth, client_id).await;
        let what = format!("{client_id:?}");
        match expected {
            Some(code) => answer.assert_error(code, 400, &what),
            None => assert_eq!(answer.status, 201, "{what}: {}", answer.body),
        }
    }
    let history = local
        .get("/channels/c/messages?direction=forwards", &alice)
        .await;
    let ids: Vec<&Value> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["clientId"])
        .collect();
    assert_eq!(
        ids,
        [
            &json!("alice"),
            &json!("alice"),
            &json!("bob"),
            &Value::Null
        ]
    );
}

#[tokio::test]
async fn message_size_and_count_are_capped() {
    let local = start(LocalAbly::new(key()));
    let auth = basic("appId.keyId:keySecret");
    let at_limit = "x".repeat(65_536 - 1);
    let ok = local
        .post_json(
            "/channels/c/messages",
            &auth,
            json!({"name": "n", "data": at_limit}),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let over = "x".repeat(65_536);
    local
        .post_json(
            "/channels/c/messages",
            &auth,
            json!({"name": "n", "data": over}),
        )
        .await
        .assert_error(40009, 413, "one byte over");
    // Several messages count together.
    let half = "x".repeat(40_000);
    local
        .post_json(
            "/channels/c/messages",
            &auth,
            json!([{"data": half}, {"data": half}]),
        )
        .await
        .assert_error(40009, 413, "two halves");
    let many: Vec<Value> = (0..101).map(|i| json!({"data": i.to_string()})).collect();
    local
        .post_json("/channels/c/messages", &auth, Value::Array(many))
        .await
        .assert_error(40034, 400, "101 messages");
    // History is a bounded window.
    let mut limits = Limits::default();
    limits.history_per_channel = 3;
    let small = start(LocalAbly::new(key()).with_limits(limits));
    for i in 0..5 {
        small
            .post_json(
                "/channels/c/messages",
                &auth,
                json!({"data": i.to_string()}),
            )
            .await;
    }
    let history = small.get("/channels/c/messages", &auth).await;
    let data: Vec<&Value> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["data"])
        .collect();
    assert_eq!(data, [&json!("4"), &json!("3"), &json!("2")]);
}

/// The `next` link of a `Link` header, as ably-js reads it (`<./messages?…>; rel="next"`).
fn next_link(answer: &Answer) -> Option<String> {
    let link = answer.headers.get("link")?.to_str().unwrap().to_owned();
    link.split(", ").find_map(|part| {
        let (url, rel) = part.split_once("; ")?;
        (rel == "rel=\"next\"").then(|| {
            url.trim_matches(['<', '>'])
                .trim_start_matches("./")
                .to_owned()
        })
    })
}

#[tokio::test]
async fn history_pages_follow_link_headers_in_both_formats() {
    let local = start(LocalAbly::new(key()));
    let auth = basic("appId.keyId:keySecret");
    for i in 0..5u64 {
        // msgpack in, binary data in the last one.
        let data = if i == 4 {
            json!(null)
        } else {
            json!(i.to_string())
        };
        let mut message = json!({"name": "n", "data": data, "extras": null});
        local.clock.set(T0 + i * 1000);
        if i == 4 {
            message.as_object_mut().unwrap().remove("data");
            let mut bytes = rmp_serde::to_vec_named(&message).unwrap();
            // Append "data": bin8 [0, 255] to the map (fixmap: bump its length).
            bytes[0] += 1;
            bytes.extend_from_slice(&[0xa4, b'd', b'a', b't', b'a', 0xc4, 2, 0, 255]);
            let answer = local
                .call(
                    "POST",
                    "/channels/h/messages",
                    Some(&auth),
                    Some((MSGPACK, bytes)),
                    MSGPACK,
                )
                .await;
            assert_eq!(answer.status, 201, "{}", answer.body);
        } else {
            let bytes = rmp_serde::to_vec_named(&message).unwrap();
            let answer = local
                .call(
                    "POST",
                    "/channels/h/messages",
                    Some(&auth),
                    Some((MSGPACK, bytes)),
                    MSGPACK,
                )
                .await;
            assert_eq!(answer.status, 201, "{}", answer.body);
        }
    }
    // Backwards (the default), two at a time, from 1 s on: 4, 3, 2, 1.
    let mut path = format!("messages?limit=2&start={}", T0 + 1000);
    let mut seen = Vec::new();
    loop {
        let answer = local.get(&format!("/channels/h/{path}"), &auth).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        for m in answer.body.as_array().unwrap() {
            seen.push(m["timestamp"].as_u64().unwrap() - T0);
        }
        match next_link(&answer) {
            Some(next) => path = next,
            None => break,
        }
    }
    assert_eq!(seen, [4000, 3000, 2000, 1000]);
    // Forwards with an end.
    let answer = local
        .get(
            &format!("/channels/h/messages?direction=forwards&end={}", T0 + 2000),
            &auth,
        )
        .await;
    let data: Vec<&Value> = answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["data"])
        .collect();
    assert_eq!(data, [&json!("0"), &json!("1"), &json!("2")]);
    // Binary data: base64 for a JSON reader, bin for a msgpack reader.
    let json_reader = local.get("/channels/h/messages?limit=1", &auth).await;
    assert_eq!(json_reader.body[0]["data"], "AP8=");
    assert_eq!(json_reader.body[0]["encoding"], "base64");
    let msgpack_reader = local
        .call(
            "GET",
            "/channels/h/messages?limit=1",
            Some(&auth),
            None,
            MSGPACK,
        )
        .await;
    assert_eq!(msgpack_reader.headers["content-type"], MSGPACK);
    let raw = &msgpack_reader.raw;
    let bin = [0xa4, b'd', b'a', b't', b'a', 0xc4, 2, 0, 255];
    assert!(
        raw.windows(bin.len()).any(|w| w == bin),
        "data as bin8: {raw:?}"
    );
    assert!(
        !raw.windows(8).any(|w| w == b"encoding"),
        "no encoding: {raw:?}"
    );
    for bad in [
        "limit=0",
        "limit=1001",
        "direction=sideways",
        "start=5&end=4",
        "start=x",
    ] {
        local
            .get(&format!("/channels/h/messages?{bad}"), &auth)
            .await
            .assert_error(40003, 400, bad);
    }
}

#[tokio::test]
async fn key_capability_and_revocable_ttl_apply_to_token_requests() {
    let restricted =
        key().with_capability(Capability::parse(r#"{"chat:*":["subscribe"]}"#).unwrap());
    let revocable: Key = "appId.rev:revSecret".parse().unwrap();
    let revocable = revocable.with_revocable_tokens(true);
    let local = start(LocalAbly::new(restricted).with_key(revocable.clone()));
    let requests = [
        (
            signed(&key(), T0, "nonce-restricted", |r| {
                r.capability = Some(r#"{"news":["publish"]}"#.into())
            }),
            (40160, 401),
            "outside the key's capability",
        ),
        (
            signed(&revocable, T0, "nonce-revocable-1", |r| {
                r.ttl = Some(3_600_001)
            }),
            (40003, 400),
            "over 1 h on a revocable key",
        ),
    ];
    for (request, (code, status), what) in requests {
        let path = format!("/keys/{}/requestToken", request.key_name);
        let body = Some((JSON, request.to_json().into_bytes()));
        local
            .call("POST", &path, None, body, JSON)
            .await
            .assert_error(code, status, what);
    }
}

#[tokio::test]
async fn revoked_tokens_get_40141() {
    let revocable = key().with_revocable_tokens(true);
    let plain: Key = "appId.plain:plainSecret".parse().unwrap();
    let local = start(LocalAbly::new(revocable.clone()).with_key(plain.clone()));
    let alice = bearer(&local.token(&revocable, None, Some("alice")).await);
    let bob = bearer(&local.token(&revocable, None, Some("bob")).await);
    let revoke = "/keys/appId.keyId/revokeTokens";
    let targets = json!({"targets": ["clientId:alice"]});
    local
        .post_json(revoke, &alice, targets.clone())
        .await
        .assert_error(40162, 401, "token auth");
    local
        .post_json(revoke, &basic("appId.plain:plainSecret"), targets.clone())
        .await
        .assert_error(40133, 401, "another key");
    local
        .post_json(
            "/keys/appId.plain/revokeTokens",
            &basic("appId.plain:plainSecret"),
            targets.clone(),
        )
        .await
        .assert_error(40164, 401, "not revocable");
    let key_auth = basic("appId.keyId:keySecret");
    let done = local.post_json(revoke, &key_auth, targets.clone()).await;
    assert_eq!(done.status, 201, "{}", done.body);
    assert_eq!(
        (
            done.body["successCount"].as_u64(),
            done.body["failureCount"].as_u64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(done.body["results"][0]["target"], "clientId:alice");
    assert_eq!(done.body["results"][0]["appliesAt"], T0 + 2);
    local
        .get("/channels/c/messages", &alice)
        .await
        .assert_error(40141, 401, "revoked");
    assert_eq!(local.get("/channels/c/messages", &bob).await.status, 200);
    // A token issued after the revocation works.
    local.clock.advance(Duration::from_millis(5));
    let renewed = bearer(&local.token(&revocable, None, Some("alice")).await);
    assert_eq!(
        local.get("/channels/c/messages", &renewed).await.status,
        200
    );
    // allowReauthMargin: 30 s before the revocation applies.
    let margin = json!({"targets": ["clientId:alice"], "allowReauthMargin": true});
    let done = local.post_json(revoke, &key_auth, margin).await;
    assert_eq!(done.status, 201, "{}", done.body);
    assert_eq!(
        local.get("/channels/c/messages", &renewed).await.status,
        200
    );
    local.clock.advance(Duration::from_millis(30_000));
    local
        .get("/channels/c/messages", &renewed)
        .await
        .assert_error(40141, 401, "after the margin");
    // Bad requests.
    for (body, what) in [
        (json!({"targets": []}), "no target"),
        (json!({"targets": ["nonsense"]}), "not type:value"),
        (
            json!({"targets": ["clientId:x"], "issuedBefore": T0 + 10_000_000}),
            "in the future",
        ),
    ] {
        let answer = local.post_json(revoke, &key_auth, body).await;
        if answer.status == 201 {
            assert_eq!(answer.body["failureCount"], 1, "{what}: {}", answer.body);
        } else {
            answer.assert_error(40003, 400, what);
        }
    }
}

#[tokio::test]
async fn a_jwt_is_revoked_by_its_revocation_key() {
    let vector = &vectors("jwt.json")["vectors"][1];
    let key: Key = vector["key"].as_str().unwrap().parse().unwrap();
    let jwt = vector["jwt"].as_str().unwrap();
    let iat = vector["claims"]["iat"].as_u64().unwrap() * 1000;
    let local = start_at(
        LocalAbly::new(key.clone().with_revocable_tokens(true)),
        iat + 5_000,
    );
    let auth = bearer(jwt);
    assert_eq!(
        local.get("/channels/chat:a/messages", &auth).await.status,
        200
    );
    local
        .post_json("/channels/chat:a/messages", &auth, json!({"data": "x"}))
        .await
        .assert_error(40160, 401, "the JWT's capability has no publish");
    let key_auth = basic(vector["key"].as_str().unwrap());
    let path = format!("/keys/{}/revokeTokens", key.name());
    let done = local
        .post_json(
            &path,
            &key_auth,
            json!({"targets": ["revocationKey:group-7"]}),
        )
        .await;
    assert_eq!(done.status, 201, "{}", done.body);
    local
        .get("/channels/chat:a/messages", &auth)
        .await
        .assert_error(40141, 401, "revoked by revocation key");
}
