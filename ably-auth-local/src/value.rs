//! A value of either wire format: what a msgpack or JSON body holds, binary data included.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// A JSON or msgpack value. Maps keep their order; binary (msgpack `bin`) stays binary.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Bin(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The value of `key` in a map; `None` when absent, nil, or not a map.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .filter(|v| !matches!(v, Value::Nil)),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A non-negative whole number, if this is one.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::UInt(n) => Some(n),
            Value::Int(n) => u64::try_from(n).ok(),
            Value::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 => Some(f as u64),
            _ => None,
        }
    }

    /// Sets `key` in a map (replacing an earlier value); does nothing to other values.
    pub(crate) fn set(&mut self, key: &str, value: Value) {
        if let Value::Map(entries) = self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key.to_owned(), value)),
            }
        }
    }

    /// Removes `key` from a map.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Value> {
        match self {
            Value::Map(entries) => {
                let at = entries.iter().position(|(k, _)| k == key)?;
                Some(entries.remove(at).1)
            }
            _ => None,
        }
    }

    /// A map's entries without its nil values (absent and nil mean the same on the wire).
    pub(crate) fn without_nils(self) -> Value {
        match self {
            Value::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .filter(|(_, v)| !matches!(v, Value::Nil))
                    .collect(),
            ),
            other => other,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::UInt(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Nil => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(n) => s.serialize_i64(*n),
            Value::UInt(n) => s.serialize_u64(*n),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(text) => s.serialize_str(text),
            Value::Bin(bytes) => s.serialize_bytes(bytes),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// How deep arrays and maps may nest in a request body.
const MAX_DEPTH: usize = 64;

struct ValueVisitor {
    depth: usize,
}

impl ValueVisitor {
    fn deeper<E: de::Error>(&self) -> Result<ValueVisitor, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!(
                "nested more than {MAX_DEPTH} levels deep"
            )));
        }
        Ok(ValueVisitor {
            depth: self.depth + 1,
        })
    }
}

/// A value one level deeper than its container.
struct Nested(ValueVisitor);

impl<'de> de::DeserializeSeed<'de> for Nested {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self.0)
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON or msgpack value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(if n >= 0 {
            Value::UInt(n as u64)
        } else {
            Value::Int(n)
        })
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::UInt(n))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }
    fn visit_bytes<E>(self, b: &[u8]) -> Result<Value, E> {
        Ok(Value::Bin(b.to_vec()))
    }
    fn visit_byte_buf<E>(self, b: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bin(b))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Nested(self.deeper()?))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key_seed(Nested(self.deeper()?))? {
            let key = match key {
                Value::Str(s) => s,
                Value::Bin(b) => String::from_utf8(b)
                    .map_err(|_| de::Error::custom("a map key is not UTF-8 text"))?,
                _ => return Err(de::Error::custom("a map key is not a string")),
            };
            let value = map.next_value_seed(Nested(self.deeper()?))?;
            entries.retain(|(k, _)| *k != key);
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor { depth: 0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msgpack_nil_and_bin_survive() {
        // {"a": nil, "b": bin8 [1, 2], "c": -1} written by hand.
        let bytes = [
            0x83, 0xa1, b'a', 0xc0, 0xa1, b'b', 0xc4, 0x02, 1, 2, 0xa1, b'c', 0xff,
        ];
        let v: Value = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(v.get("a"), None);
        assert_eq!(v.get("b"), Some(&Value::Bin(vec![1, 2])));
        assert_eq!(v.get("c"), Some(&Value::Int(-1)));
        assert_eq!(rmp_serde::to_vec(&v).unwrap(), bytes);
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(serde_json::from_str::<Value>(&deep).is_err());
        let ok = "[".repeat(60) + &"]".repeat(60);
        assert!(serde_json::from_str::<Value>(&ok).is_ok());
    }
}
