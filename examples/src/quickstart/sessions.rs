//! The quickstart's in-memory sessions: an idle timeout, a lifetime, and a cap on how many
//! are live at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long sessions live and how many there may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionSettings {
    /// A session unused for this long ends (each use restarts the clock).
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however busy; also the cookie's `Max-Age`.
    pub lifetime: Duration,
    /// The most sessions kept at once. Signing in when full first drops the expired
    /// sessions, then the one unused for longest.
    pub capacity: usize,
}

impl Default for SessionSettings {
    /// 30 minutes idle, 8 hours in all, 10 000 sessions.
    fn default() -> Self {
        SessionSettings {
            idle_timeout: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(8 * 60 * 60),
            capacity: 10_000,
        }
    }
}

struct Entry<U> {
    user: U,
    created: Instant,
    last_used: Instant,
}

/// Signed-in users by session id (the value of the session cookie).
///
/// ```
/// use ably_auth_examples::quickstart::{SessionSettings, Sessions};
///
/// let sessions = Sessions::new(SessionSettings::default());
/// let id = sessions.start("alice", None);
/// assert_eq!(sessions.user(&id), Some("alice"));
/// // Signing in again retires the session the browser came with.
/// let again = sessions.start("alice", Some(&id));
/// assert_eq!(sessions.user(&id), None);
/// assert_eq!(sessions.user(&again), Some("alice"));
/// ```
pub struct Sessions<U> {
    settings: SessionSettings,
    live: Mutex<HashMap<String, Entry<U>>>,
}

impl<U: Clone> Sessions<U> {
    /// An empty store.
    pub fn new(settings: SessionSettings) -> Sessions<U> {
        Sessions {
            settings,
            live: Mutex::new(HashMap::new()),
        }
    }

    /// The settings.
    pub fn settings(&self) -> SessionSettings {
        self.settings
    }

    /// Starts a session for `user` and returns its id (128 random bits, hex). `previous`, the
    /// session the request came with, ends: a new sign-in never keeps the old id alive.
    pub fn start(&self, user: U, previous: Option<&str>) -> String {
        self.start_at(user, previous, Instant::now())
    }

    /// The signed-in user of session `id`, if the session is live; the use restarts its idle
    /// timeout. An expired session is removed.
    pub fn user(&self, id: &str) -> Option<U> {
        self.user_at(id, Instant::now())
    }

    /// Ends session `id` (signing out).
    pub fn end(&self, id: &str) {
        self.lock().remove(id);
    }

    /// How many sessions are stored (live or expired but not yet removed).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no session is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry<U>>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn expired(&self, entry: &Entry<U>, now: Instant) -> bool {
        now.duration_since(entry.last_used) >= self.settings.idle_timeout
            || now.duration_since(entry.created) >= self.settings.lifetime
    }

    fn start_at(&self, user: U, previous: Option<&str>, now: Instant) -> String {
        let id = ably_auth::NonceSource::nonce(&ably_auth::RandomNonce);
        let mut live = self.lock();
        if let Some(previous) = previous {
            live.remove(previous);
        }
        if live.len() >= self.settings.capacity {
            live.retain(|_, entry| !self.expired(entry, now));
        }
        while live.len() >= self.settings.capacity.max(1) {
            let Some(oldest) = live
                .iter()
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(id, _)| id.clone())
            else {
                break;
            };
            live.remove(&oldest);
        }
        live.insert(
            id.clone(),
            Entry {
                user,
                created: now,
                last_used: now,
            },
        );
        id
    }

    fn user_at(&self, id: &str, now: Instant) -> Option<U> {
        let mut live = self.lock();
        let entry = live.get_mut(id)?;
        if self.expired(entry, now) {
            live.remove(id);
            return None;
        }
        entry.last_used = now;
        Some(entry.user.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(idle: u64, lifetime: u64, capacity: usize) -> Sessions<&'static str> {
        Sessions::new(SessionSettings {
            idle_timeout: Duration::from_secs(idle),
            lifetime: Duration::from_secs(lifetime),
            capacity,
        })
    }

    #[test]
    fn an_idle_session_ends_and_use_keeps_it_alive() {
        let sessions = store(60, 3600, 10);
        let t0 = Instant::now();
        let id = sessions.start_at("alice", None, t0);
        let at = |s| t0 + Duration::from_secs(s);
        assert_eq!(sessions.user_at(&id, at(59)), Some("alice"));
        assert_eq!(sessions.user_at(&id, at(118)), Some("alice"));
        assert_eq!(sessions.user_at(&id, at(178)), None);
        assert!(
            sessions.is_empty(),
            "an expired session is removed when seen"
        );
    }

    #[test]
    fn a_busy_session_still_ends_after_its_lifetime() {
        let sessions = store(60, 150, 10);
        let t0 = Instant::now();
        let id = sessions.start_at("alice", None, t0);
        for s in [50, 100, 149] {
            assert_eq!(
                sessions.user_at(&id, t0 + Duration::from_secs(s)),
                Some("alice")
            );
        }
        assert_eq!(sessions.user_at(&id, t0 + Duration::from_secs(150)), None);
    }

    #[test]
    fn when_full_the_expired_then_the_least_recently_used_go() {
        let sessions = store(60, 3600, 3);
        let t0 = Instant::now();
        let at = |s| t0 + Duration::from_secs(s);
        let a = sessions.start_at("a", None, t0);
        let b = sessions.start_at("b", None, at(10));
        let c = sessions.start_at("c", None, at(20));
        // `a` expires at 60; a fourth sign-in at 70 drops it, not the others.
        assert_eq!(sessions.user_at(&b, at(65)), Some("b"));
        let d = sessions.start_at("d", None, at(70));
        assert_eq!(sessions.len(), 3);
        assert_eq!(sessions.user_at(&a, at(70)), None);
        // None expired: the least recently used (`c`, last used at 20) goes.
        let e = sessions.start_at("e", None, at(71));
        assert_eq!(sessions.len(), 3);
        assert_eq!(sessions.user_at(&c, at(72)), None);
        for (id, user) in [(&b, "b"), (&d, "d"), (&e, "e")] {
            assert_eq!(sessions.user_at(id, at(72)), Some(user));
        }
    }

    #[test]
    fn ids_are_fresh_and_sign_out_ends_the_session() {
        let sessions = store(60, 3600, 10);
        let a = sessions.start("alice", None);
        let b = sessions.start("alice", None);
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        sessions.end(&a);
        assert_eq!(sessions.user(&a), None);
        assert_eq!(sessions.user(&b), Some("alice"));
    }
}
