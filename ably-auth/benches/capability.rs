use ably_auth::{Capability, Operation::*};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// Parses a client's capability hint and intersects it with a role's grant, as the auth route
/// does for every request that carries one.
fn capability(c: &mut Criterion) {
    let role = Capability::new()
        .grant("chat:*", [Subscribe, History, Presence])
        .unwrap()
        .grant("user:alice", [Publish, Subscribe, Presence, History])
        .unwrap()
        .grant("[queue]orders", [Subscribe])
        .unwrap();
    let hint = r#"{"chat:lobby":["subscribe","publish"],"user:*":["*"],"admin":["*"]}"#;
    assert_eq!(
        Capability::parse(hint).unwrap().intersect(&role).to_json(),
        r#"{"chat:lobby":["subscribe"],"user:alice":["history","presence","publish","subscribe"]}"#
    );
    c.bench_function("capability", |b| {
        b.iter(|| {
            let requested = Capability::parse(black_box(hint)).unwrap();
            black_box(requested.intersect(black_box(&role)))
        })
    });
}

criterion_group!(benches, capability);
criterion_main!(benches);
