//! The quickstart page in headless Chromium (Debian's, driven by playwright-core), with the
//! official ably-js browser bundle authorizing through the routes.

mod support;

use support::quickstart::Quickstart;

#[test]
fn quickstart_page_in_a_real_browser() {
    let chromium = support::deps::chromium();
    let app = Quickstart::start();
    let out_dir = support::deps::target_profile_dir().join("../e2e");
    std::fs::create_dir_all(&out_dir).unwrap();
    let screenshot = out_dir.join("quickstart.png");
    let _ = std::fs::remove_file(&screenshot);
    assert!(chromium.exists(), "{} is required", chromium.display());
    let out =
        support::deps::node_script("browser-e2e.mjs", &[&app.url, screenshot.to_str().unwrap()]);
    let editor = r#"{"chat:*":["history","presence","publish","subscribe"],"user:alice":["history","presence","publish","subscribe"]}"#;

    assert!(out.get("pageErrors").is_none(), "{out}");
    assert!(
        out["signedOutError"]
            .as_str()
            .unwrap()
            .contains("Ably error 40100 (HTTP 401)"),
        "{out}"
    );
    assert!(out["session"].as_str().unwrap().contains("alice"), "{out}");
    for (route, kind) in [
        ("/ably/token-request", "TokenRequest"),
        ("/ably/jwt", "Ably JWT"),
        ("/ably/token", "Ably token (TokenDetails)"),
    ] {
        let shown = &out["shown"][route];
        assert_eq!(shown["kind"], kind, "{out}");
        assert_eq!(shown["clientId"], "alice", "{route}");
        assert_eq!(
            shown["capability"]["chat:*"],
            serde_json::json!(["history", "presence", "publish", "subscribe"])
        );
        assert_eq!(
            shown["capability"]["user:alice"],
            serde_json::json!(["history", "presence", "publish", "subscribe"])
        );
        let expires = shown["expires"].as_str().unwrap();
        assert!(
            expires.starts_with("59m") || expires.starts_with("60m"),
            "{route}: {expires}"
        );
        assert!(!shown["raw"].as_str().unwrap().is_empty());
    }
    // ably-js in the page: TokenRequest exchanged cross-origin at the local endpoint.
    let sdk = &out["sdk"];
    assert_eq!(sdk["tokenRequest"]["clientId"], "alice", "{out}");
    assert_eq!(sdk["tokenRequest"]["capability"], editor);
    let jwt = sdk["jwt"]["token"].as_str().expect("a JWT");
    let claims = jwt.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap(),
    )
    .unwrap();
    assert_eq!(claims["x-ably-clientId"], "alice");
    assert_eq!(claims["x-ably-capability"], editor);
    assert_eq!(sdk["afterLogout"]["error"]["statusCode"], 401, "{out}");
    // ably-js in the page, on its default settings, used each credential at the local
    // endpoint: one more message in the history each time, newest first, from alice.
    let uses = sdk["editorUse"].as_array().unwrap();
    assert_eq!(uses.len(), 3, "{out}");
    for (n, (used, route)) in uses
        .iter()
        .zip(["/ably/token-request", "/ably/jwt", "/ably/token"])
        .enumerate()
    {
        let history = used["history"]
            .as_array()
            .unwrap_or_else(|| panic!("{route}: {used}"));
        assert_eq!(history.len(), n + 1, "{route}: {used}");
        assert_eq!(history[0]["name"], "greeting", "{route}: {used}");
        assert_eq!(
            history[0]["data"],
            format!("from ably-js in the page ({route})"),
            "{route}: {used}"
        );
        assert_eq!(history[0]["clientId"], "alice", "{route}: {used}");
    }
    // A viewer's ably-js may not publish there: the endpoint's 40160 reaches the SDK.
    assert_eq!(sdk["viewerUse"]["error"]["code"], 40160, "{out}");
    assert_eq!(sdk["viewerUse"]["error"]["statusCode"], 401, "{out}");
    // The "try it" panel: each credential used from the page at the local Ably endpoint.
    let tried = |role: &str| out["tryIt"][role].as_array().unwrap().clone();
    let editor_tries = tried("editor");
    assert_eq!(editor_tries.len(), 6, "{out}");
    for row in &editor_tries {
        assert_eq!(row["outcome"], "allowed", "editor: {row}");
    }
    // History read after each publish: at least as many messages as published so far.
    assert!(
        editor_tries[5]["text"]
            .as_str()
            .unwrap()
            .contains("3 messages"),
        "{out}"
    );
    let viewer_tries = tried("viewer");
    assert_eq!(viewer_tries.len(), 7, "{out}");
    for pair in viewer_tries[..6].chunks(2) {
        assert_eq!(pair[0]["action"], "publish");
        assert_eq!(pair[0]["outcome"], "refused", "viewer publish: {}", pair[0]);
        assert_eq!(pair[0]["code"], "40160", "{}", pair[0]);
        assert!(
            pair[0]["text"]
                .as_str()
                .unwrap()
                .contains("Ably error 40160 (HTTP 401)")
        );
        assert_eq!(pair[1]["outcome"], "allowed", "viewer history: {}", pair[1]);
    }
    assert_eq!(viewer_tries[6]["outcome"], "allowed", "own channel: {out}");

    assert!(
        screenshot.metadata().unwrap().len() > 10_000,
        "a screenshot was taken"
    );
}
