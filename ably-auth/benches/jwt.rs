use ably_auth::{Capability, ClientId, JwtBuilder, Key, Operation::*};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

/// Issues an Ably JWT with the inputs of the `sign` bench: clientId, capability, 1 h ttl.
fn jwt(c: &mut Criterion) {
    let key = "appId.keyId:keySecret".parse::<Key>().unwrap();
    let capability = Capability::new()
        .grant("chat:*", [Subscribe, History])
        .unwrap()
        .grant("user:alice", [Publish, Subscribe, Presence, History])
        .unwrap();
    let client_id = ClientId::new("alice").unwrap();
    c.bench_function("jwt", |b| {
        b.iter(|| {
            let builder = JwtBuilder::new(black_box(&key))
                .client_id(client_id.clone())
                .capability(capability.clone())
                .ttl(Duration::from_secs(3600));
            black_box(builder.sign().unwrap())
        })
    });
}

criterion_group!(benches, jwt);
criterion_main!(benches);
