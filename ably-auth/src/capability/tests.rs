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

/// `ably-auth/vectors/token-requests.ably-js-edges.json` (ably-js 2.28.0): for the same
/// capability, object or string, `to_json` writes the text ably-js wrote: resources ordered by
/// UTF-16 code units (U+1F600 before U+FF61, although its code point is higher), and the last
/// of a repeated resource kept, as `JSON.parse` keeps it.
#[test]
fn capability_text_matches_ably_js_edges() {
    let doc = test_vectors::load("token-requests.ably-js-edges.json");
    let mut checked = 0;
    for v in doc["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let Some(written) = v["wire_json"]["capability"].as_str() else {
            continue;
        };
        let given = match &v["params"]["capability"] {
            Value::String(text) => text.clone(),
            object => object.to_string(),
        };
        assert_eq!(cap(&given).to_json(), written, "{name}");
        // Already canonical: unchanged by another round.
        assert_eq!(cap(written).to_json(), written, "{name}");
        checked += 1;
    }
    assert_eq!(checked, 5);
}

/// The operation list is the one Ably documents (its docs' `auth/capabilities.mdx` and
/// ably-js's `capabilityOp`), typed here as the oracle, in both directions; each variant is
/// the wire name in UpperCamelCase, which the derive macro relies on.
#[test]
fn operation_list_is_the_documented_one() {
    const DOCUMENTED: [&str; 17] = [
        "subscribe",
        "publish",
        "presence",
        "history",
        "object-subscribe",
        "object-publish",
        "annotation-subscribe",
        "annotation-publish",
        "message-update-own",
        "message-update-any",
        "message-delete-own",
        "message-delete-any",
        "channel-metadata",
        "privileged-headers",
        "stats",
        "push-subscribe",
        "push-admin",
    ];
    let ours: Vec<&str> = Operation::LIST.iter().map(|o| o.as_str()).collect();
    for name in DOCUMENTED {
        assert!(ours.contains(&name), "{name} is missing");
        assert_eq!(
            Operation::from_name(name).map(Operation::as_str),
            Some(name)
        );
    }
    for name in &ours {
        assert!(DOCUMENTED.contains(name), "{name} is not documented");
    }
    assert_eq!(ours.len(), DOCUMENTED.len());
    // Canonical order: lexicographic by wire name.
    let mut sorted = ours.clone();
    sorted.sort_unstable();
    assert_eq!(ours, sorted);
    for op in Operation::LIST {
        let camel: String = op
            .as_str()
            .split('-')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect();
        assert_eq!(format!("{op:?}"), camel);
    }
    for unknown in ["*", "statistics", "Publish", "publish ", "push_admin", ""] {
        assert_eq!(Operation::from_name(unknown), None, "{unknown:?}");
    }
}

/// Pruning of intersection results. Ably's service intersects server-side and ably-js has no
/// such code, so the oracle is the wildcard rules of Ably's docs (`auth/capabilities.mdx`),
/// worked by hand: an entry another entry covers with at least its operations adds nothing
/// and is dropped; an entry with operations of its own stays.
#[test]
fn intersection_results_are_pruned() {
    for (key, requested, expected) in [
        (
            r#"{"*":["*"]}"#,
            r#"{"*":["subscribe"],"chat:a":["subscribe"]}"#,
            r#"{"*":["subscribe"]}"#,
        ),
        (
            r#"{"chat:*":["publish","subscribe"]}"#,
            r#"{"chat:*":["subscribe"],"chat:a":["publish","subscribe"]}"#,
            r#"{"chat:*":["subscribe"],"chat:a":["publish","subscribe"]}"#,
        ),
        (
            r#"{"[*]*":["*"]}"#,
            r#"{"[*]*":["subscribe"],"[queue]q":["subscribe"],"[meta]m":["subscribe"],"x":["subscribe"]}"#,
            r#"{"[*]*":["subscribe"]}"#,
        ),
        (
            r#"{"a:*":["publish","subscribe"],"a:b":["publish"]}"#,
            r#"{"a:*":["*"]}"#,
            r#"{"a:*":["publish","subscribe"]}"#,
        ),
        (
            r#"{"*":["subscribe"]}"#,
            r#"{"[queue]q":["subscribe"],"q":["subscribe"],"q:*":["subscribe"]}"#,
            r#"{"q":["subscribe"],"q:*":["subscribe"]}"#,
        ),
        (
            r#"{"foo:*:baz":["subscribe"]}"#,
            r#"{"foo:*":["subscribe"],"foo:bar:baz":["subscribe"]}"#,
            r#"{"foo:*:baz":["subscribe"]}"#,
        ),
    ] {
        let granted = cap(requested).intersect(&cap(key));
        assert_eq!(granted.to_json(), expected, "{requested} ∩ {key}");
    }
    let mut wide = Capability::everything()
        .grant("user:alice", [Operation::Publish])
        .unwrap();
    wide.normalize();
    assert_eq!(wide.to_json(), r#"{"[*]*":["*"]}"#);
}

/// Which concrete resources a pattern names, worked out independently of `Resource`: the
/// documented rules (Ably's `auth/capabilities.mdx`) applied to one concrete name.
fn oracle_matches(pattern: &str, concrete: &str) -> bool {
    let split = |s: &str| -> (&'static str, String) {
        for q in ["[queue]", "[meta]", "[*]"] {
            if let Some(rest) = s.strip_prefix(q) {
                return (q, rest.to_owned());
            }
        }
        ("", s.to_owned())
    };
    let (pq, pname) = split(pattern);
    let (cq, cname) = split(concrete);
    if pq != "[*]" && pq != cq {
        return false;
    }
    let p: Vec<&str> = pname.split(':').collect();
    let c: Vec<&str> = cname.split(':').collect();
    let last = p.len() - 1;
    if p[last] == "*" {
        // A trailing `*` spans one or more segments.
        c.len() > last && p[..last].iter().zip(&c).all(|(p, c)| *p == "*" || p == c)
    } else {
        p.len() == c.len() && p.iter().zip(&c).all(|(p, c)| *p == "*" || p == c)
    }
}

/// Every concrete resource over segments `a`, `b`, `c`, 1 to 4 deep, of each kind.
fn concrete_universe() -> Vec<String> {
    let mut names: Vec<String> = vec![String::new()];
    let mut all = Vec::new();
    for _ in 0..4 {
        names = names
            .iter()
            .flat_map(|n| {
                ["a", "b", "c"].map(|s| {
                    if n.is_empty() {
                        s.to_owned()
                    } else {
                        format!("{n}:{s}")
                    }
                })
            })
            .collect();
        all.extend(names.iter().cloned());
    }
    ["", "[queue]", "[meta]"]
        .iter()
        .flat_map(|q| all.iter().map(move |n| format!("{q}{n}")))
        .collect()
}

fn arb_small_capability() -> impl Strategy<Value = Capability> {
    let resource = (
        prop_oneof![4 => Just(""), 1 => Just("[queue]"), 1 => Just("[*]")],
        prop::collection::vec(prop_oneof![Just("a"), Just("b"), Just("*")], 1..4),
    )
        .prop_map(|(q, segs)| format!("{q}{}", segs.join(":")));
    let ops = prop_oneof![
        1 => Just(Operations::ALL),
        4 => prop::collection::vec(
            prop::sample::select(&[Operation::Publish, Operation::Subscribe, Operation::Presence][..]),
            1..3,
        )
        .prop_map(|ops| ops.into_iter().collect()),
    ];
    prop::collection::vec((resource, ops), 1..5).prop_map(|entries| {
        let mut c = Capability::new();
        for (r, o) in entries {
            c.insert(Resource::new(r).unwrap(), o);
        }
        c
    })
}

proptest! {
    /// After intersecting, no entry is made redundant by another one (checked on a concrete
    /// universe with `oracle_matches`), and the result permits exactly what both sides permit.
    #[test]
    fn intersection_leaves_no_redundant_entry(a in arb_small_capability(), b in arb_small_capability()) {
        let universe = concrete_universe();
        let denote = |r: &Resource| -> Vec<bool> {
            universe.iter().map(|c| oracle_matches(r.as_str(), c)).collect()
        };
        let permits = |cap: &Capability, c: &str, op: Operation| {
            cap.iter().any(|(r, ops)| ops.contains(op) && oracle_matches(r.as_str(), c))
        };
        let i = a.intersect(&b);
        for (r1, o1) in i.iter() {
            let d1 = denote(r1);
            for (r2, o2) in i.iter() {
                if r1 == r2 {
                    continue;
                }
                let d2 = denote(r2);
                let inside = d1.iter().zip(&d2).all(|(x, y)| !x || *y);
                prop_assert!(
                    !(inside && o1.is_subset_of(o2)),
                    "{r1} {o1} is covered by {r2} {o2} in {i} = {a} ∩ {b}"
                );
            }
        }
        for c in &universe {
            for op in [Operation::Publish, Operation::Subscribe, Operation::Presence] {
                prop_assert_eq!(
                    permits(&i, c, op),
                    permits(&a, c, op) && permits(&b, c, op),
                    "{} on {}: {} ∩ {} = {}", op, c, a, b, i
                );
            }
        }
    }
}
