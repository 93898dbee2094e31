use super::*;
use crate::test_vectors;
use proptest::prelude::*;
use serde_json::Value;

fn cap(json: &str) -> Capability {
    Capability::parse(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// Every case of `ably-auth/vectors/capability-intersections.json` (outcomes the Ably service
/// returned) through `Capability::parse` and `Capability::intersect`.
#[test]
fn service_intersection_outcomes() {
    let doc = test_vectors::load("capability-intersections.json");
    let keys = doc["keys"].as_object().unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 14);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let key_json = keys[case["key"].as_str().unwrap()].to_string();
        let key = cap(&key_json);
        let requested = match &case["requested"] {
            Value::Null => Ok(None),
            Value::String(s) if s == "key capability" => Ok(Some(key.clone())),
            other => Capability::parse(&other.to_string()).map(Some),
        };
        let outcome = requested.and_then(|requested| {
            let granted = match requested {
                None => key.clone(),
                Some(r) => {
                    let granted = r.intersect(&key);
                    assert_eq!(r.overlaps(&key), !granted.is_empty(), "{name}");
                    granted
                }
            };
            if granted.is_empty() {
                Err(Error::CapabilityDenied {
                    status: 401,
                    message: "empty intersection".into(),
                })
            } else {
                Ok(granted)
            }
        });
        match (&case["expected"], &case["error"]) {
            (Value::String(s), _) if s == "key capability" => {
                assert_eq!(outcome.unwrap(), key, "{name}");
            }
            (expected @ Value::Object(_), _) => {
                assert_eq!(outcome.unwrap(), cap(&expected.to_string()), "{name}");
            }
            (_, error) => {
                let err = outcome.expect_err(name);
                assert_eq!(
                    (err.code() as u64, err.status() as u64),
                    (
                        error["code"].as_u64().unwrap(),
                        error["statusCode"].as_u64().unwrap()
                    ),
                    "{name}: {err}"
                );
            }
        }
    }
}

#[test]
fn canonical_json_matches_ably_js() {
    // From ably-auth/vectors/token-requests.ably-js.json ("full" and "ops-sorted-dedup").
    let c = cap(r#"{"b":["subscribe","publish"],"a:*":["presence","history"],"*":["subscribe"]}"#);
    assert_eq!(
        c.to_json(),
        r#"{"*":["subscribe"],"a:*":["history","presence"],"b":["publish","subscribe"]}"#
    );
    let c = cap(
        r#"{"chat:*":["subscribe","publish","presence","history"],"[meta]*":["subscribe"],"[*]*":["channel-metadata"]}"#,
    );
    assert_eq!(
        c.to_json(),
        r#"{"[*]*":["channel-metadata"],"[meta]*":["subscribe"],"chat:*":["history","presence","publish","subscribe"]}"#
    );
    // ably-js puts integer-like keys first, in numeric order (the sign test
    // `reproduces_reference_table_vectors` has ably-js's MAC for this capability).
    let c = cap(r#"{"abc":["*"],"10":["subscribe"],"9":["publish"]}"#);
    assert_eq!(
        c.to_json(),
        r#"{"9":["publish"],"10":["subscribe"],"abc":["*"]}"#
    );
    // Duplicated operations collapse; non-ASCII stays raw.
    let c = cap(r#"{"café":["publish","publish"]}"#);
    assert_eq!(c.to_json(), r#"{"café":["publish"]}"#);
}

#[test]
fn refuses_what_the_service_refuses() {
    for bad in [
        r#"{"channel0":["publish_"]}"#,
        r#"{"channel0":["*","publish"]}"#,
        r#"{"channel0":[]}"#,
        r#"{"channel0":["statistics"]}"#,
        r#"{}"#,
        r#"[]"#,
        r#""x""#,
        r#"{"":["publish"]}"#,
        r#"{"[bogus]x":["publish"]}"#,
        r#"{"[queue]":["publish"]}"#,
        r#"{"a":"publish"}"#,
        r#"{"a":[["publish"]]}"#,
        r#"{"a":["publish"]} trailing"#,
        "not json",
    ] {
        let err = Capability::parse(bad).unwrap_err();
        assert_eq!((err.code(), err.status()), (40000, 400), "{bad}: {err}");
    }
    assert_eq!(cap(r#"{"x":["stats"]}"#).to_json(), r#"{"x":["stats"]}"#);
}

#[test]
fn nesting_bombs_are_refused_without_recursion() {
    let bomb = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(Capability::parse(&bomb).unwrap_err().code(), 40000);
    let bomb = "{\"a\":".repeat(50_000);
    assert_eq!(Capability::parse(&bomb).unwrap_err().code(), 40000);
}

#[test]
fn too_many_resources_are_refused() {
    let body: Vec<String> = (0..MAX_RESOURCES + 1)
        .map(|i| format!("\"c{i}\":[\"subscribe\"]"))
        .collect();
    let err = Capability::parse(&format!("{{{}}}", body.join(","))).unwrap_err();
    assert_eq!(err.code(), 40000);
}

#[test]
fn wildcard_segment_rules() {
    let r = |s: &str| Resource::new(s).unwrap();
    assert!(r("ns:x").is_covered_by(&r("ns:*")));
    assert!(r("ns:x:y").is_covered_by(&r("ns:*")));
    assert!(!r("ns").is_covered_by(&r("ns:*")));
    assert!(r("foo:bar:baz").is_covered_by(&r("foo:*:baz")));
    assert!(!r("foo:bar:bam:baz").is_covered_by(&r("foo:*:baz")));
    assert!(!r("foox").is_covered_by(&r("foo*")));
    assert!(r("anything:at:all").is_covered_by(&r("*")));
    assert!(!r("[queue]orders").is_covered_by(&r("*")));
    assert!(!r("[meta]log").is_covered_by(&r("*")));
    assert!(r("[queue]orders").is_covered_by(&r("[queue]*")));
    assert!(r("[meta]log").is_covered_by(&r("[*]*")));
    assert!(r("*").is_covered_by(&r("[*]*")));
    assert!(!r("[*]*").is_covered_by(&r("*")));
    assert_eq!(
        r("a:*:c").intersect(&r("a:b:*")).map(|x| x.to_string()),
        Some("a:b:c".into())
    );
    assert_eq!(r("a:*").intersect(&r("b:*")), None);
    assert_eq!(r("[queue]*").intersect(&r("*")), None);
    assert_eq!(r("[*]*").intersect(&r("[meta]*")), Some(r("[meta]*")));
}

#[test]
fn subset() {
    let key = cap(r#"{"chat:*":["publish","subscribe"],"user:1":["*"]}"#);
    assert!(cap(r#"{"chat:a":["publish"]}"#).is_subset_of(&key));
    assert!(cap(r#"{"user:1":["*"],"chat:a:b":["subscribe"]}"#).is_subset_of(&key));
    assert!(!cap(r#"{"chat:a":["presence"]}"#).is_subset_of(&key));
    assert!(!cap(r#"{"chat:*":["*"]}"#).is_subset_of(&key));
    assert!(!cap(r#"{"*":["subscribe"]}"#).is_subset_of(&key));
}

fn arb_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-c]{1,2}",
        1 => Just("*".to_string()),
        1 => Just("9".to_string()),
        1 => Just("é".to_string()),
    ]
}

fn arb_resource() -> impl Strategy<Value = String> {
    (
        prop_oneof![6 => Just(""), 1 => Just("[queue]"), 1 => Just("[meta]"), 1 => Just("[*]")],
        prop::collection::vec(arb_segment(), 1..4),
    )
        .prop_map(|(q, segs)| format!("{q}{}", segs.join(":")))
}

fn arb_ops() -> impl Strategy<Value = Operations> {
    prop_oneof![
        1 => Just(Operations::ALL),
        5 => prop::collection::vec(prop::sample::select(Operation::LIST), 1..4)
            .prop_map(|ops| ops.into_iter().collect()),
    ]
}

fn arb_capability() -> impl Strategy<Value = Capability> {
    prop::collection::vec((arb_resource(), arb_ops()), 1..5).prop_map(|entries| {
        let mut c = Capability::new();
        for (r, o) in entries {
            c.insert(Resource::new(r).unwrap(), o);
        }
        c
    })
}

fn arb_channel() -> impl Strategy<Value = String> {
    (
        prop_oneof![4 => Just(""), 1 => Just("[queue]"), 1 => Just("[meta]")],
        prop::collection::vec("[a-c]{1,2}|9|é", 1..5),
    )
        .prop_map(|(q, segs)| format!("{q}{}", segs.join(":")))
}

/// Whether `cap` permits `op` on the concrete resource `channel`.
fn permits(cap: &Capability, channel: &str, op: Operation) -> bool {
    let channel = Resource::new(channel).unwrap();
    cap.iter()
        .any(|(r, ops)| channel.is_covered_by(r) && ops.contains(op))
}

proptest! {
    #[test]
    fn json_round_trip(c in arb_capability()) {
        let json = c.to_json();
        prop_assert_eq!(Capability::parse(&json).unwrap(), c.clone());
        // The text is also what serde_json makes of the same object, sorted.
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(serde_json::to_value(&c).unwrap(), value);
    }

    #[test]
    fn intersection_commutes(a in arb_capability(), b in arb_capability()) {
        prop_assert_eq!(a.intersect(&b), b.intersect(&a));
    }

    #[test]
    fn intersection_never_widens(a in arb_capability(), b in arb_capability()) {
        let i = a.intersect(&b);
        prop_assert!(i.is_subset_of(&a), "{} not within {}", i, a);
        prop_assert!(i.is_subset_of(&b), "{} not within {}", i, b);
    }

    /// On concrete channels, the intersection permits exactly what both permit.
    #[test]
    fn intersection_is_exact_on_channels(
        a in arb_capability(),
        b in arb_capability(),
        channel in arb_channel(),
        op in prop::sample::select(Operation::LIST),
    ) {
        let i = a.intersect(&b);
        prop_assert_eq!(
            permits(&i, &channel, op),
            permits(&a, &channel, op) && permits(&b, &channel, op),
            "{} ∩ {} = {} on {}", a, b, i, channel
        );
    }

    /// `overlaps` answers what `intersect` would, for resources and whole capabilities.
    #[test]
    fn overlaps_is_a_non_empty_intersection(
        a in arb_capability(),
        b in arb_capability(),
        ra in arb_resource(),
        rb in arb_resource(),
    ) {
        prop_assert_eq!(a.overlaps(&b), !a.intersect(&b).is_empty(), "{} ∩ {}", a, b);
        let (ra, rb) = (Resource::new(ra).unwrap(), Resource::new(rb).unwrap());
        prop_assert_eq!(ra.overlaps(&rb), ra.intersect(&rb).is_some(), "{:?} ∩ {:?}", ra, rb);
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,64}") {
        let _ = Capability::parse(&s);
    }
}
