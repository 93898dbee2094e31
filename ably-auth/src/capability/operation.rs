//! Operations and sets of them.

use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;

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
            pub(super) const QUOTED: &'static [&'static str] =
                &[$(concat!("\"", $name, "\""),)* "\"*\""];

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
pub struct Operations(pub(super) u32);

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
    /// it (`Operation::QUOTED`), in one walk over the set.
    pub(super) fn write_json_to<const N: usize>(self, mut outs: [(&mut String, &[&str]); N]) {
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

    pub(super) fn write_json(self, out: &mut String) {
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
