//! The token route's signing path against the official `ably` 0.2 crate and against the HMAC at
//! its core, in one criterion run:
//!
//! * `route`: what the actix token route runs per request once the grant is decided,
//!   `TokenRequestIssuer::issue_body` (timestamp, a CSPRNG nonce, the signed text, the MAC and
//!   the JSON body, in one pass);
//! * `sign_then_to_json`: the same TokenRequest built first, then serialized
//!   (`TokenRequestIssuer::sign` and `TokenRequest::to_json`), the path the route took before;
//! * `ably-0.2`: the official crate's `Key::sign` and `serde_json::to_string` of its result;
//! * `hmac_prekeyed`: HMAC-SHA256 (the `hmac` crate) of the route's signed text, from a state
//!   keyed once outside the loop: the one step no signer can skip.
//!
//! Equivalent inputs: the same key, ttl (1 h), capability text and clientId; each side makes
//! its own timestamp and nonce.

use ably_auth::{
    Capability, ClientId, Grant, Key, Operation::*, TokenIssuer, TokenRequest, TokenRequestIssuer,
};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

const KEY: &str = "appId.keyId:keySecret";
const SECRET: &str = "keySecret";
const CLIENT_ID: &str = "alice";

fn capability() -> Capability {
    Capability::new()
        .grant("chat:*", [Subscribe, History])
        .unwrap()
        .grant("user:alice", [Publish, Subscribe, Presence, History])
        .unwrap()
}

/// Polls a future that is ready at once (a local issuer never waits).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("a local issuer never waits"),
    }
}

fn peer(c: &mut Criterion) {
    let issuer = TokenRequestIssuer::new(KEY.parse::<Key>().unwrap());
    let grant = Grant::new(
        Some(ClientId::new(CLIENT_ID).unwrap()),
        capability(),
        Duration::from_secs(3600),
    );

    let ably_key = ably::auth::Key::new(KEY).unwrap();
    let ably_params = ably::auth::TokenParams::new()
        .capability(&capability().to_json())
        .client_id(CLIENT_ID)
        .ttl(chrono::Duration::seconds(3600));

    // Same signed inputs on both sides (apart from the timestamp and nonce each generates).
    let body = ready(issuer.issue_body(&grant)).unwrap().body;
    let ours = TokenRequest::from_json(body.as_bytes()).unwrap();
    let theirs = ably_key.sign(&ably_params).unwrap();
    assert_eq!(ours.key_name, theirs.key_name);
    assert_eq!(ours.ttl, Some(theirs.ttl.num_milliseconds() as u64));
    assert_eq!(ours.capability.as_deref(), Some(theirs.capability.as_str()));
    assert_eq!(ours.client_id, theirs.client_id);

    // The route's signed text, and a MAC state keyed once; the MAC it gives is the route's.
    let text = ours.signed_text().unwrap();
    let keyed = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    {
        use base64::Engine;
        let mac = keyed
            .clone()
            .chain_update(text.as_bytes())
            .finalize()
            .into_bytes();
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(mac),
            ours.mac
        );
    }
    eprintln!("signed text: {} bytes", text.len());

    let mut group = c.benchmark_group("token_request");
    group.bench_function("route", |b| {
        b.iter(|| black_box(ready(issuer.issue_body(black_box(&grant))).unwrap()))
    });
    group.bench_function("sign_then_to_json", |b| {
        b.iter(|| black_box(issuer.sign(black_box(&grant)).unwrap().to_json()))
    });
    group.bench_function("ably-0.2", |b| {
        b.iter(|| {
            let request = ably_key.sign(black_box(&ably_params)).unwrap();
            black_box(serde_json::to_string(&request).unwrap())
        })
    });
    group.bench_function("hmac_prekeyed", |b| {
        b.iter(|| {
            let mac = keyed.clone().chain_update(black_box(text.as_bytes()));
            black_box(mac.finalize().into_bytes())
        })
    });
    group.finish();
}

criterion_group!(benches, peer);
criterion_main!(benches);
