//! Client hints from an urlencoded query, then `Grant::narrow`: parsing never panics, and a
//! narrowed grant never permits more, lives longer, or names another client than the grant.
#![no_main]

use ably_auth::{Capability, ClientId, Grant, Hints, Operation::*};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use std::time::Duration;

static GRANTS: LazyLock<Vec<Grant>> = LazyLock::new(|| {
    let role = Capability::new()
        .grant("chat:*", [Subscribe, History])
        .unwrap()
        .grant("user:alice", [Publish, Subscribe, Presence])
        .unwrap()
        .grant("[queue]alice", [Subscribe])
        .unwrap();
    vec![
        Grant::new(
            Some(ClientId::new("alice").unwrap()),
            role.clone(),
            Duration::from_secs(3600),
        ),
        Grant::new(
            Some(ClientId::wildcard()),
            Capability::all_channels(),
            Duration::from_secs(60),
        ),
        Grant::new(None, role, Duration::from_secs(600)),
    ]
});

fuzz_target!(|data: &[u8]| {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(data) else {
        return;
    };
    let hints = match Hints::from_pairs(pairs) {
        Ok(hints) => hints,
        Err(err) => {
            assert!(matches!(err.code(), 40000 | 40003), "{err:?}");
            assert_eq!(err.status(), 400);
            return;
        }
    };
    for grant in GRANTS.iter() {
        let Ok(narrowed) = grant.clone().narrow(&hints) else {
            continue;
        };
        assert!(
            narrowed.capability.is_subset_of(&grant.capability),
            "{} widened {}",
            narrowed.capability,
            grant.capability
        );
        assert!(!narrowed.capability.is_empty());
        assert!(narrowed.ttl <= grant.ttl);
        match (&grant.client_id, &narrowed.client_id) {
            (Some(g), Some(n)) if g.is_wildcard() => {
                assert!(n.is_wildcard() || hints.client_id.as_deref() == Some(n.as_str()))
            }
            (g, n) => assert_eq!(g, n),
        }
    }
});
