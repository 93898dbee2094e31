//! Several instances: two processes of the `cluster` example share sessions through a real
//! `redis-server` (installed with apt-get when missing; the test fails, not skips, when it
//! cannot start). A user signed in on one instance gets credentials from the other, and is
//! refused by both once signed out on one; each instance reloads its key file (one on SIGHUP,
//! one when the file changes), and every credential is checked with the `hmac` crate against
//! the secret of the key it names.

mod support;

use ably_auth::{Key, TokenRequest};
use base64::Engine;
use hmac::{KeyInit, Mac};
use std::time::{Duration, Instant};
use support::cluster::{Instance, Redis, TempDir, example_binary};
use support::oracle_mac;

const KEY_1: &str = "appId.first:firstSecretValue";
const KEY_2: &str = "appId.second:secondSecretValue";
const SESSION_SECRET: &str =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-cluster-test";

fn key(text: &str) -> Key {
    text.parse().unwrap()
}

/// The name of the key a credential from `path` was signed with, checked with the `hmac`
/// crate against that key's secret (which must be one of `KEY_1`, `KEY_2`).
fn signed_by(path: &str, body: &str) -> String {
    let keys = [key(KEY_1), key(KEY_2)];
    let find = |name: &str| {
        keys.iter()
            .find(|k| k.name() == name)
            .unwrap_or_else(|| panic!("an unknown key {name}: {body}"))
            .clone()
    };
    if path.ends_with("jwt") {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let (signed, signature) = body.rsplit_once('.').expect("a JWT");
        let header: serde_json::Value =
            serde_json::from_slice(&b64.decode(signed.split('.').next().unwrap()).unwrap())
                .unwrap();
        let kid = header["kid"].as_str().expect("a kid").to_owned();
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(find(&kid).secret().as_bytes()).unwrap();
        mac.update(signed.as_bytes());
        mac.verify_slice(&b64.decode(signature).unwrap())
            .unwrap_or_else(|_| panic!("the JWT is not signed by {kid}"));
        kid
    } else {
        let request = TokenRequest::from_json(body.as_bytes()).expect("a TokenRequest");
        assert_eq!(request.mac, oracle_mac(&find(&request.key_name), &request));
        assert_eq!(request.client_id.as_deref(), Some("alice"), "{body}");
        request.key_name
    }
}

/// Gets a credential from `app` with `cookie`; it must succeed. Returns the signing key's name.
fn credential(app: &Instance, path: &str, cookie: &str) -> String {
    let (status, _, body) = app.request("GET", path, Some(cookie), None);
    assert_eq!(status, 200, "{path}: {body}\n{}", app.output());
    signed_by(path, &body)
}

/// Requests credentials from `app` until they are signed with `wanted` (20 s at most), every
/// one of them succeeding and signed with `wanted` or `before`.
fn until_signed_with(app: &Instance, cookie: &str, before: &str, wanted: &str) -> usize {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut requests = 0;
    loop {
        for path in ["/ably/token-request", "/ably/jwt"] {
            let name = credential(app, path, cookie);
            requests += 1;
            assert!(name == before || name == wanted, "{name}");
        }
        if credential(app, "/ably/token-request", cookie) == wanted
            && credential(app, "/ably/jwt", cookie) == wanted
        {
            return requests;
        }
        assert!(
            Instant::now() < deadline,
            "still not signing with {wanted}:\n{}",
            app.output()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn session_cookie(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap().to_owned())
        })
        .expect("a session cookie")
}

fn sign_in(app: &Instance, user: &str) -> String {
    let (status, head, body) = app.request(
        "POST",
        "/login",
        None,
        Some(&format!("user={user}&plan=pro")),
    );
    assert_eq!(status, 200, "{body}");
    session_cookie(&head)
}

fn assert_refused(app: &Instance, cookie: &str) {
    for path in ["/ably/token-request", "/ably/jwt"] {
        let (status, head, body) = app.request("GET", path, Some(cookie), None);
        assert_eq!(status, 401, "{path}: {body}");
        let error: serde_json::Value = serde_json::from_str(&body).expect("an ErrorInfo");
        assert_eq!(error["error"]["code"], 40100, "{body}");
        assert!(
            head.to_ascii_lowercase()
                .contains("cache-control: no-store"),
            "{head}"
        );
    }
}

#[test]
fn two_instances_share_sessions_in_redis_and_each_reloads_its_keys() {
    let redis = Redis::start();
    let binary = example_binary("cluster", "cluster");
    let dir = TempDir::new("cluster");
    // One key file per instance, as each machine of a deployment has its own copy.
    let (file_a, file_b) = (dir.path("keys-a"), dir.path("keys-b"));
    for file in [&file_a, &file_b] {
        std::fs::write(file, format!("# the signing key\n{KEY_1}\n")).unwrap();
    }
    let env = |file: &std::path::Path, poll: &'static str| {
        vec![
            ("ABLY_API_KEY_FILE", file.to_str().unwrap().to_owned()),
            ("REDIS_URL", redis.url.clone()),
            ("SESSION_SECRET", SESSION_SECRET.to_owned()),
            ("KEY_POLL_SECS", poll.to_owned()),
        ]
    };
    let start = |env: Vec<(&str, String)>| {
        let env: Vec<(&str, &str)> = env.iter().map(|(n, v)| (*n, v.as_str())).collect();
        Instance::start(&binary, &env)
    };
    // A reloads on SIGHUP only; B when its file changes (checked every second).
    let mut a = start(env(&file_a, "0"));
    let mut b = start(env(&file_b, "1"));
    for app in [&a, &b] {
        assert!(app.output().contains("Ably keys: signing with appId.first"));
    }

    // Signed in on A, served by B.
    let alice = sign_in(&a, "alice");
    assert_eq!(credential(&b, "/ably/token-request", &alice), "appId.first");
    assert_eq!(credential(&b, "/ably/jwt", &alice), "appId.first");
    assert_eq!(credential(&a, "/ably/jwt", &alice), "appId.first");
    assert_refused(&b, "id=not-a-session");

    // Rotation: the second key signs on both, the first still verifies.
    for file in [&file_a, &file_b] {
        std::fs::write(file, format!("{KEY_2}\n{KEY_1}\n")).unwrap();
    }
    a.sighup();
    let served = until_signed_with(&a, &alice, "appId.first", "appId.second")
        + until_signed_with(&b, &alice, "appId.first", "appId.second");
    a.wait_for_line(
        "Ably keys reloaded (SIGHUP): signing with appId.second; verify only: appId.first",
        Duration::from_secs(5),
    );
    b.wait_for_line(
        "Ably keys reloaded (the file changed): signing with appId.second",
        Duration::from_secs(5),
    );
    assert!(served >= 2);

    // A bad file: A and B keep the keys they have and say why.
    std::fs::write(&file_a, format!("{KEY_2}\nappId.first firstSecretValue\n")).unwrap();
    std::fs::write(&file_b, "").unwrap();
    a.sighup();
    let why_a = a.wait_for_line("Ably keys not reloaded (SIGHUP)", Duration::from_secs(10));
    assert!(
        why_a.contains("line 2") && why_a.contains("still signing with appId.second"),
        "{why_a}"
    );
    let why_b = b.wait_for_line(
        "Ably keys not reloaded (the file changed)",
        Duration::from_secs(10),
    );
    assert!(why_b.contains("no key found"), "{why_b}");
    for app in [&a, &b] {
        assert_eq!(
            credential(app, "/ably/token-request", &alice),
            "appId.second"
        );
        assert_eq!(credential(app, "/ably/jwt", &alice), "appId.second");
    }

    // Fixed: the first key is retired; both keep going.
    for file in [&file_a, &file_b] {
        std::fs::write(file, format!("{KEY_2}\n")).unwrap();
    }
    a.sighup();
    a.wait_for_nth_line("Ably keys reloaded (SIGHUP)", 1, Duration::from_secs(10));
    b.wait_for_nth_line(
        "Ably keys reloaded (the file changed)",
        1,
        Duration::from_secs(10),
    );
    assert_eq!(
        credential(&b, "/ably/token-request", &alice),
        "appId.second"
    );

    // Signed out on A: refused by both.
    let (status, _, body) = a.request("POST", "/logout", Some(&alice), None);
    assert_eq!(status, 200, "{body}");
    assert_refused(&b, &alice);
    assert_refused(&a, &alice);

    // And on again, the other way round.
    let again = sign_in(&b, "alice");
    assert_eq!(
        credential(&a, "/ably/token-request", &again),
        "appId.second"
    );

    // No secret was ever printed.
    for app in [&a, &b] {
        let output = app.output();
        assert!(!output.contains("SecretValue"), "{output}");
    }
    assert_eq!(a.count_lines("Ably keys reloaded"), 2);
    drop((a, b, redis));
}
