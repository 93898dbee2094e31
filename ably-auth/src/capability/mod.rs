//! Capabilities: which operations a token may perform on which resources.
//!
//! A [`Capability`] maps [`Resource`] patterns (`chat:*`, `[queue]orders`, `[*]*`) to sets of
//! [`Operation`]s. It parses and validates like the Ably service, serializes to the same
//! canonical JSON as ably-js, and intersects with Ably's wildcard rules.

use crate::error::{Error, Result};
use serde::Deserializer;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Most resources a parsed capability may name.
pub const MAX_RESOURCES: usize = 1000;

mod operation;
mod parse;
mod permits;
mod resource;

pub use operation::{Operation, Operations};
use parse::CapabilityVisitor;
pub use resource::Resource;

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

#[cfg(test)]
mod tests;
