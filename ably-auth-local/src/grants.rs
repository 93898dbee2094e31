//! What the endpoint remembers about credentials: the tokens it minted and the revocations
//! in force. Both stores are capped ([`Limits`](crate::Limits)).

use ably_auth::{Capability, ErrorInfo};
use std::collections::{HashMap, VecDeque};

/// The longest an Ably token or JWT can live (24 h): a revocation older than that can no
/// longer match a live credential.
const MAX_TTL_MS: u64 = 24 * 60 * 60 * 1000;

/// What a credential grants.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    /// The key that issued it (or, for Basic auth, the key itself).
    pub(crate) key_name: String,
    /// Its clientId: `None` for an anonymous client, `Some("*")` for any.
    pub(crate) client_id: Option<String>,
    /// What it permits.
    pub(crate) capability: Capability,
    /// Issue time, ms since the epoch.
    pub(crate) issued: u64,
    /// Expiry, ms since the epoch (`u64::MAX` for a key).
    pub(crate) expires: u64,
    /// A JWT's `x-ably-revocation-key`.
    pub(crate) revocation_key: Option<String>,
    /// Issued by a key with revocable tokens.
    pub(crate) revocable: bool,
    /// Basic auth with the key itself.
    pub(crate) basic: bool,
}

/// The Ably tokens this endpoint minted, oldest first.
#[derive(Default)]
pub(crate) struct Tokens {
    by_token: HashMap<String, Grant>,
    order: VecDeque<String>,
}

impl Tokens {
    /// Remembers `token`; forgets expired tokens, then the oldest ones, to stay within `cap`.
    pub(crate) fn insert(&mut self, token: String, grant: Grant, now: u64, cap: usize) {
        while let Some(oldest) = self.order.front() {
            let expired = self.by_token.get(oldest).is_none_or(|g| g.expires <= now);
            if !expired && self.order.len() < cap.max(1) {
                break;
            }
            if let Some(oldest) = self.order.pop_front() {
                self.by_token.remove(&oldest);
            }
        }
        self.order.push_back(token.clone());
        self.by_token.insert(token, grant);
    }

    /// What `token` grants, if this endpoint minted it (and still remembers it).
    pub(crate) fn get(&self, token: &str) -> Option<&Grant> {
        self.by_token.get(token)
    }

    /// How many tokens are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_token.len()
    }
}

/// What a revocation targets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// `clientId:…`: every token of that clientId.
    ClientId(String),
    /// `revocationKey:…`: every JWT with that `x-ably-revocation-key`.
    RevocationKey(String),
}

/// One revocation: credentials issued before `issued_before` fail from `applies_at` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Revocation {
    pub(crate) issued_before: u64,
    pub(crate) applies_at: u64,
}

/// The revocations in force, per key and target. Every revocation made is kept (none
/// replaces another) until no credential it could match is still alive.
#[derive(Default)]
pub(crate) struct Revocations {
    by_target: HashMap<(String, Target), Vec<Revocation>>,
    count: usize,
}

impl Revocations {
    /// Records a revocation; refused with 42910 when `cap` revocations are in force.
    pub(crate) fn insert(
        &mut self,
        key_name: &str,
        target: Target,
        revocation: Revocation,
        now: u64,
        cap: usize,
    ) -> Result<(), ErrorInfo> {
        self.purge(now);
        if self.count >= cap {
            return Err(ErrorInfo::new(
                42910,
                429,
                format!(
                    "this local endpoint keeps at most {cap} revocations in force; raise Limits::revocations"
                ),
            ));
        }
        self.by_target
            .entry((key_name.to_owned(), target))
            .or_default()
            .push(revocation);
        self.count += 1;
        Ok(())
    }

    /// Forgets revocations that can no longer match a live credential.
    fn purge(&mut self, now: u64) {
        let before = self.count;
        let mut removed = 0;
        self.by_target.retain(|_, list| {
            let len = list.len();
            list.retain(|r| r.issued_before.saturating_add(MAX_TTL_MS) > now);
            removed += len - list.len();
            !list.is_empty()
        });
        self.count = before - removed;
    }

    /// Whether `grant` is revoked at `now`.
    pub(crate) fn revokes(&self, grant: &Grant, now: u64) -> bool {
        if !grant.revocable || grant.basic {
            return false;
        }
        let targets = [
            grant.client_id.clone().map(Target::ClientId),
            grant.revocation_key.clone().map(Target::RevocationKey),
        ];
        targets.into_iter().flatten().any(|target| {
            self.by_target
                .get(&(grant.key_name.clone(), target))
                .is_some_and(|list| {
                    list.iter()
                        .any(|r| grant.issued < r.issued_before && now >= r.applies_at)
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(client_id: &str, issued: u64) -> Grant {
        Grant {
            key_name: "app.key".into(),
            client_id: Some(client_id.into()),
            capability: Capability::all_channels(),
            issued,
            expires: issued + 60_000,
            revocation_key: None,
            revocable: true,
            basic: false,
        }
    }

    #[test]
    fn tokens_are_capped_oldest_first() {
        let mut tokens = Tokens::default();
        for i in 0..10u64 {
            tokens.insert(format!("t{i}"), grant("a", 1_000 + i), 1_000, 3);
        }
        assert_eq!(tokens.len(), 3);
        assert!(tokens.get("t6").is_none());
        assert!(tokens.get("t9").is_some());
        // Expired ones go first.
        tokens.insert("late".into(), grant("a", 100_000), 100_000, 3);
        assert_eq!(tokens.len(), 1);
    }

    #[test]
    fn a_later_revocation_never_lifts_an_earlier_one() {
        let mut r = Revocations::default();
        let now = 10_000;
        let immediate = Revocation {
            issued_before: now,
            applies_at: now,
        };
        let with_margin = Revocation {
            issued_before: now + 5,
            applies_at: now + 30_000,
        };
        let target = || Target::ClientId("a".into());
        r.insert("app.key", target(), immediate, now, 10).unwrap();
        r.insert("app.key", target(), with_margin, now, 10).unwrap();
        assert!(r.revokes(&grant("a", now - 1), now));
        assert!(!r.revokes(&grant("a", now + 1), now), "margin not yet over");
        assert!(r.revokes(&grant("a", now + 1), now + 30_000));
        assert!(!r.revokes(&grant("b", now - 1), now));
        let err = r
            .insert("app.key", Target::ClientId("c".into()), immediate, now, 2)
            .unwrap_err();
        assert_eq!((err.code, err.status_code), (42910, 429));
        // A day later they can match nothing alive and make room.
        let later = now + MAX_TTL_MS + 10;
        r.insert("app.key", Target::ClientId("c".into()), immediate, later, 2)
            .unwrap();
    }
}
