//! What every request of one endpoint shares.

use ably_auth::Verifier;

/// What every request of one endpoint shares.
pub(crate) struct State {
    pub(crate) verifier: Verifier,
}
