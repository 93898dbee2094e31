//! Capability from and to JSON, validated like the Ably service.

use super::{Capability, MAX_RESOURCES, Operation, Operations, Resource};
use crate::error::Error;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

pub(super) struct CapabilityVisitor<'a> {
    pub(super) problem: &'a mut Option<Error>,
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
