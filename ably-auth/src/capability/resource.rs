//! Resources: channel names and patterns, their order and their wildcard matching.

use crate::error::{Error, Result};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

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
pub struct Resource(pub(super) Box<str>);

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
