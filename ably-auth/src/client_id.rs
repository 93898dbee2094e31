//! Ably clientIds.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// A validated Ably clientId: a non-empty string that is not `*`.
///
/// `*` is the wildcard clientId a token may carry to let its holder act as any client. It is
/// never an identity, so [`ClientId::new`] refuses it; build it explicitly with
/// [`ClientId::wildcard`] where a token should carry it.
///
/// ```
/// use ably_auth::ClientId;
///
/// let alice = ClientId::new("alice")?;
/// assert_eq!(alice.as_str(), "alice");
/// assert_eq!(ClientId::new("").unwrap_err().code(), 40012);
/// assert_eq!(ClientId::new("*").unwrap_err().code(), 40012);
/// assert!(ClientId::wildcard().is_wildcard());
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(Arc<str>);

impl ClientId {
    /// Validates an identity clientId: non-empty, not `*`.
    pub fn new(id: impl AsRef<str>) -> Result<ClientId> {
        let id = id.as_ref();
        if id.is_empty() {
            return Err(Error::InvalidClientId(
                "clientId can't be an empty string; use `None` for an anonymous client".into(),
            ));
        }
        if id == "*" {
            return Err(Error::InvalidClientId(
                "`*` is the wildcard clientId, not an identity; use `ClientId::wildcard()` if a \
                 token really should act as any client"
                    .into(),
            ));
        }
        Ok(ClientId(id.into()))
    }

    /// The wildcard clientId `*`: a token carrying it may act as any clientId.
    pub fn wildcard() -> ClientId {
        ClientId("*".into())
    }

    /// Accepts any non-empty clientId, including the wildcard (as found in a token).
    pub fn from_token(id: impl AsRef<str>) -> Result<ClientId> {
        match id.as_ref() {
            "*" => Ok(ClientId::wildcard()),
            other => ClientId::new(other),
        }
    }

    /// Whether this is the wildcard `*`.
    pub fn is_wildcard(&self) -> bool {
        &*self.0 == "*"
    }

    /// The clientId as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ClientId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for ClientId {
    type Err = Error;
    fn from_str(s: &str) -> Result<ClientId> {
        ClientId::new(s)
    }
}

impl PartialEq<str> for ClientId {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for ClientId {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl Serialize for ClientId {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Deserializes a clientId as found in tokens: the wildcard is accepted.
impl<'de> Deserialize<'de> for ClientId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<ClientId, D::Error> {
        let s = String::deserialize(d)?;
        ClientId::from_token(&s).map_err(serde::de::Error::custom)
    }
}
