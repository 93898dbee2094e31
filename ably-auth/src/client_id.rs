//! Ably clientIds.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// A validated Ably clientId: a non-empty string of printable characters that is not `*`.
///
/// Control characters (U+0000–U+001F, U+007F–U+009F) and the Unicode line and paragraph
/// separators (U+2028, U+2029) are refused with 40012. A line feed would let one signed
/// TokenRequest be read as another user's (the MAC covers its fields joined by line feeds);
/// the other controls and the two separators break lines or vanish in logs, dashboards and
/// JavaScript sources, where a clientId is shown to people, and no real identity needs them.
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
/// assert_eq!(ClientId::new("alice\n1700000000000").unwrap_err().code(), 40012);
/// assert!(ClientId::wildcard().is_wildcard());
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(Arc<str>);

impl ClientId {
    /// Validates an identity clientId: non-empty, printable (see the type's docs), not `*`.
    pub fn new(id: impl AsRef<str>) -> Result<ClientId> {
        let id = id.as_ref();
        if id.is_empty() {
            return Err(Error::InvalidClientId(
                "clientId can't be an empty string; use `None` for an anonymous client".into(),
            ));
        }
        if let Some((position, c)) = unprintable(id) {
            return Err(Error::InvalidClientId(format!(
                "clientId contains {} at character {position} (counting from 0); \
                 control characters and line separators can't be part of a clientId",
                describe(c)
            )));
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

/// The first character of `s` that no clientId or interpolated channel-name value may hold,
/// with its position in characters: a control character (Unicode category Cc:
/// U+0000–U+001F, U+007F–U+009F) or a line or paragraph separator (U+2028, U+2029).
pub(crate) fn unprintable(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
}

/// `U+000A (line feed)`: a character named for an error message, never printed raw.
pub(crate) fn describe(c: char) -> String {
    let name = match c {
        '\n' => " (line feed)",
        '\r' => " (carriage return)",
        '\t' => " (tab)",
        '\0' => " (NUL)",
        '\u{2028}' => " (line separator)",
        '\u{2029}' => " (paragraph separator)",
        _ => " (a control character)",
    };
    format!("U+{:04X}{name}", c as u32)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every C0 control, DEL, every C1 control and the two Unicode separators are refused,
    /// wherever they stand, with 40012 and the character's position; their printable
    /// neighbours are not.
    #[test]
    fn refuses_control_characters_and_separators() {
        let refused = (0u32..0x20)
            .chain(0x7f..0xa0)
            .chain([0x2028, 0x2029])
            .map(|c| char::from_u32(c).unwrap());
        for c in refused {
            for (id, position) in [
                (format!("{c}alice"), 0),
                (format!("ali{c}ce"), 3),
                (format!("jürgen{c}"), 6),
            ] {
                let err = ClientId::new(&id).unwrap_err();
                assert_eq!((err.code(), err.status()), (40012, 400), "{id:?}");
                let message = err.to_string();
                assert!(
                    message.contains(&format!("U+{:04X}", c as u32))
                        && message.contains(&format!("character {position}")),
                    "{message}"
                );
                assert!(!message.contains(c), "the message shows {c:?} raw");
                assert_eq!(ClientId::from_token(&id).unwrap_err().code(), 40012);
                let json = serde_json::to_string(&id).unwrap();
                assert!(serde_json::from_str::<ClientId>(&json).is_err(), "{id:?}");
            }
        }
        for (c, name) in [
            ('\n', "U+000A (line feed)"),
            ('\r', "U+000D (carriage return)"),
            ('\t', "U+0009 (tab)"),
            ('\0', "U+0000 (NUL)"),
            ('\u{2028}', "U+2028 (line separator)"),
            ('\u{2029}', "U+2029 (paragraph separator)"),
            ('\u{1b}', "U+001B (a control character)"),
        ] {
            assert_eq!(describe(c), name);
        }
        for fine in [
            "alice",
            "jürgen x",
            "user@example.com",
            "a\u{a0}b",
            "😀",
            "[x]",
        ] {
            assert_eq!(ClientId::new(fine).unwrap().as_str(), fine);
        }
    }

    /// The text of a clientId comes back unchanged from every view of it.
    #[test]
    fn views_and_comparisons() {
        let id = ClientId::new("jürgen").unwrap();
        assert_eq!(format!("{id}"), "jürgen");
        assert_eq!(format!("{id:?}"), "\"jürgen\"");
        assert_eq!(AsRef::<str>::as_ref(&id), "jürgen");
        assert!(id == *"jürgen" && id != *"jurgen");
        assert!(id == "jürgen" && id != "jurgen");
        assert_eq!("jürgen".parse::<ClientId>().unwrap(), id);
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"jürgen\"");
    }
}
