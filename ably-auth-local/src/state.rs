//! What every request of one endpoint shares.

use crate::channels::Channels;
use crate::grants::{Grant, Revocations, Tokens};
use crate::limits::Limits;
use ably_auth::{ErrorInfo, Verifier};
use std::sync::{Mutex, MutexGuard};

/// One endpoint's keys, clock, limits and stores.
pub(crate) struct State {
    pub(crate) verifier: Verifier,
    pub(crate) limits: Limits,
    pub(crate) enforce_tls: bool,
    pub(crate) tokens: Mutex<Tokens>,
    pub(crate) revocations: Mutex<Revocations>,
    pub(crate) channels: Mutex<Channels>,
}

/// Locks `mutex`, carrying on after a panic elsewhere (every store stays consistent between
/// statements).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    pub(crate) fn new(verifier: Verifier, limits: Limits, enforce_tls: bool) -> State {
        State {
            verifier,
            limits,
            enforce_tls,
            tokens: Mutex::default(),
            revocations: Mutex::default(),
            channels: Mutex::new(Channels::default()),
        }
    }

    /// The endpoint's clock, ms since the epoch.
    pub(crate) fn now(&self) -> u64 {
        self.verifier.clock().now_ms()
    }

    /// What a token this endpoint minted grants.
    pub(crate) fn minted(&self, token: &str) -> Option<Grant> {
        lock(&self.tokens).get(token).cloned()
    }

    /// 40141 when a revocation in force matches `grant`.
    pub(crate) fn check_revoked(&self, grant: &Grant) -> Result<(), ErrorInfo> {
        if lock(&self.revocations).revokes(grant, self.now()) {
            return Err(ErrorInfo::new(
                40141,
                401,
                "token revoked: request a new token",
            ));
        }
        Ok(())
    }
}
