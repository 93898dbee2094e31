//! Capabilities: which operations a token may perform on which resources.
//!
//! A [`Capability`] maps [`Resource`] patterns (`chat:*`, `[queue]orders`, `[*]*`) to sets of
//! [`Operation`]s. It parses and validates like the Ably service, serializes to the same
//! canonical JSON as ably-js, and intersects with Ably's wildcard rules.

use crate::error::{Error, Result};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Most resources a parsed capability may name.
pub const MAX_RESOURCES: usize = 1000;

macro_rules! operations {
    ($($variant:ident = $name:literal,)*) => {
        /// One Ably capability operation (<https://ably.com/docs/auth/capabilities>). `*` (every
        /// operation) is [`Operations::ALL`], not an `Operation`.
        ///
        /// Variants are declared in the lexicographic order of their names, so a set iterates
        /// in canonical order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Operation {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl Operation {
            /// Every operation, in canonical order.
            pub const LIST: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The operation's wire name, for example `"push-admin"`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Operation::$variant => $name,)* }
            }

            /// Each wire name in quotes (`"publish"`), by bit index; `*` last.
            const QUOTED: &'static [&'static str] =
                &[$(concat!("\"", $name, "\""),)* "\"*\""];

            /// Each wire name in escaped quotes, as inside a JSON string (`\"publish\"`), by
            /// bit index; `*` last.
            const QUOTED_ESCAPED: &'static [&'static str] =
                &[$(concat!("\\\"", $name, "\\\""),)* "\\\"*\\\""];

            /// Parses a wire name; `None` for an unknown name (and for `*`).
            pub fn from_name(name: &str) -> Option<Operation> {
                match name { $($name => Some(Operation::$variant),)* _ => None }
            }
        }
    };
}

operations! {
    AnnotationPublish = "annotation-publish",
    AnnotationSubscribe = "annotation-subscribe",
    ChannelMetadata = "channel-metadata",
    History = "history",
    MessageDeleteAny = "message-delete-any",
    MessageDeleteOwn = "message-delete-own",
    MessageUpdateAny = "message-update-any",
    MessageUpdateOwn = "message-update-own",
    ObjectPublish = "object-publish",
    ObjectSubscribe = "object-subscribe",
    Presence = "presence",
    PrivilegedHeaders = "privileged-headers",
    Publish = "publish",
    PushAdmin = "push-admin",
    PushSubscribe = "push-subscribe",
    Stats = "stats",
    Subscribe = "subscribe",
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Operation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Operation> {
        Operation::from_name(s).ok_or_else(|| unknown_operation(s))
    }
}

fn unknown_operation(name: &str) -> Error {
    let names: Vec<&str> = Operation::LIST.iter().map(|op| op.as_str()).collect();
    Error::InvalidCapability(format!(
        "unknown operation {name:?}; expected `*` or one of {}",
        names.join(", ")
    ))
}

/// A set of operations, or `*` (every operation, including ones added to Ably later).
///
/// ```
/// use ably_auth::{Operation, Operations};
/// let ops: Operations = [Operation::Subscribe, Operation::Publish].into_iter().collect();
/// assert!(ops.contains(Operation::Publish));
/// assert_eq!(ops.intersect(Operations::ALL), ops);
/// assert_eq!(ops.to_string(), r#"["publish","subscribe"]"#);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Operations(u32);

const WILDCARD_BIT: u32 = 1 << 31;

impl Operations {
    /// No operation.
    pub const NONE: Operations = Operations(0);
    /// `*`: every operation.
    pub const ALL: Operations = Operations(WILDCARD_BIT);

    /// A set holding one operation.
    pub const fn only(op: Operation) -> Operations {
        Operations(1 << op as u32)
    }

    /// Whether this is `*`.
    pub const fn is_all(self) -> bool {
        self.0 & WILDCARD_BIT != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `op` is permitted (always true for `*`).
    pub const fn contains(self, op: Operation) -> bool {
        self.is_all() || self.0 & (1 << op as u32) != 0
    }

    /// Adds an operation. Adding to `*` keeps `*`.
    pub fn insert(&mut self, op: Operation) {
        if !self.is_all() {
            self.0 |= 1 << op as u32;
        }
    }

    /// The operations both sets permit.
    pub const fn intersect(self, other: Operations) -> Operations {
        match (self.is_all(), other.is_all()) {
            (true, _) => other,
            (_, true) => self,
            _ => Operations(self.0 & other.0),
        }
    }

    /// The operations either set permits.
    pub const fn union(self, other: Operations) -> Operations {
        if self.is_all() || other.is_all() {
            Operations::ALL
        } else {
            Operations(self.0 | other.0)
        }
    }

    /// Whether every operation of `self` is permitted by `other`.
    pub const fn is_subset_of(self, other: Operations) -> bool {
        other.is_all() || (!self.is_all() && self.0 & !other.0 == 0)
    }

    /// The explicit operations in canonical order (none for `*`).
    pub fn iter(self) -> impl Iterator<Item = Operation> {
        // Bit i is `Operation::LIST[i]`; visit the set bits, lowest first.
        let mut bits = if self.is_all() { 0 } else { self.0 };
        std::iter::from_fn(move || {
            let op = *Operation::LIST.get(bits.trailing_zeros() as usize)?;
            bits &= bits - 1;
            Some(op)
        })
    }

    /// Appends the JSON array of names to each buffer, the names taken from the table beside
    /// it (`Operation::QUOTED` or `Operation::QUOTED_ESCAPED`), in one walk over the set.
    fn write_json_to<const N: usize>(self, mut outs: [(&mut String, &[&str]); N]) {
        for (out, _) in &mut outs {
            out.push('[');
        }
        if self.is_all() {
            for (out, quoted) in &mut outs {
                out.push_str(quoted[Operation::LIST.len()]);
            }
        } else {
            for (i, op) in self.iter().enumerate() {
                for (out, quoted) in &mut outs {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(quoted[op as usize]);
                }
            }
        }
        for (out, _) in &mut outs {
            out.push(']');
        }
    }

    fn write_json(self, out: &mut String) {
        self.write_json_to([(out, Operation::QUOTED)]);
    }

    /// Parses a list of wire names with the service's rules: not empty, known names only,
    /// `*` alone.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Operations> {
        let mut set = Operations::NONE;
        let mut wildcard = false;
        let mut count = 0usize;
        for name in names {
            count += 1;
            if name == "*" {
                wildcard = true;
            } else {
                set.insert(Operation::from_name(name).ok_or_else(|| unknown_operation(name))?);
            }
        }
        match (count, wildcard) {
            (0, _) => Err(Error::InvalidCapability(
                "an operation list is empty; grant at least one operation or leave the resource out"
                    .into(),
            )),
            (_, true) if !set.is_empty() => Err(Error::InvalidCapability(
                "`*` is mixed with other operations; use `[\"*\"]` alone or list the operations"
                    .into(),
            )),
            (_, true) => Ok(Operations::ALL),
            _ => Ok(set),
        }
    }
}

impl FromIterator<Operation> for Operations {
    fn from_iter<I: IntoIterator<Item = Operation>>(iter: I) -> Operations {
        let mut set = Operations::NONE;
        for op in iter {
            set.insert(op);
        }
        set
    }
}

impl From<Operation> for Operations {
    fn from(op: Operation) -> Operations {
        Operations::only(op)
    }
}

impl<const N: usize> From<[Operation; N]> for Operations {
    fn from(ops: [Operation; N]) -> Operations {
        ops.into_iter().collect()
    }
}

impl fmt::Display for Operations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write_json(&mut out);
        f.write_str(&out)
    }
}

impl fmt::Debug for Operations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What kind of resource a pattern names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Channel,
    Queue,
    Meta,
    Any,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Channel => "",
            Kind::Queue => "[queue]",
            Kind::Meta => "[meta]",
            Kind::Any => "[*]",
        }
    }

    fn intersect(self, other: Kind) -> Option<Kind> {
        match (self, other) {
            (Kind::Any, k) | (k, Kind::Any) => Some(k),
            (a, b) if a == b => Some(a),
            _ => None,
        }
    }

    fn covers(self, other: Kind) -> bool {
        self == Kind::Any || self == other
    }
}

/// A capability resource: a channel name or pattern, optionally qualified with `[queue]`,
/// `[meta]` or `[*]`.
///
/// Wildcards replace whole `:`-separated segments: `chat:*` matches `chat:a` and `chat:a:b`,
/// `*` matches every channel (not queues or metachannels), `[*]*` matches everything, and `foo*`
/// is a literal name.
///
/// Resources order like ably-js orders object keys: integer-like names first by value, then
/// the rest by UTF-16 code units.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Resource(Box<str>);

impl Resource {
    /// Validates a resource name.
    pub fn new(name: impl AsRef<str>) -> Result<Resource> {
        let name = name.as_ref();
        split_kind(name)?;
        Ok(Resource(name.into()))
    }

    /// The resource as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parts(&self) -> (Kind, &str) {
        split_kind(&self.0).expect("validated on construction")
    }

    /// Whether every resource this pattern matches is also matched by `other`.
    pub fn is_covered_by(&self, other: &Resource) -> bool {
        let ((ka, pa), (kb, pb)) = (self.parts(), other.parts());
        kb.covers(ka) && pattern_covers(pb, pa)
    }

    /// Whether some resource matches both patterns: [`Resource::intersect`] is `Some`, found
    /// without building the pattern.
    pub fn overlaps(&self, other: &Resource) -> bool {
        let ((ka, pa), (kb, pb)) = (self.parts(), other.parts());
        ka.intersect(kb).is_some() && pattern_meet(pa, pb, |_| {})
    }

    /// The pattern matching exactly the resources both patterns match, if any.
    pub fn intersect(&self, other: &Resource) -> Option<Resource> {
        let ((ka, pa), (kb, pb)) = (self.parts(), other.parts());
        let kind = ka.intersect(kb)?;
        let pattern = pattern_intersect(pa, pb)?;
        Some(Resource(format!("{}{pattern}", kind.prefix()).into()))
    }
}

fn split_kind(name: &str) -> Result<(Kind, &str)> {
    if name.is_empty() {
        return Err(Error::InvalidCapability(
            "a resource name is empty; name a channel, a pattern such as `chat:*`, or `*`".into(),
        ));
    }
    let (kind, pattern) = if let Some(rest) = name.strip_prefix('[') {
        let (qualifier, pattern) = rest.split_once(']').ok_or_else(|| {
            Error::InvalidCapability(format!(
                "resource {name:?} starts with `[` but has no closing `]`; channel names can't start with `[`"
            ))
        })?;
        let kind = match qualifier {
            "queue" => Kind::Queue,
            "meta" => Kind::Meta,
            "*" => Kind::Any,
            other => {
                return Err(Error::InvalidCapability(format!(
                    "resource {name:?} has unknown qualifier `[{other}]`; use `[queue]`, `[meta]` or `[*]`"
                )));
            }
        };
        (kind, pattern)
    } else {
        (Kind::Channel, name)
    };
    if pattern.is_empty() || pattern.starts_with('[') {
        return Err(Error::InvalidCapability(format!(
            "resource {name:?} needs a name or `*` after its qualifier"
        )));
    }
    Ok((kind, pattern))
}

/// The first `:`-separated segment of `pattern` and what follows that `:`, if anything does.
fn first_segment(pattern: &str) -> (&str, Option<&str>) {
    match pattern.split_once(':') {
        Some((segment, rest)) => (segment, Some(rest)),
        None => (pattern, None),
    }
}

/// `*` as the last segment matches one or more segments; elsewhere exactly one.
fn pattern_covers(mut wide: &str, mut narrow: &str) -> bool {
    loop {
        let ((x, wide_rest), (y, narrow_rest)) = (first_segment(wide), first_segment(narrow));
        if x == "*" && wide_rest.is_none() {
            return true;
        }
        if y == "*" && (narrow_rest.is_none() || x != "*") {
            return false;
        }
        if x != "*" && x != y {
            return false;
        }
        match (wide_rest, narrow_rest) {
            (None, None) => return true,
            (Some(w), Some(n)) => (wide, narrow) = (w, n),
            _ => return false,
        }
    }
}

/// Walks two patterns segment by segment and hands `segment` the pieces of the pattern
/// matching exactly what both match (a trailing `*` meets the rest of the other pattern
/// whole); whether there is one.
fn pattern_meet<'a>(mut a: &'a str, mut b: &'a str, mut segment: impl FnMut(&'a str)) -> bool {
    loop {
        let ((x, a_rest), (y, b_rest)) = (first_segment(a), first_segment(b));
        if x == "*" && a_rest.is_none() {
            segment(b);
            return true;
        }
        if y == "*" && b_rest.is_none() {
            segment(a);
            return true;
        }
        match (x, y) {
            ("*", other) | (other, "*") => segment(other),
            (x, y) if x == y => segment(x),
            _ => return false,
        }
        match (a_rest, b_rest) {
            (None, None) => return true,
            (Some(ra), Some(rb)) => (a, b) = (ra, rb),
            _ => return false,
        }
    }
}

fn pattern_intersect(a: &str, b: &str) -> Option<String> {
    let mut out = String::with_capacity(a.len().max(b.len()));
    let mut first = true;
    let met = pattern_meet(a, b, |segment| {
        if !std::mem::take(&mut first) {
            out.push(':');
        }
        out.push_str(segment);
    });
    met.then_some(out)
}

/// The numeric value of a name JavaScript treats as an array index.
fn array_index(s: &str) -> Option<u32> {
    let bytes = s.as_bytes();
    if bytes.is_empty() || bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes[0] == b'0' && bytes.len() > 1 {
        return None;
    }
    s.parse::<u64>()
        .ok()
        .filter(|v| *v < u32::MAX as u64)
        .map(|v| v as u32)
}

fn cmp_utf16(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    let unit = |c: char| {
        let c = c as u32;
        let first = if c >= 0x10000 {
            0xD800 + ((c - 0x10000) >> 10)
        } else {
            c
        };
        (first, c)
    };
    a.chars().map(unit).cmp(b.chars().map(unit))
}

impl Ord for Resource {
    fn cmp(&self, other: &Resource) -> Ordering {
        match (array_index(&self.0), array_index(&other.0)) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => cmp_utf16(&self.0, &other.0),
        }
    }
}

impl PartialOrd for Resource {
    fn partial_cmp(&self, other: &Resource) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Resource {
    type Err = Error;
    fn from_str(s: &str) -> Result<Resource> {
        Resource::new(s)
    }
}

/// A capability: resources mapped to the operations permitted on them.
///
/// ```
/// use ably_auth::{Capability, Operation::*};
///
/// let cap = Capability::new()
///     .grant("chat:*", [Subscribe, History])?
///     .grant("user:alice", [Publish, Subscribe, Presence])?;
/// assert_eq!(
///     cap.to_json(),
///     r#"{"chat:*":["history","subscribe"],"user:alice":["presence","publish","subscribe"]}"#
/// );
///
/// // Parsing validates like the Ably service (40000 for an unknown operation).
/// let err = Capability::parse(r#"{"chat":["publish_"]}"#).unwrap_err();
/// assert_eq!(err.code(), 40000);
///
/// // Intersection follows Ably's wildcard rules and never widens.
/// let key = Capability::parse(r#"{"chat:*":["publish","subscribe"]}"#)?;
/// let requested = Capability::parse(r#"{"chat:lobby":["*"],"admin":["*"]}"#)?;
/// assert_eq!(requested.intersect(&key).to_json(), r#"{"chat:lobby":["publish","subscribe"]}"#);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Capability {
    map: BTreeMap<Resource, Operations>,
}

impl Capability {
    /// An empty capability (no resource). Add to it with [`Capability::grant`].
    pub fn new() -> Capability {
        Capability::default()
    }

    /// `{"*":["*"]}`: every operation on every channel.
    pub fn all_channels() -> Capability {
        let mut cap = Capability::new();
        cap.insert(Resource("*".into()), Operations::ALL);
        cap
    }

    /// `{"[*]*":["*"]}`: everything the key can do (what an omitted capability means).
    pub fn everything() -> Capability {
        let mut cap = Capability::new();
        cap.insert(Resource("[*]*".into()), Operations::ALL);
        cap
    }

    /// Adds operations on a resource (a union with what it already has).
    pub fn grant(
        mut self,
        resource: impl AsRef<str>,
        operations: impl Into<Operations>,
    ) -> Result<Capability> {
        let operations = operations.into();
        if operations.is_empty() {
            return Err(Error::InvalidCapability(format!(
                "no operation granted on {:?}; grant at least one",
                resource.as_ref()
            )));
        }
        self.insert(Resource::new(resource)?, operations);
        Ok(self)
    }

    /// Adds `*` (every operation) on a resource.
    pub fn grant_all(self, resource: impl AsRef<str>) -> Result<Capability> {
        self.grant(resource, Operations::ALL)
    }

    /// Adds operations on an already validated resource. Empty sets are ignored.
    pub fn insert(&mut self, resource: Resource, operations: Operations) {
        if operations.is_empty() {
            return;
        }
        let entry = self.map.entry(resource).or_default();
        *entry = entry.union(operations);
    }

    /// Removes a resource, returning its operations.
    pub fn remove(&mut self, resource: &str) -> Option<Operations> {
        self.map.remove(&Resource(resource.into()))
    }

    /// The operations granted on exactly this resource entry.
    pub fn get(&self, resource: &str) -> Option<Operations> {
        self.map.get(&Resource(resource.into())).copied()
    }

    /// Whether no resource is granted.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The entries in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (&Resource, Operations)> {
        self.map.iter().map(|(r, o)| (r, *o))
    }

    /// Parses capability JSON with the Ably service's validation: an object of at most
    /// [`MAX_RESOURCES`] resources, each an array of known operations, not empty, `*` alone.
    /// Errors are 40000.
    pub fn parse(json: &str) -> Result<Capability> {
        let mut de = serde_json::Deserializer::from_str(json);
        let cap = Capability::deserialize_object(&mut de)?;
        de.end()
            .map_err(|e| Error::InvalidCapability(format!("trailing characters: {e}")))?;
        Ok(cap)
    }

    fn deserialize_object<'de, D: Deserializer<'de>>(d: D) -> Result<Capability> {
        let mut problem = None;
        let parsed = d.deserialize_map(CapabilityVisitor {
            problem: &mut problem,
        });
        match (parsed, problem) {
            (_, Some(err)) => Err(err),
            (Ok(cap), None) => {
                if cap.is_empty() {
                    Err(Error::InvalidCapability(
                        "the capability names no resource; grant at least one, or omit the capability"
                            .into(),
                    ))
                } else {
                    Ok(cap)
                }
            }
            (Err(e), None) => Err(Error::InvalidCapability(format!(
                "expected a JSON object such as {{\"channel\":[\"subscribe\"]}}: {e}"
            ))),
        }
    }

    /// The canonical JSON text: compact, resources and operations sorted like ably-js sorts
    /// them, operations de-duplicated, non-ASCII as raw UTF-8.
    pub fn to_json(&self) -> String {
        // Each entry: the quoted name, `:`, `,`, `[]` and at most 24 bytes per operation.
        let capacity = 2 + self
            .map
            .iter()
            .map(|(r, ops)| r.0.len() + 8 + 24 * ops.0.count_ones() as usize)
            .sum::<usize>();
        let mut out = String::with_capacity(capacity);
        self.write_json(&mut out);
        out
    }

    /// Appends the canonical JSON text to `out`.
    pub fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (resource, ops)) in self.map.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::json::push_json_string(out, &resource.0);
            out.push(':');
            ops.write_json(out);
        }
        out.push('}');
    }

    /// Appends the canonical JSON text to `raw` and, in the same walk, the same text escaped
    /// for a JSON string to `escaped`: the bytes escaping [`Capability::to_json`] gives.
    pub(crate) fn write_json_and_escaped(&self, raw: &mut String, escaped: &mut String) {
        use crate::json::{is_plain, push_escaped, push_json_string};
        raw.push('{');
        escaped.push('{');
        for (i, (resource, ops)) in self.map.iter().enumerate() {
            if i > 0 {
                raw.push(',');
                escaped.push(',');
            }
            if is_plain(&resource.0) {
                raw.push('"');
                raw.push_str(&resource.0);
                raw.push_str("\":");
                escaped.push_str("\\\"");
                escaped.push_str(&resource.0);
                escaped.push_str("\\\":");
            } else {
                // Escaped twice: once as capability JSON, once more inside the string.
                let start = raw.len();
                push_json_string(raw, &resource.0);
                push_escaped(escaped, &raw[start..]);
                raw.push(':');
                escaped.push(':');
            }
            ops.write_json_to([
                (raw, Operation::QUOTED),
                (escaped, Operation::QUOTED_ESCAPED),
            ]);
        }
        raw.push('}');
        escaped.push('}');
    }

    /// Whether the two capabilities permit anything in common: [`Capability::intersect`] is not
    /// empty, found without building the intersection.
    ///
    /// ```
    /// use ably_auth::Capability;
    ///
    /// let key = Capability::parse(r#"{"chat:*":["publish","subscribe"]}"#)?;
    /// assert!(Capability::parse(r#"{"*":["subscribe"]}"#)?.overlaps(&key));
    /// assert!(!Capability::parse(r#"{"chat:*":["presence"]}"#)?.overlaps(&key));
    /// assert!(!Capability::parse(r#"{"news":["subscribe"]}"#)?.overlaps(&key));
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn overlaps(&self, other: &Capability) -> bool {
        self.map.iter().any(|(ra, oa)| {
            other
                .map
                .iter()
                .any(|(rb, ob)| !oa.intersect(*ob).is_empty() && ra.overlaps(rb))
        })
    }

    /// What both capabilities permit, with Ably's wildcard rules. Resources whose operations
    /// do not overlap are dropped; the result may be empty (the service answers 40160 then).
    pub fn intersect(&self, other: &Capability) -> Capability {
        let mut out = Capability::new();
        for (ra, oa) in &self.map {
            for (rb, ob) in &other.map {
                let ops = oa.intersect(*ob);
                if ops.is_empty() {
                    continue;
                }
                if let Some(resource) = ra.intersect(rb) {
                    out.insert(resource, ops);
                }
            }
        }
        out.prune();
        out
    }

    /// Drops entries that another entry already covers with at least the same operations, so
    /// `{"*":["*"],"user:alice":["publish"]}` becomes `{"*":["*"]}`. What the capability
    /// permits does not change. Very large capabilities (over 256 resources) are left as they
    /// are.
    ///
    /// ```
    /// use ably_auth::{Capability, Operation::*};
    /// let mut cap = Capability::all_channels().grant("user:alice", [Publish])?;
    /// cap.normalize();
    /// assert_eq!(cap.to_json(), r#"{"*":["*"]}"#);
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn normalize(&mut self) {
        self.prune();
    }

    /// Drops entries another entry already covers, when that is cheap to find out.
    fn prune(&mut self) {
        const PRUNE_LIMIT: usize = 256;
        if self.map.len() < 2 || self.map.len() > PRUNE_LIMIT {
            return;
        }
        let redundant: Vec<Resource> = self
            .map
            .iter()
            .filter(|(r, ops)| {
                self.map.iter().any(|(other, other_ops)| {
                    other != *r && r.is_covered_by(other) && ops.is_subset_of(*other_ops)
                })
            })
            .map(|(r, _)| r.clone())
            .collect();
        for r in redundant {
            self.map.remove(&r);
        }
    }

    /// Whether everything `self` permits is permitted by `other` (each resource and operation
    /// of `self` is covered by one entry of `other`).
    pub fn is_subset_of(&self, other: &Capability) -> bool {
        self.map.iter().all(|(resource, ops)| {
            let covering = other
                .map
                .iter()
                .filter(|(r, _)| resource.is_covered_by(r))
                .fold(Operations::NONE, |acc, (_, o)| acc.union(*o));
            ops.is_subset_of(covering)
        })
    }
}

struct CapabilityVisitor<'a> {
    problem: &'a mut Option<Error>,
}

impl<'de> Visitor<'de> for CapabilityVisitor<'_> {
    type Value = Capability;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object mapping resources to arrays of operations")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Capability, A::Error> {
        let mut cap = Capability::new();
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if cap.len() >= MAX_RESOURCES {
                *self.problem = Some(Error::InvalidCapability(format!(
                    "more than {MAX_RESOURCES} resources; use wildcards such as `chat:*`"
                )));
                return Err(serde::de::Error::custom("too many resources"));
            }
            let resource = match Resource::new(&*name) {
                Ok(r) => r,
                Err(e) => {
                    *self.problem = Some(e);
                    return Err(serde::de::Error::custom("invalid resource"));
                }
            };
            let names = map.next_value::<OperationNames>()?;
            match Operations::from_names(names.0.iter().map(|s| &**s)) {
                Ok(ops) => {
                    // A repeated key replaces the earlier one, as in JSON.parse.
                    cap.map.insert(resource, ops);
                }
                Err(e) => {
                    *self.problem = Some(Error::InvalidCapability(format!("{name:?}: {e}")));
                    return Err(serde::de::Error::custom("invalid operations"));
                }
            }
        }
        Ok(cap)
    }
}

/// An array of strings, refusing anything nested without recursing into it.
struct OperationNames<'de>(Vec<std::borrow::Cow<'de, str>>);

impl<'de> Deserialize<'de> for OperationNames<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OperationNames<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of operation names")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    if names.len() > Operation::LIST.len() * 4 {
                        return Err(serde::de::Error::custom("too many operations"));
                    }
                    names.push(name);
                }
                Ok(OperationNames(names))
            }
        }
        d.deserialize_seq(V)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl fmt::Debug for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Capability({})", self.to_json())
    }
}

impl FromStr for Capability {
    type Err = Error;
    fn from_str(s: &str) -> Result<Capability> {
        Capability::parse(s)
    }
}

/// Serializes as the canonical JSON object.
impl Serialize for Capability {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.map.len()))?;
        for (resource, ops) in &self.map {
            let names: Vec<&str> = if ops.is_all() {
                vec!["*"]
            } else {
                ops.iter().map(Operation::as_str).collect()
            };
            map.serialize_entry(resource.as_str(), &names)?;
        }
        map.end()
    }
}

/// Deserializes from a JSON object, or from a string holding one (the wire form).
impl<'de> Deserialize<'de> for Capability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Capability, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let parsed = match &value {
            serde_json::Value::String(s) => Capability::parse(s),
            other => Capability::deserialize_object(other),
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
