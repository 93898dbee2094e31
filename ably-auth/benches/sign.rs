use ably_auth::{Capability, ClientId, Key, Operation::*, Signer, TokenParams};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn sign(c: &mut Criterion) {
    let signer = Signer::new("appId.keyId:keySecret".parse::<Key>().unwrap());
    let params = TokenParams {
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
    };
    c.bench_function("sign", |b| {
        b.iter(|| black_box(signer.sign(black_box(&params)).unwrap().to_json()))
    });
}

criterion_group!(benches, sign);
criterion_main!(benches);
