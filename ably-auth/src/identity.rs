//! Who a user is to Ably ([`AblyIdentity`]), what a role may do ([`AblyRole`]), and the
//! untrusted hints a client sends ([`Hints`]), which can only narrow a [`Grant`].

use crate::capability::{Capability, Operations};
use crate::client_id::{ClientId, describe, unprintable};
use crate::error::{Error, Result};
use crate::token::DEFAULT_TTL;
use std::time::Duration;

/// What the server decided a user gets: clientId, capability and ttl.
///
/// ```
/// use ably_auth::{Capability, ClientId, Grant, Hints, Operation::*};
/// use std::time::Duration;
///
/// let grant = Grant::new(
///     Some(ClientId::new("alice")?),
///     Capability::new().grant("chat:*", [Subscribe, Publish])?,
///     Duration::from_secs(3600),
/// );
/// // A client may ask for less...
/// let hints = Hints::from_pairs([("capability", r#"{"chat:lobby":["subscribe"]}"#), ("ttl", "60000")])?;
/// let narrowed = grant.clone().narrow(&hints)?;
/// assert_eq!(narrowed.capability.to_json(), r#"{"chat:lobby":["subscribe"]}"#);
/// assert_eq!(narrowed.ttl, Duration::from_secs(60));
/// // ...never more, and never another identity.
/// let hints = Hints::from_pairs([("clientId", "bob")])?;
/// assert_eq!(grant.narrow(&hints).unwrap_err().status(), 403);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The clientId, or `None` for an anonymous user.
    pub client_id: Option<ClientId>,
    /// What the user may do.
    pub capability: Capability,
    /// How long credentials live.
    pub ttl: Duration,
}

impl Grant {
    /// A grant.
    pub fn new(client_id: Option<ClientId>, capability: Capability, ttl: Duration) -> Grant {
        Grant {
            client_id,
            capability,
            ttl,
        }
    }

    /// Applies client hints, which may only narrow: the capability is intersected with the
    /// grant (nothing left: 40160, HTTP 403), the ttl is the shorter of the two, and a clientId
    /// hint must be the grant's own (otherwise 40102, HTTP 403). A wildcard grant may be
    /// narrowed to one clientId.
    pub fn narrow(mut self, hints: &Hints) -> Result<Grant> {
        if let Some(hint) = &hints.client_id {
            match &self.client_id {
                Some(id) if id.as_str() == hint => {}
                Some(id) if id.is_wildcard() => self.client_id = Some(ClientId::new(hint)?),
                Some(id) => {
                    return Err(Error::ClientIdMismatch {
                        status: 403,
                        message: format!(
                            "the requested clientId {hint:?} is not the signed-in user's ({id:?})"
                        ),
                    });
                }
                None => {
                    return Err(Error::ClientIdMismatch {
                        status: 403,
                        message: format!(
                            "the requested clientId {hint:?} can't be granted to an anonymous user"
                        ),
                    });
                }
            }
        }
        if let Some(requested) = &hints.capability {
            let narrowed = requested.intersect(&self.capability);
            if narrowed.is_empty() {
                return Err(Error::CapabilityDenied {
                    status: 403,
                    message: format!(
                        "the requested capability {requested} is not permitted; this user may have {}",
                        self.capability
                    ),
                });
            }
            self.capability = narrowed;
        }
        if let Some(ttl) = hints.ttl {
            self.ttl = self.ttl.min(ttl);
        }
        Ok(self)
    }
}

/// Maps an app's user type to what Ably should let it do. Usually derived with
/// `#[derive(AblyIdentity)]`; implement it by hand for anything the derive does not cover.
///
/// ```
/// use ably_auth::{AblyIdentity, Capability, ClientId, Grant, Operation::*};
/// use std::time::Duration;
///
/// struct Device { serial: String }
///
/// impl AblyIdentity for Device {
///     fn ably_grant(&self) -> ably_auth::Result<Grant> {
///         let channel = ably_auth::channel_name(["devices:", &self.serial])?;
///         Ok(Grant::new(
///             Some(ClientId::new(&self.serial)?),
///             Capability::new().grant(channel, [Publish])?,
///             Duration::from_secs(600),
///         ))
///     }
/// }
///
/// let grant = Device { serial: "x1".into() }.ably_grant()?;
/// assert_eq!(grant.capability.to_json(), r#"{"devices:x1":["publish"]}"#);
/// assert!(Device { serial: "x1:*".into() }.ably_grant().is_err());
/// # Ok::<(), ably_auth::Error>(())
/// ```
pub trait AblyIdentity {
    /// The clientId, capability and ttl for this user.
    fn ably_grant(&self) -> Result<Grant>;
}

impl<T: AblyIdentity + ?Sized> AblyIdentity for &T {
    fn ably_grant(&self) -> Result<Grant> {
        (**self).ably_grant()
    }
}

impl<T: AblyIdentity + ?Sized> AblyIdentity for Box<T> {
    fn ably_grant(&self) -> Result<Grant> {
        (**self).ably_grant()
    }
}

impl<T: AblyIdentity + ?Sized> AblyIdentity for std::sync::Arc<T> {
    fn ably_grant(&self) -> Result<Grant> {
        (**self).ably_grant()
    }
}

/// One piece of a channel-name template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplatePart {
    /// Literal text.
    Literal(&'static str),
    /// The user's clientId (`{client_id}`).
    ClientId,
    /// A named field of the identity (`{team}`); only in identity-level grants.
    Field(&'static str),
}

/// A grant rule of a role: a resource template and its operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrantRule {
    /// The resource, as template parts.
    pub resource: &'static [TemplatePart],
    /// The operations granted on it.
    pub operations: Operations,
}

/// What a role may do. Usually derived with `#[derive(AblyRole)]` on an enum.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an Ably role",
    label = "expected a role: a type that implements `AblyRole`",
    note = "add `#[derive(AblyRole)]` to the enum `{Self}`, or implement `ably_auth::AblyRole` for it by hand"
)]
pub trait AblyRole {
    /// The grant rules of this role. Templates may use `{client_id}` only.
    fn ably_rules(&self) -> &'static [GrantRule];
    /// The role's ttl, if it sets one (it overrides the identity's).
    fn ably_ttl(&self) -> Option<Duration> {
        None
    }
}

/// Checks one value interpolated into a channel name: `*`, `:` and a leading `[` would let
/// a user name reach other channels (`eve:*`), so they are refused, not escaped; so are
/// control characters and line separators (as in [`ClientId`]), which a channel name shown
/// in a log or dashboard would hide. `name` is the template's placeholder (`client_id`, a
/// field name), used in the error message. Refusals are 40300 (HTTP 403).
///
/// ```
/// use ably_auth::check_interpolated;
///
/// assert!(check_interpolated("team", "blue").is_ok());
/// assert_eq!(check_interpolated("team", "blue:*").unwrap_err().code(), 40300);
/// assert_eq!(check_interpolated("team", "blue\nred").unwrap_err().code(), 40300);
/// ```
pub fn check_interpolated(name: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::Forbidden(format!(
            "`{{{name}}}` is empty and can't be used in a channel name"
        )));
    }
    if value.contains(['*', ':']) || value.starts_with('[') {
        return Err(Error::Forbidden(format!(
            "`{{{name}}}` = {value:?} contains `*`, `:` or a leading `[` and can't be used in a channel name"
        )));
    }
    if let Some((position, c)) = unprintable(value) {
        return Err(Error::Forbidden(format!(
            "`{{{name}}}` contains {} at character {position} (counting from 0) and can't be used in a channel name",
            describe(c)
        )));
    }
    Ok(())
}

/// Concatenates channel-name pieces, checking every piece after the first with
/// [`check_interpolated`]: the first is your literal prefix, the rest are values.
pub fn channel_name<'a>(parts: impl IntoIterator<Item = &'a str>) -> Result<String> {
    let mut out = String::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            check_interpolated("value", part)?;
        }
        out.push_str(part);
    }
    Ok(out)
}

/// The ttl an identity gets when neither it nor its role sets one.
pub const DEFAULT_GRANT_TTL: Duration = DEFAULT_TTL;

/// Untrusted token parameters a client sends to the auth endpoint (ably-js sends `clientId`,
/// ably-python `client_id` and a Python-repr capability). They can only narrow a [`Grant`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// Requested ttl.
    pub ttl: Option<Duration>,
    /// Requested capability.
    pub capability: Option<Capability>,
    /// Requested clientId.
    pub client_id: Option<String>,
}

impl Hints {
    /// Reads hints from query or form pairs, leniently: `clientId` or `client_id`; capability
    /// as JSON or as the Python repr ably-python sends; ttl in ms. Other names are ignored.
    /// Malformed values give 40003 (ttl) or 40000 (capability), HTTP 400.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Hints> {
        let mut hints = Hints::default();
        for (name, value) in pairs {
            let value = value.as_ref();
            match name.as_ref() {
                "ttl" => hints.ttl = parse_ttl_hint(value)?,
                "capability" => hints.capability = parse_capability_hint(value)?,
                "clientId" | "client_id" if !value.is_empty() => {
                    hints.client_id = Some(value.to_owned());
                }
                _ => {}
            }
        }
        Ok(hints)
    }
}

impl Hints {
    /// Reads hints from an `application/x-www-form-urlencoded` body or a query string.
    /// Percent-decoded bytes must be UTF-8 (40000 otherwise); see [`Hints::from_pairs`].
    pub fn from_urlencoded(input: &[u8]) -> Result<Hints> {
        let mut pairs = Vec::new();
        for piece in input.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let mut halves = piece.splitn(2, |b| *b == b'=');
            let name = percent_decode(halves.next().unwrap_or_default())?;
            let value = percent_decode(halves.next().unwrap_or_default())?;
            pairs.push((name, value));
        }
        Hints::from_pairs(pairs)
    }
}

fn percent_decode(input: &[u8]) -> Result<String> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| Error::bad_request("a parameter is not valid UTF-8 after percent-decoding"))
}

fn parse_ttl_hint(value: &str) -> Result<Option<Duration>> {
    let value = value.trim();
    if value.is_empty() || value == "null" || value == "None" {
        return Ok(None);
    }
    match value.parse::<u64>() {
        Ok(0) => Err(Error::InvalidTtl(
            "ttl must be a positive number of milliseconds".into(),
        )),
        Ok(ms) => Ok(Some(Duration::from_millis(ms))),
        Err(_) => Err(Error::InvalidTtl(format!(
            "ttl {value:?} is not a positive integer number of milliseconds"
        ))),
    }
}

fn parse_capability_hint(value: &str) -> Result<Option<Capability>> {
    let value = value.trim();
    if value.is_empty() || value == "null" || value == "None" {
        return Ok(None);
    }
    match Capability::parse(value) {
        Ok(cap) => Ok(Some(cap)),
        // ably-python sends `{'x': ['publish']}`; its own parser retries with `"` for `'`.
        Err(err) if value.starts_with("{'") => Capability::parse(&value.replace('\'', "\""))
            .map(Some)
            .map_err(|_| err),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
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
}
