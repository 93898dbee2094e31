//! What derived identities and roles issue at run time.

use ably_auth::{
    AblyIdentity, AblyRole, Capability, GrantRule, Operation, Operations, Resource, TemplatePart,
};
use proptest::prelude::*;
use std::fmt;
use std::time::Duration;

#[derive(AblyIdentity)]
#[ably(ttl = "1h")]
#[ably(grant("user:{client_id}" => [publish, subscribe, presence, history]))]
struct SessionUser {
    #[ably(client_id)]
    id: String,
    #[ably(role)]
    role: Role,
}

#[derive(AblyRole)]
enum Role {
    #[ably(grant("chat:*" => [subscribe, history]))]
    Viewer,
    #[ably(grant("chat:*" => [subscribe, history, publish, presence]))]
    Editor,
    #[ably(grant("*" => ["*"]), ttl = "15m")]
    Admin,
}

fn user(id: &str, role: Role) -> SessionUser {
    SessionUser {
        id: id.into(),
        role,
    }
}

#[test]
fn quickstart_policy() {
    let viewer = user("alice", Role::Viewer).ably_grant().unwrap();
    assert_eq!(viewer.client_id.unwrap().as_str(), "alice");
    assert_eq!(
        viewer.capability.to_json(),
        r#"{"chat:*":["history","subscribe"],"user:alice":["history","presence","publish","subscribe"]}"#
    );
    assert_eq!(viewer.ttl, Duration::from_secs(3600));

    let editor = user("bob", Role::Editor).ably_grant().unwrap();
    assert_eq!(
        editor.capability.to_json(),
        r#"{"chat:*":["history","presence","publish","subscribe"],"user:bob":["history","presence","publish","subscribe"]}"#
    );
    assert_eq!(editor.ttl, Duration::from_secs(3600));

    let admin = user("root", Role::Admin).ably_grant().unwrap();
    assert_eq!(admin.capability.to_json(), r#"{"*":["*"]}"#);
    assert_eq!(admin.ttl, Duration::from_secs(15 * 60));
}

#[test]
fn injected_client_ids_are_refused() {
    for bad in ["eve:*", "eve:admin", "[meta]x", "chat:*", ""] {
        let err = user(bad, Role::Viewer).ably_grant().unwrap_err();
        assert!(matches!(err.code(), 40300 | 40012), "{bad}: {err}");
    }
    for bad in ["eve:*", "eve:admin", "[meta]x"] {
        let err = user(bad, Role::Viewer).ably_grant().unwrap_err();
        assert_eq!((err.code(), err.status()), (40300, 403), "{bad}: {err}");
    }
    // `*` is the wildcard clientId, never an identity.
    assert_eq!(
        user("*", Role::Viewer).ably_grant().unwrap_err().code(),
        40012
    );
    // Brackets elsewhere than the start are plain characters.
    let ok = user("eve[1]", Role::Viewer).ably_grant().unwrap();
    assert!(ok.capability.get("user:eve[1]").is_some());
}

#[derive(AblyIdentity)]
#[ably(grant("lobby" => [subscribe]), grant("user:{client_id}" => [publish]))]
struct Visitor {
    #[ably(client_id)]
    id: Option<u64>,
}

#[test]
fn anonymous_users_get_rules_without_client_id() {
    let anonymous = Visitor { id: None }.ably_grant().unwrap();
    assert_eq!(anonymous.client_id, None);
    assert_eq!(anonymous.capability.to_json(), r#"{"lobby":["subscribe"]}"#);
    assert_eq!(anonymous.ttl, Duration::from_secs(3600));

    let known = Visitor { id: Some(42) }.ably_grant().unwrap();
    assert_eq!(known.client_id.unwrap().as_str(), "42");
    assert_eq!(
        known.capability.to_json(),
        r#"{"lobby":["subscribe"],"user:42":["publish"]}"#
    );
}

#[derive(AblyIdentity)]
#[ably(grant("inbox:{client_id}" => [subscribe]))]
struct OnlyPersonal {
    #[ably(client_id)]
    id: Option<String>,
}

#[test]
fn a_user_granted_nothing_is_forbidden() {
    let err = OnlyPersonal { id: None }.ably_grant().unwrap_err();
    assert_eq!((err.code(), err.status()), (40300, 403));
    assert!(
        OnlyPersonal {
            id: Some("a".into())
        }
        .ably_grant()
        .is_ok()
    );
}

#[derive(AblyIdentity)]
#[ably(ttl = "90s")]
#[ably(grant("team:{team}:{client_id}" => [publish]))]
#[ably(grant("org:{org}" => [subscribe, "channel-metadata"]))]
#[ably(grant("org:{org}" => [history]))]
struct Member {
    #[ably(client_id)]
    name: String,
    team: u32,
    org: Option<String>,
}

#[test]
fn field_templates() {
    let m = Member {
        name: "ann".into(),
        team: 7,
        org: Some("acme".into()),
    };
    let grant = m.ably_grant().unwrap();
    assert_eq!(
        grant.capability.to_json(),
        r#"{"org:acme":["channel-metadata","history","subscribe"],"team:7:ann":["publish"]}"#
    );
    assert_eq!(grant.ttl, Duration::from_secs(90));

    let no_org = Member { org: None, ..m };
    assert_eq!(
        no_org.ably_grant().unwrap().capability.to_json(),
        r#"{"team:7:ann":["publish"]}"#
    );

    let injected = Member {
        name: "ann".into(),
        team: 7,
        org: Some("*".into()),
    };
    let err = injected.ably_grant().unwrap_err();
    assert_eq!(err.code(), 40300);
    assert!(err.to_string().contains("{org}"), "{err}");
}

#[derive(AblyIdentity)]
#[ably(ttl = "2h")]
#[ably(grant("user:{client_id}" => [subscribe]))]
struct Generic<Id, R>
where
    Id: fmt::Display,
{
    #[ably(client_id)]
    id: Id,
    #[ably(role)]
    role: R,
}

// `seat` is never read: it is there to show that a generic variant with fields derives.
#[allow(dead_code)]
#[derive(AblyRole)]
enum Tier<T> {
    #[ably(grant("free" => [subscribe]))]
    Free,
    #[ably(grant("paid:{client_id}" => ["*"]), ttl = "1h30m")]
    Paid { seat: T },
}

#[test]
fn generics() {
    let free = Generic {
        id: 5u8,
        role: Tier::<u32>::Free,
    }
    .ably_grant()
    .unwrap();
    assert_eq!(
        free.capability.to_json(),
        r#"{"free":["subscribe"],"user:5":["subscribe"]}"#
    );
    assert_eq!(free.ttl, Duration::from_secs(7200));

    let paid = Generic {
        id: "p",
        role: Tier::Paid { seat: 3u32 },
    }
    .ably_grant()
    .unwrap();
    assert_eq!(
        paid.capability.to_json(),
        r#"{"paid:p":["*"],"user:p":["subscribe"]}"#
    );
    assert_eq!(paid.ttl, Duration::from_secs(5400));

    // The generic role's tables, whatever its type parameter.
    assert_eq!(Tier::<String>::Free.ably_ttl(), None);
    assert_eq!(
        Tier::Paid { seat: "x" }.ably_ttl(),
        Some(Duration::from_secs(5400))
    );
    assert_eq!(
        Tier::Paid { seat: 1u8 }.ably_rules(),
        [GrantRule {
            resource: &[TemplatePart::Literal("paid:"), TemplatePart::ClientId],
            operations: Operations::ALL,
        }]
    );
    assert_eq!(
        Tier::<()>::Free.ably_rules(),
        [GrantRule {
            resource: &[TemplatePart::Literal("free")],
            operations: Operation::Subscribe.into(),
        }]
    );
}

#[test]
fn role_tables_are_static_and_merged() {
    #[derive(AblyRole)]
    enum Ops {
        #[ably(grant("a" => [push_admin, "push-subscribe", object_subscribe]))]
        #[ably(grant("a" => [publish], "b" => [stats]))]
        Many,
        #[ably(grant("*" => [*]))]
        Star,
        Nothing,
    }
    // Both attributes' grants on "a" merge into one rule, in canonical operation order.
    let rules = Ops::Many.ably_rules();
    assert_eq!(
        rules,
        [
            GrantRule {
                resource: &[TemplatePart::Literal("a")],
                operations: [
                    Operation::ObjectSubscribe,
                    Operation::Publish,
                    Operation::PushAdmin,
                    Operation::PushSubscribe,
                ]
                .into(),
            },
            GrantRule {
                resource: &[TemplatePart::Literal("b")],
                operations: Operation::Stats.into(),
            },
        ]
    );
    let ops: Vec<&str> = rules[0].operations.iter().map(|o| o.as_str()).collect();
    assert_eq!(
        ops,
        [
            "object-subscribe",
            "publish",
            "push-admin",
            "push-subscribe"
        ]
    );
    assert!(Ops::Star.ably_rules()[0].operations.is_all());
    assert!(Ops::Nothing.ably_rules().is_empty());
    assert_eq!(Ops::Nothing.ably_ttl(), None);
    // The same table every time: issuing is table-driven.
    assert!(std::ptr::eq(Ops::Many.ably_rules(), Ops::Many.ably_rules()));
}

proptest! {
    /// Whatever the clientId, every issued resource is the template's own channel or
    /// the role's fixed pattern: nothing wider.
    #[test]
    fn client_ids_never_widen_the_grant(id in "\\PC{0,12}|[a-z*:\\[\\]]{1,8}") {
        let Ok(grant) = user(&id, Role::Editor).ably_grant() else { return Ok(()); };
        let intended: Capability = Capability::new()
            .grant("chat:*", [ably_auth::Operation::Publish])
            .unwrap()
            .grant(format!("user:{id}"), [ably_auth::Operation::Publish])
            .unwrap();
        prop_assert_eq!(grant.client_id.as_ref().map(|c| c.as_str()), Some(id.as_str()));
        for (resource, _) in grant.capability.iter() {
            prop_assert!(
                intended.iter().any(|(r, _)| r == resource),
                "unexpected resource {resource:?} for {id:?}"
            );
            let own = Resource::new(format!("user:{id}")).unwrap();
            if resource.as_str() != "chat:*" {
                prop_assert_eq!(resource, &own);
                // The user's channel covers nothing but itself.
                prop_assert!(!Resource::new("user:other").unwrap().is_covered_by(resource) || id == "other");
            }
        }
    }
}

#[derive(AblyIdentity)]
#[ably(grant("user:{client_id}" => [subscribe]))]
struct MaybeStaff {
    #[ably(client_id)]
    id: String,
    #[ably(role)]
    role: Option<Role>,
}

#[test]
fn optional_role() {
    let plain = MaybeStaff {
        id: "a".into(),
        role: None,
    }
    .ably_grant()
    .unwrap();
    assert_eq!(plain.capability.to_json(), r#"{"user:a":["subscribe"]}"#);
    assert_eq!(plain.ttl, Duration::from_secs(3600));
    let admin = MaybeStaff {
        id: "a".into(),
        role: Some(Role::Admin),
    }
    .ably_grant()
    .unwrap();
    assert_eq!(admin.capability.to_json(), r#"{"*":["*"]}"#);
    assert_eq!(admin.ttl, Duration::from_secs(900));
}

proptest! {
    /// Whatever a templated field holds, it reaches only its own channel.
    #[test]
    fn field_values_never_widen_the_grant(org in proptest::option::of("\\PC{0,10}|[a-z*:\\[]{1,6}|[a\\n\\x{2028}]{1,4}")) {
        let member = Member { name: "ann".into(), team: 7, org: org.clone() };
        let Ok(grant) = member.ably_grant() else {
            // Refused: only for a value that could have widened the grant, or that holds a
            // control character or line separator.
            let org = org.unwrap();
            let unprintable = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
            prop_assert!(
                org.is_empty()
                    || org.contains(['*', ':'])
                    || org.starts_with('[')
                    || org.contains(unprintable),
                "{org:?} was refused"
            );
            return Ok(());
        };
        for (resource, _) in grant.capability.iter() {
            let expected_org = org.as_ref().map(|o| format!("org:{o}"));
            prop_assert!(
                resource.as_str() == "team:7:ann" || Some(resource.as_str()) == expected_org.as_deref(),
                "unexpected resource {resource:?} for {org:?}"
            );
        }
    }
}

/// The derive's operation table against `ably_auth::Operation` (the macro crate cannot depend
/// on `ably-auth`, so the two meet here): a role granted every documented operation by its
/// wire name, and one granted them by identifier, carry exactly `Operation::LIST`, each name
/// mapping to the variant whose wire name it is.
#[test]
fn every_operation_name_maps_to_its_variant() {
    #[derive(AblyRole)]
    #[allow(dead_code)]
    enum Every {
        #[ably(grant("by-name" => [
            "subscribe", "publish", "presence", "history", "object-subscribe", "object-publish",
            "annotation-subscribe", "annotation-publish", "message-update-own",
            "message-update-any", "message-delete-own", "message-delete-any", "channel-metadata",
            "privileged-headers", "stats", "push-subscribe", "push-admin"
        ]))]
        ByName,
        #[ably(grant("by-ident" => [
            subscribe, publish, presence, history, object_subscribe, object_publish,
            annotation_subscribe, annotation_publish, message_update_own, message_update_any,
            message_delete_own, message_delete_any, channel_metadata, privileged_headers, stats,
            push_subscribe, push_admin
        ]))]
        ByIdent,
    }
    let all: Vec<ably_auth::Operation> = ably_auth::Operation::LIST.to_vec();
    for role in [Every::ByName, Every::ByIdent] {
        let rules = role.ably_rules();
        assert_eq!(rules.len(), 1);
        let granted: Vec<ably_auth::Operation> = rules[0].operations.iter().collect();
        assert_eq!(granted.len(), 17);
        for op in &all {
            assert!(granted.contains(op), "{op:?} ({}) missing", op.as_str());
        }
    }
    assert_eq!(all.len(), 17);
}

// The scenario of a team app: the plan decides what a user may do on their organization's
// channels, and a suspended user (no plan) gets nothing.
#[derive(AblyIdentity)]
struct User {
    #[ably(client_id)]
    id: u64,
    org: String,
    /// `None` while the account is suspended.
    #[ably(role)]
    plan: Option<Plan>,
}

#[derive(AblyRole, Clone, Copy)]
enum Plan {
    #[ably(grant("org:{org}:*" => [subscribe, history], "user:{id}" => [publish]), ttl = "10m")]
    Free,
    #[ably(grant("org:{org}:*" => [subscribe, history, publish, presence]))]
    #[ably(grant("user:{id}" => [publish]), ttl = "1h")]
    Pro,
    #[ably(grant("[*]*" => ["*"]), ttl = "15m")]
    Staff,
}

fn member(org: &str, plan: Option<Plan>) -> User {
    User {
        id: 7,
        org: org.into(),
        plan,
    }
}

#[test]
fn role_grants_interpolate_the_identitys_fields() {
    let free = member("acme", Some(Plan::Free)).ably_grant().unwrap();
    assert_eq!(free.client_id.unwrap().as_str(), "7");
    assert_eq!(
        free.capability.to_json(),
        r#"{"org:acme:*":["history","subscribe"],"user:7":["publish"]}"#
    );
    assert_eq!(free.ttl, Duration::from_secs(600));

    let pro = member("acme", Some(Plan::Pro)).ably_grant().unwrap();
    assert_eq!(
        pro.capability.to_json(),
        r#"{"org:acme:*":["history","presence","publish","subscribe"],"user:7":["publish"]}"#
    );
    assert_eq!(pro.ttl, Duration::from_secs(3600));

    let staff = member("acme", Some(Plan::Staff)).ably_grant().unwrap();
    assert_eq!(staff.capability.to_json(), r#"{"[*]*":["*"]}"#);
    assert_eq!(staff.ttl, Duration::from_secs(900));

    let suspended = member("acme", None).ably_grant().unwrap_err();
    assert_eq!((suspended.code(), suspended.status()), (40300, 403));

    // The organization's name is a user value: it can't reach other channels.
    for org in ["acme:*", "*", "[meta]x", "", "a\nb"] {
        let err = member(org, Some(Plan::Pro)).ably_grant().unwrap_err();
        assert_eq!((err.code(), err.status()), (40300, 403), "{org:?}");
        assert!(err.to_string().contains("`{org}`"), "{err}");
    }
    // Staff's grant names no field: any organization name is fine for it.
    assert!(member("acme:*", Some(Plan::Staff)).ably_grant().is_ok());
}

/// A role's templates name identity fields, listed for the identity's compile-time check.
#[test]
fn roles_list_the_identity_fields_they_use() {
    use ably_auth::TemplateField;
    assert_eq!(
        <Plan as AblyRole>::IDENTITY_FIELDS,
        [
            TemplateField {
                field: "org",
                template: "org:{org}:*"
            },
            TemplateField {
                field: "id",
                template: "user:{id}"
            },
        ]
    );
    assert_eq!(<Role as AblyRole>::IDENTITY_FIELDS, []);
    assert_eq!(
        Plan::Pro.ably_rules()[0].resource,
        [
            TemplatePart::Literal("org:"),
            TemplatePart::Field("org"),
            TemplatePart::Literal(":*")
        ]
    );
}

// The same role serves every identity that has the fields it names, whatever their types.
#[derive(AblyIdentity)]
#[ably(grant("audit" => [subscribe]))]
struct Contractor {
    #[ably(client_id)]
    id: String,
    org: Option<&'static str>,
    #[ably(role)]
    plan: Plan,
}

#[test]
fn a_role_serves_every_identity_with_its_fields() {
    let with_org = Contractor {
        id: "c1".into(),
        org: Some("acme"),
        plan: Plan::Free,
    }
    .ably_grant()
    .unwrap();
    // `{id}` is this identity's `id` field, which is also its clientId here.
    assert_eq!(
        with_org.capability.to_json(),
        r#"{"audit":["subscribe"],"org:acme:*":["history","subscribe"],"user:c1":["publish"]}"#
    );
    // An absent value leaves the rule out, as for the identity's own templates.
    let without = Contractor {
        id: "c1".into(),
        org: None,
        plan: Plan::Free,
    }
    .ably_grant()
    .unwrap();
    assert_eq!(
        without.capability.to_json(),
        r#"{"audit":["subscribe"],"user:c1":["publish"]}"#
    );
}

// A hand-written role that names a field it doesn't list: the identity can't check it when it
// compiles, so it refuses at issue time rather than drop or guess.
struct HandWritten;

impl AblyRole for HandWritten {
    fn ably_rules(&self) -> &'static [GrantRule] {
        &[GrantRule {
            resource: &[TemplatePart::Literal("team:"), TemplatePart::Field("team")],
            operations: Operations::ALL,
        }]
    }
}

#[derive(AblyIdentity)]
#[ably(grant("lobby" => [subscribe]))]
struct HandUser {
    #[ably(client_id)]
    id: String,
    #[ably(role)]
    role: HandWritten,
}

#[test]
fn a_field_the_identity_lacks_is_refused_at_issue_time() {
    let err = HandUser {
        id: "a".into(),
        role: HandWritten,
    }
    .ably_grant()
    .unwrap_err();
    assert_eq!((err.code(), err.status()), (40106, 400), "{err}");
    assert!(err.to_string().contains("`{team}`"), "{err}");
}

proptest! {
    /// Whatever the organization's name, a Pro user reaches only that organization's channels
    /// and their own.
    #[test]
    fn role_field_values_never_widen_the_grant(org in "\\PC{0,10}|[a-z*:\\[]{1,6}|[a\\n\\x{2028}]{1,4}") {
        let Ok(grant) = member(&org, Some(Plan::Pro)).ably_grant() else {
            let unprintable = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
            prop_assert!(
                org.is_empty() || org.contains(['*', ':']) || org.starts_with('[') || org.contains(unprintable),
                "{org:?} was refused"
            );
            return Ok(());
        };
        let own = format!("org:{org}:*");
        for (resource, _) in grant.capability.iter() {
            prop_assert!(resource.as_str() == own || resource.as_str() == "user:7", "{resource:?}");
        }
        let other = Resource::new("org:other:x").unwrap();
        prop_assert!(!grant.capability.iter().any(|(r, _)| other.is_covered_by(r)) || org == "other");
    }
}

/// The derives' resource grammar, as `ably_auth_macros::__resource_grammar!` reports it for
/// each template (the text a `grant(...)` would get; `{{` and `}}` are literal braces).
/// Held against `Resource::new` and `Capability::parse` in
/// `derive_accepts_exactly_the_resources_ably_auth_accepts`.
const GRAMMAR: &[(&str, Option<&str>)] = &ably_auth_macros::__resource_grammar!(
    // Names from the capability vectors (`every_vector_resource_is_in_the_corpus` keeps them).
    "*",
    "[*]*",
    "[meta]*",
    "a",
    "a:*",
    "ab",
    "a\u{d7ff}",
    "a\u{e000}",
    "a\u{ff61}",
    "a\u{ffff}",
    "a\u{10000}",
    "a\u{1f600}",
    "a\u{1f601}",
    "b",
    "café",
    "canpublish:*",
    "canpublish:andpresence",
    "canpublish:check",
    "canpublish:test",
    "cansubscribe",
    "cansubscribe:*",
    "channel0",
    "channel1",
    "channel2",
    "channel3",
    "channel4",
    "channel5",
    "channel6",
    "channelx",
    "chat:*",
    "pushenabled:*",
    "pushenabled:admin:*",
    "x",
    // Qualifiers.
    "[queue]*",
    "[queue]orders",
    "[queue]a:b:*",
    "[meta]log",
    "[meta]channel.lifecycle",
    "[*]chat:*",
    "[*]x",
    "[queue][x",
    "[meta]a]b",
    "[queue]*:x",
    // Wildcards as whole segments.
    "*:*",
    "*:x",
    "a:*:b",
    "a:*:*",
    ":*",
    "*:",
    // Odd characters and empty segments.
    ":",
    "::",
    "a:",
    ":a",
    "a::b",
    "a b",
    " ",
    "a/b",
    "a.b",
    "a]b",
    "a[b]",
    "]",
    "a\"b",
    "a\\b",
    "tab\there",
    "nul\u{0}",
    "line\nfeed",
    "\u{2028}",
    "{{braces}}",
    "a}}",
    "{{",
    "}}",
    "ünïcödé",
    "日本語:*",
    "😀",
    // Refused by both: empty, unknown or incomplete qualifiers, a name starting with `[`.
    "",
    "[",
    "[x",
    "[]x",
    "[queue]",
    "[meta]",
    "[*]",
    "[bogus]x",
    "[QUEUE]x",
    "[ queue]x",
    "[queue ]x",
    "[queue][meta]x",
    "[*][queue]x",
    "[*][*]",
    "[[queue]]x",
    "[queue]]",
    // `*` inside a segment: a literal name to Ably, refused by the derives.
    "chat*",
    "*chat",
    "a:b*",
    "a:**",
    "**",
    "[queue]q*",
    "[*]*x",
    "a:*b:c",
    "*a:*"
);

/// Whether `name` (without its qualifier) has a `:`-separated segment that contains `*` but
/// is not `*`: Ably reads it as a literal name (`foo*` is the channel "foo*", wire reference
/// §4.3), which a `grant(...)` refuses as a likely typo for `foo:*`.
fn star_inside_a_segment(name: &str) -> bool {
    let name = match name.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
        Some((_, name)) => name,
        None => name,
    };
    name.split(':')
        .any(|segment| segment.contains('*') && segment != "*")
}

/// The resource grammar of `#[derive(...)]` and of `ably-auth` agree: on every name of the
/// corpus, a `grant(...)` accepts exactly what `Resource::new` and `Capability::parse` accept,
/// except names with `*` inside a segment, which the derives refuse (granting less, never
/// more) and `ably-auth` accepts as the literal names they are to Ably.
#[test]
fn derive_accepts_exactly_the_resources_ably_auth_accepts() {
    assert!(
        GRAMMAR.len() >= 99,
        "the corpus lost names: {}",
        GRAMMAR.len()
    );
    let mut refused_by_both = 0;
    for (template, verdict) in GRAMMAR {
        let name = template.replace("{{", "{").replace("}}", "}");
        let resource = Resource::new(&name);
        let json = serde_json::json!({ name.as_str(): ["subscribe"] }).to_string();
        let capability = Capability::parse(&json);
        assert_eq!(
            resource.is_ok(),
            capability.is_ok(),
            "{name:?}: Resource and Capability differ"
        );
        if let Err(err) = &capability {
            assert_eq!((err.code(), err.status()), (40000, 400), "{name:?}");
        }
        match (verdict, resource) {
            (None, Ok(resource)) => assert_eq!(resource.as_str(), name),
            (Some(_), Err(_)) => refused_by_both += 1,
            (Some(message), Ok(_)) => assert!(
                star_inside_a_segment(&name) && message.contains("is a wildcard only as a whole"),
                "the derive refuses {template:?}, which ably-auth accepts: {message}"
            ),
            (None, Err(err)) => {
                panic!("the derive accepts {template:?}, which ably-auth refuses: {err}")
            }
        }
        if star_inside_a_segment(&name) && Resource::new(&name).is_ok() {
            assert!(
                verdict.is_some(),
                "{template:?} should be refused as a likely typo"
            );
        }
    }
    assert!(refused_by_both >= 16, "{refused_by_both}");
}

/// Templates with placeholders: a `grant(...)` that compiles renders to a resource
/// `ably-auth` accepts for every value `check_interpolated` lets through, and one the derive
/// refuses renders to none (but where a placeholder sits in a qualifier, which the derive
/// refuses whatever the value, and `*` inside a segment, as above).
const TEMPLATES: &[(&str, Option<&str>)] = &ably_auth_macros::__resource_grammar!(
    "user:{client_id}",
    "{client_id}",
    "org:{org}:*",
    "[queue]{org}",
    "[meta]{org}:*",
    "{org}:{client_id}:*",
    "x{org}y",
    "[*]{org}",
    "{org}:",
    "a]{org}",
    "{{{org}}}",
    "[{org}]x",
    "[queue{org}]x",
    "[{org}",
    "[queue]",
    "{org}*",
    "chat:{client_id}*",
    "*{org}"
);

proptest! {
    #[test]
    fn templates_accepted_at_compile_time_render_to_valid_resources(
        value in "[^*:\\[\\p{Cc}\u{2028}\u{2029}][^*:\\p{Cc}\u{2028}\u{2029}]{0,8}",
    ) {
        ably_auth::check_interpolated("v", &value).unwrap();
        for (template, verdict) in TEMPLATES {
            let name = template
                .replace("{client_id}", &value)
                .replace("{org}", &value)
                .replace("{{", "{")
                .replace("}}", "}");
            let resource = Resource::new(&name);
            match verdict {
                None => prop_assert!(resource.is_ok(), "{template:?} with {value:?}: {name:?}"),
                Some(_) if template.starts_with("[{") || template.starts_with("[queue{") => {}
                Some(_) if star_inside_a_segment(&name) => {}
                Some(message) => prop_assert!(
                    resource.is_err(),
                    "{template:?} is refused ({message}), but {name:?} is a resource"
                ),
            }
        }
    }
}

/// Every resource name in the capability vectors is in the corpus above.
#[test]
fn every_vector_resource_is_in_the_corpus() {
    fn collect(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                let is_capability = !map.is_empty()
                    && map.values().all(|v| {
                        v.as_array()
                            .is_some_and(|ops| ops.iter().all(serde_json::Value::is_string))
                    });
                if is_capability {
                    out.extend(map.keys().cloned());
                }
                map.values().for_each(|v| collect(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            serde_json::Value::String(text) if text.starts_with('{') => {
                if let Ok(inner) = serde_json::from_str::<serde_json::Value>(text) {
                    collect(&inner, out);
                }
            }
            _ => {}
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ably-auth/vectors");
    let mut names = Vec::new();
    for file in [
        "capability-intersections.json",
        "token-requests.ably-js.json",
        "token-requests.ably-python.json",
        "token-requests.ably-js-edges.json",
        "jwt.json",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        collect(&serde_json::from_str(&text).unwrap(), &mut names);
    }
    assert!(names.len() > 30, "{}", names.len());
    for name in names {
        assert!(
            GRAMMAR.iter().any(|(template, _)| *template == name),
            "vector resource {name:?} is not in the grammar corpus"
        );
    }
}

// A borrowed identity with a role over its fields: the check runs inside the generic impl.
#[derive(AblyIdentity)]
struct Borrowed<'a> {
    #[ably(client_id)]
    id: &'a str,
    org: &'a str,
    #[ably(role)]
    plan: Plan,
}

#[test]
fn borrowed_identities_take_role_fields_too() {
    let grant = Borrowed {
        id: "b",
        org: "acme",
        plan: Plan::Pro,
    }
    .ably_grant()
    .unwrap();
    assert_eq!(
        grant.capability.to_json(),
        r#"{"org:acme:*":["history","presence","publish","subscribe"],"user:b":["publish"]}"#
    );
}
