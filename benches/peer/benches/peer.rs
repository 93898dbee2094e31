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

use ably_auth::TokenIssuer;
use ably_auth_peer_bench::{Inputs, inputs, ready};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::Mac;
use std::hint::black_box;

fn peer(c: &mut Criterion) {
    let Inputs {
        issuer,
        grant,
        ably_key,
        ably_params,
        text,
        keyed,
    } = inputs();
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
