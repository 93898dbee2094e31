//! The Ably operations an `ably(grant(...))` may name, checked at compile time.

/// `(variant, wire name)` of every operation, as in `ably_auth::Operation`.
const OPERATIONS: &[(&str, &str)] = &[
    ("AnnotationPublish", "annotation-publish"),
    ("AnnotationSubscribe", "annotation-subscribe"),
    ("ChannelMetadata", "channel-metadata"),
    ("History", "history"),
    ("MessageDeleteAny", "message-delete-any"),
    ("MessageDeleteOwn", "message-delete-own"),
    ("MessageUpdateAny", "message-update-any"),
    ("MessageUpdateOwn", "message-update-own"),
    ("ObjectPublish", "object-publish"),
    ("ObjectSubscribe", "object-subscribe"),
    ("Presence", "presence"),
    ("PrivilegedHeaders", "privileged-headers"),
    ("Publish", "publish"),
    ("PushAdmin", "push-admin"),
    ("PushSubscribe", "push-subscribe"),
    ("Stats", "stats"),
    ("Subscribe", "subscribe"),
];

/// A validated operation set: `*`, or indexes into [`OPERATIONS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpSet {
    All,
    Some(Vec<usize>),
}

impl OpSet {
    pub fn union(&mut self, other: &OpSet) {
        match (&mut *self, other) {
            (OpSet::All, _) => {}
            (_, OpSet::All) => *self = OpSet::All,
            (OpSet::Some(a), OpSet::Some(b)) => {
                a.extend(b);
                a.sort_unstable();
                a.dedup();
            }
        }
    }
}

/// The `ably_auth::Operation` variant of the operation at `index` (an index of an
/// [`OpSet::Some`]).
pub fn variant(index: usize) -> &'static str {
    OPERATIONS[index].0
}

/// How an operation was written.
pub enum OpName {
    /// `publish`, `push_admin`.
    Ident(String),
    /// `"push-admin"`, `"*"`.
    Str(String),
    /// `*`.
    Star,
}

/// Looks an operation up: `Ok(None)` for `*`, `Ok(Some(index))`, or an error message that
/// says what to write instead.
pub fn lookup(name: &OpName) -> Result<Option<usize>, String> {
    match name {
        OpName::Star => Ok(None),
        OpName::Str(s) if s == "*" => Ok(None),
        OpName::Ident(ident) => {
            let wire = ident.replace('_', "-");
            if !ident.contains('-')
                && let Some(i) = OPERATIONS.iter().position(|(_, w)| *w == wire)
            {
                return Ok(Some(i));
            }
            let snake: Vec<String> = OPERATIONS
                .iter()
                .map(|(_, w)| w.replace('-', "_"))
                .collect();
            Err(unknown(
                ident,
                snake.iter().map(String::as_str),
                "`*` (as `\"*\"`)",
            ))
        }
        OpName::Str(s) => {
            if let Some(i) = OPERATIONS.iter().position(|(_, w)| w == s) {
                return Ok(Some(i));
            }
            let quoted: Vec<String> = OPERATIONS.iter().map(|(_, w)| format!("\"{w}\"")).collect();
            let written = format!("\"{s}\"");
            Err(unknown(
                &written,
                quoted.iter().map(String::as_str),
                "`\"*\"`",
            ))
        }
    }
}

fn unknown<'a>(written: &str, known: impl Iterator<Item = &'a str> + Clone, star: &str) -> String {
    let list: Vec<&str> = known.clone().collect();
    let mut message = format!("unknown Ably operation `{written}`");
    if let Some(best) = super::suggest::closest(written, known) {
        message.push_str(&format!("; did you mean `{best}`?"));
    } else {
        message.push_str(&format!(
            "; expected {star} or one of: {}",
            list.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operations Ably documents (its docs' `auth/capabilities.mdx`, ably-js's
    /// `capabilityOp`), typed here as the oracle.
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

    fn camel(wire: &str) -> String {
        wire.split('-')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect()
    }

    #[test]
    fn table_is_the_documented_list() {
        let wires: Vec<&str> = OPERATIONS.iter().map(|(_, w)| *w).collect();
        for name in DOCUMENTED {
            assert!(wires.contains(&name), "{name} is missing from the table");
        }
        for name in &wires {
            assert!(
                DOCUMENTED.contains(name),
                "{name} is not a documented operation"
            );
        }
        assert_eq!(wires.len(), DOCUMENTED.len(), "a name appears twice");
        for (variant, wire) in OPERATIONS {
            assert_eq!(*variant, camel(wire), "{wire}");
        }
    }

    #[test]
    fn every_documented_name_is_found_in_both_spellings() {
        for name in DOCUMENTED {
            let by_str = lookup(&OpName::Str(name.to_owned())).unwrap();
            let by_ident = lookup(&OpName::Ident(name.replace('-', "_"))).unwrap();
            assert_eq!(by_str, by_ident, "{name}");
            let i = by_str.unwrap_or_else(|| panic!("{name} was read as `*`"));
            assert_eq!(OPERATIONS[i].1, name);
        }
    }

    /// Only `*` means every operation; anything unknown is an error, never `*`.
    #[test]
    fn unknown_names_are_refused_not_widened() {
        assert_eq!(lookup(&OpName::Star), Ok(None));
        assert_eq!(lookup(&OpName::Str("*".into())), Ok(None));
        for name in [
            "publsh",
            "Publish",
            "statistics",
            "all",
            "star",
            "any",
            "",
            " *",
            "**",
            "push_admin",
            "publish ",
        ] {
            let err = lookup(&OpName::Str(name.to_owned())).unwrap_err();
            assert!(err.starts_with("unknown Ably operation"), "{name:?}: {err}");
        }
        for ident in [
            "publsh",
            "Publish",
            "statistics",
            "all",
            "star",
            "push-admin",
            "push__admin",
        ] {
            let err = lookup(&OpName::Ident(ident.to_owned())).unwrap_err();
            assert!(err.starts_with("unknown Ably operation"), "{ident}: {err}");
        }
        assert!(
            lookup(&OpName::Ident("publsh".into()))
                .unwrap_err()
                .contains("did you mean `publish`?")
        );
        assert!(
            lookup(&OpName::Str("push_admin".into()))
                .unwrap_err()
                .contains("did you mean `\"push-admin\"`?")
        );
    }

    #[test]
    fn sets_union() {
        let idx = |name: &str| lookup(&OpName::Str(name.to_owned())).unwrap().unwrap();
        let mut set = OpSet::Some(vec![idx("publish")]);
        set.union(&OpSet::Some(vec![idx("history"), idx("publish")]));
        assert_eq!(set, OpSet::Some(vec![idx("history"), idx("publish")]));
        assert_eq!(variant(idx("history")), "History");
        set.union(&OpSet::All);
        assert_eq!(set, OpSet::All);
        set.union(&OpSet::Some(vec![idx("stats")]));
        assert_eq!(set, OpSet::All);
    }
}
