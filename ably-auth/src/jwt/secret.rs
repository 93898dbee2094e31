//! [`Hs256Secret`]: the secret an External JWT is signed with.

use crate::error::{Error, Result};
use crate::key::Key;
use crate::mac::PreKeyed;
use std::fmt;

/// The fewest bytes [`Hs256Secret::new`] accepts: 32, the size of an HS256 MAC. RFC 7518
/// §3.2 requires a key of at least the hash's size for HS256.
pub const MIN_SECRET_BYTES: usize = 32;

/// A secret that signs and checks HS256 JWTs: the app's own secret, or an Ably key's.
///
/// Only the HMAC-SHA256 state keyed with it is kept (zeroized on drop), never the bytes
/// themselves, and it shows as `Hs256Secret(<redacted>)` in `Debug`.
///
/// ```
/// use ably_auth::jwt::Hs256Secret;
///
/// let secret = Hs256Secret::new("a-secret-of-our-own-32-bytes-long")?;
/// assert_eq!(format!("{secret:?}"), "Hs256Secret(<redacted>)");
/// // Shorter secrets are refused: RFC 7518 §3.2 asks for at least 32 bytes.
/// assert_eq!(Hs256Secret::new("short").unwrap_err().code(), 40106);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct Hs256Secret {
    mac: PreKeyed,
}

impl Hs256Secret {
    /// A secret of the app's own (its bytes as given, UTF-8 for a string). Refused with
    /// [`Error::Config`] when shorter than [`MIN_SECRET_BYTES`].
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Hs256Secret> {
        let secret = secret.as_ref();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(Error::Config(format!(
                "an HS256 secret must have at least {MIN_SECRET_BYTES} bytes (RFC 7518 §3.2); this one has {}: use a longer random secret",
                secret.len()
            )));
        }
        Ok(Hs256Secret {
            mac: PreKeyed::new(secret),
        })
    }

    /// The secret part of an Ably key (its UTF-8 bytes, as Ably JWTs are signed), whatever
    /// its length: Ably chose it.
    pub fn from_key(key: &Key) -> Hs256Secret {
        Hs256Secret {
            mac: PreKeyed::new(key.secret().as_bytes()),
        }
    }

    pub(crate) fn pre_keyed(&self) -> &PreKeyed {
        &self.mac
    }
}

impl fmt::Debug for Hs256Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hs256Secret(<redacted>)")
    }
}
