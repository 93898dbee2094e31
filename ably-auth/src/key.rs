//! Ably API keys: `appId.keyId:secret`.
//!
//! Every method of [`Key`] is here. What uses a key to sign or verify is a type of its own
//! ([`crate::Signer`], [`crate::JwtBuilder`], [`crate::Verifier`]) that takes the key.

use crate::capability::Capability;
use crate::error::{Error, Result};
use crate::mac::PreKeyed;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The environment variable [`Key::from_env`] reads.
pub const API_KEY_ENV: &str = "ABLY_API_KEY";

/// An Ably API key, `appId.keyId:secret`.
///
/// The secret never appears in `Debug` or `Display` output and is zeroized when the last clone
/// of the key is dropped. Cloning is cheap (the key is shared).
///
/// ```
/// use ably_auth::Key;
///
/// let key: Key = "appId.keyId:keySecret".parse()?;
/// assert_eq!(key.name(), "appId.keyId");
/// assert_eq!(key.app_id(), "appId");
/// assert_eq!(format!("{key:?}"), r#"Key { name: "appId.keyId", secret: "<redacted>" }"#);
///
/// // Malformed keys are refused with a message saying what is wrong.
/// let err = "appId.keyId".parse::<Key>().unwrap_err();
/// assert_eq!(err.code(), 40101);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct Key {
    inner: Arc<KeyInner>,
}

struct KeyInner {
    name: Box<str>,
    secret: Zeroizing<String>,
    /// HMAC-SHA256 already keyed with the secret.
    mac: PreKeyed,
    capability: Option<Capability>,
    revocable_tokens: bool,
}

impl Key {
    /// Parses `appId.keyId:secret` with the rules of ably-js and ably-python: exactly one `:`,
    /// a non-empty name and secret, no whitespace or control character, and no `.` in the
    /// secret.
    pub fn parse(key: &str) -> Result<Key> {
        let (name, secret) = key.split_once(':').ok_or_else(|| {
            Error::InvalidKey(
                "expected `appId.keyId:secret`, found no `:`; copy the whole key from the Ably dashboard"
                    .into(),
            )
        })?;
        if name.is_empty() {
            return Err(Error::InvalidKey(
                "the key name before `:` is empty; expected `appId.keyId:secret`".into(),
            ));
        }
        if secret.is_empty() {
            return Err(Error::InvalidKey(format!(
                "the secret after `{name}:` is empty; expected `appId.keyId:secret`"
            )));
        }
        // No whitespace (as ably-js), nor control characters: a key name goes into the signed
        // text of every TokenRequest, where a line feed would split it.
        let unprintable = |c: char| c.is_whitespace() || c.is_control();
        if name.chars().any(unprintable) || secret.chars().any(unprintable) {
            return Err(Error::InvalidKey(
                "the key contains whitespace or a control character; trim it before parsing".into(),
            ));
        }
        if secret.contains(':') {
            return Err(Error::InvalidKey(
                "the key contains more than one `:`; expected `appId.keyId:secret`".into(),
            ));
        }
        if secret.contains('.') {
            return Err(Error::InvalidKey(
                "the secret contains `.`; is the key name missing before `:`?".into(),
            ));
        }
        let mac = PreKeyed::new(secret.as_bytes());
        Ok(Key {
            inner: Arc::new(KeyInner {
                name: name.into(),
                secret: Zeroizing::new(secret.to_owned()),
                mac,
                capability: None,
                revocable_tokens: false,
            }),
        })
    }

    /// Reads and parses the key in `ABLY_API_KEY`. The copy of the variable read from the
    /// environment is zeroized once parsed, whether or not it parses.
    pub fn from_env() -> Result<Key> {
        match std::env::var_os(API_KEY_ENV) {
            None => Err(Error::NoKey(format!(
                "{API_KEY_ENV} is not set; set it to your Ably API key `appId.keyId:secret`"
            ))),
            Some(value) => match value.into_string() {
                Ok(value) => Key::parse(Zeroizing::new(value).trim()),
                Err(value) => {
                    zeroize_os_string(value);
                    Err(Error::NoKey(format!(
                        "{API_KEY_ENV} is not UTF-8; set it to your Ably API key `appId.keyId:secret`"
                    )))
                }
            },
        }
    }

    /// The key name, `appId.keyId`: the part before the `:`.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The app id: the key name up to its first `.` (the whole name if it has none).
    pub fn app_id(&self) -> &str {
        self.inner
            .name
            .split_once('.')
            .map_or(&*self.inner.name, |(app, _)| app)
    }

    /// The key id: the key name after its first `.` (empty if it has none).
    pub fn key_id(&self) -> &str {
        self.inner.name.split_once('.').map_or("", |(_, id)| id)
    }

    /// The secret. Handle with care: it must never reach a client or a log.
    pub fn secret(&self) -> &str {
        &self.inner.secret
    }

    /// Declares the capability this key has in the Ably dashboard, so requests for more can be
    /// refused before they reach Ably, and the local endpoint can intersect like the service.
    pub fn with_capability(self, capability: Capability) -> Key {
        self.rebuild(|inner| inner.capability = Some(capability))
    }

    /// Declares that the key has "revocable tokens" enabled, which limits token ttl to 1 hour.
    pub fn with_revocable_tokens(self, revocable: bool) -> Key {
        self.rebuild(|inner| inner.revocable_tokens = revocable)
    }

    /// The capability declared with [`Key::with_capability`], if any.
    pub fn capability(&self) -> Option<&Capability> {
        self.inner.capability.as_ref()
    }

    /// Whether the key was declared to have revocable tokens.
    pub fn revocable_tokens(&self) -> bool {
        self.inner.revocable_tokens
    }

    /// The longest ttl a token from this key may have: 24 h, or 1 h with revocable tokens.
    pub fn max_ttl(&self) -> std::time::Duration {
        if self.inner.revocable_tokens {
            crate::limits::MAX_TTL_REVOCABLE
        } else {
            crate::limits::MAX_TTL
        }
    }

    /// HMAC-SHA256 of `message`, keyed with the secret.
    pub(crate) fn mac(&self, message: &[u8]) -> [u8; 32] {
        self.inner.mac.mac(message)
    }

    fn rebuild(self, change: impl FnOnce(&mut KeyInner)) -> Key {
        let mut inner = KeyInner {
            name: self.inner.name.clone(),
            secret: self.inner.secret.clone(),
            mac: self.inner.mac.clone(),
            capability: self.inner.capability.clone(),
            revocable_tokens: self.inner.revocable_tokens,
        };
        change(&mut inner);
        Key {
            inner: Arc::new(inner),
        }
    }
}

/// Zeroizes the bytes of an environment value that is not UTF-8 (on Unix, where they are
/// reachable; elsewhere the value is only dropped).
fn zeroize_os_string(value: std::ffi::OsString) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        drop(Zeroizing::new(value.into_vec()));
    }
    #[cfg(not(unix))]
    drop(value);
}

impl FromStr for Key {
    type Err = Error;
    fn from_str(s: &str) -> Result<Key> {
        Key::parse(s)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("name", &self.name())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Shows the key name only, never the secret.
impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:<redacted>", self.name())
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        use subtle::ConstantTimeEq;
        self.name() == other.name()
            && bool::from(self.secret().as_bytes().ct_eq(other.secret().as_bytes()))
    }
}

impl Eq for Key {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_parts() {
        let key = Key::parse("xVLyHw.LMJZxw:hO2ZyGZk9nwh1uWx").unwrap();
        assert_eq!(key.name(), "xVLyHw.LMJZxw");
        assert_eq!(key.app_id(), "xVLyHw");
        assert_eq!(key.key_id(), "LMJZxw");
        assert_eq!(key.secret(), "hO2ZyGZk9nwh1uWx");
        // ably-python's own test key has no dot in its name.
        let key = Key::parse("a_key_name:a_secret").unwrap();
        assert_eq!(key.app_id(), "a_key_name");
        assert_eq!(key.key_id(), "");
    }

    #[test]
    fn refuses_malformed_keys() {
        for bad in [
            "",
            ":",
            "appId.keyId",
            "appId.keyId:",
            ":secret",
            "app Id.keyId:secret",
            "appId.keyId:sec ret",
            "appId.keyId:a:b",
            "appId.keyId:se.cret",
            " appId.keyId:secret",
            // Control characters that are not whitespace: a key name goes into signed text.
            "appId.key\u{0}Id:secret",
            "appId.keyId\u{7f}:secret",
            "appId.keyId:sec\u{1b}ret",
            "appId.keyId\u{85}:secret",
        ] {
            let err = Key::parse(bad).unwrap_err();
            assert_eq!((err.code(), err.status()), (40101, 401), "{bad:?}");
        }
    }

    #[test]
    fn secret_is_redacted() {
        let key = Key::parse("appId.keyId:topSecretValue").unwrap();
        for text in [format!("{key:?}"), format!("{key}"), format!("{key:#?}")] {
            assert!(!text.contains("topSecretValue"), "{text}");
            assert!(text.contains("appId.keyId"), "{text}");
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_only_accepts_well_formed(s in "\\PC{0,40}") {
            if let Ok(key) = Key::parse(&s) {
                prop_assert_eq!(format!("{}:{}", key.name(), key.secret()), s);
                prop_assert!(!key.secret().contains(['.', ':']));
            }
        }
    }
}
