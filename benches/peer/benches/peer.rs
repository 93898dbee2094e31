//! ably-auth's `Signer::sign_json` against the official `ably` 0.2 crate's `Key::sign`, in one
//! criterion run, with equivalent inputs: the same key, ttl (1 h), capability text and
//! clientId; each side generates its own timestamp and nonce and serializes the
//! TokenRequest to JSON, which is what an auth endpoint sends.

use ably_auth::{Capability, ClientId, Key, Operation::*, Signer, TokenParams};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const KEY: &str = "appId.keyId:keySecret";
const CLIENT_ID: &str = "alice";

fn capability() -> Capability {
    Capability::new()
        .grant("chat:*", [Subscribe, History])
        .unwrap()
        .grant("user:alice", [Publish, Subscribe, Presence, History])
        .unwrap()
}

fn peer(c: &mut Criterion) {
    let signer = Signer::new(KEY.parse::<Key>().unwrap());
    let params = TokenParams {
        ttl: Some(Duration::from_secs(3600)),
        capability: Some(capability()),
        client_id: Some(ClientId::new(CLIENT_ID).unwrap()),
        ..TokenParams::default()
    };

    let ably_key = ably::auth::Key::new(KEY).unwrap();
    let ably_params = ably::auth::TokenParams::new()
        .capability(&capability().to_json())
        .client_id(CLIENT_ID)
        .ttl(chrono::Duration::seconds(3600));

    // Same signed inputs on both sides (apart from the timestamp and nonce each generates).
    let ours = signer.sign(&params).unwrap();
    let theirs = ably_key.sign(&ably_params).unwrap();
    assert_eq!(ours.key_name, theirs.key_name);
    assert_eq!(ours.ttl, Some(theirs.ttl.num_milliseconds() as u64));
    assert_eq!(ours.capability.as_deref(), Some(theirs.capability.as_str()));
    assert_eq!(ours.client_id, theirs.client_id);

    let mut group = c.benchmark_group("token_request");
    group.bench_function("ably-auth", |b| {
        b.iter(|| black_box(signer.sign_json(black_box(&params)).unwrap()))
    });
    group.bench_function("ably-0.2", |b| {
        b.iter(|| {
            let request = ably_key.sign(black_box(&ably_params)).unwrap();
            black_box(serde_json::to_string(&request).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, peer);
criterion_main!(benches);
