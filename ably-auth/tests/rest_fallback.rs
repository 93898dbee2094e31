//! Hosts and fallback against a capturing server: endpoint resolution (REC1), fallback
//! domains (REC2), which failures fall back and in what order (RSC15a, RSC15f, RSC15j,
//! RSC15l, RSC15m), and a signed TokenRequest never sent twice.
#![cfg(feature = "rest")]

#[path = "support/mock.rs"]
mod mock;

use ably_auth::rest::Rest;
use ably_auth::{AuthOptions, TokenParams, TokenSource};
use mock::{Captured, Mock, PRIMARY, Reply, key, now_ms};
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn default_fallbacks() -> Vec<String> {
    ['a', 'b', 'c', 'd', 'e']
        .map(|l| format!("main.{l}.fallback.ably-realtime.com"))
        .to_vec()
}

fn time() -> Reply {
    Reply::json(200, json!([1_234_567_890_000u64]))
}

/// The primary host answers `status`; every other host answers the time.
fn primary_fails(status: u16) -> impl Fn(&Captured) -> Reply {
    move |r: &Captured| {
        if r.host == PRIMARY {
            Reply::error(status, u32::from(status) * 100)
        } else {
            time()
        }
    }
}

fn hosts(server: &Mock) -> Vec<String> {
    server.requests().into_iter().map(|r| r.host).collect()
}

#[tokio::test]
async fn rsc15l3_rsc15j_5xx_falls_back_with_the_right_host_header() {
    for status in [500, 501, 502, 503, 504] {
        let server = Mock::start(true, primary_fails(status));
        let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
        assert_eq!(rest.time().await.unwrap(), 1_234_567_890_000, "{status}");
        let hosts = hosts(&server);
        assert_eq!(hosts.len(), 2, "{status}");
        assert_eq!(hosts[0], PRIMARY);
        assert!(default_fallbacks().contains(&hosts[1]), "{hosts:?}");
    }
}

#[tokio::test]
async fn rsc15l_4xx_does_not_fall_back() {
    for status in [400, 401, 404] {
        let server = Mock::start(true, primary_fails(status));
        let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
        let err = rest.time().await.unwrap_err();
        assert_eq!(err.status(), status);
        assert_eq!(server.requests().len(), 1, "{status}");
    }
}

#[tokio::test]
async fn rsc15l4_a_cloudfront_error_falls_back() {
    let server = Mock::start(true, |r: &Captured| {
        if r.host == PRIMARY {
            Reply::json(403, json!({"error": "Forbidden"})).with_header("server", "CloudFront")
        } else {
            time()
        }
    });
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    rest.time().await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn rsc15l1_an_unreachable_host_falls_back() {
    let server = Mock::start(true, |_: &Captured| time());
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[PRIMARY])).unwrap();
    rest.time().await.unwrap();
    let hosts = hosts(&server);
    assert_eq!(hosts.len(), 1, "the primary was never reached");
    assert!(default_fallbacks().contains(&hosts[0]));
}

#[tokio::test]
async fn rsc15l2_a_timeout_falls_back() {
    let server = Mock::start(true, |r: &Captured| {
        if r.host == PRIMARY {
            Reply::Hang(Duration::from_secs(3))
        } else {
            time()
        }
    });
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_http_request_timeout(Duration::from_millis(400));
    let rest = Rest::new(options).unwrap();
    rest.time().await.unwrap();
    let hosts = hosts(&server);
    assert_eq!(hosts[0], PRIMARY);
    assert_ne!(hosts[1], PRIMARY);
}

#[tokio::test]
async fn rsc15a_fallbacks_are_distinct_random_and_capped_by_max_retry_count() {
    let mut seconds = HashSet::new();
    for _ in 0..12 {
        let server = Mock::start(true, |_: &Captured| Reply::error(500, 50000));
        let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
        assert_eq!(rest.time().await.unwrap_err().status(), 500);
        let hosts = hosts(&server);
        assert_eq!(hosts.len(), 4, "primary + httpMaxRetryCount (3)");
        assert_eq!(hosts[0], PRIMARY);
        let distinct: HashSet<_> = hosts[1..].iter().collect();
        assert_eq!(distinct.len(), 3);
        assert!(hosts[1..].iter().all(|h| default_fallbacks().contains(h)));
        seconds.insert(hosts[1].clone());
    }
    // 12 runs with one fallback out of 5 each time: all the same would be chance 5^-11.
    assert!(
        seconds.len() > 1,
        "fallback order never varied: {seconds:?}"
    );
    let server = Mock::start(true, |_: &Captured| Reply::error(500, 50000));
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_http_max_retry_count(5);
    Rest::new(options).unwrap().time().await.unwrap_err();
    assert_eq!(server.requests().len(), 6);
}

#[tokio::test]
async fn rsc15m_rec2a_empty_fallback_hosts_mean_no_retry() {
    let server = Mock::start(true, |_: &Captured| Reply::error(500, 50000));
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_fallback_hosts(Vec::<String>::new());
    let err = Rest::new(options).unwrap().time().await.unwrap_err();
    assert_eq!(err.status(), 500);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn rec2a_configured_fallback_hosts_are_used() {
    let server = Mock::start(true, primary_fails(503));
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_fallback_hosts(["fb1.example.test", "fb2.example.test"]);
    Rest::new(options).unwrap().time().await.unwrap();
    let hosts = hosts(&server);
    assert!(
        hosts[1] == "fb1.example.test" || hosts[1] == "fb2.example.test",
        "{hosts:?}"
    );
}

#[tokio::test]
async fn rec1b2_rec2c2_an_explicit_host_has_no_fallbacks() {
    let server = Mock::start(true, |_: &Captured| Reply::error(500, 50000));
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_endpoint("rest.example.test");
    Rest::new(options).unwrap().time().await.unwrap_err();
    assert_eq!(hosts(&server), ["rest.example.test"]);
}

#[tokio::test]
async fn rec1b3_rec1b4_nonprod_and_routing_policy_hosts() {
    for (endpoint, primary, fallback_suffix) in [
        (
            "nonprod:sandbox",
            "sandbox.realtime.ably-nonprod.net",
            ".fallback.ably-realtime-nonprod.com",
        ),
        ("eu", "eu.realtime.ably.net", ".fallback.ably-realtime.com"),
    ] {
        let server = Mock::start(true, move |r: &Captured| {
            if r.host == primary {
                Reply::error(500, 50000)
            } else {
                time()
            }
        });
        let options = server
            .options(AuthOptions::key(key()), &[])
            .with_endpoint(endpoint);
        Rest::new(options).unwrap().time().await.unwrap();
        let hosts = hosts(&server);
        assert_eq!(hosts[0], primary);
        let id = primary.split('.').next().unwrap();
        assert!(
            hosts[1].starts_with(&format!("{id}.")) && hosts[1].ends_with(fallback_suffix),
            "{hosts:?}"
        );
    }
}

#[tokio::test]
async fn rsc15f_a_working_fallback_is_remembered_then_forgotten() {
    let server = Mock::start(true, primary_fails(500));
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_fallback_retry_timeout(Duration::from_millis(300));
    let rest = Rest::new(options).unwrap();
    rest.time().await.unwrap();
    rest.time().await.unwrap();
    let hosts = hosts(&server);
    assert_eq!(hosts.len(), 3);
    assert_eq!(
        hosts[2], hosts[1],
        "the second request goes straight to the fallback"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    rest.time().await.unwrap();
    assert_eq!(server.requests()[3].host, PRIMARY, "the memory expired");
}

/// A TokenRequest that timed out may have reached Ably: the next host gets a fresh one.
#[tokio::test]
async fn a_timed_out_token_request_is_signed_afresh_for_the_next_host() {
    let server = Mock::start(true, |r: &Captured| {
        if r.host == PRIMARY {
            Reply::Hang(Duration::from_secs(3))
        } else {
            Reply::json(
                200,
                json!({"token": "tok", "expires": now_ms() + 3_600_000}),
            )
        }
    });
    let options = server
        .options(AuthOptions::key(key()).with_use_token_auth(true), &[])
        .with_http_request_timeout(Duration::from_millis(400));
    let rest = Rest::new(options).unwrap();
    assert_eq!(
        rest.auth().authorize(None, None).await.unwrap().token,
        "tok"
    );
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    let (first, second) = (sent[0].value(), sent[1].value());
    assert_ne!(first["nonce"], second["nonce"]);
    assert_ne!(first["mac"], second["mac"]);
    assert_eq!(first["keyName"], second["keyName"]);
}

/// A TokenRequest signed elsewhere (here by a callback) can't be re-signed: after a
/// timeout it is not sent again.
#[tokio::test]
async fn a_foreign_token_request_is_not_resent_after_a_timeout() {
    let server = Mock::start(true, |_: &Captured| Reply::Hang(Duration::from_secs(3)));
    let signed = Arc::new(AtomicUsize::new(0));
    let count = signed.clone();
    let callback = AuthOptions::auth_callback(move |params: TokenParams| {
        count.fetch_add(1, Ordering::SeqCst);
        let request = ably_auth::Signer::new(key()).sign(&params);
        async move { request.map(TokenSource::from) }
    });
    let options = server
        .options(callback, &[])
        .with_http_request_timeout(Duration::from_millis(400));
    let err = Rest::new(options)
        .unwrap()
        .auth()
        .authorize(None, None)
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (50003, 504));
    assert_eq!(server.requests().len(), 1);
    assert_eq!(signed.load(Ordering::SeqCst), 1);
}

/// Before it was sent (connection refused), the same TokenRequest may go to the next host.
#[tokio::test]
async fn an_unsent_token_request_goes_to_the_next_host_unchanged() {
    let server = Mock::start(true, |_: &Captured| {
        Reply::json(
            200,
            json!({"token": "tok", "expires": now_ms() + 3_600_000}),
        )
    });
    let callback = AuthOptions::auth_callback(move |params: TokenParams| {
        let request = ably_auth::Signer::new(key()).sign(&params);
        async move { request.map(TokenSource::from) }
    });
    let rest = Rest::new(server.options(callback, &[PRIMARY])).unwrap();
    rest.auth().authorize(None, None).await.unwrap();
    assert_eq!(server.requests().len(), 1);
    assert_ne!(server.requests()[0].host, PRIMARY);
}

#[tokio::test]
async fn rec1c2_rec2c5_rec2b_deprecated_host_options() {
    // environment: a routing policy with its fallbacks.
    let server = Mock::start(true, |r: &Captured| {
        if r.host == "eu.realtime.ably.net" {
            Reply::error(500, 50000)
        } else {
            time()
        }
    });
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_environment("eu");
    Rest::new(options).unwrap().time().await.unwrap();
    let seen = hosts(&server);
    assert_eq!(seen[0], "eu.realtime.ably.net");
    assert!(seen[1].starts_with("eu.") && seen[1].ends_with(".fallback.ably-realtime.com"));
    // rest_host with fallback_hosts_use_default: main's fallbacks.
    let server = Mock::start(true, |r: &Captured| {
        if r.host == "rest.example.test" {
            Reply::error(500, 50000)
        } else {
            time()
        }
    });
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_rest_host("rest.example.test")
        .with_fallback_hosts_use_default(true);
    Rest::new(options).unwrap().time().await.unwrap();
    let seen = hosts(&server);
    assert_eq!(seen[0], "rest.example.test");
    assert!(default_fallbacks().contains(&seen[1]), "{seen:?}");
    // REC1b1: endpoint with a deprecated option is refused at construction.
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_endpoint("test")
        .with_rest_host("rest.example.test");
    assert_eq!(Rest::new(options).unwrap_err().code(), 40106);
}

#[tokio::test]
async fn to3l6_max_retry_duration_bounds_the_fallback_sequence() {
    let server = Mock::start(true, |_: &Captured| Reply::Hang(Duration::from_secs(3)));
    let options = server
        .options(AuthOptions::key(key()), &[])
        .with_http_request_timeout(Duration::from_millis(300))
        .with_http_max_retry_duration(Duration::from_millis(450));
    let err = Rest::new(options).unwrap().time().await.unwrap_err();
    assert_eq!(err.code(), 50003);
    assert_eq!(
        server.requests().len(),
        2,
        "the third host starts after 450 ms"
    );
}
