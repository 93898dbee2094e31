//! Tests of grants, hints and interpolation.

use super::*;
use crate::capability::Operation::*;
use proptest::prelude::*;

fn grant() -> Grant {
    Grant::new(
        Some(ClientId::new("alice").unwrap()),
        Capability::new()
            .grant("chat:*", [Subscribe, History])
            .unwrap()
            .grant("user:alice", [Publish, Subscribe, Presence, History])
            .unwrap(),
        Duration::from_secs(3600),
    )
}

#[test]
fn hints_parse_leniently() {
    let hints = Hints::from_pairs([
        ("client_id", "alice"),
        ("capability", "{'chat:a': ['subscribe']}"),
        ("ttl", "60000"),
        ("fromurl", "1"),
        ("timestamp", "123"),
    ])
    .unwrap();
    assert_eq!(hints.client_id.as_deref(), Some("alice"));
    assert_eq!(
        hints.capability.unwrap().to_json(),
        r#"{"chat:a":["subscribe"]}"#
    );
    assert_eq!(hints.ttl, Some(Duration::from_secs(60)));
    assert_eq!(
        Hints::from_pairs([("clientId", "")]).unwrap(),
        Hints::default()
    );
}

#[test]
fn urlencoded_hints() {
    let hints = Hints::from_urlencoded(
            b"ttl=60000&capability=%7B%22chat%3Aa%22%3A%5B%22subscribe%22%5D%7D&clientId=j%C3%BCrgen+x&odd=%zz%",
        )
        .unwrap();
    assert_eq!(hints.ttl, Some(Duration::from_secs(60)));
    assert_eq!(
        hints.capability.unwrap().to_json(),
        r#"{"chat:a":["subscribe"]}"#
    );
    assert_eq!(hints.client_id.as_deref(), Some("jürgen x"));
    let err = Hints::from_urlencoded(b"clientId=%FF%FE").unwrap_err();
    assert_eq!((err.code(), err.status()), (40000, 400));
    assert_eq!(Hints::from_urlencoded(b"").unwrap(), Hints::default());
}

#[test]
fn malformed_hints_are_400() {
    for (name, value, code) in [
        ("ttl", "-5", 40003),
        ("ttl", "abc", 40003),
        ("ttl", "0", 40003),
        ("ttl", "1.5", 40003),
        ("capability", "{\"a\":[\"nope\"]}", 40000),
        ("capability", "not json", 40000),
        ("capability", "{'a': ['*', 'publish']}", 40000),
    ] {
        let err = Hints::from_pairs([(name, value)]).unwrap_err();
        assert_eq!((err.code(), err.status()), (code, 400), "{name}={value}");
    }
}

#[test]
fn narrowing_rules() {
    let g = grant();
    let same = g.clone().narrow(&Hints::default()).unwrap();
    assert_eq!(same, g);
    let hints = Hints {
        ttl: Some(Duration::from_secs(7200)),
        ..Default::default()
    };
    assert_eq!(
        g.clone().narrow(&hints).unwrap().ttl,
        Duration::from_secs(3600)
    );
    let hints = Hints {
        client_id: Some("alice".into()),
        ..Default::default()
    };
    assert!(g.clone().narrow(&hints).is_ok());
    let hints = Hints {
        client_id: Some("bob".into()),
        ..Default::default()
    };
    let err = g.clone().narrow(&hints).unwrap_err();
    assert_eq!((err.code(), err.status()), (40102, 403));
    let hints = Hints {
        capability: Some(Capability::parse(r#"{"admin":["*"]}"#).unwrap()),
        ..Default::default()
    };
    let err = g.clone().narrow(&hints).unwrap_err();
    assert_eq!((err.code(), err.status()), (40160, 403));
    let hints = Hints {
        capability: Some(Capability::parse(r#"{"*":["*"]}"#).unwrap()),
        ..Default::default()
    };
    assert_eq!(g.clone().narrow(&hints).unwrap().capability, g.capability);
    let anonymous = Grant {
        client_id: None,
        ..g.clone()
    };
    let hints = Hints {
        client_id: Some("alice".into()),
        ..Default::default()
    };
    assert_eq!(anonymous.narrow(&hints).unwrap_err().code(), 40102);
    let wildcard = Grant {
        client_id: Some(ClientId::wildcard()),
        ..g
    };
    assert_eq!(
        wildcard
            .clone()
            .narrow(&hints)
            .unwrap()
            .client_id
            .unwrap()
            .as_str(),
        "alice"
    );
    // A wildcard grant narrowed by a hint takes the hint as its clientId: the clientId
    // rules apply to it (the line-feed attack, separators, controls).
    for hint in ["alice\n1700000000000", "\u{2028}", "a\u{0}"] {
        let hints = Hints {
            client_id: Some(hint.into()),
            ..Default::default()
        };
        let err = wildcard.clone().narrow(&hints).unwrap_err();
        assert_eq!((err.code(), err.status()), (40012, 400), "{hint:?}");
    }
}

#[test]
fn interpolation_refuses_injection() {
    for bad in ["eve:*", "*", "a:b", "[meta]x", ""] {
        assert_eq!(
            check_interpolated("client_id", bad).unwrap_err().code(),
            40300,
            "{bad}"
        );
    }
    for bad in [
        "eve\n1",
        "eve\r",
        "\u{0}",
        "a\u{7f}",
        "a\u{85}",
        "a\u{2028}b",
    ] {
        let err = check_interpolated("team", bad).unwrap_err();
        assert_eq!((err.code(), err.status()), (40300, 403), "{bad:?}");
        assert!(err.to_string().contains("`{team}` contains U+"), "{err}");
    }
    assert!(check_interpolated("client_id", "eve[1]").is_ok());
    assert!(check_interpolated("client_id", "jürgen x").is_ok());
    assert_eq!(channel_name(["user:", "alice"]).unwrap(), "user:alice");
}

fn arb_cap() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            "(chat|user|admin|\\*|\\[\\*\\])(:[a-z*]{1,5}){0,2}",
            prop::sample::subsequence(
                vec!["publish", "subscribe", "presence", "history", "*"],
                1..3,
            ),
        ),
        1..4,
    )
    .prop_map(|entries| {
        let body: Vec<String> = entries
            .into_iter()
            .map(|(r, ops)| {
                let ops = if ops.contains(&"*") { vec!["*"] } else { ops };
                format!("{r:?}:{ops:?}")
            })
            .collect();
        format!("{{{}}}", body.join(","))
    })
}

proptest! {
    /// Whatever a client asks for, the issued capability is within the role's grant,
    /// the ttl within the policy's, and the clientId the identity's.
    #[test]
    fn hints_only_narrow(cap in proptest::option::of(arb_cap()), ttl in proptest::option::of(1u64..200_000_000), id in proptest::option::of("alice|bob|\\*")) {
        let mut pairs = vec![];
        if let Some(c) = &cap { pairs.push(("capability", c.clone())); }
        if let Some(t) = ttl { pairs.push(("ttl", t.to_string())); }
        if let Some(i) = &id { pairs.push(("clientId", i.clone())); }
        let g = grant();
        let Ok(hints) = Hints::from_pairs(pairs) else { return Ok(()); };
        if let Ok(issued) = g.clone().narrow(&hints) {
            prop_assert!(issued.capability.is_subset_of(&g.capability));
            prop_assert!(!issued.capability.is_empty());
            prop_assert!(issued.ttl <= g.ttl);
            prop_assert_eq!(issued.client_id, g.client_id);
        }
    }

    #[test]
    fn urlencoded_parsing_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        let _ = Hints::from_urlencoded(&bytes);
    }

    #[test]
    fn hint_parsing_never_panics(pairs in prop::collection::vec(("ttl|capability|clientId|client_id|x", "\\PC{0,40}"), 0..4)) {
        let _ = Hints::from_pairs(pairs);
    }
}

#[test]
fn channel_takes_literal_text_and_values_apart() {
    assert_eq!(channel("org:{}:*", &[&"acme"]).unwrap(), "org:acme:*");
    assert_eq!(
        channel("{}:{}", &[&7u64, &"jürgen x"]).unwrap(),
        "7:jürgen x"
    );
    assert_eq!(channel("a{{b}}{}", &[&1]).unwrap(), "a{b}1");
    assert_eq!(channel("plain", &[]).unwrap(), "plain");
    // Each value is checked and named by its position.
    for (first, second, position) in [
        ("acme:*", "x", "`{0}`"),
        ("acme", "*", "`{1}`"),
        ("acme", "", "`{1}`"),
        ("[meta]x", "y", "`{0}`"),
        ("a", "b\nc", "`{1}`"),
    ] {
        let err = channel("org:{}:{}", &[&first, &second]).unwrap_err();
        assert_eq!((err.code(), err.status()), (40300, 403), "{err}");
        assert!(err.to_string().contains(position), "{err}");
    }
    // A template that doesn't match its values is a mistake in the code: 40106, never a
    // partial name.
    let acme: &dyn std::fmt::Display = &"acme";
    for (template, values) in [
        ("org:{}:*", &[][..]),
        ("org:*", &[acme][..]),
        ("org:{}:{}", &[acme][..]),
        ("org:{x}", &[acme][..]),
        ("org:{", &[][..]),
        ("org:}", &[][..]),
    ] {
        let err = channel(template, values).unwrap_err();
        assert_eq!(
            (err.code(), err.status()),
            (40106, 400),
            "{template}: {err}"
        );
    }
}
