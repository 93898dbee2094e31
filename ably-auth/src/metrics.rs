//! Counters and histograms through the [`metrics`](https://docs.rs/metrics) facade (feature
//! `metrics`, off by default): what was issued and refused, how long issuing took, and how the
//! calls to Ably's REST API went. The app installs the exporter (Prometheus, StatsD, …); with
//! none installed, recording costs next to nothing.
//!
//! | name | type | labels | what is counted or measured |
//! | --- | --- | --- | --- |
//! | `ably_auth_credentials_issued_total` | counter | `kind`, `route` | credentials issued by a credential route |
//! | `ably_auth_credentials_refused_total` | counter | `code`, `route` | requests a credential route refused, by Ably error code |
//! | `ably_auth_issue_duration_seconds` | histogram | `route`, `outcome` | time from the extracted request to the credential or the refusal |
//! | `ably_auth_rest_request_duration_seconds` | histogram | `operation`, `outcome` | one call to Ably's REST API, every host it tried included |
//! | `ably_auth_rest_errors_total` | counter | `operation`, `code` | calls to Ably's REST API that ended in an error, by Ably error code |
//! | `ably_auth_rest_fallback_requests_total` | counter | (none) | requests sent to a fallback host rather than the primary one (RSC15) |
//! | `ably_auth_token_renewals_total` | counter | `trigger`, `outcome` | new tokens obtained by an `Auth` for its own use (RSA4b, RSA10) |
//!
//! Every label takes few values, so no label can grow a series per user, channel or request:
//!
//! | label | values |
//! | --- | --- |
//! | `kind` | `token_request`, `jwt`, `token`, `embedded_jwt` ([`Credential::kind`](crate::Credential::kind)) |
//! | `route` | the route's configured path pattern (`/ably/token`, `/t/{tenant}/token`), never the request's path; `unmatched` when the request matched no pattern |
//! | `code` | the Ably error code (`40100`, `42910`, …): at most [`MAX_CODE_LABELS`] distinct codes per process, and only five-digit ones; any other is `other` |
//! | `outcome` | `issued` or `refused` (issuing); `ok` or `error` (REST calls, renewals) |
//! | `operation` | `request_token`, `time`, `revoke_tokens`, `request` ([`Rest::request`](crate::Rest::request) and its pages) |
//! | `trigger` | `authorize` ([`Auth::authorize`](crate::Auth::authorize)), `missing` (no token yet), `expiring` (within `ably_auth::rest::RENEW_MARGIN` of expiry), `rejected` (Ably refused it with 40140–40149) |
//!
//! No label holds a clientId, a channel name, a key name, a token or a request path. A REST
//! call's duration covers every host it tried and the reading of the answer; a token it had
//! to renew first is counted on its own (`request_token`, and a renewal).
//!
//! The credential-route metrics are recorded by `ably-auth-actix` (its feature `metrics`),
//! or by a route of your own through [`issued`] and [`refused`].
//!
//! ```
//! // After installing your recorder: the names' help texts and units.
//! ably_auth::metrics::describe();
//! ```

use crate::error::Error;
use metrics::{SharedString, Unit};
use std::sync::Mutex;
use std::time::Duration;

/// Counter: credentials issued, labels `kind` and `route`.
pub const CREDENTIALS_ISSUED: &str = "ably_auth_credentials_issued_total";
/// Counter: requests refused by a credential route, labels `code` and `route`.
pub const CREDENTIALS_REFUSED: &str = "ably_auth_credentials_refused_total";
/// Histogram (seconds): time to issue or refuse, labels `route` and `outcome`.
pub const ISSUE_DURATION: &str = "ably_auth_issue_duration_seconds";
/// Histogram (seconds): one call to Ably's REST API, labels `operation` and `outcome`.
pub const REST_REQUEST_DURATION: &str = "ably_auth_rest_request_duration_seconds";
/// Counter: calls to Ably's REST API that failed, labels `operation` and `code`.
pub const REST_ERRORS: &str = "ably_auth_rest_errors_total";
/// Counter: requests sent to a fallback host, no labels.
pub const REST_FALLBACK_REQUESTS: &str = "ably_auth_rest_fallback_requests_total";
/// Counter: tokens an `Auth` obtained for itself, labels `trigger` and `outcome`.
pub const TOKEN_RENEWALS: &str = "ably_auth_token_renewals_total";

/// How many distinct error codes the `code` label takes in one process; later codes are
/// reported as `other`.
pub const MAX_CODE_LABELS: usize = 64;

/// The label value of a `route` matched by no configured pattern.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Gives the installed recorder each metric's help text and unit (Prometheus prints them as
/// `# HELP` and `# TYPE`). Call it once, after installing the recorder.
pub fn describe() {
    metrics::describe_counter!(
        CREDENTIALS_ISSUED,
        Unit::Count,
        "Ably credentials issued, by kind and route"
    );
    metrics::describe_counter!(
        CREDENTIALS_REFUSED,
        Unit::Count,
        "credential requests refused, by Ably error code and route"
    );
    metrics::describe_histogram!(
        ISSUE_DURATION,
        Unit::Seconds,
        "time to issue or refuse an Ably credential"
    );
    metrics::describe_histogram!(
        REST_REQUEST_DURATION,
        Unit::Seconds,
        "calls to Ably's REST API, fallback hosts included"
    );
    metrics::describe_counter!(
        REST_ERRORS,
        Unit::Count,
        "calls to Ably's REST API that failed, by Ably error code"
    );
    metrics::describe_counter!(
        REST_FALLBACK_REQUESTS,
        Unit::Count,
        "requests sent to an Ably fallback host"
    );
    metrics::describe_counter!(
        TOKEN_RENEWALS,
        Unit::Count,
        "Ably tokens obtained by an Auth for its own requests"
    );
}

/// Records a credential issued by the route whose configured path pattern is `route`:
/// [`CREDENTIALS_ISSUED`] and [`ISSUE_DURATION`]. `kind` is
/// [`Credential::kind`](crate::Credential::kind). `route` must be the pattern (bounded by the
/// app's routes), never the request's path, which holds whatever the client sent.
pub fn issued(kind: &'static str, route: &str, elapsed: Duration) {
    let route = SharedString::from(route.to_owned());
    metrics::counter!(CREDENTIALS_ISSUED, "kind" => kind, "route" => route.clone()).increment(1);
    metrics::histogram!(ISSUE_DURATION, "route" => route, "outcome" => "issued")
        .record(elapsed.as_secs_f64());
}

/// Records a request refused by the route whose configured path pattern is `route`:
/// [`CREDENTIALS_REFUSED`] with the error's code (see [`code_label`]) and [`ISSUE_DURATION`].
pub fn refused(err: &Error, route: &str, elapsed: Duration) {
    let route = SharedString::from(route.to_owned());
    metrics::counter!(CREDENTIALS_REFUSED, "code" => code_label(err.code()), "route" => route.clone())
        .increment(1);
    metrics::histogram!(ISSUE_DURATION, "route" => route, "outcome" => "refused")
        .record(elapsed.as_secs_f64());
}

/// The `code` label of an Ably error code: the code itself when it has five digits, as Ably's
/// codes do, and is among the first [`MAX_CODE_LABELS`] codes seen by this process; `other`
/// otherwise. Codes come from Ably's answers too, so they are bounded here.
pub fn code_label(code: u32) -> SharedString {
    static SEEN: Mutex<Vec<u32>> = Mutex::new(Vec::new());
    if !(10_000..=99_999).contains(&code) {
        return SharedString::const_str("other");
    }
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if !seen.contains(&code) {
        if seen.len() >= MAX_CODE_LABELS {
            return SharedString::const_str("other");
        }
        seen.push(code);
    }
    SharedString::from(code.to_string())
}

/// Records one call to Ably's REST API: [`REST_REQUEST_DURATION`], and [`REST_ERRORS`] when
/// it failed with `error` (an Ably error code).
#[cfg(feature = "rest")]
pub(crate) fn rest_call(operation: &'static str, elapsed: Duration, error: Option<u32>) {
    let outcome = if error.is_some() { "error" } else { "ok" };
    metrics::histogram!(REST_REQUEST_DURATION, "operation" => operation, "outcome" => outcome)
        .record(elapsed.as_secs_f64());
    if let Some(code) = error {
        metrics::counter!(REST_ERRORS, "operation" => operation, "code" => code_label(code))
            .increment(1);
    }
}

/// Records a request sent to a fallback host.
#[cfg(feature = "rest")]
pub(crate) fn fallback_request() {
    metrics::counter!(REST_FALLBACK_REQUESTS).increment(1);
}

/// Records a token an `Auth` obtained (or failed to) for itself.
#[cfg(feature = "rest")]
pub(crate) fn token_renewal(trigger: &'static str, ok: bool) {
    let outcome = if ok { "ok" } else { "error" };
    metrics::counter!(TOKEN_RENEWALS, "trigger" => trigger, "outcome" => outcome).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_labels_are_bounded() {
        assert_eq!(code_label(9_999).as_ref(), "other");
        assert_eq!(code_label(100_000).as_ref(), "other");
        assert_eq!(code_label(40_100).as_ref(), "40100");
        // Fill the table with codes no other test uses, then one more is `other`, and a
        // code already seen keeps its label.
        let mut code = 90_000;
        while code_label(code).as_ref() != "other" {
            code += 1;
            assert!(code < 90_000 + MAX_CODE_LABELS as u32 + 1, "unbounded");
        }
        assert_eq!(code_label(40_100).as_ref(), "40100");
        assert_eq!(code_label(code + 1).as_ref(), "other");
    }
}
