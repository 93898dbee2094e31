//! [`LocalAbly`]: the endpoint's configuration (its keys and clock).

use crate::DEMO_KEY;
use crate::limits::Limits;
use crate::routes::register;
use crate::state::State;
use ably_auth::jwt::Hs256Secret;
use ably_auth::{Capability, Clock, Key, KeyRing, SystemClock, Verifier};
use actix_web::web;
use std::fmt;
use std::sync::Arc;

/// A local Ably endpoint: a set of keys (each with the capability it has "in the
/// dashboard", see [`Key::with_capability`]) and a clock.
///
/// Mount it into your own [`App`](actix_web::App) with [`LocalAbly::configure`], or run it on
/// its own port with [`LocalAbly::start`].
///
/// ```
/// use ably_auth::{Capability, Key};
/// use ably_auth_local::LocalAbly;
///
/// let key: Key = "appId.keyId:keySecret".parse()?;
/// let local = LocalAbly::new(key.with_capability(Capability::parse(r#"{"chat:*":["*"]}"#)?));
/// let app = actix_web::App::new().configure(local.configure());
/// # drop(app);
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct LocalAbly {
    pub(crate) keys: Vec<Key>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) limits: Limits,
    pub(crate) enforce_tls: bool,
    pub(crate) external_jwt_secrets: Vec<Hs256Secret>,
    pub(crate) ring: Option<KeyRing>,
}

impl fmt::Debug for LocalAbly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalAbly")
            .field("keys", &self.keys.iter().map(Key::name).collect::<Vec<_>>())
            .field("clock", &self.clock)
            .field("limits", &self.limits)
            .field("enforce_tls", &self.enforce_tls)
            .field("external_jwt_secrets", &self.external_jwt_secrets.len())
            .field("ring", &self.ring)
            .finish()
    }
}

impl LocalAbly {
    /// An endpoint accepting `key`, with the system clock.
    pub fn new(key: Key) -> LocalAbly {
        LocalAbly {
            keys: vec![key],
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
            enforce_tls: false,
            external_jwt_secrets: Vec::new(),
            ring: None,
        }
    }

    /// An endpoint accepting [`DEMO_KEY`] with capability `{"[*]*":["*"]}` and revocable
    /// tokens, for the quickstart.
    pub fn demo() -> LocalAbly {
        LocalAbly::new(demo_key())
    }

    /// Also accepts `key` (a key with the same name replaces the earlier one). Each key has
    /// its own capability ([`Key::with_capability`]: a TokenRequest outside it is refused
    /// with 40160) and revocable flag ([`Key::with_revocable_tokens`]: its tokens live at most
    /// 1 h and `revokeTokens` works for them).
    pub fn with_key(mut self, key: Key) -> LocalAbly {
        self.keys.retain(|k| k.name() != key.name());
        self.keys.push(key);
        self
    }

    /// Also accepts every key of `ring`'s set *at the time of each request*: the endpoint
    /// follows an app that rotates its keys in the same process (a [`KeyRing`] replaced or
    /// reloaded from a key file), as Ably would once the new key exists in the dashboard. A
    /// key the ring gains is accepted from then on; one it drops is unknown again (a
    /// TokenRequest naming it gets 40400), unless it was also given to [`LocalAbly::new`] or
    /// [`LocalAbly::with_key`]. The ring's keys are looked up first.
    ///
    /// ```
    /// use ably_auth::{Key, KeyRing, KeySet};
    /// use ably_auth_local::LocalAbly;
    ///
    /// let ring = KeyRing::new(KeySet::new("appId.first:firstSecret".parse()?));
    /// let local = LocalAbly::demo().with_key_ring(ring.clone());
    /// // Later, a rotation: the endpoint accepts the new key at once.
    /// ring.replace(KeySet::new("appId.second:secondSecret".parse()?));
    /// # drop(local);
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn with_key_ring(mut self, ring: KeyRing) -> LocalAbly {
        self.ring = Some(ring);
        self
    }

    /// Uses `clock` for `/time`, the timestamp window and `issued`/`expires`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> LocalAbly {
        self.clock = clock;
        self
    }

    /// Caps what the endpoint keeps (history, channels, tokens, revocations) and the size of
    /// messages; see [`Limits`].
    pub fn with_limits(mut self, limits: Limits) -> LocalAbly {
        self.limits = limits;
        self
    }

    /// Refuses Basic auth over plain http with 40103, as the service does (off by default:
    /// the endpoint itself speaks plain http, so this refuses every Basic request not
    /// forwarded as https).
    pub fn enforce_tls(mut self, enforce: bool) -> LocalAbly {
        self.enforce_tls = enforce;
        self
    }

    /// Accepts External JWTs signed with `secret` (HS256) whose embedded token is an Ably
    /// token this endpoint minted or an Ably JWT signed by a configured key. Call it again
    /// to accept several secrets (for rotation). The request then has what the embedded
    /// token grants, checked as for that token (its expiry, its revocation, its capability);
    /// see [the credentials table](crate#credentials). Without a secret, External JWTs are
    /// refused with 40144.
    pub fn with_external_jwt_secret(mut self, secret: Hs256Secret) -> LocalAbly {
        self.external_jwt_secrets.push(secret);
        self
    }

    pub(crate) fn state(&self) -> Arc<State> {
        let verifier = self
            .keys
            .iter()
            .cloned()
            .fold(Verifier::new().with_clock(self.clock.clone()), |v, k| {
                v.with_key(k)
            });
        let verifier = match &self.ring {
            Some(ring) => verifier.with_key_ring(ring.clone()),
            None => verifier,
        };
        let verifier = self
            .external_jwt_secrets
            .iter()
            .cloned()
            .fold(verifier, Verifier::with_external_jwt_secret);
        Arc::new(State::new(verifier, self.limits, self.enforce_tls))
    }

    /// Registers the endpoint's routes in an app or scope. Each call makes a fresh endpoint
    /// (with its own nonce replay cache, tokens, revocations and history).
    pub fn configure(&self) -> impl FnOnce(&mut web::ServiceConfig) + use<> {
        let state = self.state();
        move |cfg| register(cfg, state)
    }
}

/// [`DEMO_KEY`] with capability `{"[*]*":["*"]}` and revocable tokens (so its tokens live
/// at most 1 h, and `revokeTokens` works for them).
pub fn demo_key() -> Key {
    Key::parse(DEMO_KEY)
        .expect("DEMO_KEY is well formed")
        .with_capability(Capability::everything())
        .with_revocable_tokens(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEMO_KEY_SECRET;

    #[test]
    fn demo_key_is_valid_and_redacted() {
        let key = demo_key();
        assert_eq!(key.name(), "demoApp.demoKey");
        assert_eq!(key.secret(), DEMO_KEY_SECRET);
        assert!(!format!("{:?}", LocalAbly::demo()).contains(key.secret()));
    }

    #[test]
    fn external_jwt_secrets_are_counted_not_shown() {
        let secret = "an-external-jwt-secret-of-32-bytes-or-more";
        let local = LocalAbly::demo()
            .with_external_jwt_secret(Hs256Secret::new(secret).unwrap())
            .with_external_jwt_secret(Hs256Secret::new(secret).unwrap());
        let shown = format!("{local:?}");
        assert!(shown.contains("external_jwt_secrets: 2"), "{shown}");
        assert!(!shown.contains(secret), "{shown}");
    }
}
