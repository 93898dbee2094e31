//! What the REST client reports through the `metrics` facade (feature `metrics`, see
//! [`crate::metrics`]); without the feature these do nothing.

use crate::error::Result;
use std::future::Future;

/// Runs one call to Ably's REST API named `operation` and records its duration and, when it
/// failed, its error code: the `Err`'s, or the one `failed` finds in an answer that came back
/// as `Ok` (an error status).
pub(super) async fn rest_call<T>(
    operation: &'static str,
    call: impl Future<Output = Result<T>>,
    failed: impl FnOnce(&T) -> Option<u32>,
) -> Result<T> {
    #[cfg(feature = "metrics")]
    {
        let started = std::time::Instant::now();
        let result = call.await;
        let error = match &result {
            Ok(answer) => failed(answer),
            Err(err) => Some(err.code()),
        };
        crate::metrics::rest_call(operation, started.elapsed(), error);
        result
    }
    #[cfg(not(feature = "metrics"))]
    {
        let _ = (operation, failed);
        call.await
    }
}

/// A request is about to go to a fallback host.
pub(super) fn fallback_request() {
    #[cfg(feature = "metrics")]
    crate::metrics::fallback_request();
}

/// An `Auth` obtained a token for itself, or failed to; `trigger` is the label value.
pub(super) fn token_renewal<T>(trigger: &'static str, result: &Result<T>) {
    #[cfg(feature = "metrics")]
    crate::metrics::token_renewal(trigger, result.is_ok());
    #[cfg(not(feature = "metrics"))]
    let _ = (trigger, result);
}
