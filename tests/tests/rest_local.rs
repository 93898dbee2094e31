//! `ably_auth::Rest` against the local Ably endpoint: the token exchange with the key and
//! with `queryTime` (RSA8, RSA10k), a TokenRequest it refuses (40105 on replay), and the
//! schemes over plain HTTP (RSA1, RSC18).

use ably_auth::rest::{AuthScheme, ClientOptions, Rest};
use ably_auth::{AuthOptions, FixedClock, Key, Signer, TokenParams};
use ably_auth_local::{LocalAbly, LocalAblyServer};
use std::sync::Arc;

const T0: u64 = 1_700_000_000_000;

fn key() -> Key {
    "appId.keyId:keySecret".parse().unwrap()
}

fn local(clock: &Arc<FixedClock>) -> LocalAblyServer {
    LocalAbly::new(key())
        .with_clock(clock.clone())
        .start("127.0.0.1:0")
        .unwrap()
}

/// Options reaching the local endpoint: its host and port, plain HTTP, JSON.
fn options(server: &LocalAblyServer, auth: AuthOptions, clock: &Arc<FixedClock>) -> ClientOptions {
    let port = server.url().rsplit(':').next().unwrap().parse().unwrap();
    ClientOptions::new(auth)
        .with_endpoint("127.0.0.1")
        .with_tls(false)
        .with_port(port)
        .with_use_binary_protocol(false)
        .with_clock(clock.clone())
}

#[tokio::test]
async fn rsa4_rsa8_token_auth_over_the_local_endpoint() {
    let clock = Arc::new(FixedClock::new(T0));
    let server = local(&clock);
    let auth = AuthOptions::key(key()).with_use_token_auth(true);
    let rest = Rest::new(options(&server, auth, &clock).with_client_id("alice")).unwrap();
    assert_eq!(rest.auth().scheme(), AuthScheme::Token);
    let details = rest.auth().authorize(None, None).await.unwrap();
    assert_eq!(details.client_id.as_deref(), Some("alice"));
    assert_eq!(details.key_name.as_deref(), Some("appId.keyId"));
    assert_eq!(details.issued, T0);
    assert_eq!(rest.auth().token_details(), Some(details.clone()));
    // RSC16: the endpoint's clock.
    assert_eq!(rest.time().await.unwrap(), T0);
    // RSA10k: a server clock ahead of ours; its offset signs every later TokenRequest.
    let server_ahead = Arc::new(FixedClock::new(T0 + 60_000));
    let ahead = local(&server_ahead);
    let rest = Rest::new(options(
        &ahead,
        AuthOptions::key(key()).with_query_time(true),
        &clock,
    ))
    .unwrap();
    let first = rest.auth().authorize(None, None).await.unwrap();
    assert_eq!(first.issued, T0 + 60_000);
    let request = rest.auth().create_token_request(None, None).await.unwrap();
    assert_eq!(request.timestamp, T0 + 60_000);
}

#[tokio::test]
async fn rsa1_basic_auth_is_refused_over_plain_http_but_tokens_work() {
    let clock = Arc::new(FixedClock::new(T0));
    let server = local(&clock);
    let rest = Rest::new(options(&server, AuthOptions::key(key()), &clock)).unwrap();
    assert_eq!(rest.auth().scheme(), AuthScheme::Basic);
    let err = rest.auth().authorization_header().await.unwrap_err();
    assert_eq!(err.code(), 40103);
    // authorize() switches to token auth (RSA10), which plain HTTP allows (RSC18).
    rest.auth().authorize(None, None).await.unwrap();
    assert!(
        rest.auth()
            .authorization_header()
            .await
            .unwrap()
            .starts_with("Bearer ")
    );
}

#[tokio::test]
async fn a_replayed_token_request_is_refused_by_the_endpoint() {
    let clock = Arc::new(FixedClock::new(T0));
    let server = local(&clock);
    let params = TokenParams {
        nonce: Some("0123456789abcdef".into()),
        timestamp: Some(T0),
        ..TokenParams::default()
    };
    let signed = Signer::new(key()).sign(&params).unwrap();
    let callback = AuthOptions::auth_callback(move |_| {
        let signed = signed.clone();
        async move { Ok(ably_auth::TokenSource::TokenRequest(signed)) }
    });
    let rest = Rest::new(options(&server, callback, &clock)).unwrap();
    rest.auth().authorize(None, None).await.unwrap();
    let err = rest.auth().authorize(None, None).await.unwrap_err();
    assert_eq!(err.code(), 40105);
}
