//! `Rest` against a capturing server: auth schemes (RSA1–RSA4, RSA7e2, RSA11, RSC18),
//! headers (RSC7), protocols (TO3f), `request` and its pages (RSC19, HP), `time` (RSC16),
//! token renewal on a token error (RSA4a2, RSA4b, RSC10) and `revokeTokens` (RSA17).
#![cfg(feature = "rest")]

#[path = "support/mock.rs"]
mod mock;

use ably_auth::rest::{
    ClientOptions, Rest, RevokeOptions, TokenRevocationResult, TokenRevocationTarget,
};
use ably_auth::{AuthOptions, TokenDetails, TokenSource};
use mock::{Captured, Mock, Reply, key, now_ms};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// base64("appId.keyId:keySecret"), computed with coreutils `base64`.
const BASIC: &str = "Basic YXBwSWQua2V5SWQ6a2V5U2VjcmV0";

/// `Bearer base64(token)` with an independent encoder (RFC 4648 by hand).
fn bearer(token: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in token.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Bearer {out}")
}

/// A handler that issues `tok-1`, `tok-2`, … at requestToken and answers `ok` elsewhere.
fn issuing(
    api: impl Fn(&Captured) -> Reply + Send + Sync + 'static,
) -> impl Fn(&Captured) -> Reply {
    let issued = AtomicUsize::new(0);
    move |r: &Captured| {
        if r.path.ends_with("/requestToken") {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            Reply::json(
                200,
                json!({"token": format!("tok-{n}"), "issued": now_ms(), "expires": now_ms() + 3_600_000, "keyName": "appId.keyId"}),
            )
        } else {
            api(r)
        }
    }
}

fn ok(_: &Captured) -> Reply {
    Reply::json(200, json!({"channelId": "test"}))
}

#[tokio::test]
async fn rsa2_rsa11_rsc7_a_key_alone_means_basic_auth_with_version_and_agent() {
    let server = Mock::start(true, ok);
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    let page = rest
        .request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap();
    assert_eq!(page.status_code(), 200);
    assert_eq!(page.items(), [json!({"channelId": "test"})]);
    let sent = &server.requests()[0];
    assert_eq!(sent.header("authorization"), Some(BASIC));
    assert_eq!(sent.header("x-ably-version"), Some("6"));
    // RSC7d: space-separated `product[/version]` entries, the library first, then the OS.
    let agent: Vec<&str> = sent.header("ably-agent").unwrap().split(' ').collect();
    assert_eq!(
        agent[0],
        concat!("ably-auth-rs/", env!("CARGO_PKG_VERSION")),
        "{sent:?}"
    );
    if cfg!(target_os = "linux") {
        assert_eq!(agent[1..], ["linux"], "{sent:?}");
    }
    assert_eq!(sent.header("x-ably-clientid"), None);
    assert_eq!(sent.host, "main.realtime.ably.net");
}

#[tokio::test]
async fn rsa7e2_basic_auth_sends_the_client_id_base64_encoded() {
    let server = Mock::start(true, ok);
    let rest = Rest::new(
        server
            .options(AuthOptions::key(key()), &[])
            .with_client_id("alice"),
    )
    .unwrap();
    rest.request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap();
    // base64("alice")
    assert_eq!(
        server.requests()[0].header("x-ably-clientid"),
        Some("YWxpY2U=")
    );
}

#[tokio::test]
async fn rsa1_basic_auth_over_plain_http_is_40103_and_sends_nothing() {
    let server = Mock::start(false, ok);
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    let err = rest
        .request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (40103, 401));
    assert!(!err.to_string().contains("keySecret"));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn rsa3_rsc18_a_token_is_a_bearer_header_even_without_tls() {
    let server = Mock::start(false, ok);
    let rest = Rest::new(server.options(AuthOptions::token("appId.explicit-token"), &[])).unwrap();
    rest.request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap();
    let sent = &server.requests()[0];
    assert_eq!(
        sent.header("authorization"),
        Some(bearer("appId.explicit-token").as_str())
    );
    assert_eq!(
        rest.auth().authorization_header().await.unwrap(),
        bearer("appId.explicit-token")
    );
}

#[tokio::test]
async fn rsa4_use_token_auth_gets_a_token_with_the_key_first() {
    let server = Mock::start(true, issuing(ok));
    let options = AuthOptions::key(key()).with_use_token_auth(true);
    let rest = Rest::new(server.options(options, &[])).unwrap();
    rest.request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap();
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].path, "/keys/appId.keyId/requestToken");
    assert_eq!(
        sent[0].header("authorization"),
        None,
        "requestToken is signed, not authenticated"
    );
    let body = sent[0].value();
    assert_eq!(body["keyName"], "appId.keyId");
    assert!(body["mac"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        sent[1].header("authorization"),
        Some(bearer("tok-1").as_str())
    );
    // RSA17d: a token-auth client can't revoke.
    let err = rest
        .auth()
        .revoke_tokens(
            &[TokenRevocationTarget::ClientId("x".into())],
            RevokeOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (40162, 401));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn rsa1_rsa4_an_auth_callback_wins_over_the_key() {
    let server = Mock::start(true, ok);
    let options = AuthOptions::auth_callback(|_| async {
        Ok(TokenSource::TokenDetails(TokenDetails {
            expires: now_ms() + 3_600_000,
            ..TokenDetails::from_token("callback-token")
        }))
    })
    .with_key(key());
    let rest = Rest::new(server.options(options, &[])).unwrap();
    rest.request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(bearer("callback-token").as_str())
    );
}

#[tokio::test]
async fn rsc1b_no_means_of_authentication_is_40106() {
    let err = Rest::new(ClientOptions::new(AuthOptions::new())).unwrap_err();
    assert_eq!(err.code(), 40106);
}

#[tokio::test]
async fn to3f_msgpack_bodies_both_ways() {
    let server = Mock::start(true, |r: &Captured| {
        if r.path.ends_with("/requestToken") {
            Reply::msgpack(
                200,
                json!({"token": "tok-mp", "expires": now_ms() + 3_600_000}),
            )
        } else {
            Reply::msgpack(201, json!([{"id": "m1"}, {"id": "m2"}]))
        }
    });
    let options = server
        .options(AuthOptions::key(key()).with_use_token_auth(true), &[])
        .with_use_binary_protocol(true);
    let rest = Rest::new(options).unwrap();
    let body = json!({"name": "greeting", "data": "hello"});
    let page = rest
        .request(
            "POST",
            "/channels/chat/messages",
            &[],
            Some(&body),
            &[("x-extra", "1")],
        )
        .await
        .unwrap();
    assert_eq!(page.items(), [json!({"id": "m1"}), json!({"id": "m2"})]);
    let sent = server.requests();
    assert_eq!(
        sent[0].header("content-type"),
        Some("application/x-msgpack")
    );
    assert_eq!(sent[0].header("accept"), Some("application/x-msgpack"));
    assert_eq!(sent[0].value()["keyName"], "appId.keyId");
    assert_eq!(sent[1].value(), body);
    assert_eq!(sent[1].header("x-extra"), Some("1"));
    assert_eq!(
        sent[1].header("authorization"),
        Some(bearer("tok-mp").as_str())
    );
}

#[tokio::test]
async fn rsc16_time_is_unauthenticated() {
    let server = Mock::start(true, |_: &Captured| {
        Reply::json(200, json!([1_234_567_890_000u64]))
    });
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    assert_eq!(rest.time().await.unwrap(), 1_234_567_890_000);
    let sent = &server.requests()[0];
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("GET", "/time"));
    assert_eq!(sent.header("authorization"), None);
}

#[tokio::test]
async fn rsa4b_rsc10_a_token_error_renews_once_and_retries() {
    let api_calls = Arc::new(AtomicUsize::new(0));
    let calls = api_calls.clone();
    let server = Mock::start(
        true,
        issuing(move |_| {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Reply::error(401, 40142)
            } else {
                Reply::json(200, json!({"ok": true}))
            }
        }),
    );
    let rest =
        Rest::new(server.options(AuthOptions::key(key()).with_use_token_auth(true), &[])).unwrap();
    let page = rest
        .request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap();
    assert!(page.success());
    let api: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/channels/test")
        .collect();
    assert_eq!(api.len(), 2);
    assert_eq!(
        api[0].header("authorization"),
        Some(bearer("tok-1").as_str())
    );
    assert_eq!(
        api[1].header("authorization"),
        Some(bearer("tok-2").as_str())
    );
    assert_eq!(rest.auth().token_details().unwrap().token, "tok-2");
}

#[tokio::test]
async fn rsa4b_a_second_token_error_is_returned_not_renewed_again() {
    let server = Mock::start(true, issuing(|_| Reply::error(401, 40140)));
    let rest =
        Rest::new(server.options(AuthOptions::key(key()).with_use_token_auth(true), &[])).unwrap();
    let page = rest
        .request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap();
    assert_eq!((page.status_code(), page.error_code()), (401, Some(40140)));
    assert!(!page.success());
    assert_eq!(page.error_message(), Some("error 40140"));
    assert_eq!(server.requests_to("/channels/test").len(), 2);
    assert_eq!(
        server.requests_to("/keys/appId.keyId/requestToken").len(),
        2
    );
}

#[tokio::test]
async fn rsa4a2_a_token_error_with_no_means_to_renew_is_40171() {
    let server = Mock::start(true, |_: &Captured| Reply::error(401, 40142));
    let details = TokenDetails {
        expires: now_ms() - 1_000,
        ..TokenDetails::from_token("expired-token")
    };
    // RSA4b1: the expiry is known locally, so nothing is sent.
    let rest = Rest::new(server.options(AuthOptions::token_details(details), &[])).unwrap();
    let err = rest
        .request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap_err();
    assert_eq!(err.code(), 40171);
    assert!(server.requests().is_empty());
    // Unknown expiry: Ably's refusal is the signal.
    let rest = Rest::new(server.options(AuthOptions::token("opaque-token"), &[])).unwrap();
    let err = rest
        .request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap_err();
    assert_eq!(err.code(), 40171);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn rsc10_other_401s_are_not_retried() {
    let server = Mock::start(true, issuing(|_| Reply::error(401, 40100)));
    let rest =
        Rest::new(server.options(AuthOptions::key(key()).with_use_token_auth(true), &[])).unwrap();
    let page = rest
        .request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap();
    assert_eq!(page.error_code(), Some(40100));
    assert_eq!(server.requests_to("/channels/test").len(), 1);
    assert_eq!(
        server.requests_to("/keys/appId.keyId/requestToken").len(),
        1
    );
    // Basic auth: a 401 carrying a token code renews nothing either (there is no token).
    let server = Mock::start(true, |_: &Captured| Reply::error(401, 40142));
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    let page = rest
        .request("GET", "/channels/test", &[], None, &[])
        .await
        .unwrap();
    assert_eq!(page.error_code(), Some(40142));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn rsc19_hp_pages_follow_link_headers() {
    let server = Mock::start(true, |r: &Captured| {
        let page = r.param("page").unwrap_or("1");
        let first = r#"<./messages?page=1&limit=2>; rel="first""#;
        match page {
            "1" => Reply::json(200, json!([{"n": 1}, {"n": 2}])).with_header(
                "link",
                &format!(r#"{first}, <./messages?page=2&limit=2>; rel="next""#),
            ),
            _ => Reply::json(200, json!([{"n": 3}])).with_header("link", first),
        }
    });
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    let page = rest
        .request(
            "get",
            "/channels/chat/messages",
            &[("limit", "2")],
            None,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(page.items().len(), 2);
    assert!(page.has_next() && !page.is_last());
    assert!(page.headers().iter().any(|(n, _)| n == "link"));
    let next = page.next().await.unwrap().unwrap();
    assert_eq!(next.items(), [json!({"n": 3})]);
    assert!(next.is_last());
    assert!(next.next().await.unwrap().is_none());
    let first = next.first().await.unwrap().unwrap();
    assert_eq!(first.items().len(), 2);
    let sent = server.requests();
    assert_eq!(sent[1].path, "/channels/chat/messages");
    assert_eq!(sent[1].param("page"), Some("2"));
    assert!(
        sent.iter()
            .all(|r| r.header("authorization") == Some(BASIC))
    );
}

#[tokio::test]
async fn rsc19_bad_methods_paths_and_headers_are_40000_before_sending() {
    let server = Mock::start(true, ok);
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    for (method, path, header) in [
        ("TRACE", "/x", ("a", "b")),
        ("GET", "x", ("a", "b")),
        ("GET", "/x", ("bad name", "b")),
        ("GET", "/x", ("a", "bad\nvalue")),
    ] {
        let err = rest
            .request(method, path, &[], None, &[header])
            .await
            .unwrap_err();
        assert_eq!((err.code(), err.status()), (40000, 400), "{method} {path}");
    }
    assert!(server.requests().is_empty());
}

fn revoke_answer(r: &Captured) -> Reply {
    let targets = r.value()["targets"].clone();
    let results: Vec<_> = targets
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            if t.as_str().unwrap().ends_with(":bad") {
                json!({"target": t, "error": {"code": 40000, "statusCode": 400, "message": "Invalid target"}})
            } else {
                json!({"target": t, "issuedBefore": 1_700_000_000_000u64, "appliesAt": 1_700_000_030_000u64})
            }
        })
        .collect();
    let failures = results.iter().filter(|r| r.get("error").is_some()).count();
    Reply::json(
        201,
        json!({"successCount": results.len() - failures, "failureCount": failures, "results": results}),
    )
}

#[tokio::test]
async fn rsa17_revoke_tokens_posts_targets_with_basic_auth() {
    let server = Mock::start(true, revoke_answer);
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    let targets = [
        TokenRevocationTarget::ClientId("alice".into()),
        TokenRevocationTarget::RevocationKey("group-1".into()),
        TokenRevocationTarget::Channel("bad".into()),
    ];
    let options = RevokeOptions {
        issued_before: Some(1_699_999_000_000),
        allow_reauth_margin: Some(true),
    };
    let result = rest.auth().revoke_tokens(&targets, options).await.unwrap();
    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/keys/appId.keyId/revokeTokens")
    );
    assert_eq!(sent.header("authorization"), Some(BASIC));
    assert_eq!(
        sent.value(),
        json!({"targets": ["clientId:alice", "revocationKey:group-1", "channel:bad"],
               "issuedBefore": 1_699_999_000_000u64, "allowReauthMargin": true})
    );
    // BAR2, TRS2, TRF2.
    assert_eq!((result.success_count, result.failure_count), (2, 1));
    match &result.results[0] {
        TokenRevocationResult::Success(s) => {
            assert_eq!(s.target, "clientId:alice");
            assert_eq!(
                (s.issued_before, s.applies_at),
                (1_700_000_000_000, 1_700_000_030_000)
            );
        }
        other => panic!("{other:?}"),
    }
    match &result.results[2] {
        TokenRevocationResult::Failure(f) => {
            assert_eq!(f.target, "channel:bad");
            assert_eq!((f.error.code, f.error.status_code), (40000, 400));
        }
        other => panic!("{other:?}"),
    }
    // RSA17e, RSA17f: absent options are not sent.
    rest.auth()
        .revoke_tokens(&targets[..1], RevokeOptions::default())
        .await
        .unwrap();
    assert_eq!(
        server.requests()[1].value(),
        json!({"targets": ["clientId:alice"]})
    );
}

#[tokio::test]
async fn rsa17_legacy_answers_errors_and_bad_targets() {
    let server = Mock::start(true, |r: &Captured| {
        if r.value()["targets"][0] == "clientId:denied" {
            Reply::error(401, 40160)
        } else {
            Reply::json(
                200,
                json!([{"target": "clientId:alice", "issuedBefore": 1, "appliesAt": 2}]),
            )
        }
    });
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    let alice = [TokenRevocationTarget::ClientId("alice".into())];
    let result = rest
        .auth()
        .revoke_tokens(&alice, RevokeOptions::default())
        .await
        .unwrap();
    assert_eq!((result.success_count, result.failure_count), (1, 0));
    let denied = [TokenRevocationTarget::ClientId("denied".into())];
    let err = rest
        .auth()
        .revoke_tokens(&denied, RevokeOptions::default())
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (40160, 401));
    for bad in [
        &[][..],
        &[TokenRevocationTarget::Channel(String::new())][..],
    ] {
        let err = rest
            .auth()
            .revoke_tokens(bad, RevokeOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), 40000);
    }
    assert_eq!(server.requests().len(), 2);
    // RSA17d with a literal token: 40162, nothing sent.
    let rest = Rest::new(server.options(AuthOptions::token("a.token"), &[])).unwrap();
    let err = rest
        .auth()
        .revoke_tokens(&alice, RevokeOptions::default())
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (40162, 401));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn rsa4b_a_msgpack_token_error_renews_too() {
    let api_calls = Arc::new(AtomicUsize::new(0));
    let calls = api_calls.clone();
    let server = Mock::start(true, move |r: &Captured| {
        if r.path.ends_with("/requestToken") {
            let n = r.value()["nonce"].as_str().unwrap().to_owned();
            Reply::msgpack(
                200,
                json!({"token": format!("tok-{n}"), "expires": now_ms() + 3_600_000}),
            )
        } else if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            // No X-Ably-ErrorCode header: the code is only in the MessagePack body.
            Reply::msgpack(
                401,
                json!({"error": {"code": 40142, "statusCode": 401, "message": "expired"}}),
            )
        } else {
            Reply::msgpack(200, json!({}))
        }
    });
    let options = server
        .options(AuthOptions::key(key()).with_use_token_auth(true), &[])
        .with_use_binary_protocol(true);
    let rest = Rest::new(options).unwrap();
    assert!(
        rest.request("GET", "/channels/test", &[], None, &[])
            .await
            .unwrap()
            .success()
    );
    assert_eq!(
        server.requests_to("/keys/appId.keyId/requestToken").len(),
        2
    );
    assert_eq!(api_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn debug_output_and_errors_hold_no_key_secret_or_token() {
    let server = Mock::start(true, |_: &Captured| Reply::error(500, 50000));
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_fallback_hosts(Vec::<String>::new());
    let shown = format!("{options:?}");
    let rest = Rest::new(options).unwrap();
    let err = rest
        .request("GET", "/x", &[], None, &[])
        .await
        .unwrap()
        .error_message()
        .map(str::to_owned);
    let unreachable = Rest::new(
        server
            .options(AuthOptions::key(key()), &["main.realtime.ably.net"])
            .with_fallback_hosts(Vec::<String>::new()),
    )
    .unwrap();
    let refused = unreachable
        .request("GET", "/x", &[], None, &[])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), 50002);
    let token =
        Rest::new(server.options(AuthOptions::token("appId.secretTokenValue"), &[])).unwrap();
    for text in [
        shown,
        format!("{rest:?}"),
        format!("{err:?}"),
        format!("{refused} {refused:?}"),
        format!("{token:?}"),
    ] {
        assert!(!text.contains("keySecret"), "{text}");
        assert!(!text.contains("YXBwSWQua2V5SWQ6a2V5U2VjcmV0"), "{text}");
        assert!(!text.contains("secretTokenValue"), "{text}");
    }
}

/// Two requests refused with the same token share one renewal (RSA4b: one new token, not
/// one per request).
#[tokio::test]
async fn rsa4b_concurrent_refusals_renew_once() {
    let server = Mock::start(
        true,
        issuing(|r: &Captured| {
            if r.header("authorization") == Some(bearer("tok-1").as_str()) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                Reply::error(401, 40142)
            } else {
                Reply::json(200, json!({}))
            }
        }),
    );
    let rest =
        Rest::new(server.options(AuthOptions::key(key()).with_use_token_auth(true), &[])).unwrap();
    let (a, b) = tokio::join!(
        rest.request("GET", "/channels/a", &[], None, &[]),
        rest.request("GET", "/channels/b", &[], None, &[]),
    );
    assert!(a.unwrap().success() && b.unwrap().success());
    assert_eq!(
        server.requests_to("/keys/appId.keyId/requestToken").len(),
        2
    );
    assert_eq!(server.requests().len(), 6);
}

#[tokio::test]
async fn rsc19f_methods_params_headers_and_version() {
    let server = Mock::start(true, |_: &Captured| Reply::json(200, json!([])));
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        rest.request(method, "/test", &[], None, &[]).await.unwrap();
    }
    let methods: Vec<_> = server.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["GET", "POST", "PUT", "PATCH", "DELETE"]);
    rest.request(
        "GET",
        "/channels/test/messages",
        &[("limit", "10"), ("direction", "backwards")],
        None,
        &[
            ("X-Ably-Version", "3"),
            ("X-Custom-Header", "custom-value"),
            ("Authorization", "Bearer theirs"),
        ],
    )
    .await
    .unwrap();
    let sent = server.requests().pop().unwrap();
    assert_eq!(
        (sent.param("limit"), sent.param("direction")),
        (Some("10"), Some("backwards"))
    );
    let versions: Vec<_> = sent
        .headers
        .iter()
        .filter(|(n, _)| n == "x-ably-version")
        .collect();
    assert_eq!(versions.len(), 1);
    assert_eq!(sent.header("x-ably-version"), Some("3"));
    assert_eq!(sent.header("x-custom-header"), Some("custom-value"));
    assert_eq!(
        sent.header("authorization"),
        Some(BASIC),
        "the client's own scheme"
    );
}

#[tokio::test]
async fn an_answer_over_8_mib_is_refused() {
    let server = Mock::start(true, |_: &Captured| Reply::Answer {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: vec![b' '; 8 * 1024 * 1024 + 1],
    });
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    let err = rest.request("GET", "/x", &[], None, &[]).await.unwrap_err();
    assert_eq!((err.code(), err.status()), (50002, 502));
    assert!(err.to_string().contains("more than"), "{err}");
}
