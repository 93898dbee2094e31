//! The REST client's metrics, read back from the Prometheus exporter's recorder (installed
//! for the test's thread only): call latency by operation and outcome, errors by Ably code,
//! fallback-host use and token renewals, with no channel name in any label.
#![cfg(all(feature = "rest", feature = "metrics"))]

#[path = "support/mock.rs"]
mod mock;

use ably_auth::AuthOptions;
use ably_auth::rest::Rest;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};
use mock::{Captured, Mock, PRIMARY, Reply, key, now_ms};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn recorder() -> PrometheusRecorder {
    PrometheusBuilder::new().build_recorder()
}

/// The value of the sample `name` whose labels are exactly `labels` (in any order), from
/// the exporter's text; `None` when there is none.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut wanted: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    wanted.sort();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (found, mut labels) = match series.split_once('{') {
                Some((found, rest)) => (
                    found,
                    rest.trim_end_matches('}')
                        .split(',')
                        .map(str::to_owned)
                        .collect::<Vec<_>>(),
                ),
                None => (series, Vec::new()),
            };
            labels.sort();
            (found == name && labels == wanted).then(|| value.parse().unwrap())
        })
}

/// All sample lines of `name` (any labels).
fn lines_of<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .collect()
}

#[tokio::test]
async fn a_fallback_host_is_counted_and_the_call_is_ok() {
    let recorder = recorder();
    let _local = metrics::set_default_local_recorder(&recorder);
    let server = Mock::start(true, |r: &Captured| {
        if r.host == PRIMARY {
            Reply::error(503, 50300)
        } else {
            Reply::json(200, json!([1_234_567_890_000u64]))
        }
    });
    let rest = Rest::new(server.options(AuthOptions::key(key()), &[])).unwrap();
    rest.time().await.unwrap();
    assert_eq!(server.requests().len(), 2);
    let text = recorder.handle().render();
    assert_eq!(
        sample(&text, "ably_auth_rest_fallback_requests_total", &[]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "ably_auth_rest_request_duration_seconds_count",
            &[("operation", "time"), ("outcome", "ok")]
        ),
        Some(1.0),
        "{text}"
    );
    // The primary's 503 was a step, not the call's outcome.
    assert!(
        lines_of(&text, "ably_auth_rest_errors_total").is_empty(),
        "{text}"
    );
}

#[tokio::test]
async fn token_renewals_and_error_codes_are_counted() {
    let recorder = recorder();
    let _local = metrics::set_default_local_recorder(&recorder);
    let issued = AtomicUsize::new(0);
    let api_calls = Arc::new(AtomicUsize::new(0));
    let calls = api_calls.clone();
    let server = Mock::start(true, move |r: &Captured| {
        if r.path.ends_with("/requestToken") {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            return Reply::json(
                200,
                json!({"token": format!("tok-{n}"), "issued": now_ms(), "expires": now_ms() + 3_600_000, "keyName": "appId.keyId"}),
            );
        }
        // The first token is refused as expired; the request with the second finds nothing.
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::error(401, 40142)
        } else {
            Reply::error(404, 40400)
        }
    });
    let rest =
        Rest::new(server.options(AuthOptions::key(key()).with_use_token_auth(true), &[])).unwrap();
    let page = rest
        .request("GET", "/channels/secret-room/messages", &[], None, &[])
        .await
        .unwrap();
    assert_eq!(page.status_code(), 404);
    assert_eq!(api_calls.load(Ordering::SeqCst), 2);
    assert_eq!(
        server.requests_to("/keys/appId.keyId/requestToken").len(),
        2
    );

    let text = recorder.handle().render();
    let renewals = "ably_auth_token_renewals_total";
    assert_eq!(
        sample(
            &text,
            renewals,
            &[("trigger", "missing"), ("outcome", "ok")]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            renewals,
            &[("trigger", "rejected"), ("outcome", "ok")]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(lines_of(&text, renewals).len(), 2, "{text}");
    let durations = "ably_auth_rest_request_duration_seconds_count";
    assert_eq!(
        sample(
            &text,
            durations,
            &[("operation", "request_token"), ("outcome", "ok")]
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            durations,
            &[("operation", "request"), ("outcome", "error")]
        ),
        Some(1.0),
        "{text}"
    );
    // The call ended in 40400; the 40142 was cured by the renewal.
    let errors = lines_of(&text, "ably_auth_rest_errors_total");
    assert_eq!(
        errors,
        [r#"ably_auth_rest_errors_total{operation="request",code="40400"} 1"#],
        "{text}"
    );
    assert!(!text.contains("secret-room"), "{text}");
    assert!(lines_of(&text, "ably_auth_rest_fallback_requests_total").is_empty());
}

#[tokio::test]
async fn a_refused_token_request_is_an_error_by_code_and_a_failed_renewal() {
    let recorder = recorder();
    let _local = metrics::set_default_local_recorder(&recorder);
    let server = Mock::start(true, |_: &Captured| Reply::error(401, 40101));
    let rest =
        Rest::new(server.options(AuthOptions::key(key()).with_use_token_auth(true), &[])).unwrap();
    let err = rest.auth().authorize(None, None).await.unwrap_err();
    assert_eq!(err.code(), 40101);
    let text = recorder.handle().render();
    assert_eq!(
        sample(
            &text,
            "ably_auth_rest_errors_total",
            &[("operation", "request_token"), ("code", "40101")]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "ably_auth_rest_request_duration_seconds_count",
            &[("operation", "request_token"), ("outcome", "error")]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "ably_auth_token_renewals_total",
            &[("trigger", "authorize"), ("outcome", "error")]
        ),
        Some(1.0),
        "{text}"
    );
}
