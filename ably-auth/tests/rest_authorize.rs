//! Token state against a capturing server: `authorize` (RSA10a–RSA10k), `tokenDetails`
//! (RSA16), the wildcard clientId (RSA15b), JWT expiry, reactive renewal of opaque tokens,
//! and how authUrl answers are classified (RSA8c, TD1).
#![cfg(feature = "rest")]

#[path = "support/mock.rs"]
mod mock;

use ably_auth::rest::{AuthScheme, Rest};
use ably_auth::{AuthOptions, ClientId, FixedClock, Key, TokenDetails, TokenParams, TokenSource};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mock::{Captured, Mock, Reply, key};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T0: u64 = 1_700_000_000_000;
const HOUR: u64 = 3_600_000;

/// Issues `tok-1`, `tok-2`, … valid for an hour from T0, answers `/time` with T0 + 1 h.
fn ably() -> impl Fn(&Captured) -> Reply {
    let issued = AtomicUsize::new(0);
    move |r: &Captured| match r.path.as_str() {
        "/time" => Reply::json(200, json!([T0 + HOUR])),
        p if p.ends_with("/requestToken") => {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            Reply::json(
                200,
                json!({"token": format!("tok-{n}"), "issued": T0, "expires": T0 + HOUR, "keyName": "appId.keyId", "clientId": r.value().get("clientId")}),
            )
        }
        _ => Reply::json(200, json!({})),
    }
}

fn rest(server: &Mock, auth: AuthOptions, clock: &Arc<FixedClock>) -> Rest {
    Rest::new(server.options(auth, &[]).with_clock(clock.clone())).unwrap()
}

/// A callback that records the params it gets and answers `token-N` for an hour.
fn recording_callback(seen: Arc<Mutex<Vec<TokenParams>>>, client_id: Option<&str>) -> AuthOptions {
    let client_id = client_id.map(str::to_owned);
    AuthOptions::auth_callback(move |params: TokenParams| {
        let mut seen = seen.lock().unwrap();
        seen.push(params);
        let details = TokenDetails {
            expires: T0 + HOUR,
            client_id: client_id.clone(),
            ..TokenDetails::from_token(format!("token-{}", seen.len()))
        };
        async move { Ok(TokenSource::TokenDetails(details)) }
    })
}

#[tokio::test]
async fn rsa10a_rsa10g_rsa16_authorize_stores_the_token_and_switches_to_token_auth() {
    let server = Mock::start(true, ably());
    let clock = Arc::new(FixedClock::new(T0));
    let rest = rest(&server, AuthOptions::key(key()), &clock);
    assert_eq!(rest.auth().scheme(), AuthScheme::Basic);
    assert!(rest.auth().token_details().is_none());
    let details = rest.auth().authorize(None, None).await.unwrap();
    assert_eq!(details.token, "tok-1");
    assert_eq!(rest.auth().token_details(), Some(details));
    assert_eq!(rest.auth().scheme(), AuthScheme::Token);
    rest.request("GET", "/channels/x", &[], None, &[])
        .await
        .unwrap();
    // RSA10j: authorize always gets a new token.
    assert_eq!(
        rest.auth().authorize(None, None).await.unwrap().token,
        "tok-2"
    );
    let last = server.requests().pop().unwrap();
    assert_eq!(last.path, "/keys/appId.keyId/requestToken");
    let api = &server.requests_to("/channels/x")[0];
    assert!(api.header("authorization").unwrap().starts_with("Bearer "));
}

#[tokio::test]
async fn rsa10b_rsa10e_rsa10h_params_are_saved_and_options_replaced() {
    let server = Mock::start(true, ably());
    let clock = Arc::new(FixedClock::new(T0));
    let first = Arc::new(Mutex::new(Vec::new()));
    let rest = rest(&server, recording_callback(first.clone(), None), &clock);
    let params = TokenParams {
        ttl: Some(Duration::from_secs(7200)),
        client_id: Some(ClientId::new("saved-client").unwrap()),
        ..TokenParams::default()
    };
    rest.auth().authorize(Some(params), None).await.unwrap();
    rest.auth().authorize(None, None).await.unwrap();
    {
        let seen = first.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].ttl, Some(Duration::from_secs(7200)));
        assert_eq!(seen[1].client_id.as_ref().unwrap().as_str(), "saved-client");
    }
    let second = Arc::new(Mutex::new(Vec::new()));
    rest.auth()
        .authorize(None, Some(recording_callback(second.clone(), None)))
        .await
        .unwrap();
    assert_eq!(
        first.lock().unwrap().len(),
        2,
        "the replaced callback is not called"
    );
    assert_eq!(second.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn rsa10i_rsa10k_the_key_survives_and_the_time_offset_persists() {
    let server = Mock::start(true, ably());
    let clock = Arc::new(FixedClock::new(T0));
    let rest = rest(&server, AuthOptions::key(key()), &clock);
    // Options without a key: the constructor's key still signs (RSA10i), after one /time.
    rest.auth()
        .authorize(None, Some(AuthOptions::new().with_query_time(true)))
        .await
        .unwrap();
    let sent = server.requests();
    assert_eq!(sent[0].path, "/time");
    assert_eq!(sent[1].value()["keyName"], "appId.keyId");
    assert_eq!(sent[1].value()["timestamp"], T0 + HOUR, "the server's time");
    // Later TokenRequests use the local clock plus the measured offset; no second /time.
    clock.advance(Duration::from_secs(60));
    rest.auth().authorize(None, None).await.unwrap();
    let request = rest
        .auth()
        .create_token_request(None, Some(AuthOptions::new()))
        .await
        .unwrap();
    assert_eq!(request.timestamp, T0 + HOUR + 60_000);
    assert_eq!(request.key_name, "appId.keyId");
    let sent = server.requests();
    assert_eq!(server.requests_to("/time").len(), 1);
    assert_eq!(sent[2].value()["timestamp"], T0 + HOUR + 60_000);
}

#[tokio::test]
async fn rsa10_another_key_in_authorize_options_is_40102() {
    let server = Mock::start(true, ably());
    let clock = Arc::new(FixedClock::new(T0));
    let rest = rest(&server, AuthOptions::key(key()), &clock);
    let other: Key = "appId.other:otherSecret".parse().unwrap();
    let err = rest
        .auth()
        .authorize(None, Some(AuthOptions::key(other)))
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (40102, 401));
    assert!(!err.to_string().contains("otherSecret"));
    assert!(server.requests().is_empty());
    // The same key is fine.
    rest.auth()
        .authorize(None, Some(AuthOptions::key(key())))
        .await
        .unwrap();
}

#[tokio::test]
async fn rsa10_a_token_in_authorize_options_is_used_as_given() {
    let server = Mock::start(true, ably());
    let clock = Arc::new(FixedClock::new(T0));
    let rest = rest(&server, AuthOptions::key(key()), &clock);
    let details = rest
        .auth()
        .authorize(None, Some(AuthOptions::token("appId.given")))
        .await
        .unwrap();
    assert_eq!(details.token, "appId.given");
    assert_eq!(rest.auth().token_details().unwrap().token, "appId.given");
    rest.request("GET", "/channels/x", &[], None, &[])
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 1, "no token request");
    // base64("appId.given")
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer YXBwSWQuZ2l2ZW4=")
    );
}

fn jwt(iat: u64, exp: u64) -> String {
    format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"HS256","kid":"appId.keyId"}"#),
        URL_SAFE_NO_PAD.encode(format!(r#"{{"iat":{iat},"exp":{exp}}}"#)),
    )
}

#[tokio::test]
async fn an_ably_jwt_is_renewed_before_its_exp() {
    let server = Mock::start(true, ably());
    let clock = Arc::new(FixedClock::new(T0));
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    let callback = AuthOptions::auth_callback(move |_| {
        let n = count.fetch_add(1, Ordering::SeqCst) as u64;
        let start = T0 / 1000 + n * 3600;
        let token = jwt(start, start + 3600);
        async move { Ok(TokenSource::Token(token)) }
    });
    let rest = rest(&server, callback, &clock);
    let first = rest.auth().token().await.unwrap();
    assert_eq!((first.issued, first.expires), (T0, T0 + HOUR));
    assert_eq!(rest.auth().token().await.unwrap(), first, "still fresh");
    clock.set(T0 + HOUR - 10_000);
    let second = rest.auth().token().await.unwrap();
    assert_ne!(second.token, first.token);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_opaque_token_is_renewed_when_ably_refuses_it() {
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    let server = Mock::start(false, move |r: &Captured| match r.path.as_str() {
        "/auth" => Reply::Answer {
            status: 200,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: format!("appId.opaque-{}", count.fetch_add(1, Ordering::SeqCst) + 1).into_bytes(),
        },
        // base64("appId.opaque-1")
        _ if r.header("authorization") == Some("Bearer YXBwSWQub3BhcXVlLTE=") => {
            Reply::error(401, 40142)
        }
        _ => Reply::json(200, json!({})),
    });
    let clock = Arc::new(FixedClock::new(T0));
    let rest = rest(&server, AuthOptions::auth_url(server.url("/auth")), &clock);
    let token = rest.auth().token().await.unwrap();
    assert_eq!((token.token.as_str(), token.expires), ("appId.opaque-1", 0));
    clock.advance(Duration::from_secs(86_400));
    assert_eq!(
        rest.auth().token().await.unwrap(),
        token,
        "unknown expiry: kept"
    );
    let page = rest
        .request("GET", "/channels/x", &[], None, &[])
        .await
        .unwrap();
    assert!(page.success());
    assert_eq!(rest.auth().token_details().unwrap().token, "appId.opaque-2");
    assert_eq!(served.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn rsa15b_a_wildcard_token_keeps_the_configured_client_id() {
    let server = Mock::start(true, ably());
    let clock = Arc::new(FixedClock::new(T0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let options = server
        .options(recording_callback(seen.clone(), Some("*")), &[])
        .with_clock(clock.clone())
        .with_client_id("alice");
    let rest = Rest::new(options).unwrap();
    let details = rest.auth().authorize(None, None).await.unwrap();
    assert_eq!(details.client_id.as_deref(), Some("*"));
    assert_eq!(rest.auth().client_id().as_deref(), Some("alice"));
    let rest = self::rest(&server, recording_callback(seen, Some("*")), &clock);
    rest.auth().authorize(None, None).await.unwrap();
    assert_eq!(rest.auth().client_id().as_deref(), Some("*"));
}

#[tokio::test]
async fn rsa8c_td1_auth_url_json_is_classified_by_its_fields() {
    let signed = ably_auth::Signer::new(key())
        .sign(&TokenParams {
            timestamp: Some(T0),
            ..TokenParams::default()
        })
        .unwrap()
        .to_json();
    let server = Mock::start(false, move |r: &Captured| match r.path.as_str() {
        "/details-without-issued" => {
            Reply::json(200, json!({"token": "appId.t", "expires": T0 + 5_000}))
        }
        "/token-request" => Reply::json(200, serde_json::from_str(&signed).unwrap()),
        "/key-name-only" => Reply::json(200, json!({"keyName": "appId.keyId"})),
        "/issued-only" => Reply::json(200, json!({"issued": 1})),
        p if p.ends_with("/requestToken") => {
            Reply::json(200, json!({"token": "exchanged", "expires": T0 + HOUR}))
        }
        _ => Reply::error(404, 40400),
    });
    let clock = Arc::new(FixedClock::new(T0));
    let token = |path: &str| {
        let options = server
            .options(AuthOptions::auth_url(server.url(path)), &[])
            .with_clock(clock.clone())
            .with_endpoint("127.0.0.1");
        async move {
            Rest::new(options)
                .unwrap()
                .auth()
                .request_token(None, None)
                .await
        }
    };
    let details = token("/details-without-issued").await.unwrap();
    assert_eq!(
        (details.token.as_str(), details.expires, details.issued),
        ("appId.t", T0 + 5_000, 0)
    );
    assert_eq!(token("/token-request").await.unwrap().token, "exchanged");
    let exchanged = server.requests_to("/keys/appId.keyId/requestToken");
    assert_eq!(exchanged.len(), 1);
    assert_eq!(exchanged[0].value()["timestamp"], T0);
    for bad in ["/key-name-only", "/issued-only"] {
        let err = token(bad).await.unwrap_err();
        assert_eq!((err.code(), err.status()), (40170, 401), "{bad}");
    }
}
