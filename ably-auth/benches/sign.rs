use ably_auth::{
    Capability, ClientId, Clock, Key, NonceSource, Operation::*, RandomNonce, Signer, SystemClock,
    TokenParams,
};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn params() -> TokenParams {
    TokenParams {
        ttl: Some(Duration::from_secs(3600)),
        capability: Some(
            Capability::new()
                .grant("chat:*", [Subscribe, History])
                .unwrap()
                .grant("user:alice", [Publish, Subscribe, Presence, History])
                .unwrap(),
        ),
        client_id: Some(ClientId::new("alice").unwrap()),
        ..TokenParams::default()
    }
}

/// Signs a TokenRequest (timestamp from the system clock, a fresh CSPRNG nonce) and serializes
/// it to JSON: everything an auth endpoint does per request apart from HTTP. `sign` is the
/// one-pass `Signer::sign_json`; `sign_then_to_json` builds the `TokenRequest` first, as a
/// `TokenIssuer` does; `sign_declared_key` is `sign` with a key that declares its capability.
fn sign(c: &mut Criterion) {
    let signer = Signer::new("appId.keyId:keySecret".parse::<Key>().unwrap());
    let params = params();
    c.bench_function("sign", |b| {
        b.iter(|| black_box(signer.sign_json(black_box(&params)).unwrap()))
    });
    c.bench_function("sign_then_to_json", |b| {
        b.iter(|| black_box(signer.sign(black_box(&params)).unwrap().to_json()))
    });
    // A key declared with its dashboard capability (as the quickstart's demo key is): signing
    // first checks that the request shares something with it.
    let key = "appId.keyId:keySecret".parse::<Key>().unwrap();
    let declared = Signer::new(key.with_capability(Capability::everything()));
    c.bench_function("sign_declared_key", |b| {
        b.iter(|| black_box(declared.sign_json(black_box(&params)).unwrap()))
    });
}

/// The pieces of `sign`, to show what bounds it.
fn sign_parts(c: &mut Criterion) {
    let key = "appId.keyId:keySecret".parse::<Key>().unwrap();
    let params = params();
    let request = Signer::new(key.clone()).sign(&params).unwrap();
    let capability = params.capability.clone().unwrap();
    let mut group = c.benchmark_group("sign_parts");
    group.bench_function("hmac", |b| {
        b.iter(|| black_box(black_box(&request).compute_mac(&key)))
    });
    group.bench_function("nonce", |b| b.iter(|| black_box(RandomNonce.nonce())));
    group.bench_function("clock", |b| b.iter(|| black_box(SystemClock.now_ms())));
    // The floor under every HMAC of a signed text of 120 to 183 bytes: three blocks for the
    // inner hash, one for the outer (the key's own blocks are hashed once, at parse time).
    // Each iteration starts from the state the previous one left, so, as inside a MAC, every
    // compression waits for the one before it.
    let mut state = [0u32; 8];
    let blocks = [[0x5au8; 64]; 4];
    group.bench_function("sha256_4_blocks", |b| {
        b.iter(|| {
            sha2::block_api::compress256(&mut state, black_box(&blocks[..]));
            black_box(state[0])
        })
    });
    group.bench_function("capability_json", |b| {
        b.iter(|| black_box(black_box(&capability).to_json()))
    });
    group.bench_function("request_json", |b| {
        b.iter(|| black_box(black_box(&request).to_json()))
    });
    group.finish();
}

criterion_group!(benches, sign, sign_parts);
criterion_main!(benches);
