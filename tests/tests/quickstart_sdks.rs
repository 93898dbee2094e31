//! The official ably-js and ably-python SDKs against the running quickstart: `authUrl` at its
//! three routes (session cookie in the auth headers), REST host at its local Ably endpoint.

mod support;

use ably_auth::Capability;
use base64::Engine;
use serde_json::Value;
use support::quickstart::Quickstart;

/// The demo key's secret, for Node to verify JWT signatures with.
fn demo_secret() -> String {
    ably_auth_local::demo_key().secret().to_owned()
}
const EDITOR: &str = r#"{"chat:*":["history","presence","publish","subscribe"],"user:alice":["history","presence","publish","subscribe"]}"#;
const ROUTES: [&str; 3] = ["/ably/token-request", "/ably/jwt", "/ably/token"];

fn jwt_claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn capability_of(json: &str) -> Capability {
    Capability::parse(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn capability(out: &Value) -> Capability {
    capability_of(out["capability"].as_str().expect("a capability"))
}

fn js(app: &Quickstart, route: &str, cookie: &str, method: &str) -> Value {
    let (host, port) = app.ably_host_port();
    support::deps::node_script(
        "quickstart-client.mjs",
        &[
            &app.url,
            route,
            cookie,
            &host,
            &port,
            method,
            &demo_secret(),
        ],
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
            // ably-python renders the capability with its own spacing; compare the content.
            assert_eq!(capability(&out), capability_of(EDITOR), "{route}");
            // ably-python sent {'chat:lobby': ['subscribe']} (a Python repr) as the hint.
            let lobby = capability_of(r#"{"chat:lobby":["subscribe"]}"#);
            assert_eq!(capability(&narrowed), lobby, "{route}");
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

// ---- The quickstart's own defences, against the real binary ------------------------------

/// The value of header `name` in a response head.
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

/// Asserts an Ably `ErrorInfo` answer: status, code, content type, headers.
fn assert_ably_error(answer: &(u16, String, String), status: u16, code: u32, what: &str) {
    let (got, head, body) = answer;
    assert_eq!(*got, status, "{what}: {head}\n{body}");
    let json: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"));
    assert_eq!(json["error"]["code"], code, "{what}: {body}");
    assert_eq!(json["error"]["statusCode"], status, "{what}: {body}");
    assert!(
        json["error"]["message"].as_str().unwrap().len() > 10,
        "{body}"
    );
    assert_eq!(
        header(head, "content-type").as_deref(),
        Some("application/json"),
        "{what}"
    );
    assert_eq!(
        header(head, "x-ably-errorcode"),
        Some(code.to_string()),
        "{what}"
    );
    assert_eq!(
        header(head, "cache-control").as_deref(),
        Some("no-store"),
        "{what}"
    );
}

fn port(app: &Quickstart) -> String {
    app.url.rsplit_once(':').unwrap().1.to_owned()
}

#[test]
fn a_foreign_host_is_refused_dns_rebinding() {
    let app = Quickstart::start();
    let port = port(&app);
    let cookie = app.login("alice", "editor");
    let rebound = format!("rebound.evil.example:{port}");
    for host in [
        rebound.as_str(),
        "",
        "evil.example",
        "localhost.evil.example",
        "0.0.0.0",
    ] {
        let headers = [("host", host), ("cookie", cookie.as_str())];
        for (method, path, form) in [
            ("GET", "/", None),
            ("GET", "/config", None),
            ("GET", "/ably/token-request", None),
            ("POST", "/ably/jwt", Some("")),
            ("POST", "/login", Some("user=mallory&role=admin")),
            ("POST", "/logout", Some("")),
        ] {
            let answer = app.request_with(method, path, &headers, form);
            assert_ably_error(
                &answer,
                403,
                40300,
                &format!("Host {host:?} {method} {path}"),
            );
            assert!(header(&answer.1, "set-cookie").is_none(), "{host} {path}");
        }
    }
    // The session survived the refused /logout; the names it answers to still work.
    let localhost = format!("localhost:{port}");
    for host in [localhost.as_str(), &app.url["http://".len()..], "LOCALHOST"] {
        let headers = [("host", host), ("cookie", cookie.as_str())];
        let (status, _, body) = app.request_with("GET", "/ably/token-request", &headers, None);
        assert_eq!(status, 200, "Host {host:?}: {body}");
    }
    // ALLOWED_HOSTS adds names (a port in the list is ignored); others stay refused.
    let app = Quickstart::start_with(&[("ALLOWED_HOSTS", " chat.example.test:443 ,Other.Test")]);
    for (host, status) in [
        ("chat.example.test", 200),
        ("other.test:8443", 200),
        ("evil.example", 403),
        ("example.test", 403),
    ] {
        let (got, _, body) = app.request_with("GET", "/healthz", &[("host", host)], None);
        assert_eq!(got, status, "Host {host:?}: {body}");
    }
    let bad = support::quickstart::run_expecting_exit(&[("ALLOWED_HOSTS", "*")]);
    assert_eq!(bad.code, Some(2), "{bad:?}");
    assert!(bad.stderr.contains("ALLOWED_HOSTS"), "{bad:?}");
}

#[test]
fn login_and_logout_refuse_cross_site_requests() {
    let app = Quickstart::start();
    let port = port(&app);
    let own = app.url.clone();
    let own_page = format!("{own}/");
    let localhost = format!("http://localhost:{port}");
    let other_port = "http://127.0.0.1:1".to_owned();
    let refused: Vec<Vec<(&str, &str)>> = vec![
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        // Same host, another port or name: another origin.
        vec![("origin", other_port.as_str())],
        vec![("origin", localhost.as_str())],
        vec![
            ("origin", "https://evil.example"),
            ("referer", own_page.as_str()),
        ],
        vec![("referer", "https://evil.example/page")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site"), ("origin", own.as_str())],
    ];
    let cookie = app.login("alice", "editor");
    for headers in &refused {
        let login = app.request_with("POST", "/login", headers, Some("user=mallory&role=admin"));
        assert_ably_error(&login, 403, 40300, &format!("login {headers:?}"));
        assert!(header(&login.1, "set-cookie").is_none(), "{headers:?}");
        let mut with_cookie = headers.clone();
        with_cookie.push(("cookie", cookie.as_str()));
        let logout = app.request_with("POST", "/logout", &with_cookie, Some(""));
        assert_ably_error(&logout, 403, 40300, &format!("logout {headers:?}"));
    }
    // alice is still signed in: no refused /logout ended her session.
    let (status, _, body) = app.request("GET", "/ably/token-request", Some(&cookie), None);
    assert_eq!(status, 200, "{body}");
    // This site's own page (what a browser sends), and clients that send neither Origin nor
    // Referer (curl, scripts), may sign in and out.
    let allowed: Vec<Vec<(&str, &str)>> = vec![
        vec![("origin", own.as_str()), ("sec-fetch-site", "same-origin")],
        vec![("referer", own_page.as_str())],
        vec![("sec-fetch-site", "none")],
        vec![],
    ];
    for headers in &allowed {
        let cookie = app.login_with("bob", "viewer", headers);
        let mut with_cookie = headers.clone();
        with_cookie.push(("cookie", cookie.as_str()));
        let (status, _, body) = app.request_with("POST", "/logout", &with_cookie, Some(""));
        assert_eq!(status, 200, "logout {headers:?}: {body}");
        let (status, _, _) = app.request("GET", "/ably/jwt", Some(&cookie), None);
        assert_eq!(status, 401, "signed out with {headers:?}");
    }
}

#[test]
fn sessions_expire_when_idle_and_after_their_lifetime() {
    let app = Quickstart::start_with(&[("SESSION_IDLE_SECS", "1")]);
    let (_, head, _) = app.request("POST", "/login", None, Some("user=alice&role=editor"));
    let set_cookie = support::quickstart::set_cookie(&head);
    assert!(set_cookie.contains("Max-Age=28800"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let get = |cookie: &str| app.request("GET", "/ably/token-request", Some(cookie), None);
    assert_eq!(get(&cookie).0, 200);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_ably_error(&get(&cookie), 401, 40100, "idle for 1.5 s");

    let app = Quickstart::start_with(&[("SESSION_MAX_AGE_SECS", "2")]);
    let (_, head, _) = app.request("POST", "/login", None, Some("user=alice&role=editor"));
    let set_cookie = support::quickstart::set_cookie(&head);
    assert!(set_cookie.contains("Max-Age=2"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let get = |cookie: &str| app.request("GET", "/ably/token-request", Some(cookie), None);
    for _ in 0..3 {
        assert_eq!(get(&cookie).0, 200, "busy, within its lifetime");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert_ably_error(&get(&cookie), 401, 40100, "2.2 s after sign-in");
}

#[test]
fn the_session_store_is_bounded_and_a_new_sign_in_retires_the_old_session() {
    let app = Quickstart::start_with(&[("MAX_SESSIONS", "2")]);
    let status = |cookie: &str| app.request("GET", "/ably/jwt", Some(cookie), None).0;
    let a = app.login("ann", "viewer");
    let b = app.login("ben", "viewer");
    assert_eq!(status(&a), 200); // ann's session is now the more recently used
    let c = app.login("cat", "viewer");
    assert_eq!(
        status(&b),
        401,
        "the least recently used session was dropped"
    );
    assert_eq!((status(&a), status(&c)), (200, 200));

    // Signing in again with a session cookie ends that session and starts a new one.
    let app = Quickstart::start();
    let status = |cookie: &str| app.request("GET", "/ably/jwt", Some(cookie), None).0;
    let first = app.login("alice", "admin");
    let second = app.login_with("alice", "viewer", &[("cookie", first.as_str())]);
    assert_ne!(first, second);
    assert_eq!(status(&first), 401, "the old session was retired");
    assert_eq!(status(&second), 200);
}

#[test]
fn a_real_key_on_a_public_address_needs_an_explicit_opt_in() {
    let key = ("ABLY_API_KEY", "appId.keyId:keySecret");
    // Nothing listens on port 9: /ably/token is never used here.
    let endpoint = ("ABLY_ENDPOINT", "http://127.0.0.1:9");
    for bind in ["0.0.0.0:0", "[::]:0"] {
        let exit = support::quickstart::run_expecting_exit(&[key, endpoint, ("BIND_ADDR", bind)]);
        assert_eq!(exit.code, Some(2), "{exit:?}");
        assert!(exit.stderr.contains("ALLOW_PUBLIC_BIND=1"), "{exit:?}");
        assert!(exit.stderr.contains("self-service"), "{exit:?}");
        assert!(!exit.stderr.contains("keySecret") && !exit.stdout.contains("keySecret"));
    }
    let exit = support::quickstart::run_expecting_exit(&[
        key,
        endpoint,
        ("BIND_ADDR", "0.0.0.0:0"),
        ("ALLOW_PUBLIC_BIND", "yes"),
    ]);
    assert_eq!(
        exit.code,
        Some(2),
        "only ALLOW_PUBLIC_BIND=1 opts in: {exit:?}"
    );
    // Opted in, it starts; on loopback, a key needs no opt-in.
    for env in [
        vec![
            key,
            endpoint,
            ("BIND_ADDR", "0.0.0.0:0"),
            ("ALLOW_PUBLIC_BIND", "1"),
        ],
        vec![key, endpoint],
    ] {
        let app = Quickstart::start_with(&env);
        assert!(app.ably_endpoint.is_none(), "a key means no local endpoint");
        let (status, _, body) = app.request_with("GET", "/config", &[("host", "localhost")], None);
        assert_eq!(status, 200, "{env:?}: {body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["keyName"],
            "appId.keyId"
        );
    }
}

#[test]
fn the_page_says_roles_are_self_service() {
    let app = Quickstart::start();
    let (status, _, body) = app.request("GET", "/", None, None);
    assert_eq!(status, 200);
    assert!(
        body.contains("Roles are self-service in this demo"),
        "{body}"
    );
}

#[test]
fn login_refuses_control_characters_and_bad_forms() {
    let app = Quickstart::start();
    // A name that would inject into channel names, then U+0000–U+001F and U+007F anywhere
    // in the name (ClientId::new's rule).
    for user in [
        "eve%3A*", "ali%00ce", "alice%0A", "%0Aalice", "%09alice", "al%0Dice", "a%1Fb", "a%7F",
        "a%1Bb",
    ] {
        let answer = app.request(
            "POST",
            "/login",
            None,
            Some(&format!("user={user}&role=viewer")),
        );
        assert_ably_error(&answer, 400, 40012, &format!("user={user}"));
        assert!(header(&answer.1, "set-cookie").is_none(), "{user}");
    }
    // Spaces around a name are dropped; inside, they are part of it.
    let (status, _, body) = app.request("POST", "/login", None, Some("user=+al+ice+&role=viewer"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["clientId"],
        "al ice"
    );
    for (form, what) in [
        ("", "no fields"),
        ("user=alice", "no role"),
        ("user=alice&role=root", "unknown role"),
    ] {
        let answer = app.request("POST", "/login", None, Some(form));
        assert_ably_error(&answer, 400, 40000, what);
    }
}
