//! Keys that can be replaced while the server runs: a [`KeySet`] (one key that signs, others
//! that only verify) held by a [`KeyRing`] that every issuer and
//! [`Verifier`](crate::Verifier) built from it shares.
//!
//! ```
//! use ably_auth::{Key, KeyRing, KeySet, RotatingTokenRequestIssuer, Verifier};
//!
//! let old: Key = "appId.old:oldSecret".parse()?;
//! let new: Key = "appId.new:newSecret".parse()?;
//! let ring = KeyRing::new(KeySet::new(old.clone()));
//! let issuer = RotatingTokenRequestIssuer::new(ring.clone());
//! let verifier = Verifier::from_key_ring(ring.clone());
//!
//! // Rotation: the new key signs, the old one still verifies what was signed with it.
//! ring.replace(KeySet::new(new.clone()).with_verify_only(old.clone())?);
//! assert_eq!(ring.signing_key().name(), "appId.new");
//! assert!(verifier.knows_key("appId.old"));
//! // Once the old key is dropped, what it signed no longer verifies here (40400).
//! ring.replace(KeySet::new(new));
//! assert!(!verifier.knows_key("appId.old"));
//! # let _ = issuer;
//! # Ok::<(), ably_auth::Error>(())
//! ```
//!
//! # What a swap does
//!
//! * [`KeyRing::replace`] is atomic: a request sees the old set or the new one, never a mix,
//!   and no request waits for or fails because of a swap.
//! * An issuer built from a ring ([`RotatingTokenRequestIssuer`], [`RotatingJwtIssuer`]) reads
//!   the signing key once per credential, so a credential being signed during a swap is signed
//!   whole with the key it started with, and names that key (`keyName`, the JWT's `kid`).
//! * A [`Verifier`](crate::Verifier) that follows a ring
//!   ([`Verifier::from_key_ring`](crate::Verifier::from_key_ring)) accepts a credential signed
//!   by any key in the ring's *current* set, looked up by the credential's key name.
//! * A credential signed with a key that is no longer in the set is refused by that verifier
//!   as an unknown key (40400, HTTP 404). Ably itself accepts it for as long as the key exists
//!   in the Ably dashboard: a TokenRequest within its 2-minute timestamp window, a JWT until
//!   its `exp`, a token Ably issued until it expires (or is revoked). Keep a retired key in
//!   the set as verify-only for at least the longest ttl you issue, then remove it here, then
//!   revoke it in the dashboard.
//!
//! # Key files
//!
//! [`KeySet::from_file`] (and [`KeySource`], which reads `ABLY_API_KEY` or
//! `ABLY_API_KEY_FILE`) reads UTF-8 text with one key `appId.keyId:secret` per line. Spaces
//! and tabs around a key are ignored, as are blank lines and lines starting with `#`. The first
//! key signs; each following key only verifies. A file with no key, a malformed line, the same
//! key name twice or more than 64 KiB is refused with an error naming the file and the line,
//! never the secret. With the `reload` feature, `KeyFileWatcher` reloads the file on SIGHUP and
//! when its content changes; a file that does not load leaves the previous keys in place.

use crate::error::{Error, Result};
use crate::key::Key;
use arc_swap::ArcSwap;
use std::fmt;
use std::sync::Arc;

mod file;
mod issuer;
#[cfg(feature = "reload")]
mod watch;

pub use file::{API_KEY_FILE_ENV, KeySource, MAX_KEY_FILE_BYTES};
pub use issuer::{RotatingJwtIssuer, RotatingTokenRequestIssuer};
#[cfg(feature = "reload")]
#[cfg_attr(docsrs, doc(cfg(feature = "reload")))]
pub use watch::{KeyFileWatcher, ReloadEvent, ReloadTrigger};

/// A set of keys: the first signs, the others only verify. Key names are unique within a set.
///
/// `Debug` shows the key names only.
#[derive(Clone)]
pub struct KeySet {
    /// `keys[0]` signs.
    keys: Vec<Key>,
}

impl KeySet {
    /// A set with one key, which signs.
    pub fn new(signing: Key) -> KeySet {
        KeySet {
            keys: vec![signing],
        }
    }

    /// A set whose first key signs and whose other keys only verify. Refused: no key at all
    /// (40106), or the same key name twice (40101).
    pub fn from_keys(keys: impl IntoIterator<Item = Key>) -> Result<KeySet> {
        let mut keys = keys.into_iter();
        let Some(signing) = keys.next() else {
            return Err(Error::NoKey(
                "a key set needs at least one key, the one that signs".into(),
            ));
        };
        keys.try_fold(KeySet::new(signing), KeySet::with_verify_only)
    }

    /// Adds `key` as a key that verifies but does not sign. Refused with 40101 when the set
    /// already has a key of that name.
    pub fn with_verify_only(mut self, key: Key) -> Result<KeySet> {
        if self.get(key.name()).is_some() {
            return Err(Error::InvalidKey(format!(
                "the key {} is listed twice; list each key once",
                key.name()
            )));
        }
        self.keys.push(key);
        Ok(self)
    }

    /// The key that signs.
    pub fn signing(&self) -> &Key {
        &self.keys[0]
    }

    /// The keys that only verify, in the order given.
    pub fn verify_only(&self) -> &[Key] {
        &self.keys[1..]
    }

    /// Every key, the signing key first.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The key named `name` (`appId.keyId`), if the set has it.
    pub fn get(&self, name: &str) -> Option<&Key> {
        self.keys.iter().find(|key| key.name() == name)
    }

    /// The key names, the signing key's first: what to log instead of the keys.
    pub fn names(&self) -> Vec<&str> {
        self.keys.iter().map(Key::name).collect()
    }
}

impl From<Key> for KeySet {
    fn from(key: Key) -> KeySet {
        KeySet::new(key)
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.verify_only().iter().map(Key::name).collect();
        f.debug_struct("KeySet")
            .field("signing", &self.signing().name())
            .field("verify_only", &names)
            .finish()
    }
}

/// The current [`KeySet`], replaceable while the server runs. Clones share the set: replace it
/// through any clone and every issuer and verifier built from the ring sees the new one on its
/// next request (see the [module docs](self) for what that means for credentials in flight).
///
/// `Debug` shows the key names only.
#[derive(Clone)]
pub struct KeyRing {
    current: Arc<ArcSwap<KeySet>>,
}

impl KeyRing {
    /// A ring holding `keys`.
    pub fn new(keys: KeySet) -> KeyRing {
        KeyRing {
            current: Arc::new(ArcSwap::from_pointee(keys)),
        }
    }

    /// The current set. Hold it for the length of one request to use one set throughout.
    pub fn current(&self) -> Arc<KeySet> {
        self.current.load_full()
    }

    /// The key that signs now.
    pub fn signing_key(&self) -> Key {
        self.current.load().signing().clone()
    }

    /// The key named `name` in the current set, if any.
    pub fn get(&self, name: &str) -> Option<Key> {
        self.current.load().get(name).cloned()
    }

    /// Replaces the set; returns the one it replaced. Requests already under way finish with
    /// the set they loaded.
    pub fn replace(&self, keys: KeySet) -> Arc<KeySet> {
        self.current.swap(Arc::new(keys))
    }

    /// Loads `source` and, if it loads, replaces the set with it and returns the new set. If
    /// it does not, the current set stays and the error says what to change.
    pub fn reload(&self, source: &KeySource) -> Result<Arc<KeySet>> {
        let keys = Arc::new(source.load()?);
        self.current.store(keys.clone());
        Ok(keys)
    }
}

impl From<Key> for KeyRing {
    fn from(key: Key) -> KeyRing {
        KeyRing::new(KeySet::new(key))
    }
}

impl From<KeySet> for KeyRing {
    fn from(keys: KeySet) -> KeyRing {
        KeyRing::new(keys)
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("KeyRing")
            .field(&*self.current.load())
            .finish()
    }
}

#[cfg(test)]
mod tests;
