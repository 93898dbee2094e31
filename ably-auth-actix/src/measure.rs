//! The credential routes' metrics (feature `metrics`; the table is in `ably_auth::metrics`):
//! what was issued or refused on which route, and how long it took. Without the feature,
//! nothing is recorded.

use ably_auth::Error;
use actix_web::HttpRequest;
use std::time::Instant;

/// Records the outcome of one credential request that started at `started`. The `route`
/// label is the matched resource's configured pattern, never the request's path.
pub(crate) fn record_outcome(
    req: &HttpRequest,
    started: Instant,
    outcome: Result<&'static str, &Error>,
) {
    #[cfg(feature = "metrics")]
    {
        let route = req.match_pattern();
        let route = route
            .as_deref()
            .unwrap_or(ably_auth::metrics::UNMATCHED_ROUTE);
        match outcome {
            Ok(kind) => ably_auth::metrics::issued(kind, route, started.elapsed()),
            Err(err) => ably_auth::metrics::refused(err, route, started.elapsed()),
        }
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (req, started, outcome);
}
