//! The quickstart's keys: from `ABLY_API_KEY_FILE`, reloaded on SIGHUP with the new key name
//! printed (never a secret), a bad file refused at start with what to change, and a bad reload
//! that keeps the keys in use. TokenRequests are checked with the `hmac` crate.

mod support;

use ably_auth::{Key, TokenRequest};
use ably_auth_local::LocalAbly;
use std::time::Duration;
use support::cluster::{Instance, TempDir, example_binary};
use support::oracle_mac;
use support::quickstart::run_expecting_exit;

const KEY_1: &str = "appId.first:firstSecretValue";
const KEY_2: &str = "appId.second:secondSecretValue";

/// Signs in as an editor and returns the session cookie.
fn sign_in(app: &Instance) -> String {
    let (status, head, body) = app.request("POST", "/login", None, Some("user=alice&role=editor"));
    assert_eq!(status, 200, "{body}");
    head.lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// The key a TokenRequest from the app was signed with, checked with the `hmac` crate.
fn signed_by(app: &Instance, cookie: &str) -> String {
    let (status, _, body) = app.request("GET", "/ably/token-request", Some(cookie), None);
    assert_eq!(status, 200, "{body}");
    let request = TokenRequest::from_json(body.as_bytes()).unwrap();
    let key: Key = [KEY_1, KEY_2]
        .into_iter()
        .map(|k| k.parse::<Key>().unwrap())
        .find(|k| k.name() == request.key_name)
        .expect("a known key");
    assert_eq!(request.mac, oracle_mac(&key, &request));
    request.key_name
}

#[test]
fn the_quickstart_reloads_its_key_file_on_sighup_and_keeps_its_keys_when_the_file_is_bad() {
    let dir = TempDir::new("quickstart-keys");
    let file = dir.path("keys");
    std::fs::write(&file, format!("{KEY_1}\n")).unwrap();
    let binary = example_binary("quickstart", "");
    let mut app = Instance::start(
        &binary,
        &[
            ("ABLY_API_KEY_FILE", file.to_str().unwrap()),
            ("KEY_POLL_SECS", "0"),
        ],
    );
    let cookie = sign_in(&app);
    assert_eq!(signed_by(&app, &cookie), "appId.first");

    std::fs::write(&file, format!("{KEY_2}\n{KEY_1}\n")).unwrap();
    app.sighup();
    let line = app.wait_for_line("Ably keys reloaded (SIGHUP)", Duration::from_secs(10));
    assert!(
        line.ends_with("signing with appId.second; verify only: appId.first"),
        "{line}"
    );
    assert_eq!(signed_by(&app, &cookie), "appId.second");

    std::fs::write(&file, "appId.second:secondSecretValue:extra\n").unwrap();
    app.sighup();
    let line = app.wait_for_line("Ably keys not reloaded (SIGHUP)", Duration::from_secs(10));
    assert!(
        line.contains("line 1") && line.contains("more than one `:`"),
        "{line}"
    );
    assert_eq!(signed_by(&app, &cookie), "appId.second");
    assert!(!app.output().contains("SecretValue"), "{}", app.output());
}

#[tokio::test]
async fn the_quickstart_requests_ably_tokens_with_the_key_that_signs_now() {
    // An Ably endpoint that knows only the second key.
    let ably = LocalAbly::new(KEY_2.parse().unwrap())
        .start("127.0.0.1:0")
        .unwrap();
    let url = ably.url();
    // The app is driven with blocking calls, away from the runtime the endpoint answers on.
    tokio::task::spawn_blocking(move || {
        let dir = TempDir::new("quickstart-ably-tokens");
        let file = dir.path("keys");
        std::fs::write(&file, format!("{KEY_1}\n")).unwrap();
        let binary = example_binary("quickstart", "");
        let mut app = Instance::start(
            &binary,
            &[
                ("ABLY_API_KEY_FILE", file.to_str().unwrap()),
                ("ABLY_ENDPOINT", &url),
                ("KEY_POLL_SECS", "0"),
            ],
        );
        let cookie = sign_in(&app);
        let (status, _, body) = app.request("GET", "/ably/token", Some(&cookie), None);
        assert_ne!(
            status, 200,
            "the endpoint does not know the first key: {body}"
        );
        assert!(body.contains("appId.first"), "{body}");

        std::fs::write(&file, format!("{KEY_2}\n{KEY_1}\n")).unwrap();
        app.sighup();
        app.wait_for_line("Ably keys reloaded (SIGHUP)", Duration::from_secs(10));
        let (status, _, body) = app.request("GET", "/ably/token", Some(&cookie), None);
        assert_eq!(status, 200, "{body}");
        let details: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(
            details["token"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert_eq!(details["clientId"], "alice", "{body}");
    })
    .await
    .unwrap();
}

#[test]
fn the_quickstart_refuses_key_settings_it_cannot_use_and_says_what_to_change() {
    let dir = TempDir::new("quickstart-bad-keys");
    let bad = dir.path("bad");
    std::fs::write(&bad, format!("{KEY_1}\n\nappId.second secondSecretValue\n")).unwrap();
    let missing = dir.path("missing");
    let (bad, missing) = (bad.to_str().unwrap(), missing.to_str().unwrap());
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("ABLY_API_KEY", KEY_1), ("ABLY_API_KEY_FILE", bad)],
            "unset one",
        ),
        (&[("ABLY_API_KEY_FILE", "")], "ABLY_API_KEY_FILE is empty"),
        (
            &[("ABLY_API_KEY_FILE", missing)],
            "cannot read the key file",
        ),
        (&[("ABLY_API_KEY_FILE", bad)], "line 3"),
    ];
    for (env, expected) in cases {
        let exit = run_expecting_exit(env);
        assert_eq!(exit.code, Some(2), "{env:?}: {exit:?}");
        assert!(exit.stderr.contains(expected), "{env:?}: {exit:?}");
        assert!(!exit.stderr.contains("SecretValue"), "{exit:?}");
    }
}
